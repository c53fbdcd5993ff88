"""Engine and session factory for work outside a request (CLI, jobs, tests).

SQLite gets the pragmas that make it a safe embedded database: foreign keys enforced, WAL
for concurrent readers, a busy timeout instead of immediate "database is locked" errors.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine

from matching.config import DatabaseSettings


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def make_engine(settings: DatabaseSettings, **kwargs: Any) -> AsyncEngine:
    if settings.is_sqlite:
        engine = create_async_engine(settings.url, echo=settings.echo, **kwargs)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    connect_args = {"timeout": settings.connect_timeout, "command_timeout": 30}
    return create_async_engine(
        settings.url,
        echo=settings.echo,
        pool_size=settings.pool_size,
        pool_pre_ping=True,
        pool_timeout=settings.connect_timeout,
        connect_args=connect_args,
        **kwargs,
    )


def make_session_factory(engine: AsyncEngine) -> async_sessionmaker[Any]:
    return async_sessionmaker(engine, expire_on_commit=False)
