"""Read models of rent-limit tables for the JSON API and the admin page (one shape for both)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import msgspec

from matching.db.models import RentLimitTable
from matching.enums import RentLimitStatus
from matching.rent_limits.service import Gap

__all__ = [
    "AmountOut",
    "AreaOut",
    "GapOut",
    "Matrix",
    "RentLimitTableDetail",
    "RentLimitTableList",
    "RentLimitTableSummary",
    "TownOut",
    "detail_of",
    "list_of",
    "table_matrix",
]


class TownOut(msgspec.Struct, frozen=True):
    ags: str
    name: str


class AmountOut(msgspec.Struct, frozen=True):
    """Max Bruttokaltmiete (EUR, exact decimal string) for ``persons``; ``persons`` null: the
    amount added for each person beyond the largest listed size."""

    persons: int | None
    max_gross_cold_rent: Decimal
    max_heating_cost: Decimal | None


class AreaOut(msgspec.Struct, frozen=True):
    name: str
    municipalities: list[TownOut]
    amounts: list[AmountOut]


class RentLimitTableSummary(msgspec.Struct, frozen=True):
    id: int
    name: str
    legal_source: str
    valid_from: date
    valid_to: date | None
    status: RentLimitStatus
    active: bool
    deactivated_at: datetime | None


class RentLimitTableDetail(RentLimitTableSummary, frozen=True):
    areas: list[AreaOut]


class GapOut(msgspec.Struct, frozen=True):
    """A period between tables that no active table covers (limits unknown there)."""

    start: date
    end: date


class RentLimitTableList(msgspec.Struct, frozen=True):
    items: list[RentLimitTableSummary]
    gaps: list[GapOut]


def _summary(t: RentLimitTable) -> dict[str, object]:
    return {
        "id": t.id,
        "name": t.name,
        "legal_source": t.legal_source,
        "valid_from": t.valid_from,
        "valid_to": t.valid_to,
        "status": t.status,
        "active": t.is_active,
        "deactivated_at": t.deactivated_at,
    }


def list_of(tables: list[RentLimitTable], gaps: list[Gap]) -> RentLimitTableList:
    return RentLimitTableList(
        items=[RentLimitTableSummary(**_summary(t)) for t in tables],  # type: ignore[arg-type]
        gaps=[GapOut(g.start, g.end) for g in gaps],
    )


def detail_of(t: RentLimitTable, towns: dict[str, str]) -> RentLimitTableDetail:
    areas = [
        AreaOut(
            name=a.name,
            municipalities=[
                TownOut(x.municipality_ags, towns.get(x.municipality_ags, x.municipality_ags))
                for x in a.towns
            ],
            amounts=[
                AmountOut(
                    None if m.is_increment else m.persons, m.max_gross_cold_rent, m.max_heating_cost
                )
                for m in a.amounts
            ],
        )
        for a in t.areas
    ]
    return RentLimitTableDetail(**_summary(t), areas=areas)  # type: ignore[arg-type]


@dataclass(frozen=True)
class MatrixRow:
    town: str
    area: str
    amounts: list[Decimal | None]
    increment: Decimal | None
    heating: list[Decimal | None]


@dataclass(frozen=True)
class Matrix:
    """Towns × household sizes, for reading a table at a glance."""

    sizes: list[int]
    rows: list[MatrixRow]
    has_heating: bool


def table_matrix(t: RentLimitTable, towns: dict[str, str]) -> Matrix:
    top = max((m.persons for a in t.areas for m in a.amounts if not m.is_increment), default=0)
    sizes = list(range(1, top + 1))
    rows: list[MatrixRow] = []
    for a in t.areas:
        by_size = {m.persons: m for m in a.amounts if not m.is_increment}
        inc = next((m for m in a.amounts if m.is_increment), None)
        for x in a.towns:
            rows.append(
                MatrixRow(
                    town=towns.get(x.municipality_ags, x.municipality_ags),
                    area=a.name,
                    amounts=[
                        by_size[n].max_gross_cold_rent if n in by_size else None for n in sizes
                    ],
                    increment=inc.max_gross_cold_rent if inc else None,
                    heating=[by_size[n].max_heating_cost if n in by_size else None for n in sizes],
                )
            )
    has_heating = any(h is not None for r in rows for h in r.heating)
    return Matrix(sizes, rows, has_heating)
