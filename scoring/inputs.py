"""Input tables of the engine and their validation at the boundary.

Every table is a frozen dataclass of numpy arrays, one element per row, built with
``from_polars`` from the columns the database delivers. Categorical text is stored as small
integer codes, dates as ``int64`` days since 1970-01-01 (``NO_DAY`` = none), money as
``int64`` cents (:data:`~scoring.money.NO_AMOUNT` = none, see :mod:`scoring.money`) and other
optional numbers as ``NaN``, so that the rules are plain, exact array comparisons.

Values are validated when a table is built (``__post_init__``): NaN, negative or absurd values
raise :class:`~scoring.errors.ScoringInputError` naming every bad field, so nothing unvalidated
reaches the rules. The household table has no field for a name, nationality, gender or any
other protected attribute: extra columns in the frame are ignored, so they cannot influence
a result.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt
import polars as pl

from scoring.errors import FieldError, ScoringInputError
from scoring.fields import HOUSEHOLD_FIELDS, VACANCY_FIELDS, NumberField
from scoring.limits import RentLimits
from scoring.money import (
    INVALID_AMOUNT,
    NO_AMOUNT,
    MoneyInput,
    cents_array,
    cents_series,
    from_cents,
)

__all__ = [
    "INCOME_BASES",
    "KDU_INCOME_BASES",
    "MAX_DAY",
    "MAX_PERSONS",
    "NO_DAY",
    "PETS",
    "STATUSES",
    "URGENCIES",
    "HouseholdRow",
    "Households",
    "Municipalities",
    "RentLimits",
    "Vacancies",
    "Vacancy",
    "day_number",
    "from_day_number",
]

I64: TypeAlias = npt.NDArray[np.int64]
F64: TypeAlias = npt.NDArray[np.float64]
Bool: TypeAlias = npt.NDArray[np.bool_]

EPOCH = dt.date(1970, 1, 1)
NO_DAY = -(2**40)
"""Day number standing for "no date" (smaller than any real date)."""
MAX_DAY = 2**40
"""Day number standing for "open end" (``valid_to`` null)."""
MAX_PERSONS = 20
"""Largest household the engine accepts; larger values are input errors."""

INCOME_BASES: tuple[str, ...] = ("sgb2", "sgb12", "asylblg", "wohngeld", "own_income")
KDU_INCOME_BASES: frozenset[str] = frozenset({"sgb2", "sgb12", "asylblg"})
"""Income bases whose rent is paid by Jobcenter/Sozialamt and so bound to the KdU limit."""
URGENCIES: tuple[str, ...] = (
    "none",
    "threatened",
    "inadequate_housing",
    "notice_received",
    "homeless",
    "eviction_scheduled",
)
"""Urgency categories from least to most urgent; the index is the *urgency rank*."""
STATUSES: tuple[str, ...] = ("active", "paused", "housed", "closed")
PETS: tuple[str, ...] = ("yes", "no", "on_request")


def day_number(value: dt.date | None) -> int:
    """Days since 1970-01-01; ``None`` → :data:`NO_DAY`."""
    if value is None:
        return NO_DAY
    if isinstance(value, dt.datetime):
        value = value.date()
    return (value - EPOCH).days


def from_day_number(day: int) -> dt.date | None:
    """Inverse of :func:`day_number` (``NO_DAY``/``MAX_DAY`` → ``None``)."""
    if day <= NO_DAY or day >= MAX_DAY:
        return None
    return EPOCH + dt.timedelta(days=int(day))


# --------------------------------------------------------------------------- validation


class _Checker:
    """Collects field errors with a count and example ids, raises them all at once."""

    def __init__(self, ids: npt.NDArray[Any] | None, what: str) -> None:
        self.ids = ids
        self.what = what
        self.errors: list[FieldError] = []

    def fail(self, name: str, message: str) -> None:
        self.errors.append(FieldError(name, message))

    def check(self, name: str, bad: Bool, message: str | Callable[[], str]) -> None:
        """Record an error for the rows in ``bad``; ``message`` may be a callable (built only
        when a row fails: validation runs on every ranking call)."""
        count = int(np.count_nonzero(bad))
        if not count:
            return
        if callable(message):
            message = message()
        where = ""
        if self.ids is not None and len(self.ids) == len(bad):
            examples = ", ".join(str(x) for x in self.ids[bad][:3].tolist())
            where = f", z. B. id {examples}"
        self.errors.append(FieldError(name, f"{message} ({count} {self.what}{where})"))

    def raise_if_any(self) -> None:
        if self.errors:
            raise ScoringInputError(self.errors)


def _check_lengths(obj: object, names: Iterable[str]) -> int:
    lengths = {n: len(getattr(obj, n)) for n in names}
    sizes = set(lengths.values())
    if len(sizes) > 1:
        raise ScoringInputError(
            [
                FieldError(n, f"Spaltenlänge {v} passt nicht zu den anderen")
                for n, v in lengths.items()
            ]
        )
    return sizes.pop() if sizes else 0


def _duplicated(ids: I64) -> Bool:
    """True for every repetition of an id after its first occurrence (in sorted order)."""
    order = np.argsort(ids, kind="stable")
    ordered = ids[order]
    bad = np.zeros(len(ids), dtype=bool)
    bad[order[1:][ordered[1:] == ordered[:-1]]] = True
    return bad


def _out_of(values: F64, low: float, high: float) -> Bool:
    """True where a present value lies outside [low, high] (NaN counts as absent)."""
    with np.errstate(invalid="ignore"):
        return ~np.isnan(values) & ((values < low) | (values > high))


# --------------------------------------------------------------------------- polars helpers


def _require(df: pl.DataFrame, names: Sequence[str]) -> None:
    """Every column in ``names`` (a money column may come as ``<name>_cents``)."""
    missing = [n for n in names if n not in df.columns and f"{n}_cents" not in df.columns]
    if missing:
        raise ScoringInputError([FieldError(n, "Spalte fehlt") for n in missing])


def _series(df: pl.DataFrame, name: str, *aliases: str) -> pl.Series | None:
    for candidate in (name, *aliases):
        if candidate in df.columns:
            return df.get_column(candidate)
    return None


def _floats(s: pl.Series | None, n: int, name: str, errors: list[FieldError]) -> F64:
    if s is None or s.dtype == pl.Null:
        return np.full(n, np.nan)
    cast = s.cast(pl.Float64, strict=False)
    if (cast.is_null() & s.is_not_null()).any():
        errors.append(FieldError(name, "ist keine Zahl"))
    return np.asarray(cast.fill_null(np.nan).to_numpy(), dtype=np.float64)


def _ints(s: pl.Series | None, n: int, name: str, errors: list[FieldError]) -> F64:
    """Integer column as float64 (NaN = null) so that range checks can see nulls."""
    values = _floats(s, n, name, errors)
    with np.errstate(invalid="ignore"):
        if np.any(~np.isnan(values) & (values != np.round(values))):
            errors.append(FieldError(name, "muss eine ganze Zahl sein"))
    return values


def _bools(s: pl.Series | None, n: int, default: bool = False) -> Bool:
    if s is None or s.dtype == pl.Null:
        return np.full(n, default)
    return np.asarray(s.cast(pl.Boolean, strict=False).fill_null(default).to_numpy(), dtype=bool)


def _days(s: pl.Series | None, n: int, name: str, errors: list[FieldError]) -> I64:
    if s is None or s.dtype == pl.Null:
        return np.full(n, NO_DAY, dtype=np.int64)
    parsed = s
    if s.dtype == pl.String:
        parsed = s.str.to_date("%Y-%m-%d", strict=False)  # ISO only
    elif isinstance(s.dtype, pl.Datetime):
        parsed = s.dt.date()
    if parsed.dtype != pl.Date or (parsed.is_null() & s.is_not_null()).any():
        errors.append(FieldError(name, "ist kein gültiges Datum"))
        return np.full(n, NO_DAY, dtype=np.int64)
    return np.asarray(parsed.cast(pl.Int64).fill_null(NO_DAY).to_numpy(), dtype=np.int64)


def _codes(s: pl.Series | None, n: int, choices: tuple[str, ...], default: str | None) -> I64:
    """Text categories → index into ``choices``; unknown or null (without default) → -1."""
    if s is None or s.dtype == pl.Null:
        return np.full(n, choices.index(default) if default is not None else -1, dtype=np.int64)
    mapping = {c: i for i, c in enumerate(choices)}
    text = s.cast(pl.String, strict=False)
    if default is not None:
        text = text.fill_null(default)
    coded = text.replace_strict(mapping, default=-1, return_dtype=pl.Int64).fill_null(-1)
    return np.asarray(coded.to_numpy(), dtype=np.int64)


def _strings(s: pl.Series | None, n: int) -> npt.NDArray[np.str_]:
    if s is None or s.dtype == pl.Null:
        return np.full(n, "", dtype=np.str_)
    return np.asarray(s.cast(pl.String, strict=False).fill_null("").to_list(), dtype=np.str_)


def _money(df: pl.DataFrame, name: str) -> I64:
    """Money column in cents: ``<name>_cents`` (integers, as the snapshot delivers them) or
    ``<name>`` in euros (Decimal, text or float holding whole cents)."""
    cents = _series(df, f"{name}_cents")
    if cents is not None and cents.dtype.is_integer():
        values = np.asarray(cents.cast(pl.Int64).fill_null(NO_AMOUNT).to_numpy(), dtype=np.int64)
        return np.where(values < NO_AMOUNT, INVALID_AMOUNT, values).astype(np.int64)
    euros = _series(df, name)
    return cents_series(euros) if euros is not None else np.full(df.height, NO_AMOUNT, np.int64)


def _check_money(c: _Checker, spec: NumberField, cents: I64) -> None:
    """Unreadable amounts and amounts outside the contract's range (cents, exact)."""
    c.check(
        spec.name,
        cents == INVALID_AMOUNT,
        f"{spec.label} ist kein gültiger Betrag (nicht negativ, höchstens zwei Nachkommastellen)",
    )
    c.check(
        spec.name,
        (cents > round(spec.high * 100)) | (spec.low_open & (cents == 0)),
        lambda: f"{spec.label} muss {spec.describe()} sein",
    )


def _check_range(c: _Checker, spec: NumberField, values: F64 | I64) -> None:
    """A present value (NaN = absent) outside the contract's range or off its step."""
    v = np.asarray(values, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        low = (v <= spec.low) if spec.low_open else (v < spec.low)
        bad = low | (v > spec.high) | np.isinf(v)
        if spec.step is not None:
            bad |= (v / spec.step) != np.round(v / spec.step)
    c.check(spec.name, ~np.isnan(v) & bad, lambda: f"{spec.label} muss {spec.describe()} sein")


def _optional_money(cents: list[int]) -> list[Decimal | None]:
    return [None if x < 0 else from_cents(x) for x in cents]


def _int_or_missing(values: F64, missing: int) -> I64:
    return np.where(np.isnan(values), missing, values).astype(np.int64)


# --------------------------------------------------------------------------- households


@dataclass(frozen=True)
class HouseholdRow:
    """One household as plain Python values (for explanations and the reference oracle)."""

    id: int
    persons: int
    income_basis: str
    own_max_rent: Decimal | None
    wbs_valid_until: dt.date | None
    needs_barrier_free: bool
    needs_wheelchair: bool
    needs_ground_floor: bool
    max_floor_without_lift: int | None
    has_pets: bool
    preferred_ags: tuple[str, ...]
    preferences_hard: bool
    max_distance_km: float | None
    urgency: str
    eviction_date: dt.date | None
    notice_date: dt.date | None
    homeless_since: dt.date | None
    registered_at: dt.date
    status: str


_HOUSEHOLD_REQUIRED = ("id", "persons", "income_basis", "urgency", "registered_at", "status")


@dataclass(frozen=True, eq=False)
class Households:
    """Columnar household snapshot, one row per household (the ranking's candidates).

    Build it with :meth:`from_polars`. Codes index :data:`INCOME_BASES`, :data:`URGENCIES`
    and :data:`STATUSES`; ``preference_group`` indexes ``preference_sets`` (households with
    the same preferred towns share a group, which keeps location checks O(groups)).
    Identity semantics (``eq=False``): derived per-snapshot data is cached on the object.
    """

    id: I64
    persons: I64
    income_basis: I64
    own_max_rent_cents: I64
    """Own budget (Warmmiete) in cents; :data:`~scoring.money.NO_AMOUNT` = none stated."""
    wbs_valid_until: I64
    needs_barrier_free: Bool
    needs_wheelchair: Bool
    needs_ground_floor: Bool
    max_floor_without_lift: F64
    has_pets: Bool
    preference_group: I64
    preference_sets: tuple[tuple[str, ...], ...]
    preferences_hard: Bool
    max_distance_km: F64
    urgency: I64
    eviction_date: I64
    notice_date: I64
    homeless_since: I64
    registered_at: I64
    status: I64
    _cache: dict[Any, Any] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        names = [f for f in self.__dataclass_fields__ if f not in {"_cache", "preference_sets"}]
        _check_lengths(self, names)
        c = _Checker(self.id, "Haushalte")
        c.check(
            "id",
            _duplicated(self.id),
            "Haushalts-IDs müssen eindeutig sein",
        )
        c.check(
            "persons",
            (self.persons < 1) | (self.persons > MAX_PERSONS),
            f"Personenzahl muss zwischen 1 und {MAX_PERSONS} liegen",
        )
        c.check(
            "income_basis",
            (self.income_basis < 0) | (self.income_basis >= len(INCOME_BASES)),
            "unbekannter Leistungsbezug (erlaubt: " + ", ".join(INCOME_BASES) + ")",
        )
        _check_money(c, HOUSEHOLD_FIELDS["own_max_rent"], self.own_max_rent_cents)
        c.check(
            "own_max_rent", self.own_max_rent_cents < INVALID_AMOUNT, "Eigenes Budget ist ungültig"
        )
        _check_range(c, HOUSEHOLD_FIELDS["max_floor_without_lift"], self.max_floor_without_lift)
        c.check(
            "preference_group",
            (self.preference_group < 0) | (self.preference_group >= len(self.preference_sets)),
            "ungültige Ortswünsche",
        )
        _check_range(c, HOUSEHOLD_FIELDS["max_distance_km"], self.max_distance_km)
        c.check(
            "urgency",
            (self.urgency < 0) | (self.urgency >= len(URGENCIES)),
            "unbekannte Dringlichkeit (erlaubt: " + ", ".join(URGENCIES) + ")",
        )
        c.check("registered_at", self.registered_at <= NO_DAY, "Registrierungsdatum fehlt")
        c.check(
            "status",
            (self.status < 0) | (self.status >= len(STATUSES)),
            "unbekannter Status (erlaubt: " + ", ".join(STATUSES) + ")",
        )
        c.raise_if_any()

    def __len__(self) -> int:
        return len(self.id)

    @classmethod
    def from_polars(cls, df: pl.DataFrame) -> Households:
        """Build from the snapshot frame (database column names); extra columns are ignored.

        Required: ``id, persons, income_basis, urgency, registered_at, status``. Missing
        optional columns mean "no need / no date / no preference".
        """
        _require(df, _HOUSEHOLD_REQUIRED)
        n = df.height
        errs: list[FieldError] = []
        ids = _ints(df["id"], n, "id", errs)
        persons = _ints(df["persons"], n, "persons", errs)
        floor = _ints(_series(df, "max_floor_without_lift"), n, "max_floor_without_lift", errs)
        groups, sets = _preference_groups(_series(df, "preferred_ags"), n)
        registered = _days(df["registered_at"], n, "registered_at", errs)
        table: dict[str, Any] = {
            "own_max_rent_cents": _money(df, "own_max_rent"),
            "max_distance_km": _floats(_series(df, "max_distance_km"), n, "max_distance_km", errs),
            "wbs_valid_until": _days(_series(df, "wbs_valid_until"), n, "wbs_valid_until", errs),
            "eviction_date": _days(_series(df, "eviction_date"), n, "eviction_date", errs),
            "notice_date": _days(_series(df, "notice_date"), n, "notice_date", errs),
            "homeless_since": _days(_series(df, "homeless_since"), n, "homeless_since", errs),
        }
        c = _Checker(None, "Haushalte")
        c.check("id", np.isnan(ids), "ID fehlt")
        c.check("persons", np.isnan(persons), "Personenzahl fehlt")
        errs.extend(c.errors)
        if errs:
            raise ScoringInputError(errs)
        return cls(
            id=_int_or_missing(ids, 0),
            persons=_int_or_missing(persons, 0),
            income_basis=_codes(df["income_basis"], n, INCOME_BASES, None),
            needs_barrier_free=_bools(_series(df, "needs_barrier_free"), n),
            needs_wheelchair=_bools(_series(df, "needs_wheelchair"), n),
            needs_ground_floor=_bools(_series(df, "needs_ground_floor"), n),
            max_floor_without_lift=floor,
            has_pets=_bools(_series(df, "has_pets"), n),
            preference_group=groups,
            preference_sets=sets,
            preferences_hard=_bools(_series(df, "preferences_hard"), n),
            urgency=_codes(df["urgency"], n, URGENCIES, None),
            registered_at=registered,
            status=_codes(df["status"], n, STATUSES, None),
            **table,
        )

    @classmethod
    def from_records(cls, records: Sequence[Mapping[str, Any]]) -> Households:
        """Convenience for tests and scripts: rows as dicts (same keys as the columns)."""
        return cls.from_polars(pl.DataFrame(list(records), infer_schema_length=None))

    def index_of(self, household_id: int) -> int:
        """Row index of a household id; ``KeyError`` if absent."""
        index: dict[int, int] | None = self._cache.get("index")
        if index is None:
            index = {int(h): i for i, h in enumerate(self.id.tolist())}
            self._cache["index"] = index
        return index[int(household_id)]

    def row(self, i: int) -> HouseholdRow:
        """Row ``i`` as plain Python values."""
        floor = self.max_floor_without_lift[i]
        rent = int(self.own_max_rent_cents[i])
        dist = self.max_distance_km[i]
        registered = from_day_number(int(self.registered_at[i]))
        assert registered is not None
        return HouseholdRow(
            id=int(self.id[i]),
            persons=int(self.persons[i]),
            income_basis=INCOME_BASES[self.income_basis[i]],
            own_max_rent=None if rent < 0 else from_cents(rent),
            wbs_valid_until=from_day_number(int(self.wbs_valid_until[i])),
            needs_barrier_free=bool(self.needs_barrier_free[i]),
            needs_wheelchair=bool(self.needs_wheelchair[i]),
            needs_ground_floor=bool(self.needs_ground_floor[i]),
            max_floor_without_lift=None if np.isnan(floor) else int(floor),
            has_pets=bool(self.has_pets[i]),
            preferred_ags=self.preference_sets[self.preference_group[i]],
            preferences_hard=bool(self.preferences_hard[i]),
            max_distance_km=None if np.isnan(dist) else float(dist),
            urgency=URGENCIES[self.urgency[i]],
            eviction_date=from_day_number(int(self.eviction_date[i])),
            notice_date=from_day_number(int(self.notice_date[i])),
            homeless_since=from_day_number(int(self.homeless_since[i])),
            registered_at=registered,
            status=STATUSES[self.status[i]],
        )

    def rows(self, indices: Sequence[int] | I64 | None = None) -> list[HouseholdRow]:
        """Rows at ``indices`` (default: all) as plain Python values, converted in bulk."""
        idx = np.arange(len(self)) if indices is None else np.asarray(indices, dtype=np.int64)
        groups = self.preference_group[idx].tolist()
        columns = zip(
            self.id[idx].tolist(),
            self.persons[idx].tolist(),
            [INCOME_BASES[c] for c in self.income_basis[idx].tolist()],
            _optional_money(self.own_max_rent_cents[idx].tolist()),
            _dates(self.wbs_valid_until[idx]),
            self.needs_barrier_free[idx].tolist(),
            self.needs_wheelchair[idx].tolist(),
            self.needs_ground_floor[idx].tolist(),
            [
                None if x is None else int(x)
                for x in _optional_floats(self.max_floor_without_lift[idx])
            ],
            self.has_pets[idx].tolist(),
            [self.preference_sets[g] for g in groups],
            self.preferences_hard[idx].tolist(),
            _optional_floats(self.max_distance_km[idx]),
            [URGENCIES[c] for c in self.urgency[idx].tolist()],
            _dates(self.eviction_date[idx]),
            _dates(self.notice_date[idx]),
            _dates(self.homeless_since[idx]),
            _dates(self.registered_at[idx]),
            [STATUSES[c] for c in self.status[idx].tolist()],
            strict=True,
        )
        return [HouseholdRow(*values) for values in columns]


def _optional_floats(values: F64) -> list[float | None]:
    return [None if x != x else x for x in values.tolist()]  # x != x: NaN


def _dates(days: I64) -> list[dt.date | None]:
    """Day numbers → dates in bulk (``NO_DAY``/``MAX_DAY`` → ``None``)."""
    missing = (days <= NO_DAY) | (days >= MAX_DAY)
    dates: list[dt.date] = np.where(missing, 0, days).astype("datetime64[D]").tolist()
    return [None if m else d for m, d in zip(missing.tolist(), dates, strict=True)]


def _preference_groups(s: pl.Series | None, n: int) -> tuple[I64, tuple[tuple[str, ...], ...]]:
    """Group households by their (sorted, de-duplicated) preferred towns."""
    if s is None or s.dtype == pl.Null:
        return np.zeros(n, dtype=np.int64), ((),)
    if not isinstance(s.dtype, pl.List):
        raise ScoringInputError([FieldError("preferred_ags", "muss eine Liste von AGS sein")])
    keys = (
        s.cast(pl.List(pl.String))
        .fill_null([])
        .list.eval(pl.element().filter(pl.element() != ""))
        .list.unique()
        .list.sort()
        .list.join(";")
    )
    uniques = keys.unique().sort()
    codes = keys.rank("dense").cast(pl.Int64) - 1
    sets = tuple(tuple(k.split(";")) if k else () for k in uniques.to_list())
    if not sets:
        sets = ((),)
    return np.asarray(codes.to_numpy(), dtype=np.int64), sets


# --------------------------------------------------------------------------- vacancies


@dataclass(frozen=True)
class Vacancy:
    """One flat offered by a landlord (plain Python values).

    Bruttokaltmiete = ``net_cold_rent + cold_service_charges``; Warmmiete adds
    ``heating_costs`` (``None`` = not stated). Amounts are Decimal euros (ints and floats are
    converted exactly by their decimal text). ``floor`` 0 is the ground floor, negative
    floors are basements.
    """

    id: int
    municipality_ags: str
    rooms: float
    living_area: float
    floor: int
    net_cold_rent: Decimal
    cold_service_charges: Decimal
    available_from: dt.date
    heating_costs: Decimal | None = None
    lat: float | None = None
    lon: float | None = None
    lift: bool = False
    barrier_free: bool = False
    wheelchair_accessible: bool = False
    wbs_required: bool = False
    pets: str = "on_request"
    min_persons: int | None = None
    max_persons: int | None = None

    def __post_init__(self) -> None:
        for name in ("net_cold_rent", "cold_service_charges", "heating_costs"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, Decimal):
                object.__setattr__(self, name, _decimal(value))

    @property
    def gross_cold_rent(self) -> Decimal:
        """Bruttokaltmiete (what KdU limits compare), exact."""
        return self.net_cold_rent + self.cold_service_charges

    @property
    def warm_rent(self) -> Decimal:
        """Warmmiete (Bruttokaltmiete plus stated heating costs), exact."""
        heating = self.heating_costs
        return self.gross_cold_rent if heating is None else self.gross_cold_rent + heating


def _decimal(value: MoneyInput) -> Decimal:
    """Exact Decimal of a number (a float by its shortest text); non-numbers stay NaN."""
    try:
        return Decimal(str(value))
    except ArithmeticError:
        return Decimal("NaN")


_VACANCY_REQUIRED = (
    "id",
    "municipality_ags",
    "rooms",
    "living_area",
    "floor",
    "net_cold_rent",
    "cold_service_charges",
    "available_from",
)


def _none_to_nan(value: float | None) -> float:
    return np.nan if value is None else float(value)


@dataclass(frozen=True, eq=False)
class Vacancies:
    """Columnar table of vacancies (same fields as :class:`Vacancy`)."""

    id: I64
    municipality_ags: npt.NDArray[np.str_]
    rooms: F64
    living_area: F64
    floor: I64
    net_cold_rent_cents: I64
    cold_service_charges_cents: I64
    available_from: I64
    heating_costs_cents: I64
    """Heizkosten in cents; :data:`~scoring.money.NO_AMOUNT` = not stated."""
    lat: F64
    lon: F64
    lift: Bool
    barrier_free: Bool
    wheelchair_accessible: Bool
    wbs_required: Bool
    pets: I64
    min_persons: F64
    max_persons: F64
    _cache: dict[Any, Any] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        _check_lengths(self, [f for f in self.__dataclass_fields__ if f != "_cache"])
        c = _Checker(self.id, "Wohnungen")
        c.check(
            "id",
            _duplicated(self.id),
            "Wohnungs-IDs müssen eindeutig sein",
        )
        c.check("municipality_ags", self.municipality_ags == "", "Kommune (AGS) fehlt")
        c.check("living_area", np.isnan(self.living_area), "Wohnfläche fehlt")
        _check_range(c, VACANCY_FIELDS["living_area"], self.living_area)
        c.check("rooms", np.isnan(self.rooms), "Zimmerzahl fehlt")
        _check_range(c, VACANCY_FIELDS["rooms"], self.rooms)
        c.check("net_cold_rent", self.net_cold_rent_cents == NO_AMOUNT, "Nettokaltmiete fehlt")
        _check_money(c, VACANCY_FIELDS["net_cold_rent"], self.net_cold_rent_cents)
        c.check(
            "cold_service_charges",
            self.cold_service_charges_cents == NO_AMOUNT,
            "kalte Nebenkosten fehlen",
        )
        _check_money(c, VACANCY_FIELDS["cold_service_charges"], self.cold_service_charges_cents)
        _check_money(c, VACANCY_FIELDS["heating_costs"], self.heating_costs_cents)
        _check_range(c, VACANCY_FIELDS["floor"], self.floor)
        c.check("available_from", self.available_from <= NO_DAY, "Bezugsdatum fehlt")
        c.check(
            "pets",
            (self.pets < 0) | (self.pets >= len(PETS)),
            "unbekannte Haustierregel (erlaubt: " + ", ".join(PETS) + ")",
        )
        c.check(
            "min_persons",
            _out_of(self.min_persons, 1, MAX_PERSONS)
            | ~np.isnan(self.min_persons) & (self.min_persons != np.round(self.min_persons)),
            f"Mindestpersonenzahl muss zwischen 1 und {MAX_PERSONS} liegen",
        )
        c.check(
            "max_persons",
            _out_of(self.max_persons, 1, MAX_PERSONS)
            | ~np.isnan(self.max_persons) & (self.max_persons != np.round(self.max_persons)),
            f"Höchstpersonenzahl muss zwischen 1 und {MAX_PERSONS} liegen",
        )
        with np.errstate(invalid="ignore"):
            c.check(
                "max_persons",
                self.min_persons > self.max_persons,
                "Höchstpersonenzahl ist kleiner als die Mindestpersonenzahl",
            )
        c.check(
            "lat",
            np.isnan(self.lat) != np.isnan(self.lon) | _out_of(self.lat, -90, 90),
            "Breitengrad ungültig oder ohne Längengrad",
        )
        c.check("lon", _out_of(self.lon, -180, 180), "Längengrad ungültig")
        c.raise_if_any()

    def __len__(self) -> int:
        return len(self.id)

    @classmethod
    def from_vacancies(cls, vacancies: Sequence[Vacancy]) -> Vacancies:
        """Columnar table from :class:`Vacancy` objects (validated like any other input)."""
        pets = {p: i for i, p in enumerate(PETS)}
        v = vacancies
        return cls(
            id=np.array([x.id for x in v], dtype=np.int64),
            municipality_ags=np.array([x.municipality_ags or "" for x in v], dtype=np.str_),
            rooms=np.array([_none_to_nan(x.rooms) for x in v], dtype=np.float64),
            living_area=np.array([_none_to_nan(x.living_area) for x in v], dtype=np.float64),
            floor=np.array([x.floor for x in v], dtype=np.int64),
            net_cold_rent_cents=cents_array([x.net_cold_rent for x in v]),
            cold_service_charges_cents=cents_array([x.cold_service_charges for x in v]),
            available_from=np.array([day_number(x.available_from) for x in v], dtype=np.int64),
            heating_costs_cents=cents_array([x.heating_costs for x in v]),
            lat=np.array([_none_to_nan(x.lat) for x in v], dtype=np.float64),
            lon=np.array([_none_to_nan(x.lon) for x in v], dtype=np.float64),
            lift=np.array([bool(x.lift) for x in v], dtype=bool),
            barrier_free=np.array([bool(x.barrier_free) for x in v], dtype=bool),
            wheelchair_accessible=np.array([bool(x.wheelchair_accessible) for x in v], dtype=bool),
            wbs_required=np.array([bool(x.wbs_required) for x in v], dtype=bool),
            pets=np.array([pets.get(x.pets, -1) for x in v], dtype=np.int64),
            min_persons=np.array([_none_to_nan(x.min_persons) for x in v], dtype=np.float64),
            max_persons=np.array([_none_to_nan(x.max_persons) for x in v], dtype=np.float64),
        )

    @classmethod
    def from_polars(cls, df: pl.DataFrame) -> Vacancies:
        """Build from a frame with the database column names; extra columns are ignored."""
        _require(df, _VACANCY_REQUIRED)
        n = df.height
        errs: list[FieldError] = []
        ids = _ints(df["id"], n, "id", errs)
        floor = _ints(df["floor"], n, "floor", errs)
        cols = {
            name: _floats(_series(df, name), n, name, errs)
            for name in ("rooms", "living_area", "lat", "lon")
        }

        min_p = _ints(_series(df, "min_persons"), n, "min_persons", errs)
        max_p = _ints(_series(df, "max_persons"), n, "max_persons", errs)
        available = _days(df["available_from"], n, "available_from", errs)
        c = _Checker(None, "Wohnungen")
        c.check("id", np.isnan(ids), "ID fehlt")
        c.check("floor", np.isnan(floor), "Stockwerk fehlt")
        errs.extend(c.errors)
        if errs:
            raise ScoringInputError(errs)
        return cls(
            id=_int_or_missing(ids, 0),
            municipality_ags=_strings(df["municipality_ags"], n),
            floor=_int_or_missing(floor, 0),
            available_from=available,
            lift=_bools(_series(df, "lift"), n),
            barrier_free=_bools(_series(df, "barrier_free"), n),
            wheelchair_accessible=_bools(_series(df, "wheelchair_accessible"), n),
            wbs_required=_bools(_series(df, "wbs_required"), n),
            pets=_codes(_series(df, "pets"), n, PETS, "on_request"),
            min_persons=min_p,
            max_persons=max_p,
            net_cold_rent_cents=_money(df, "net_cold_rent"),
            cold_service_charges_cents=_money(df, "cold_service_charges"),
            heating_costs_cents=_money(df, "heating_costs"),
            **cols,
        )

    def row(self, i: int) -> Vacancy:
        """Row ``i`` as a :class:`Vacancy`."""
        available = from_day_number(int(self.available_from[i]))
        assert available is not None

        def opt(a: F64) -> float | None:
            return None if np.isnan(a[i]) else float(a[i])

        heating = int(self.heating_costs_cents[i])

        def opt_int(a: F64) -> int | None:
            return None if np.isnan(a[i]) else int(a[i])

        return Vacancy(
            id=int(self.id[i]),
            municipality_ags=str(self.municipality_ags[i]),
            rooms=float(self.rooms[i]),
            living_area=float(self.living_area[i]),
            floor=int(self.floor[i]),
            net_cold_rent=from_cents(int(self.net_cold_rent_cents[i])),
            cold_service_charges=from_cents(int(self.cold_service_charges_cents[i])),
            available_from=available,
            heating_costs=None if heating < 0 else from_cents(heating),
            lat=opt(self.lat),
            lon=opt(self.lon),
            lift=bool(self.lift[i]),
            barrier_free=bool(self.barrier_free[i]),
            wheelchair_accessible=bool(self.wheelchair_accessible[i]),
            wbs_required=bool(self.wbs_required[i]),
            pets=PETS[self.pets[i]],
            min_persons=opt_int(self.min_persons),
            max_persons=opt_int(self.max_persons),
        )

    def rows(self, indices: Sequence[int] | I64 | None = None) -> list[Vacancy]:
        """Rows at ``indices`` (default: all) as :class:`Vacancy` objects, converted in bulk."""
        idx = np.arange(len(self)) if indices is None else np.asarray(indices, dtype=np.int64)

        def opt_int(values: F64) -> list[int | None]:
            return [None if x is None else int(x) for x in _optional_floats(values)]

        columns = zip(
            self.id[idx].tolist(),
            self.municipality_ags[idx].tolist(),
            self.rooms[idx].tolist(),
            self.living_area[idx].tolist(),
            self.floor[idx].tolist(),
            [from_cents(x) for x in self.net_cold_rent_cents[idx].tolist()],
            [from_cents(x) for x in self.cold_service_charges_cents[idx].tolist()],
            _dates(self.available_from[idx]),
            _optional_money(self.heating_costs_cents[idx].tolist()),
            _optional_floats(self.lat[idx]),
            _optional_floats(self.lon[idx]),
            self.lift[idx].tolist(),
            self.barrier_free[idx].tolist(),
            self.wheelchair_accessible[idx].tolist(),
            self.wbs_required[idx].tolist(),
            [PETS[c] for c in self.pets[idx].tolist()],
            opt_int(self.min_persons[idx]),
            opt_int(self.max_persons[idx]),
            strict=True,
        )
        return [Vacancy(*values) for values in columns]

    def index_of(self, vacancy_id: int) -> int:
        """Row index of a vacancy id; ``KeyError`` if absent."""
        index: dict[int, int] | None = self._cache.get("index")
        if index is None:
            index = {int(v): i for i, v in enumerate(self.id.tolist())}
            self._cache["index"] = index
        return index[int(vacancy_id)]


# --------------------------------------------------------------------------- reference tables


@dataclass(frozen=True, eq=False)
class Municipalities:
    """Towns with centre coordinates (their rent-limit areas belong to each limit table)."""

    ags: tuple[str, ...]
    name: tuple[str, ...]
    lat: F64
    lon: F64
    _index: dict[str, int] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        _check_lengths(self, ["ags", "name", "lat", "lon"])
        c = _Checker(np.array(self.ags), "Kommunen")
        c.check("ags", np.array([not a for a in self.ags], dtype=bool), "AGS fehlt")
        if len(set(self.ags)) != len(self.ags):
            c.fail("ags", "AGS müssen eindeutig sein")
        c.check("lat", np.isnan(self.lat) | _out_of(self.lat, -90, 90), "Breitengrad ungültig")
        c.check("lon", np.isnan(self.lon) | _out_of(self.lon, -180, 180), "Längengrad ungültig")
        c.raise_if_any()
        self._index.update({a: i for i, a in enumerate(self.ags)})

    def __len__(self) -> int:
        return len(self.ags)

    def index_of(self, ags: str) -> int | None:
        """Row index of an AGS, ``None`` if unknown."""
        return self._index.get(ags)

    @classmethod
    def from_polars(cls, df: pl.DataFrame) -> Municipalities:
        """Columns ``ags, name, lat, lon``."""
        _require(df, ("ags", "name", "lat", "lon"))
        n = df.height
        errs: list[FieldError] = []
        lat = _floats(df["lat"], n, "lat", errs)
        lon = _floats(df["lon"], n, "lon", errs)
        if errs:
            raise ScoringInputError(errs)
        return cls(
            ags=tuple(_strings(df["ags"], n).tolist()),
            name=tuple(_strings(df["name"], n).tolist()),
            lat=lat,
            lon=lon,
        )
