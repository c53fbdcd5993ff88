"""A lease on a JobLock row: one process at a time runs a job, across app instances.

Why a lease and not a session-level lock: it survives neither a crash nor a hung process for
longer than its ``ttl``, works the same on SQLite and PostgreSQL, and the row shows who holds
it. Acquiring is one guarded UPDATE (``locked_until < now`` or our own lease) that at most one
transaction can win.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from matching.db.models import JobLock
from matching.proposals.engine import dialect_name


async def _ensure_row(session: AsyncSession, name: str) -> None:
    if dialect_name(session) == "postgresql":
        await session.execute(pg_insert(JobLock).values(name=name).on_conflict_do_nothing())
    else:
        await session.execute(sqlite_insert(JobLock).values(name=name).on_conflict_do_nothing())


async def acquire(
    session_factory: async_sessionmaker[AsyncSession],
    name: str,
    holder: str,
    now: datetime,
    ttl: timedelta,
) -> bool:
    """Take (or renew) the lease; True when this holder now owns it until ``now + ttl``."""
    async with session_factory() as session, session.begin():
        await _ensure_row(session, name)
        result = await session.execute(
            sa.update(JobLock)
            .where(
                JobLock.name == name,
                sa.or_(
                    JobLock.locked_until.is_(None),
                    JobLock.locked_until < now,
                    JobLock.holder == holder,
                ),
            )
            .values(holder=holder, locked_until=now + ttl)
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount) == 1  # type: ignore[attr-defined]


async def release(
    session_factory: async_sessionmaker[AsyncSession],
    name: str,
    holder: str,
    *,
    finished_at: datetime | None,
) -> None:
    """Give the lease back; ``finished_at`` records a completed run (None: run failed)."""
    values: dict[str, object] = {"holder": None, "locked_until": None}
    if finished_at is not None:
        values["last_run_at"] = finished_at
    async with session_factory() as session, session.begin():
        await session.execute(
            sa.update(JobLock)
            .where(JobLock.name == name, JobLock.holder == holder)
            .values(**values)
            .execution_options(synchronize_session=False)
        )


async def last_run(session_factory: async_sessionmaker[AsyncSession], name: str) -> datetime | None:
    async with session_factory() as session:
        value: datetime | None = await session.scalar(
            sa.select(JobLock.last_run_at).where(JobLock.name == name)
        )
        return value
