"""Reads of the reference data the pages offer (towns)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from matching.db.models import Municipality


async def municipalities(session: AsyncSession) -> list[Municipality]:
    """All municipalities, by name."""
    return list((await session.scalars(sa.select(Municipality).order_by(Municipality.name))).all())
