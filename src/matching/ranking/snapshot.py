"""Columnar snapshots the engine ranks on: households, open vacancies, towns and rent limits.

Why a snapshot: ranking 100,000 households per page view is only fast if the candidates sit
in memory as numpy columns. Why it stays correct: every change of households or vacancies
bumps a data-version stamp in the same transaction (``matching.db.versioning``); before each
ranking the stamp is read from the database, so an instance never ranks on data older than
the stamp it read, even when another app instance made the change.

Loading uses SQLAlchemy Core with only the engine's columns (never ORM objects, never the
encrypted personal columns). A changed stamp triggers an incremental refresh: rows whose
``updated_at`` is newer than the last seen one (minus a margin for transactions that were
still open, and for clock skew between instances) are patched into the arrays, then a cheap
count/id-sum check over the live rows catches what ``updated_at`` cannot show (bulk Core
updates, deletions); any doubt or a large change falls back to a full reload.

Rows the engine refuses (absurd values the database still allows, e.g. a budget of 0 € or a
vacancy without floor) are left out and counted, so one bad row never breaks every ranking.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import json
import logging
import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, fields, replace
from typing import Any, Generic, TypeAlias, TypeVar

import numpy as np
import numpy.typing as npt
import polars as pl
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from matching.db import versioning
from matching.db.models import Household, Municipality, Vacancy
from matching.enums import HouseholdStatus, VacancyStatus
from matching.rent_limits.repository import engine_rows as rent_limit_rows
from matching.rent_limits.service import rent_limits_from_rows
from scoring import Households, Municipalities, RentLimits, ScoringInputError, Vacancies

__all__ = [
    "HouseholdSnapshot",
    "ReferenceSnapshot",
    "ReferenceTables",
    "Snapshot",
    "Table",
    "VacancySnapshot",
    "load_household_rows",
]

log = logging.getLogger("matching.ranking")

I64: TypeAlias = npt.NDArray[np.int64]
T = TypeVar("T", Households, Vacancies)

MARGIN = dt.timedelta(minutes=2)
"""How far back an incremental refresh looks before the newest ``updated_at`` seen.

A row is stamped at flush but visible only at commit; the bump of the data-version row
serialises the committing writers, so a change can only hide behind a newer one for as long
as its transaction ran between flush and commit (plus clock skew between app instances).
"""
FULL_RELOAD_AFTER = dt.timedelta(minutes=30)
"""Safety net: a stamp change after this long since the last full load reloads fully."""
DELTA_LIMIT = 2_000
"""More changed rows than this (or than 5 % of the snapshot) → full reload instead."""

_DATE_COLUMNS: dict[str, tuple[str, ...]] = {
    "households": (
        "wbs_valid_until",
        "eviction_date",
        "notice_date",
        "homeless_since",
        "registered_at",
    ),
    "vacancies": ("available_from",),
}


def _day(column: Any, dialect: str) -> ColumnElement[Any]:
    """A date column as days since 1970-01-01, computed by the database (no Python dates)."""
    if dialect == "postgresql":
        return sa.cast(column - sa.literal_column("DATE '1970-01-01'"), sa.Integer).label(
            column.name
        )
    return sa.cast(sa.func.julianday(column) - 2440587.5, sa.Integer).label(column.name)


def _text(column: Any) -> ColumnElement[Any]:
    """Enum/JSON columns as plain text: skips per-row Python conversion."""
    return sa.type_coerce(column, sa.String).label(column.name)


def _float(column: Any) -> ColumnElement[Any]:
    """Decimal columns as floats, converted by the database."""
    return sa.cast(column, sa.Float).label(column.name)


def _cents(column: Any) -> ColumnElement[Any]:
    """A money column as integer cents, computed by the database (exact: no float sums
    in the engine; SQLite's REAL 128.83 × 100 rounds back to 12883)."""
    return sa.cast(sa.func.round(column * 100), sa.BigInteger).label(f"{column.name}_cents")


def _household_columns(dialect: str) -> list[ColumnElement[Any]]:
    c = Household.__table__.c
    return [
        c.id,
        c.organisation_id,
        c.reference_code,
        c.persons,
        _text(c.income_basis),
        _cents(c.own_max_rent),
        _day(c.wbs_valid_until, dialect),
        c.needs_barrier_free,
        c.needs_wheelchair,
        c.needs_ground_floor,
        c.max_floor_without_lift,
        c.has_pets,
        sa.cast(c.preferred_ags, sa.Text).label("preferred_ags"),
        c.preferences_hard,
        c.max_distance_km,
        _text(c.urgency),
        _day(c.eviction_date, dialect),
        _day(c.notice_date, dialect),
        _day(c.homeless_since, dialect),
        _day(c.registered_at, dialect),
        _text(c.status),
    ]


def _vacancy_columns(dialect: str) -> list[ColumnElement[Any]]:
    c = Vacancy.__table__.c
    return [
        c.id,
        c.organisation_id,
        c.title,
        c.postal_code,
        c.municipality_ags,
        _float(c.rooms),
        _float(c.living_area),
        c.floor,
        _cents(c.net_cold_rent),
        _cents(c.cold_service_charges),
        _cents(c.heating_costs),
        _day(c.available_from, dialect),
        c.lat,
        c.lon,
        c.lift,
        c.barrier_free,
        c.wheelchair_accessible,
        c.wbs_required,
        _text(c.pets),
        c.min_persons,
        c.max_persons,
        _text(c.status),
    ]


_SCHEMA: dict[str, Any] = {
    "id": pl.Int64,
    "organisation_id": pl.Int64,
    "reference_code": pl.String,
    "persons": pl.Int64,
    "income_basis": pl.String,
    "own_max_rent_cents": pl.Int64,
    "needs_barrier_free": pl.Boolean,
    "needs_wheelchair": pl.Boolean,
    "needs_ground_floor": pl.Boolean,
    "max_floor_without_lift": pl.Int64,
    "has_pets": pl.Boolean,
    "preferred_ags": pl.String,
    "preferences_hard": pl.Boolean,
    "max_distance_km": pl.Float64,
    "urgency": pl.String,
    "status": pl.String,
    "title": pl.String,
    "postal_code": pl.String,
    "municipality_ags": pl.String,
    "rooms": pl.Float64,
    "living_area": pl.Float64,
    "floor": pl.Int64,
    "net_cold_rent_cents": pl.Int64,
    "cold_service_charges_cents": pl.Int64,
    "heating_costs_cents": pl.Int64,
    "lat": pl.Float64,
    "lon": pl.Float64,
    "lift": pl.Boolean,
    "barrier_free": pl.Boolean,
    "wheelchair_accessible": pl.Boolean,
    "wbs_required": pl.Boolean,
    "pets": pl.String,
    "min_persons": pl.Int64,
    "max_persons": pl.Int64,
    "updated_at": pl.Datetime("us", "UTC"),
}


def _frame(rows: Sequence[Any], names: list[str], kind: str) -> pl.DataFrame:
    """Rows → frame with fixed dtypes; day numbers become polars dates (``from_polars``)."""
    dates = _DATE_COLUMNS[kind]
    schema = {n: (pl.Int64 if n in dates else _SCHEMA[n]) for n in names}
    df = pl.DataFrame([tuple(r) for r in rows], schema=schema, orient="row")
    return df.with_columns(pl.col(n).cast(pl.Date) for n in dates if n in schema)


async def _copy_frame(
    session: AsyncSession, stmt: sa.Select[Any], names: list[str], kind: str
) -> pl.DataFrame:
    """PostgreSQL: the same Core select streamed with COPY … CSV and parsed by polars.

    Why: building 100,000 result rows as Python objects costs most of a cold load; COPY hands
    over one buffer. It runs on the session's connection, inside its transaction (after the
    stamp was read), so it sees the same data the row-by-row path would.
    """
    dialect = session.get_bind().dialect
    sql = str(stmt.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    buffer = io.BytesIO()
    await raw.driver_connection.copy_from_query(  # type: ignore[union-attr]
        sql, output=buffer, format="csv", header=True
    )
    dates = _DATE_COLUMNS[kind]
    dtypes = {n: pl.Int64 if n in dates else _SCHEMA[n] for n in names}
    text = {n: (pl.String if d == pl.Boolean else d) for n, d in dtypes.items()}
    buffer.seek(0)
    df = pl.read_csv(buffer, schema=text)
    buffer.close()
    return df.with_columns(
        *(pl.col(n) == "t" for n, d in dtypes.items() if d == pl.Boolean),
        *(pl.col(n).cast(pl.Date) for n in dates if n in dtypes),
    )


def _preference_groups(
    texts: pl.Series, group_of: dict[tuple[str, ...], int], sets: list[tuple[str, ...]]
) -> I64:
    """Preferred towns (JSON text) → group codes; new sets are appended to ``sets``.

    Why not the engine's own grouping: it parses all 100,000 lists; here only the few
    hundred distinct texts are parsed.
    """
    if texts.len() == 0:
        return np.zeros(0, dtype=np.int64)
    filled = texts.fill_null("[]")
    codes = (filled.rank("dense").cast(pl.Int64) - 1).to_numpy()
    distinct = filled.unique().sort().to_list()
    remap = np.empty(len(distinct), dtype=np.int64)
    for k, text in enumerate(distinct):
        try:
            raw = json.loads(text)
        except ValueError:
            raw = []
        towns = tuple(sorted({str(a) for a in raw if a})) if isinstance(raw, list) else ()
        group = group_of.get(towns)
        if group is None:
            group = group_of[towns] = len(sets)
            sets.append(towns)
        remap[k] = group
    return np.asarray(remap[codes], dtype=np.int64)


def _arrays(obj: Households | Vacancies) -> dict[str, np.ndarray[Any, Any]]:
    n = len(obj)
    out = {}
    for f in fields(obj):
        value = getattr(obj, f.name)
        if f.init and isinstance(value, np.ndarray) and value.ndim == 1 and len(value) == n:
            out[f.name] = value
    return out


# --------------------------------------------------------------------------- tables


@dataclass(frozen=True, eq=False)
class Table(Generic[T]):
    """One immutable snapshot version: the engine table plus display columns beside it.

    ``side`` holds columns the engine must not see but the pages need (organisation,
    reference code, title …), aligned with ``data`` row by row; rows are sorted by id.
    """

    stamp: int
    watermark: dt.datetime | None
    data: T
    side: dict[str, np.ndarray[Any, Any]]
    skipped_ids: I64
    skipped_org: I64
    live_count: int
    live_id_sum: int
    group_of: dict[tuple[str, ...], int] = field(default_factory=dict)
    _subsets: dict[int, T] = field(default_factory=dict, repr=False)
    _lower_codes: dict[str, np.ndarray[Any, Any]] = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        return len(self.data)

    @property
    def ids(self) -> I64:
        return self.data.id

    def position(self, row_id: int) -> int | None:
        """Row index of an id (ids are sorted), ``None`` if not in the snapshot."""
        ids = self.data.id
        i = int(np.searchsorted(ids, row_id))
        return i if i < len(ids) and int(ids[i]) == int(row_id) else None

    def positions(self, row_ids: Sequence[int]) -> I64:
        """Row indexes of many ids at once, in their order (-1: not in the snapshot)."""
        ids = self.data.id
        wanted = np.asarray(row_ids, dtype=np.int64)
        at = np.searchsorted(ids, wanted)
        inside = at < len(ids)
        found = np.zeros(len(wanted), dtype=np.bool_)
        found[inside] = ids[at[inside]] == wanted[inside]
        return np.where(found, at, -1).astype(np.int64)

    def for_organisation(self, organisation_id: int) -> T:
        """The rows of one organisation as an engine table (cached per snapshot version).

        Why a separate table and not a post-filter: the funnel and the ranks must count only
        what the counselor may see.
        """
        cached = self._subsets.get(organisation_id)
        if cached is None:
            mask = self.side["organisation_id"] == organisation_id
            cached = _subset(self.data, mask)
            self._subsets[organisation_id] = cached
        return cached

    def search(self, organisation_id: int | None, text: str, also_ids: Collection[int] = ()) -> T:
        """The rows (of one organisation) whose reference code contains ``text`` (any case),
        or whose id is in ``also_ids`` (households found by name through the blind index).

        A separate table like :meth:`for_organisation`, so ranks count only the hits.
        """
        codes = self._lower_codes.get("reference_code")
        if codes is None:  # once per snapshot version
            codes = np.char.lower(self.side["reference_code"].astype(str))
            self._lower_codes["reference_code"] = codes
        mask = np.char.find(codes, text.strip().lower()) >= 0
        if also_ids:
            mask |= np.isin(self.data.id, np.fromiter(also_ids, dtype=np.int64))
        if organisation_id is not None:
            mask &= self.side["organisation_id"] == organisation_id
        return _subset(self.data, mask)

    def skipped_in(self, organisation_id: int | None) -> int:
        """How many live rows were left out for invalid values (in one organisation)."""
        if organisation_id is None:
            return len(self.skipped_ids)
        return int(np.count_nonzero(self.skipped_org == organisation_id))

    def nbytes(self) -> int:
        """Bytes held in numpy arrays (engine columns and side columns)."""
        arrays = [*_arrays(self.data).values(), *self.side.values()]
        return sum(a.nbytes for a in arrays)


def _subset(data: T, mask: npt.NDArray[np.bool_]) -> T:
    values: dict[str, Any] = {name: array[mask] for name, array in _arrays(data).items()}
    return replace(data, **values)


# --------------------------------------------------------------------------- snapshots


class Snapshot(Generic[T]):
    """A per-process cache of one table, refreshed when its data-version stamp changes."""

    kind: str
    stamp_name: str
    model: Any
    live_status: HouseholdStatus | VacancyStatus
    side_names: tuple[str, ...]

    def __init__(
        self, margin: dt.timedelta = MARGIN, full_reload_after: dt.timedelta = FULL_RELOAD_AFTER
    ) -> None:
        self._table: Table[T] | None = None
        self._lock = asyncio.Lock()
        self._loaded_at = 0.0
        self.margin = margin
        self.full_reload_after = full_reload_after
        self.full_loads = 0
        self.delta_loads = 0

    # -- subclass hooks -----------------------------------------------------------------
    def columns(self, dialect: str) -> list[ColumnElement[Any]]:
        """The engine's and the side columns (never personal data)."""
        raise NotImplementedError

    def build(
        self, df: pl.DataFrame, group_of: dict[tuple[str, ...], int], sets: list[tuple[str, ...]]
    ) -> T:
        raise NotImplementedError

    def validate(self, df: pl.DataFrame) -> None:
        """Raise ScoringInputError if the engine refuses any row of ``df``."""
        raise NotImplementedError

    # -- public -------------------------------------------------------------------------
    @property
    def cached(self) -> Table[T] | None:
        return self._table

    def invalidate(self) -> None:
        """Forget the cached version (the next call reloads fully)."""
        self._table = None

    async def get(self, session: AsyncSession) -> Table[T]:
        """The snapshot as of the stamp read now (refreshed under the lock if it changed)."""
        stamp = await versioning.current(session, self.stamp_name)
        table = self._table
        if table is not None and table.stamp == stamp:
            return table
        async with self._lock:
            table = self._table
            if table is not None and table.stamp == stamp:
                return table
            fresh_enough = (
                time.monotonic() - self._loaded_at < self.full_reload_after.total_seconds()
            )
            if table is not None and table.stamp < stamp and fresh_enough:
                refreshed = await self._refresh(session, table, stamp)
                if refreshed is not None:
                    self._table = refreshed
                    self.delta_loads += 1
                    return refreshed
            self._table = await self._load(session, stamp)
            self._loaded_at = time.monotonic()
            self.full_loads += 1
            return self._table

    # -- loading ------------------------------------------------------------------------
    def _live(self) -> ColumnElement[bool]:
        return self.model.__table__.c.status == self.live_status  # type: ignore[no-any-return]

    async def _watermark(self, session: AsyncSession) -> dt.datetime | None:
        return _aware(
            await session.scalar(sa.select(sa.func.max(self.model.__table__.c.updated_at)))
        )

    async def _rows(
        self,
        session: AsyncSession,
        where: ColumnElement[bool],
        *,
        bulk: bool = False,
        limit: int | None = None,
    ) -> pl.DataFrame:
        """Rows as a frame; a ``limit`` marks a delta, which also reads ``updated_at``."""
        dialect = session.get_bind().dialect
        cols: list[ColumnElement[Any]] = self.columns(dialect.name)
        if limit is not None:
            cols.append(self.model.__table__.c.updated_at)
        stmt = sa.select(*cols).where(where)
        if limit is not None:
            stmt = stmt.limit(limit)
        names = [str(c.key) for c in cols]
        if bulk and dialect.name == "postgresql":
            return await _copy_frame(session, stmt, names, self.kind)
        rows = (await session.execute(stmt)).all()
        return _frame(rows, names, self.kind)

    async def _load(self, session: AsyncSession, stamp: int) -> Table[T]:
        watermark = await self._watermark(session)  # before the rows: nothing slips between
        df = (await self._rows(session, self._live(), bulk=True)).sort("id")
        return self._make(df, stamp, watermark)

    def _make(
        self,
        df: pl.DataFrame,
        stamp: int,
        watermark: dt.datetime | None,
        group_of: dict[tuple[str, ...], int] | None = None,
        sets: list[tuple[str, ...]] | None = None,
    ) -> Table[T]:
        live_count, live_sum = df.height, int(df["id"].sum() or 0)
        group_of = {} if group_of is None else group_of
        sets = [] if sets is None else sets
        skipped = df.clear()
        try:
            data = self.build(df, group_of, sets)
        except ScoringInputError:
            bad = self._bad_ids(df)
            log.warning("%s: %d Zeilen mit ungültigen Werten nicht gerankt", self.kind, len(bad))
            skipped = df.filter(pl.col("id").is_in(bad))
            df = df.filter(~pl.col("id").is_in(bad))
            data = self.build(df, group_of, sets)
        return Table(
            stamp=stamp,
            watermark=watermark,
            data=data,
            side={name: _side_array(df, name) for name in self.side_names},
            skipped_ids=skipped["id"].to_numpy().astype(np.int64),
            skipped_org=skipped["organisation_id"].to_numpy().astype(np.int64),
            live_count=live_count,
            live_id_sum=live_sum,
            group_of=group_of,
        )

    def _bad_ids(self, df: pl.DataFrame) -> list[int]:
        """Ids of rows the engine refuses, found by bisection (cheap when all are valid)."""
        if df.height == 0:
            return []
        try:
            self.validate(df)
            return []
        except ScoringInputError:
            if df.height == 1:
                return [int(x) for x in df["id"].to_list()]
        half = df.height // 2
        return self._bad_ids(df.slice(0, half)) + self._bad_ids(df.slice(half))

    async def _refresh(self, session: AsyncSession, table: Table[T], stamp: int) -> Table[T] | None:
        """Patch the rows changed since the last load; ``None`` → caller reloads fully.

        Two statements: the rows whose ``updated_at`` lies in the window (all statuses, so
        rows that left "live" are seen; the newest one is the next watermark), then the live
        rows' count and id sum from the (status, id) index as the check. Why not one scan:
        the window query becomes an index range scan once ``updated_at`` is indexed.
        """
        if table.watermark is None:
            return None
        c = self.model.__table__.c
        limit = min(DELTA_LIMIT, max(100, (len(table) + len(table.skipped_ids)) // 20))
        delta = await self._rows(
            session, c.updated_at > table.watermark - self.margin, limit=limit + 1
        )
        if delta.height > limit:
            return None
        check = sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(c.id), 0)).where(
            self._live()
        )
        n_live, id_sum = (await session.execute(check)).one()
        newest = _aware(delta["updated_at"].max()) if delta.height else None
        watermark = max(newest, table.watermark) if newest is not None else table.watermark
        changed = delta["id"].to_numpy().astype(np.int64)
        patched = self._patch(table, delta.drop("updated_at"), changed, stamp, watermark)
        if (patched.live_count, patched.live_id_sum) != (int(n_live), int(id_sum)):
            log.info("%s: Abgleich weicht ab, lade vollständig neu", self.kind)
            return None
        return patched

    def _patch(
        self,
        table: Table[T],
        delta: pl.DataFrame,
        changed: I64,
        stamp: int,
        watermark: dt.datetime | None,
    ) -> Table[T]:
        """A new version with the ``changed`` ids replaced by their live rows in ``delta``.

        Copy-on-write: a request still holding the old version keeps consistent arrays.
        """
        group_of = dict(table.group_of)
        sets = list(getattr(table.data, "preference_sets", ()))
        live = delta.filter(pl.col("status") == self.live_status.value).sort("id")
        fresh = self._make(live, stamp, None, group_of, sets)
        extra: dict[str, Any] = {}
        if isinstance(table.data, Households):
            extra["preference_sets"] = tuple(sets)
        old, new = _arrays(table.data), _arrays(fresh.data)
        old_ids = table.data.id
        pos = np.searchsorted(old_ids, fresh.data.id)
        present = (pos < len(old_ids)) & (
            old_ids[np.minimum(pos, len(old_ids) - 1)] == fresh.data.id
        )
        in_old = np.isin(changed, old_ids)
        leaving = np.setdiff1d(changed[in_old], fresh.data.id)
        if len(old_ids) and bool(present.all()) and not len(leaving):
            # the usual case: live rows changed in place, none came or went
            values: dict[str, Any] = {
                name: _assign(array, pos, new[name]) for name, array in old.items()
            }
            side = {
                name: _assign(table.side[name], pos, fresh.side[name]) for name in self.side_names
            }
            ids = values["id"]
        else:
            keep = ~np.isin(old_ids, changed)
            ids = np.concatenate([old_ids[keep], fresh.data.id])
            order = np.argsort(ids, kind="stable")
            ids = ids[order]
            values = {name: np.concatenate([old[name][keep], new[name]])[order] for name in old}
            side = {
                name: _concat_side(table.side[name][keep], fresh.side[name])[order]
                for name in self.side_names
            }
        data = replace(table.data, **values, **extra)
        keep_skipped = ~np.isin(table.skipped_ids, changed)
        skipped_ids = np.concatenate([table.skipped_ids[keep_skipped], fresh.skipped_ids])
        skipped_org = np.concatenate([table.skipped_org[keep_skipped], fresh.skipped_org])
        return Table(
            stamp=stamp,
            watermark=watermark,
            data=data,
            side=side,
            skipped_ids=skipped_ids,
            skipped_org=skipped_org,
            live_count=len(ids) + len(skipped_ids),
            live_id_sum=int(ids.sum()) + int(skipped_ids.sum()),
            group_of=group_of,
        )


def _assign(
    array: np.ndarray[Any, Any], pos: I64, values: np.ndarray[Any, Any]
) -> np.ndarray[Any, Any]:
    """``array`` with ``values`` at ``pos``: the same object if nothing differs, else a copy."""
    if len(pos) == 0 or (array.dtype == values.dtype and np.array_equal(array[pos], values)):
        return array
    if array.dtype.kind == "U" or values.dtype.kind == "U":
        width = max(array.dtype.itemsize, values.dtype.itemsize) // 4
        out = array.astype(f"<U{max(width, 1)}")
    else:
        out = array.copy()
    out[pos] = values
    return out


def _aware(value: Any) -> dt.datetime | None:
    """A database timestamp as an aware UTC datetime (SQLite may hand back text)."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if isinstance(value, dt.datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
    return None


def _side_array(df: pl.DataFrame, name: str) -> np.ndarray[Any, Any]:
    series = df[name]
    if series.dtype in (pl.String, pl.Null):
        return np.asarray(series.cast(pl.String).fill_null("").to_list(), dtype=np.str_)
    return np.asarray(series.fill_null(0).to_numpy()).astype(np.int64)


def _concat_side(a: np.ndarray[Any, Any], b: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    if a.dtype.kind == "U" or b.dtype.kind == "U":
        return np.concatenate([a.astype(np.str_), b.astype(np.str_)])
    return np.concatenate([a, b])


class HouseholdSnapshot(Snapshot[Households]):
    """Active households (status ``active``), one row each."""

    kind = "households"
    stamp_name = versioning.HOUSEHOLDS
    model = Household
    live_status = HouseholdStatus.ACTIVE
    side_names = ("organisation_id", "reference_code")

    def columns(self, dialect: str) -> list[ColumnElement[Any]]:
        return _household_columns(dialect)

    def validate(self, df: pl.DataFrame) -> None:
        Households.from_polars(df.drop("preferred_ags"))

    def build(
        self, df: pl.DataFrame, group_of: dict[tuple[str, ...], int], sets: list[tuple[str, ...]]
    ) -> Households:
        return _households(df, group_of, sets)


class VacancySnapshot(Snapshot[Vacancies]):
    """Open vacancies (status ``open``): the candidates of a household's ranking."""

    kind = "vacancies"
    stamp_name = versioning.VACANCIES
    model = Vacancy
    live_status = VacancyStatus.OPEN
    side_names = ("organisation_id", "title", "postal_code")

    def columns(self, dialect: str) -> list[ColumnElement[Any]]:
        return _vacancy_columns(dialect)

    def validate(self, df: pl.DataFrame) -> None:
        Vacancies.from_polars(df)

    def build(
        self, df: pl.DataFrame, group_of: dict[tuple[str, ...], int], sets: list[tuple[str, ...]]
    ) -> Vacancies:
        return Vacancies.from_polars(df)


async def load_household_rows(session: AsyncSession, household_ids: Sequence[int]) -> pl.DataFrame:
    """Engine columns of the given households in any status, fresh from the database.

    Why: the reverse ranking and "Warum nicht?" look at one household; reading it directly
    is cheap and always current, and works for paused or closed households too.
    """
    dialect = session.get_bind().dialect.name
    cols = _household_columns(dialect)
    stmt = sa.select(*cols).where(Household.__table__.c.id.in_(list(household_ids)))
    rows = (await session.execute(stmt)).all()
    return _frame(rows, [str(c.key) for c in cols], "households")


def households_from_rows(df: pl.DataFrame) -> Households:
    """Engine table of a few freshly loaded households (see :func:`load_household_rows`)."""
    group_of: dict[tuple[str, ...], int] = {}
    sets: list[tuple[str, ...]] = []
    return _households(df, group_of, sets)


def _households(
    df: pl.DataFrame, group_of: dict[tuple[str, ...], int], sets: list[tuple[str, ...]]
) -> Households:
    """Engine table of household rows; preference groups extend ``group_of``/``sets``."""
    households = Households.from_polars(df.drop("preferred_ags"))
    groups = _preference_groups(df["preferred_ags"], group_of, sets)
    if not sets:
        sets.append(())
        group_of[()] = 0
    return replace(households, preference_group=groups, preference_sets=tuple(sets))


# --------------------------------------------------------------------------- reference data


@dataclass(frozen=True, eq=False)
class ReferenceTables:
    """Towns and the active rent-limit tables as engine tables."""

    key: tuple[Any, ...]
    municipalities: Municipalities
    rent_limits: RentLimits
    town_names: dict[str, str]

    def example_applies(self, ags: str, available_from: dt.date) -> bool:
        """Whether the limit applied to a flat available on that day comes from example values
        (no official table covers the day; an example table does)."""
        table = self.rent_limits.table_on(available_from)
        return table is not None and table.is_example

    def examples_in_use(self, today: dt.date) -> bool:
        """Whether example values apply on any day from ``today`` on (checked on every day
        the applicable table can change)."""
        days = {today}
        for t in self.rent_limits.tables:
            days.add(t.valid_from)
            if t.valid_to is not None:
                days.add(t.valid_to + dt.timedelta(days=1))
        return any(self.example_applies("", day) for day in days if day >= today)


class ReferenceSnapshot:
    """Towns and rent limits: small tables, re-read on every ranking and rebuilt on change.

    Why re-read instead of a stamp: the admin changes rent-limit tables without a data-version
    stamp; reading ~100 rows costs about a millisecond and can never be stale. The engine
    tables are only rebuilt when the rows differ, so the engine's caches keyed on them stay.
    """

    def __init__(self) -> None:
        self._tables: ReferenceTables | None = None

    @property
    def cached(self) -> ReferenceTables | None:
        """The tables as last read (by the ranking of this request), without a query."""
        return self._tables

    async def get(self, session: AsyncSession) -> ReferenceTables:
        m = Municipality.__table__.c
        towns = (
            await session.execute(sa.select(m.ags, m.name, m.lat, m.lon).order_by(m.ags))
        ).all()
        limits = await rent_limit_rows(session)
        key = (tuple(tuple(t) for t in towns), limits)
        cached = self._tables
        if cached is not None and cached.key == key:
            return cached
        self._tables = _reference_tables(key)
        return self._tables


def _reference_tables(key: tuple[Any, ...]) -> ReferenceTables:
    towns, limits = key
    town_frame = pl.DataFrame(
        list(towns),
        schema={"ags": pl.String, "name": pl.String, "lat": pl.Float64, "lon": pl.Float64},
        orient="row",
    )
    return ReferenceTables(
        key=key,
        municipalities=Municipalities.from_polars(town_frame),
        rent_limits=rent_limits_from_rows(limits),
        town_names={str(t[0]): str(t[1]) for t in towns},
    )


def memory_bytes(*tables: Table[Any] | None) -> int:
    """Bytes of numpy arrays held by the given snapshot versions."""
    return sum(t.nbytes() for t in tables if t is not None)
