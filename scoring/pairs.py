"""Per-table precomputation and the aligned pair arrays the rules and components read.

Heavy per-table work (municipality lookup, rent-limit tables per household size, distances
to every town centre, preference groups) is done once per table and cached on it, so that
ranking one vacancy against 100,000 households, or one household against 10,000 vacancies,
is only a handful of array operations. :class:`PairArrays` lines up household and vacancy
values along one *pair axis*: for one vacancy the household columns are views and the
vacancy values are scalars; for one household it is the other way round. Money columns
(rents, limits, budgets, heating) are ``int64`` cents with
:data:`~scoring.money.NO_AMOUNT` for "none", so every rent rule is an exact integer comparison.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, NoReturn, TypeAlias

import numpy as np
import numpy.typing as npt

from scoring.errors import FieldError, ScoringInputError
from scoring.geo import haversine_km_matrix
from scoring.inputs import (
    INCOME_BASES,
    KDU_INCOME_BASES,
    Households,
    Municipalities,
    RentLimits,
    Vacancies,
)
from scoring.limits import limit_matrix

__all__ = [
    "COLUMN_NAMES",
    "HOUSEHOLD_COLUMNS",
    "NotGathered",
    "PairArrays",
    "PreferenceIndex",
    "VacancyFrame",
    "pairs_for_household",
    "pairs_for_vacancy",
    "with_heating_limit",
]

I64: TypeAlias = npt.NDArray[np.int64]
F64: TypeAlias = npt.NDArray[np.float64]
Bool: TypeAlias = npt.NDArray[np.bool_]
# a pair-axis column: an array (one value per pair) or one value shared by all pairs
Col: TypeAlias = Any

MIN_AREA_PER_PERSON = 10.0
"""m² of living space per person required by WAG NRW § 10."""
WBS_BASE_AREA = 50.0
WBS_AREA_PER_FURTHER_PERSON = 15.0
WBS_MINOR_OVERRUN = 5.0

_KDU_CODES = np.array([b in KDU_INCOME_BASES for b in INCOME_BASES], dtype=bool)


@dataclass(frozen=True, eq=False)
class VacancyFrame:
    """Derived vacancy columns for one (vacancies, municipalities, rent limits) triple."""

    town: I64
    lat: F64
    lon: F64
    gross_cold_rent: I64
    """Bruttokaltmiete in cents."""
    warm_rent: I64
    """Warmmiete in cents (Bruttokaltmiete where the heating costs are not stated)."""
    heating_known: Bool
    limit: I64
    """(m, MAX_PERSONS + 1): max Bruttokaltmiete in cents by household size (``NO_AMOUNT`` =
    none recorded)."""
    heating_limit: I64
    limit_valid_from: I64
    """(m,): valid_from of the applied rent-limit table (unused where no table applies)."""
    town_distance: F64
    """(m, towns): km from the vacancy to each town centre."""
    _extra: dict[str, Any] = field(default_factory=dict, init=False, repr=False)

    def distance_by_town(self) -> F64:
        """(towns, m): :attr:`town_distance` transposed, contiguous per town (cached)."""
        return _distance_by_town(self)

    @classmethod
    def build(
        cls, vacancies: Vacancies, municipalities: Municipalities, rent_limits: RentLimits
    ) -> VacancyFrame:
        """Compute (or fetch from the table's cache) the derived columns."""
        key = ("frame", municipalities, rent_limits)
        cached: VacancyFrame | None = vacancies._cache.get(key)
        if cached is not None:
            return cached
        m = len(vacancies)
        unknown = sorted(
            {a for a in vacancies.municipality_ags.tolist() if municipalities.index_of(a) is None}
        )
        if unknown:
            raise ScoringInputError(
                [FieldError("municipality_ags", f"unbekannte Kommune (AGS {', '.join(unknown)})")]
            )
        town = np.array(
            [municipalities.index_of(a) for a in vacancies.municipality_ags.tolist()],
            dtype=np.int64,
        ).reshape(m)
        own = ~np.isnan(vacancies.lat)
        lat = np.where(own, vacancies.lat, municipalities.lat[town])
        lon = np.where(own, vacancies.lon, municipalities.lon[town])
        gross = vacancies.net_cold_rent_cents + vacancies.cold_service_charges_cents
        known = vacancies.heating_costs_cents >= 0
        warm = np.where(known, gross + vacancies.heating_costs_cents, gross)
        limit, heating, valid_from = limit_matrix(
            rent_limits, vacancies.municipality_ags.tolist(), vacancies.available_from
        )
        distance = haversine_km_matrix(lat, lon, municipalities.lat, municipalities.lon)
        frame = cls(
            town,
            lat,
            lon,
            gross,
            warm,
            known,
            limit,
            heating,
            valid_from,
            distance,
        )
        vacancies._cache[key] = frame
        return frame


def _distance_by_town(frame: VacancyFrame) -> F64:
    cached: F64 | None = frame._extra.get("by_town")
    if cached is None:
        cached = frame._extra["by_town"] = np.ascontiguousarray(frame.town_distance.T)
    return cached


@dataclass(frozen=True, eq=False)
class PreferenceIndex:
    """Preferred towns per preference group as a (groups, towns) membership matrix."""

    member: Bool
    has_preferences: Bool
    has_known_towns: Bool

    @classmethod
    def build(cls, households: Households, municipalities: Municipalities) -> PreferenceIndex:
        """Compute (or fetch from the snapshot's cache) the membership matrix."""
        key = ("prefs", municipalities)
        cached: PreferenceIndex | None = households._cache.get(key)
        if cached is not None:
            return cached
        sets = households.preference_sets
        member = np.zeros((len(sets), len(municipalities)), dtype=bool)
        for g, towns in enumerate(sets):
            for ags in towns:
                j = municipalities.index_of(ags)
                if j is not None:  # unknown towns cannot be matched or measured
                    member[g, j] = True
        has = np.array([bool(s) for s in sets], dtype=bool)
        index = cls(member, has, np.asarray(member.any(axis=1), dtype=bool))
        households._cache[key] = index
        return index

    def location(self, frame: VacancyFrame, vacancy_rows: I64, groups: I64) -> tuple[Bool, F64]:
        """(in a preferred town, km to the nearest preferred town centre) per (vacancy, group).

        The distance is 0 inside a preferred town and NaN without any known preferred town.
        """
        member = self.member[groups]  # (g, towns)
        if len(groups) == 1:  # one household: a running minimum over its preferred towns
            return self._location_one(frame, vacancy_rows, member[0])
        inside = member[:, frame.town[vacancy_rows]].T  # (v, g)
        dist = frame.town_distance[vacancy_rows]  # (v, towns)
        masked = np.where(member[None, :, :], dist[:, None, :], np.inf)
        nearest = masked.min(axis=2) if masked.shape[2] else np.full(inside.shape, np.inf)
        nearest = np.where(inside, 0.0, nearest)
        nearest = np.where(np.isinf(nearest), np.nan, nearest)
        return inside, nearest

    @staticmethod
    def _location_one(frame: VacancyFrame, vacancy_rows: I64, member: Bool) -> tuple[Bool, F64]:
        """:meth:`location` for a single group (same values, without the (v, towns) pass)."""
        towns = np.flatnonzero(member)
        inside = member[frame.town[vacancy_rows]]
        if not towns.size:
            return inside[:, None], np.full((len(vacancy_rows), 1), np.nan)
        by_town = frame.distance_by_town()
        nearest = by_town[towns[0]][vacancy_rows]
        for t in towns[1:].tolist():
            np.minimum(nearest, by_town[t][vacancy_rows], out=nearest)
        nearest[inside] = 0.0
        return inside[:, None], nearest[:, None]


@dataclass(frozen=True)
class PairArrays:
    """Household and vacancy values aligned along one pair axis (arrays or shared scalars)."""

    size: int
    household_row: Col
    vacancy_row: Col
    # household side
    household_id: Col
    persons: Col
    kdu: Col
    own_max_rent: Col
    wbs_valid_until: Col
    needs_barrier_free: Col
    needs_wheelchair: Col
    needs_ground_floor: Col
    max_floor_without_lift: Col
    has_pets: Col
    preferences_hard: Col
    has_preferences: Col
    has_known_towns: Col
    max_distance_km: Col
    urgency: Col
    eviction_date: Col
    homeless_since: Col
    registered_at: Col
    active: Col
    inactive: Col
    min_area: Col
    """Least living area for the household size (``MIN_AREA_PER_PERSON × persons``)."""
    wbs_area: Col
    """Largest WBS living area for the household size, minor overrun included."""
    hard_outside: Col
    """Hard preferences with at least one preferred town (the town check applies)."""
    # vacancy side
    living_area: Col
    rooms: Col
    floor: Col
    lift: Col
    barrier_free: Col
    wheelchair_accessible: Col
    wbs_required: Col
    pets: Col
    min_persons: Col
    max_persons: Col
    available_from: Col
    gross_cold_rent: Col
    warm_rent: Col
    heating_costs: Col
    heating_known: Col
    vacancy_id: Col
    # pair-dependent
    limit: Col
    heating_limit: Col
    """``None`` until :func:`with_heating_limit` (only the warnings read it)."""
    in_preferred: Col
    distance_km: Col
    proposed: Col
    declined: Col
    acceptance_chance: Col = None
    """Estimated acceptance chance in [0, 1] (NaN: no estimate); only set on the passing
    pairs, and only while the policy weighs it (see ``scoring.rank._evaluate``)."""

    def take(self, index: I64, names: frozenset[str] | None = None, **values: Col) -> PairArrays:
        """The pairs at ``index`` (shared scalars stay scalars); only columns in ``names`` are
        gathered when given: any use of another per-pair column fails loudly (see
        :class:`NotGathered`). ``values`` replace columns of the result."""
        state = dict(self.__dict__)
        state["size"] = len(index)
        for name in _COLUMN_NAMES:
            value = state[name]
            if isinstance(value, np.ndarray) and value.ndim == 1:
                gather = names is None or name in names
                state[name] = value[index] if gather else NotGathered(name)
        state.update(values)
        out: PairArrays = object.__new__(PairArrays)
        out.__dict__.update(state)  # frozen: no __init__ or validation needed for a subset
        return out


_COLUMN_NAMES: tuple[str, ...] = tuple(f.name for f in fields(PairArrays) if f.name != "size")
COLUMN_NAMES = frozenset(_COLUMN_NAMES)
"""Every pair column (for declarations of the columns a check or value reads)."""
HOUSEHOLD_COLUMNS = frozenset(
    _COLUMN_NAMES[_COLUMN_NAMES.index("household_id") : _COLUMN_NAMES.index("living_area")]
) | {"household_row"}
"""The columns that depend on the household only (the same for every vacancy): a value
reading only these is computed once per snapshot when ranking households for a vacancy."""


class NotGathered:
    """Stands for a per-pair column that :meth:`PairArrays.take` did not gather.

    Why: a component or warning reading a column it did not declare would otherwise read the
    ungathered full-length array (or a stale one); every use (numpy conversion, comparison,
    arithmetic, truth value) raises instead.
    """

    __slots__ = ("name",)
    __array_ufunc__ = None  # numpy operators defer to the methods below

    def __init__(self, name: str) -> None:
        self.name = name

    def _fail(self, *args: object, **kwargs: object) -> NoReturn:
        raise RuntimeError(
            f"pair column {self.name!r} was not gathered for this subset: add it to the "
            "columns the definition reads (reads=...)"
        )

    __array__ = __bool__ = __len__ = __getitem__ = __iter__ = __index__ = _fail
    __int__ = __float__ = __neg__ = __pos__ = __abs__ = __invert__ = _fail
    __eq__ = __ne__ = __lt__ = __le__ = __gt__ = __ge__ = _fail
    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _fail
    __truediv__ = __rtruediv__ = __floordiv__ = __rfloordiv__ = __mod__ = __rmod__ = _fail
    __and__ = __rand__ = __or__ = __ror__ = __xor__ = __rxor__ = _fail
    __hash__ = object.__hash__


def pairs_for_vacancy(
    households: Households,
    vacancies: Vacancies,
    j: int,
    frame: VacancyFrame,
    prefs: PreferenceIndex,
    proposed: Col,
    declined: Col,
) -> PairArrays:
    """All households against vacancy row ``j``."""
    h = households
    groups = np.arange(len(h.preference_sets), dtype=np.int64)
    inside, nearest = prefs.location(frame, np.array([j], dtype=np.int64), groups)
    g = h.preference_group
    static = h._cache.get(("static", prefs))
    if static is None:  # vacancy-independent columns, computed once per snapshot
        has_preferences = prefs.has_preferences[g]
        static = (
            _KDU_CODES[h.income_basis],
            h.status == 0,
            h.status != 0,
            has_preferences,
            prefs.has_known_towns[g],
            np.arange(len(h), dtype=np.int64),
            *_area_limits(h.persons),
            h.preferences_hard & has_preferences,
        )
        h._cache[("static", prefs)] = static
    (
        kdu,
        active,
        inactive,
        has_preferences,
        has_known_towns,
        rows,
        min_area,
        wbs_area,
        hard_outside,
    ) = static
    return PairArrays(
        size=len(h),
        household_row=rows,
        vacancy_row=j,
        household_id=h.id,
        persons=h.persons,
        kdu=kdu,
        own_max_rent=h.own_max_rent_cents,
        wbs_valid_until=h.wbs_valid_until,
        needs_barrier_free=h.needs_barrier_free,
        needs_wheelchair=h.needs_wheelchair,
        needs_ground_floor=h.needs_ground_floor,
        max_floor_without_lift=h.max_floor_without_lift,
        has_pets=h.has_pets,
        preferences_hard=h.preferences_hard,
        has_preferences=has_preferences,
        has_known_towns=has_known_towns,
        max_distance_km=h.max_distance_km,
        urgency=h.urgency,
        eviction_date=h.eviction_date,
        homeless_since=h.homeless_since,
        registered_at=h.registered_at,
        active=active,
        inactive=inactive,
        min_area=min_area,
        wbs_area=wbs_area,
        hard_outside=hard_outside,
        **_vacancy_scalars(vacancies, frame, j),
        limit=_spread(h, "limit", frame.limit[j], h.persons),
        heating_limit=None,
        in_preferred=_spread(h, "in_preferred", inside[0], g),
        distance_km=_spread(h, "distance_km", nearest[0], g),
        proposed=proposed,
        declined=declined,
    )


_SPREAD_CACHE_BYTES = 16 * 2**20
"""Per column, the memory the spreads kept on a snapshot may take (16 MB: 20 distinct rent
limit rows or locations of 100,000 households, 160 towns)."""


def _spread(households: Households, name: str, table: Col, index: I64) -> Col:
    """``table[index]`` for a per-household ``index`` (preference group, household size),
    kept on the snapshot per distinct ``table`` (the rent-limit row of a table and area, the
    towns of a location): gathering 100,000 rows costs more than most rules reading them, and
    many vacancies share these tables. Read only."""
    cache: dict[bytes, Col] = households._cache.setdefault(("spread", name), {})
    key = np.ascontiguousarray(table).tobytes()
    spread = cache.get(key)
    if spread is None:
        spread = np.take(table, index)
        if (len(cache) + 1) * spread.nbytes > _SPREAD_CACHE_BYTES:
            cache.clear()
        spread.flags.writeable = False
        cache[key] = spread
    return spread


def _area_limits(persons: Col) -> tuple[Col, Col]:
    """(least living area, largest WBS area incl. minor overrun) for household sizes."""
    wbs = WBS_BASE_AREA + WBS_AREA_PER_FURTHER_PERSON * (persons - 1) + WBS_MINOR_OVERRUN
    return MIN_AREA_PER_PERSON * persons, wbs


def with_heating_limit(p: PairArrays, frame: VacancyFrame) -> PairArrays:
    """``p`` with the heating-cost limit of every pair filled in (for the warnings)."""
    out: PairArrays = object.__new__(PairArrays)
    out.__dict__.update(p.__dict__)  # a copy without dataclasses.replace (re-running __init__)
    out.__dict__["heating_limit"] = frame.heating_limit[p.vacancy_row, p.persons]
    return out


def _vacancy_scalars(v: Vacancies, frame: VacancyFrame, j: Any) -> dict[str, Col]:
    return {
        "living_area": v.living_area[j],
        "rooms": v.rooms[j],
        "floor": v.floor[j],
        "lift": v.lift[j],
        "barrier_free": v.barrier_free[j],
        "wheelchair_accessible": v.wheelchair_accessible[j],
        "wbs_required": v.wbs_required[j],
        "pets": v.pets[j],
        "min_persons": v.min_persons[j],
        "max_persons": v.max_persons[j],
        "available_from": v.available_from[j],
        "gross_cold_rent": frame.gross_cold_rent[j],
        "warm_rent": frame.warm_rent[j],
        "heating_costs": v.heating_costs_cents[j],
        "heating_known": frame.heating_known[j],
        "vacancy_id": v.id[j],
    }


def pairs_for_household(
    households: Households,
    i: int,
    vacancies: Vacancies,
    frame: VacancyFrame,
    prefs: PreferenceIndex,
    proposed: Col,
    declined: Col,
) -> PairArrays:
    """Household row ``i`` against all vacancies."""
    h = households
    g = int(h.preference_group[i])
    rows = np.arange(len(vacancies), dtype=np.int64)
    inside, nearest = prefs.location(frame, rows, np.array([g], dtype=np.int64))
    persons = int(h.persons[i])
    min_area, wbs_area = _area_limits(h.persons[i])
    return PairArrays(
        size=len(vacancies),
        household_row=i,
        vacancy_row=rows,
        household_id=h.id[i],
        persons=h.persons[i],
        kdu=_KDU_CODES[h.income_basis[i]],
        own_max_rent=h.own_max_rent_cents[i],
        wbs_valid_until=h.wbs_valid_until[i],
        needs_barrier_free=h.needs_barrier_free[i],
        needs_wheelchair=h.needs_wheelchair[i],
        needs_ground_floor=h.needs_ground_floor[i],
        max_floor_without_lift=h.max_floor_without_lift[i],
        has_pets=h.has_pets[i],
        preferences_hard=h.preferences_hard[i],
        has_preferences=prefs.has_preferences[g],
        has_known_towns=prefs.has_known_towns[g],
        max_distance_km=h.max_distance_km[i],
        urgency=h.urgency[i],
        eviction_date=h.eviction_date[i],
        homeless_since=h.homeless_since[i],
        registered_at=h.registered_at[i],
        active=h.status[i] == 0,
        inactive=h.status[i] != 0,
        min_area=min_area,
        wbs_area=wbs_area,
        hard_outside=h.preferences_hard[i] & prefs.has_preferences[g],
        **_vacancy_scalars(vacancies, frame, slice(None)),
        limit=frame.limit[:, persons],
        heating_limit=None,
        in_preferred=inside[:, 0],
        distance_km=nearest[:, 0],
        proposed=proposed,
        declined=declined,
    )
