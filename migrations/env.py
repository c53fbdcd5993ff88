"""Alembic environment: used by `litestar database upgrade` and by the tests.

Three ways in: a connection handed over in ``config.attributes`` (tests), advanced-alchemy's
command config (``db_url``/``engine``, the Litestar CLI), or the project settings.
"""

from __future__ import annotations

import asyncio
from typing import Any

from alembic import context
from sqlalchemy import pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

import matching.db.models  # noqa: F401  (registers every table on the metadata)
from matching.config import get_settings
from matching.db.base import metadata

config: Any = context.config
VERSION_TABLE = "alembic_versions"


def _configure(connection: Connection | None = None, url: str | None = None) -> None:
    context.configure(
        connection=connection,
        url=url,
        target_metadata=metadata,
        version_table=VERSION_TABLE,
        render_as_batch=True,
        compare_type=True,
        user_module_prefix="sa.",
        literal_binds=connection is None,
    )


def _run(connection: Connection) -> None:
    _configure(connection)
    with context.begin_transaction():
        context.run_migrations()


async def _run_async(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        await connection.run_sync(_run)
        await connection.commit()
    await engine.dispose()


def _url() -> str:
    return str(
        config.attributes.get("url")
        or getattr(config, "db_url", None)
        or get_settings().database.url
    )


if context.is_offline_mode():
    _configure(url=_url())
    with context.begin_transaction():
        context.run_migrations()
elif (conn := config.attributes.get("connection")) is not None:
    _run(conn)
else:
    engine = getattr(config, "engine", None) or create_async_engine(_url(), poolclass=pool.NullPool)
    asyncio.run(_run_async(engine))
