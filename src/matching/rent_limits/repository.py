"""Queries for rent-limit tables (all SQL of the feature lives here)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from matching.db.models import (
    Municipality,
    RentLimitAmount,
    RentLimitArea,
    RentLimitAreaTown,
    RentLimitImport,
    RentLimitTable,
)
from matching.enums import RentLimitStatus
from matching.rent_limits.parser import Town

PENDING_LIFETIME = timedelta(hours=2)


async def towns(session: AsyncSession) -> list[Town]:
    """The towns of the Kreis (market types come from the shipped reference file)."""
    from matching.reference.loader import market_types  # reference data, read once

    kinds = market_types()
    rows = (await session.execute(sa.select(Municipality.ags, Municipality.name))).all()
    return [Town(str(a), str(n), kinds.get(str(a))) for a, n in rows]


async def all_tables(session: AsyncSession, *, active_only: bool = False) -> list[RentLimitTable]:
    """Tables with their areas, towns and amounts, oldest validity first."""
    stmt = sa.select(RentLimitTable).order_by(RentLimitTable.valid_from, RentLimitTable.id)
    if active_only:
        stmt = stmt.where(RentLimitTable.is_active.is_(True))
    return list((await session.scalars(stmt)).all())


async def get_table(session: AsyncSession, table_id: int) -> RentLimitTable | None:
    return await session.get(RentLimitTable, table_id)


async def has_table_named(session: AsyncSession, name: str) -> bool:
    """Whether a table of this name exists (active or deactivated)."""
    found = await session.scalar(sa.select(RentLimitTable.id).where(RentLimitTable.name == name))
    return found is not None


async def overlapping(
    session: AsyncSession, status: RentLimitStatus, start: date, end: date | None
) -> list[RentLimitTable]:
    """Active tables of the same status whose validity overlaps ``start``..``end``."""
    stmt = sa.select(RentLimitTable).where(
        RentLimitTable.is_active.is_(True),
        RentLimitTable.status == status,
        sa.or_(RentLimitTable.valid_to.is_(None), RentLimitTable.valid_to >= start),
    )
    if end is not None:
        stmt = stmt.where(RentLimitTable.valid_from <= end)
    return list((await session.scalars(stmt.order_by(RentLimitTable.valid_from))).all())


async def engine_rows(session: AsyncSession) -> tuple[tuple[object, ...], ...]:
    """Every active amount with its table, area and towns: the engine's input, as a key."""
    t, a, m = RentLimitTable, RentLimitArea, RentLimitAmount
    town_lists = sa.select(
        RentLimitAreaTown.area_id,
        RentLimitAreaTown.municipality_ags,
    ).join(t, t.id == RentLimitAreaTown.table_id)
    towns_by_area: dict[int, list[str]] = {}
    for area_id, ags in (await session.execute(town_lists.where(t.is_active.is_(True)))).all():
        towns_by_area.setdefault(int(area_id), []).append(str(ags))
    rows = await session.execute(
        sa.select(
            t.id,
            t.valid_from,
            t.valid_to,
            t.status,
            a.id,
            a.name,
            m.persons,
            m.is_increment,
            m.max_gross_cold_rent,
            m.max_heating_cost,
        )
        .join(a, a.table_id == t.id)
        .join(m, m.area_id == a.id)
        .where(t.is_active.is_(True))
        .order_by(t.id, a.position, a.id, m.is_increment, m.persons)
    )
    return tuple(
        (*row[:5], row[5], tuple(sorted(towns_by_area.get(int(row[4]), []))), *row[6:])
        for row in rows.all()
    )


async def add_pending(session: AsyncSession, pending: RentLimitImport) -> RentLimitImport:
    session.add(pending)
    await session.flush()
    return pending


async def get_pending(
    session: AsyncSession, import_id: int, user_id: int | None
) -> RentLimitImport | None:
    """A pending upload of this user that has not expired."""
    pending = await session.get(RentLimitImport, import_id)
    if pending is None or pending.created_by_id != user_id:
        return None
    if pending.created_at < datetime.now(UTC) - PENDING_LIFETIME:
        return None
    return pending


async def remove_pending(session: AsyncSession, pending: RentLimitImport) -> None:
    await session.delete(pending)
    await session.execute(
        sa.delete(RentLimitImport).where(
            RentLimitImport.created_at < datetime.now(UTC) - PENDING_LIFETIME
        )
    )
    await session.flush()


async def add_table(session: AsyncSession, table: RentLimitTable) -> RentLimitTable:
    session.add(table)
    await session.flush()
    return table
