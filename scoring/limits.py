"""Rent-limit tables (Angemessenheitsgrenzen) and the limit lookup, amounts in integer cents.

A table has a validity (``valid_from`` .. ``valid_to`` inclusive, open-ended when ``None``),
an example flag and its areas (Vergleichsräume). Each area lists its towns (AGS) and the max
Bruttokaltmiete per household size 1..n plus the amount for each further person, optionally
a heating limit likewise. The town→area grouping belongs to the table, so two tables may
group the towns differently.

The limit of a pair is read from the table that applies on the vacancy's available date
(:meth:`RentLimits.table_on`), in the area of the vacancy's town *in that table*, for the
household size. Amounts are integer cents so every comparison with a rent is exact.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt
import polars as pl

from scoring import money
from scoring.errors import FieldError, ScoringInputError
from scoring.money import NO_AMOUNT

__all__ = [
    "MAX_LIMIT_CENTS",
    "NO_AMOUNT",
    "AreaLimits",
    "LimitLookup",
    "RentLimitTable",
    "RentLimits",
    "limit_matrix",
    "to_cents",
]

I64: TypeAlias = npt.NDArray[np.int64]

MAX_LIMIT_CENTS = 500_000
"""5,000 € a month: larger limits are input errors."""
_MAX_PERSONS = 20  # scoring.inputs.MAX_PERSONS (not imported: inputs re-exports this module)
_EPOCH = dt.date(1970, 1, 1)


def to_cents(value: object) -> int | None:
    """Euros (Decimal, int, float or dot-decimal text) → integer cents; ``None`` (or NaN)
    stays ``None``. ``ValueError`` for non-numbers and amounts finer than a cent."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    if not isinstance(value, Decimal | int | float | str):
        raise ValueError(f"kein Betrag: {value!r}")
    return money.to_cents(value)


@dataclass(frozen=True)
class AreaLimits:
    """One area (Vergleichsraum) of a table: its towns and limits in cents.

    ``gross_cold[k]`` is the max Bruttokaltmiete for ``k + 1`` persons; ``increment`` is added
    for each person beyond the largest listed size (``None``: larger households have no
    limit). ``heating`` likewise (``None`` entries: no heating limit).
    """

    name: str
    municipalities: tuple[str, ...]
    gross_cold: tuple[int, ...]
    increment: int | None = None
    heating: tuple[int | None, ...] = ()
    heating_increment: int | None = None

    def for_persons(self, persons: int) -> tuple[int | None, int | None]:
        """(max Bruttokaltmiete, max heating) in cents for a household size."""
        n = len(self.gross_cold)
        heating = self.heating or (None,) * n
        if 1 <= persons <= n:
            return self.gross_cold[persons - 1], heating[persons - 1]
        if persons > n and n and self.increment is not None:
            extra = persons - n
            top_heating = heating[n - 1]
            return (
                self.gross_cold[n - 1] + extra * self.increment,
                None
                if top_heating is None or self.heating_increment is None
                else top_heating + extra * self.heating_increment,
            )
        return None, None


@dataclass(frozen=True)
class RentLimitTable:
    """One table with its validity and areas; ``id`` breaks ties between equal starts."""

    id: int
    valid_from: dt.date
    valid_to: dt.date | None
    areas: tuple[AreaLimits, ...]
    is_example: bool = False

    def covers(self, day: dt.date) -> bool:
        """Whether the table is valid on ``day``."""
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def area_of(self, ags: str) -> AreaLimits | None:
        """The area a town belongs to in this table."""
        for area in self.areas:
            if ags in area.municipalities:
                return area
        return None


@dataclass(frozen=True)
class LimitLookup:
    """The limit that applies to one pair (amounts in cents)."""

    gross_cold: int
    heating: int | None
    valid_from: dt.date
    is_example: bool


@dataclass(frozen=True, eq=False)
class RentLimits:
    """All active rent-limit tables the engine may apply.

    On a day, an official table wins over an example table; among tables of the same kind
    the one with the latest ``valid_from`` (then the highest id) applies. The domain refuses
    overlapping tables of the same kind, so the tie-breaks only matter for example tables an
    official one replaces.
    """

    tables: tuple[RentLimitTable, ...] = ()
    _cache: dict[Any, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        errors = [e for t in self.tables for e in _table_errors(t)]
        if len({t.id for t in self.tables}) != len(self.tables):
            errors.append(FieldError("table", "Tabellen-Nummern müssen eindeutig sein"))
        if errors:
            raise ScoringInputError(errors)

    def __len__(self) -> int:
        return len(self.tables)

    def table_on(self, day: dt.date) -> RentLimitTable | None:
        """The table that applies on ``day`` (``None``: a gap, no table is valid)."""
        valid = [t for t in self.tables if t.covers(day)]
        if not valid:
            return None
        return max(valid, key=lambda t: (not t.is_example, t.valid_from, t.id))

    def lookup(self, ags: str, day: dt.date, persons: int) -> LimitLookup | None:
        """The limit for a household of ``persons`` and a flat in ``ags`` available on ``day``.

        ``None`` when no table is valid on that day, the town has no area in that table, or
        the table lists no amount for that size (→ RENT_LIMIT_UNKNOWN).
        """
        table = self.table_on(day)
        area = None if table is None else table.area_of(ags)
        if table is None or area is None:
            return None
        gross, heating = area.for_persons(persons)
        if gross is None:
            return None
        return LimitLookup(gross, heating, table.valid_from, table.is_example)

    @classmethod
    def from_polars(cls, df: pl.DataFrame, *, towns: pl.DataFrame | None = None) -> RentLimits:
        """Tables from rows ``table`` (optional, default 1), ``area``, ``persons`` (1..n or
        "+1"), ``max_gross_cold_rent`` (euros) or ``max_gross_cold_rent_cents``, optional
        heating likewise (``max_heating_cost``), ``valid_from``, optional ``valid_to`` and
        ``is_example``, and the towns of each area: a ``municipalities`` column (AGS, a list
        or ``;``-separated) or a ``towns`` frame with ``area``, ``ags`` (and ``table``)."""
        return cls(tuple(_tables_from_frame(df, towns)))


def limit_matrix(
    limits: RentLimits, municipality_ags: Sequence[str], available_from: I64
) -> tuple[I64, I64, I64]:
    """Vectorised lookup for many vacancies: (limit, heating limit) in cents by household
    size, shape (m, MAX_PERSONS + 1), :data:`NO_AMOUNT` where none applies, and the
    ``valid_from`` day number of the applied table per vacancy (0 where none)."""
    m = len(municipality_ags)
    gross = np.full((m, _MAX_PERSONS + 1), NO_AMOUNT, dtype=np.int64)
    heating = np.full((m, _MAX_PERSONS + 1), NO_AMOUNT, dtype=np.int64)
    since = np.zeros(m, dtype=np.int64)
    rows = _size_rows(limits)
    ags = np.asarray(municipality_ags, dtype=np.str_)
    days = np.asarray(available_from, dtype=np.int64)
    # the applicable table per vacancy: later tables in precedence order overwrite earlier ones
    chosen = np.full(m, -1, dtype=np.int64)
    ordered = sorted(limits.tables, key=lambda t: (not t.is_example, t.valid_from, t.id))
    for k, t in enumerate(ordered):
        start = (t.valid_from - _EPOCH).days
        end = np.iinfo(np.int64).max if t.valid_to is None else (t.valid_to - _EPOCH).days
        chosen[(days >= start) & (days <= end)] = k
    # the towns of the vacancies, each looked up once in the table's town → area map
    towns, town_of = np.unique(ags, return_inverse=True)
    town_of = town_of.reshape(m)
    area_of = _area_by_town(limits)
    for k, t in enumerate(ordered):
        in_table = chosen == k
        if not in_table.any():
            continue
        for u, town in enumerate(towns.tolist()):
            area = area_of[t.id].get(town)
            if area is None:
                continue
            hit = in_table & (town_of == u)
            gross[hit], heating[hit] = rows[(t.id, area)]
            since[hit] = (t.valid_from - _EPOCH).days
    return gross, heating, since


def _area_by_town(limits: RentLimits) -> dict[int, dict[str, str]]:
    """Per table id, the area of each town (AGS), cached; a town listed in several areas of
    one table (rejected by the table check) maps to the last, as the areas are applied in
    order."""
    cached: dict[int, dict[str, str]] | None = limits._cache.get("area_by_town")
    if cached is None:
        cached = {
            t.id: {ags: a.name for a in t.areas for ags in a.municipalities} for t in limits.tables
        }
        limits._cache["area_by_town"] = cached
    return cached


def _size_rows(limits: RentLimits) -> dict[tuple[int, str], tuple[I64, I64]]:
    """(limit, heating) rows by household size 0..MAX_PERSONS per (table, area), cached."""
    cached: dict[tuple[int, str], tuple[I64, I64]] | None = limits._cache.get("rows")
    if cached is None:
        cached = {}
        for t in limits.tables:
            for a in t.areas:
                pairs = [a.for_persons(p) for p in range(_MAX_PERSONS + 1)]
                cached[(t.id, a.name)] = (
                    np.array([NO_AMOUNT if g is None else g for g, _ in pairs], dtype=np.int64),
                    np.array([NO_AMOUNT if h is None else h for _, h in pairs], dtype=np.int64),
                )
        limits._cache["rows"] = cached
    return cached


def _table_errors(t: RentLimitTable) -> list[FieldError]:
    errors: list[FieldError] = []
    where = f"Tabelle {t.id}"
    if t.valid_to is not None and t.valid_to < t.valid_from:
        errors.append(FieldError("valid_to", f"{where}: gültig bis liegt vor gültig ab"))
    seen: set[str] = set()
    for a in t.areas:
        if not a.name or a.name in seen:
            errors.append(FieldError("area", f"{where}: Gebiet fehlt oder doppelt ({a.name})"))
        seen.add(a.name)
        amounts = [*a.gross_cold, a.increment, *a.heating, a.heating_increment]
        if not a.gross_cold or any(
            x is not None and not 0 <= x <= MAX_LIMIT_CENTS for x in amounts
        ):
            errors.append(FieldError("max_gross_cold_rent", f"{where}, {a.name}: Beträge ungültig"))
        if a.heating and len(a.heating) != len(a.gross_cold):
            errors.append(FieldError("max_heating_cost", f"{where}, {a.name}: Länge ungleich"))
    towns = [ags for a in t.areas for ags in a.municipalities]
    if len(set(towns)) != len(towns):
        errors.append(FieldError("municipalities", f"{where}: Kommune in mehreren Gebieten"))
    return errors


def _tables_from_frame(df: pl.DataFrame, towns: pl.DataFrame | None) -> list[RentLimitTable]:
    """Group limit rows into tables; errors name the column."""
    columns = set(df.columns)
    missing = [c for c in ("area", "persons", "valid_from") if c not in columns]
    if not {"max_gross_cold_rent", "max_gross_cold_rent_cents"} & columns:
        missing.append("max_gross_cold_rent")
    if towns is None and "municipalities" not in columns:
        missing.append("municipalities")
    if missing:
        raise ScoringInputError([FieldError(c, "Spalte fehlt") for c in missing])
    groups: dict[int, dict[str, Any]] = {}
    for row in df.iter_rows(named=True):
        table = groups.setdefault(int(row.get("table") or 1), {"areas": {}, "row": row})
        area = table["areas"].setdefault(str(row["area"]), {"sizes": {}, "towns": set()})
        size = str(row["persons"]).strip()
        if size in area["sizes"]:
            raise ScoringInputError(
                [FieldError("persons", f"Gebiet {row['area']}: Personenzahl {size} doppelt")]
            )
        area["sizes"][size] = (
            _cents(row, "max_gross_cold_rent"),
            _cents(row, "max_heating_cost"),
        )
        listed = row.get("municipalities")
        if isinstance(listed, str):
            listed = [x.strip() for x in listed.split(";") if x.strip()]
        area["towns"].update(listed or ())
    if towns is not None:
        for row in towns.iter_rows(named=True):
            owner = groups.get(int(row.get("table") or 1))
            if owner is not None and str(row["area"]) in owner["areas"]:
                owner["areas"][str(row["area"])]["towns"].add(str(row["ags"]))
    return [_table(table_id, g) for table_id, g in sorted(groups.items())]


def _cents(row: dict[str, Any], name: str) -> int | None:
    if row.get(f"{name}_cents") is not None:
        return int(row[f"{name}_cents"])
    try:
        return to_cents(row.get(name, row.get(f"{name}_eur")))
    except ValueError as exc:
        raise ScoringInputError([FieldError(name, str(exc))]) from exc


def _table(table_id: int, group: dict[str, Any]) -> RentLimitTable:
    row = group["row"]
    areas = []
    for name, area in group["areas"].items():
        sizes: dict[str, tuple[int | None, int | None]] = area["sizes"]
        listed = sorted(int(p) for p in sizes if p != "+1")
        if listed != list(range(1, len(listed) + 1)) or any(
            sizes[str(p)][0] is None for p in listed
        ):
            raise ScoringInputError(
                [FieldError("persons", f"Tabelle {table_id}, {name}: Größen 1..n lückenlos")]
            )
        gross = tuple(int(sizes[str(p)][0] or 0) for p in listed)
        heating = tuple(sizes[str(p)][1] for p in listed)
        inc = sizes.get("+1", (None, None))
        areas.append(
            AreaLimits(
                name=name,
                municipalities=tuple(sorted(area["towns"])),
                gross_cold=gross,
                increment=inc[0],
                heating=heating if any(h is not None for h in heating) else (),
                heating_increment=inc[1],
            )
        )
    return RentLimitTable(
        id=table_id,
        valid_from=row["valid_from"],
        valid_to=row.get("valid_to"),
        areas=tuple(areas),
        is_example=bool(row.get("is_example") or False),
    )
