"""Data-version stamps, bumped in the same transaction as every change of a data set.

Each app instance remembers the stamp of its cached household snapshot and reloads when the
stamp in the database differs, so no instance ranks on stale data.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from matching.db.models import DataVersion

HOUSEHOLDS = "households"
VACANCIES = "vacancies"


async def bump(session: AsyncSession, name: str) -> None:
    """Increment the stamp atomically (an UPDATE; the row is created on first use)."""
    result = await session.execute(
        sa.update(DataVersion)
        .where(DataVersion.name == name)
        .values(version=DataVersion.version + 1)
    )
    if result.rowcount == 0:  # type: ignore[attr-defined]
        session.add(DataVersion(name=name, version=1))
        await session.flush()


async def current(session: AsyncSession, name: str) -> int:
    value = await session.scalar(sa.select(DataVersion.version).where(DataVersion.name == name))
    return int(value or 0)
