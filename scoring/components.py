"""Score components (each a value in [0, 1]), one definition each, and the exact rounding.

A :class:`ScoreComponent` holds the code, the German label, the vectorised value, the
per-pair oracle value and the reason sentence; the engine, the reference oracle and the
explanations iterate over :func:`active_components` (:data:`SCORE_COMPONENTS` without the
optional ones the policy gives no weight). A new component also needs its weight in
:class:`~scoring.policy.Weights` and in every policy file, and memo keys for its reason in
``scoring.rank._PageFacts.reason_keys`` and ``scoring.explain._reason_keys`` (pages reuse
reasons without building facts; ranking fails loudly while a key is missing). Only
``+ - × ÷``, ``min``/``max`` and floor are used, in the same order in the value and its
oracle, so both produce bit-identical values.

Rounding happens once: the total is ``round(Σ value × weight)`` in hundredths of a point; the
component points are apportioned by the largest-remainder method (ties: component order), so
the displayed components always add up exactly to the displayed total.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeAlias

import numpy as np
import numpy.typing as npt

from scoring.codes import Component
from scoring.facts import PairFacts
from scoring.formatting import (
    format_area,
    format_cents,
    format_date,
    format_km,
    format_number,
    format_persons,
)
from scoring.inputs import KDU_INCOME_BASES, NO_DAY, URGENCIES
from scoring.pairs import COLUMN_NAMES, HOUSEHOLD_COLUMNS, PairArrays
from scoring.policy import Policy
from scoring.rulebook import require_cover, wbs_entitled_area

__all__ = [
    "COMPONENT_COLUMNS",
    "HOUSEHOLD_ONLY",
    "PAIR_COMPONENT_COLUMNS",
    "SCORE_COMPONENTS",
    "ChanceFunction",
    "ScoreComponent",
    "acceptance_reason",
    "active_components",
    "affordability_reason",
    "apportion",
    "component_values",
    "estimate_chances",
    "location_reason",
    "score_component",
    "size_reason",
    "total_hundredths",
    "urgency_base_values",
    "urgency_reason",
    "waiting_reason",
]

F64: TypeAlias = npt.NDArray[np.float64]
I64: TypeAlias = npt.NDArray[np.int64]
ChanceFunction: TypeAlias = Callable[[I64, I64], F64]
"""(household ids, vacancy ids) → the estimated chance in [0, 1] that the landlord accepts
each pair, NaN where there is no estimate. Supplied from outside (the engine learns nothing);
it must be pure: the engine and the reference oracle ask for the same pairs in other
batches and must get the same numbers."""
_NONE: Mapping[Component, F64] = {}


@dataclass(frozen=True, slots=True)
class ScoreComponent:
    """One score component: everything about it in one definition.

    ``value`` (vectorised over the pair axis) and ``oracle`` (one pair, plain Python) use the
    same operations in the same order, so both give bit-identical floats; they share no code.
    """

    code: Component
    """Stable code (API, stored snapshots); never rename one."""
    label: str
    """German label shown beside the points."""
    value: Callable[[PairArrays, Policy, int], F64]
    """(pairs, policy, reference day number) → value in [0, 1] per pair."""
    oracle: Callable[[PairFacts, Policy], float]
    """(one pair, policy) → the same value."""
    reason: Callable[[PairFacts, Policy], str]
    """Short German reason for the points."""
    reads: frozenset[str]
    """The pair columns ``value`` reads (only these are gathered for the passing pairs)."""
    optional: bool = False
    """Takes part only while the policy gives it a weight above 0: with weight 0 it is not
    computed and shows on no page (the shipped policies' results stay as they were)."""

    def __post_init__(self) -> None:
        unknown = self.reads - COLUMN_NAMES
        if unknown:
            raise ValueError(f"{self.code}: unknown pair columns {sorted(unknown)}")


_EVICTION = URGENCIES.index("eviction_scheduled")
_HOMELESS = URGENCIES.index("homeless")


def urgency_base_values(policy: Policy) -> dict[str, float]:
    """The policy's base value per urgency code: the one mapping of codes to parameters,
    read by the vectorised value and by the oracle (which stay independent in arithmetic).
    Evictions and homelessness start from it and move with their dates."""
    u = policy.urgency
    return {
        "none": u.none,
        "threatened": u.threatened,
        "inadequate_housing": u.inadequate_housing,
        "notice_received": u.notice_received,
        "homeless": u.homeless_recent,
        "eviction_scheduled": u.eviction_far,
    }


@lru_cache(maxsize=16)
def _urgency_base(policy: Policy) -> F64:
    """Base value by urgency code (cached per policy; read only)."""
    by_name = urgency_base_values(policy)
    base = np.array([by_name[c] for c in URGENCIES], dtype=np.float64)
    base.flags.writeable = False
    return base


# --- urgency ---------------------------------------------------------------------------------


def _urgency_value(p: PairArrays, policy: Policy, reference_day: int) -> F64:
    n = p.size
    u = policy.urgency
    urgency = np.broadcast_to(_urgency_base(policy)[p.urgency], (n,)).astype(np.float64)
    # eviction: far → near over the horizon; an undated eviction counts as far
    horizon = u.eviction_horizon_days
    evict = np.asarray(p.eviction_date, dtype=np.int64)
    left = np.where(evict == NO_DAY, horizon, evict - reference_day)
    left = np.minimum(np.maximum(left, 0), horizon)
    evict_value = u.eviction_far + (u.eviction_near - u.eviction_far) * ((horizon - left) / horizon)
    # homeless: recent → long over the saturation period; unknown start counts as recent
    sat = u.homeless_saturation_days
    since = np.asarray(p.homeless_since, dtype=np.int64)
    days = np.where(since == NO_DAY, 0, reference_day - since)
    days = np.minimum(np.maximum(days, 0), sat)
    homeless_value = u.homeless_recent + (u.homeless_long - u.homeless_recent) * (days / sat)
    urgency = np.where(p.urgency == _EVICTION, evict_value, urgency)
    return np.where(p.urgency == _HOMELESS, homeless_value, urgency)


def _urgency_oracle(f: PairFacts, policy: Policy) -> float:
    h, ref = f.household, f.reference_date
    u = policy.urgency
    urgency = float(urgency_base_values(policy)[h.urgency])
    if h.urgency == "eviction_scheduled":
        horizon = u.eviction_horizon_days
        left = horizon if h.eviction_date is None else (h.eviction_date - ref).days
        left = min(max(left, 0), horizon)
        urgency = u.eviction_far + (u.eviction_near - u.eviction_far) * ((horizon - left) / horizon)
    elif h.urgency == "homeless":
        sat = u.homeless_saturation_days
        days = 0 if h.homeless_since is None else (ref - h.homeless_since).days
        days = min(max(days, 0), sat)
        urgency = u.homeless_recent + (u.homeless_long - u.homeless_recent) * (days / sat)
    return float(urgency)


def urgency_reason(
    urgency: str,
    eviction_date: dt.date | None,
    homeless_since: dt.date | None,
    notice_date: dt.date | None,
    reference_date: dt.date,
) -> str:
    """Reason of the urgency from the facts it quotes (ranking pages build it from their
    reason keys, without converting the household row)."""
    if urgency == "eviction_scheduled":
        if eviction_date is None:
            return "Räumungstermin angesetzt (Datum nicht erfasst)"
        left = (eviction_date - reference_date).days
        when = "heute" if left == 0 else f"in {_days(left)}" if left > 0 else f"vor {_days(-left)}"
        return f"Räumungstermin am {format_date(eviction_date)} ({when})"
    if urgency == "homeless":
        if homeless_since is None:
            return "Wohnungslos (seit wann, ist nicht erfasst)"
        days = max((reference_date - homeless_since).days, 0)
        return f"Wohnungslos seit {format_date(homeless_since)} ({days} Tage)"
    if urgency == "notice_received":
        on = f" am {format_date(notice_date)}" if notice_date else ""
        return f"Kündigung erhalten{on}"
    return {
        "inadequate_housing": "Unzumutbare Wohnverhältnisse",
        "threatened": "Drohender Wohnungsverlust",
    }.get(urgency, "Keine besondere Dringlichkeit")


def _urgency_reason(f: PairFacts, policy: Policy) -> str:
    h = f.household
    return urgency_reason(
        h.urgency, h.eviction_date, h.homeless_since, h.notice_date, f.reference_date
    )


def _days(n: int) -> str:
    return "1 Tag" if n == 1 else f"{n} Tagen" if n else "0 Tagen"


URGENCY = ScoreComponent(
    Component.URGENCY,
    "Dringlichkeit",
    value=_urgency_value,
    oracle=_urgency_oracle,
    reason=_urgency_reason,
    reads=frozenset({"urgency", "eviction_date", "homeless_since"}),
)


# --- waiting time ------------------------------------------------------------------------------


def _waiting_value(p: PairArrays, policy: Policy, reference_day: int) -> F64:
    wsat = policy.waiting.saturation_days
    waited = np.minimum(np.maximum(reference_day - np.asarray(p.registered_at), 0), wsat)
    return waited / wsat  # type: ignore[no-any-return]


def _waiting_oracle(f: PairFacts, policy: Policy) -> float:
    wsat = policy.waiting.saturation_days
    return float(min(max((f.reference_date - f.household.registered_at).days, 0), wsat) / wsat)


def waiting_reason(registered_at: dt.date, reference_date: dt.date, policy: Policy) -> str:
    """Reason of the waiting time from the facts it quotes (see :func:`urgency_reason`)."""
    days = max((reference_date - registered_at).days, 0)
    return (
        f"Registriert seit {format_date(registered_at)}: {days} Tage Wartezeit "
        f"(volle Punkte ab {policy.waiting.saturation_days} Tagen)"
    )


def _waiting_reason(f: PairFacts, policy: Policy) -> str:
    return waiting_reason(f.household.registered_at, f.reference_date, policy)


WAITING = ScoreComponent(
    Component.WAITING,
    "Wartezeit",
    value=_waiting_value,
    oracle=_waiting_oracle,
    reason=_waiting_reason,
    reads=frozenset({"registered_at"}),
)


# --- size fit ----------------------------------------------------------------------------------


def _size_value(p: PairArrays, policy: Policy, reference_day: int) -> F64:
    s = policy.size_fit
    persons = np.asarray(p.persons, dtype=np.int64)
    appropriate = 50.0 + 15.0 * (persons - 1)
    area_fit = np.maximum(
        0.0, 1.0 - (np.abs(p.living_area - appropriate) / appropriate) / s.area_tolerance
    )
    rooms_fit = np.maximum(0.0, 1.0 - np.abs(p.rooms - persons) / s.rooms_tolerance)
    return s.area_share * area_fit + (1.0 - s.area_share) * rooms_fit  # type: ignore[no-any-return]


def _size_oracle(f: PairFacts, policy: Policy) -> float:
    h, v = f.household, f.vacancy
    s = policy.size_fit
    appropriate = 50.0 + 15.0 * (h.persons - 1)
    area_fit = max(0.0, 1.0 - (abs(v.living_area - appropriate) / appropriate) / s.area_tolerance)
    rooms_fit = max(0.0, 1.0 - abs(v.rooms - h.persons) / s.rooms_tolerance)
    return float(s.area_share * area_fit + (1.0 - s.area_share) * rooms_fit)


def size_reason(persons: int, area: float, rooms: float) -> str:
    """Reason of the size fit from the numbers it quotes."""
    return (
        f"{format_area(area)} und {_rooms(rooms)} für "
        f"{format_persons(persons)}; angemessen sind etwa "
        f"{format_area(wbs_entitled_area(persons))} und {_rooms(persons)}"
    )


def _rooms(value: float) -> str:
    text = format_number(value, 1, trim=True)
    return f"{text} Zimmer"


SIZE_FIT = ScoreComponent(
    Component.SIZE_FIT,
    "Passende Größe",
    value=_size_value,
    oracle=_size_oracle,
    reason=lambda f, policy: size_reason(
        f.household.persons, f.vacancy.living_area, f.vacancy.rooms
    ),
    reads=frozenset({"persons", "living_area", "rooms"}),
)


# --- location ----------------------------------------------------------------------------------


def _location_value(p: PairArrays, policy: Policy, reference_day: int) -> F64:
    loc = policy.location
    with np.errstate(invalid="ignore"):
        decayed = loc.decay_km / (loc.decay_km + p.distance_km)
    return np.where(p.in_preferred, 1.0, np.where(p.has_known_towns, decayed, loc.neutral))


def _location_oracle(f: PairFacts, policy: Policy) -> float:
    loc = policy.location
    if f.in_preferred:
        return 1.0
    if f.distance_km is not None:
        return float(loc.decay_km / (loc.decay_km + f.distance_km))
    return float(loc.neutral)


def location_reason(
    in_preferred: bool, town_name: str, distance_km: float | None, nearest_town: str | None
) -> str:
    """Reason of the location from the facts it quotes."""
    if in_preferred:
        return f"Liegt in der gewünschten Kommune {town_name}"
    if distance_km is not None:
        return (
            f"{town_name}, {format_km(distance_km)} von der nächsten gewünschten "
            f"Kommune ({nearest_town})"
        )
    return "Keine Ortswünsche angegeben"


LOCATION = ScoreComponent(
    Component.LOCATION,
    "Lage",
    value=_location_value,
    oracle=_location_oracle,
    reason=lambda f, policy: location_reason(
        f.in_preferred, f.town_name, f.distance_km, f.nearest_town
    ),
    reads=frozenset({"distance_km", "in_preferred", "has_known_towns"}),
)


# --- affordability -----------------------------------------------------------------------------


def _affordability_value(p: PairArrays, policy: Policy, reference_day: int) -> F64:
    a = policy.affordability
    with np.errstate(invalid="ignore", divide="ignore"):  # money in cents, see pairs
        by_limit = np.where(p.kdu, (p.limit - p.gross_cold_rent) / p.limit, np.inf)
        by_budget = np.where(
            p.own_max_rent < 0, np.inf, (p.own_max_rent - p.warm_rent) / p.own_max_rent
        )
    headroom = np.minimum(by_limit, by_budget)
    return np.where(
        np.isinf(headroom), a.neutral, np.minimum(1.0, np.maximum(headroom, 0.0) / a.full_headroom)
    )


def _affordability_oracle(f: PairFacts, policy: Policy) -> float:
    a = policy.affordability
    headroom = math.inf
    # the ratio in cents, as the engine divides (exact integers, one float division)
    limit, budget = f.rent_limit_cents, f.budget_cents
    if f.household.income_basis in KDU_INCOME_BASES and limit is not None:
        headroom = min(headroom, float(limit - f.gross_cold_rent_cents) / float(limit))
    if budget is not None:
        headroom = min(headroom, float(budget - f.warm_rent_cents) / float(budget))
    if math.isinf(headroom):
        return float(a.neutral)
    return float(min(1.0, max(headroom, 0.0) / a.full_headroom))


def affordability_reason(
    kdu: bool,
    budget: int | None,
    rent_limit: int | None,
    gross_cold_rent: int,
    warm_rent: int,
    heating_known: bool,
) -> str:
    """Reason of the affordability from the numbers it quotes; amounts in cents (exact gaps:
    "genau auf" means to the cent)."""
    parts = []
    if rent_limit is not None and kdu:
        gap = rent_limit - gross_cold_rent
        parts.append(
            f"Bruttokaltmiete {format_cents(gross_cold_rent)} liegt "
            + (f"{format_cents(gap)} unter" if gap > 0 else "genau auf")
            + f" der Angemessenheitsgrenze von {format_cents(rent_limit)}"
        )
    if budget is not None:
        label = "Warmmiete" if heating_known else "Bruttokaltmiete"
        gap = budget - warm_rent
        parts.append(
            f"{label} {format_cents(warm_rent)} liegt "
            + (f"{format_cents(gap)} unter" if gap > 0 else "genau auf")
            + f" dem eigenen Budget von {format_cents(budget)}"
        )
    return "; ".join(parts) if parts else "Weder Angemessenheitsgrenze noch eigenes Budget"


AFFORDABILITY = ScoreComponent(
    Component.AFFORDABILITY,
    "Bezahlbarkeit",
    value=_affordability_value,
    oracle=_affordability_oracle,
    reason=lambda f, policy: affordability_reason(
        f.household.income_basis in KDU_INCOME_BASES,
        f.budget_cents,
        f.rent_limit_cents,
        f.gross_cold_rent_cents,
        f.warm_rent_cents,
        f.vacancy.heating_costs is not None,
    ),
    reads=frozenset({"kdu", "limit", "gross_cold_rent", "own_max_rent", "warm_rent"}),
)


# --- acceptance chance ---------------------------------------------------------------------


def _acceptance_value(p: PairArrays, policy: Policy, reference_day: int) -> F64:
    chance = np.asarray(p.acceptance_chance, dtype=np.float64)
    return np.where(np.isnan(chance), policy.acceptance.neutral, chance)


def _acceptance_oracle(f: PairFacts, policy: Policy) -> float:
    if f.acceptance_chance is None:
        return float(policy.acceptance.neutral)
    return float(f.acceptance_chance)


def acceptance_reason(chance: float | None) -> str:
    """Reason of the acceptance points from the estimate (``None``: there is none)."""
    if chance is None:
        return "Keine Schätzung der Zusage-Chance (noch zu wenig Erfahrung): neutral bewertet"
    return f"Geschätzte Zusage-Chance des Vermieters: {format_number(chance * 100, 0)} %"


ACCEPTANCE = ScoreComponent(
    Component.ACCEPTANCE,
    "Zusage-Chance",
    value=_acceptance_value,
    oracle=_acceptance_oracle,
    reason=lambda f, policy: acceptance_reason(f.acceptance_chance),
    reads=frozenset({"acceptance_chance"}),
    optional=True,
)


def estimate_chances(chances: ChanceFunction | None, household_ids: I64, vacancy_ids: I64) -> F64:
    """The supplied chances of the pairs, checked (one per pair, each in [0, 1] or NaN);
    all NaN without a function."""
    n = len(household_ids)
    if chances is None:
        return np.full(n, np.nan)
    out = np.asarray(chances(household_ids, vacancy_ids), dtype=np.float64)
    if out.shape != (n,):
        raise ValueError(f"acceptance chances: {out.shape} values for {n} pairs")
    if np.any((out < 0.0) | (out > 1.0)):  # NaN compares False: allowed
        raise ValueError("acceptance chances must lie in [0, 1] (NaN: no estimate)")
    return out


SCORE_COMPONENTS: tuple[ScoreComponent, ...] = (
    URGENCY,
    WAITING,
    SIZE_FIT,
    LOCATION,
    AFFORDABILITY,
    ACCEPTANCE,
)
"""Every component in display (and rounding tie-break) order."""
require_cover((c.code for c in SCORE_COMPONENTS), Component, "score components")
_BY_CODE = {c.code: c for c in SCORE_COMPONENTS}
HOUSEHOLD_ONLY: tuple[ScoreComponent, ...] = tuple(
    c for c in SCORE_COMPONENTS if c.reads <= HOUSEHOLD_COLUMNS
)
"""Components reading household columns only: for one vacancy against the snapshot their
values are the same for every vacancy, so the ranking computes them once per (snapshot,
policy, reference day) and gathers the passing pairs' values."""
COMPONENT_COLUMNS: frozenset[str] = frozenset().union(*(c.reads for c in SCORE_COMPONENTS))
"""The pair columns the components read."""
PAIR_COMPONENT_COLUMNS: frozenset[str] = frozenset().union(
    *(c.reads for c in SCORE_COMPONENTS if c not in HOUSEHOLD_ONLY)
)
"""The pair columns the components outside :data:`HOUSEHOLD_ONLY` read."""


def score_component(code: Component) -> ScoreComponent:
    """The definition of component ``code``."""
    return _BY_CODE[code]


@lru_cache(maxsize=16)
def active_components(policy: Policy) -> tuple[ScoreComponent, ...]:
    """The components ``policy`` scores, in component order: every one except the
    :attr:`~ScoreComponent.optional` ones it gives no weight."""
    return tuple(c for c in SCORE_COMPONENTS if not c.optional or policy.weights.of(c.code) > 0)


def component_values(
    p: PairArrays, policy: Policy, reference_day: int, known: Mapping[Component, F64] = _NONE
) -> dict[Component, F64]:
    """Value in [0, 1] of every active component for every pair (call only for passing
    pairs).

    ``known``: values already worked out for these pairs (see :data:`HOUSEHOLD_ONLY`); the
    other components are computed from ``p``."""
    n = p.size
    values = {
        c.code: known[c.code] if c.code in known else c.value(p, policy, reference_day)
        for c in active_components(policy)
    }
    return {c: np.broadcast_to(np.asarray(v, dtype=np.float64), (n,)) for c, v in values.items()}


def total_hundredths(values: dict[Component, F64], policy: Policy) -> I64:
    """Total score in hundredths of a point, rounded once (half up).

    ``round(((0 + v₁w₁) + v₂w₂) + …)``: the same float operations in the same order as the
    oracle, done in place in two buffers (no temporary per component)."""
    n = len(next(iter(values.values()))) if values else 0
    raw = np.zeros(n, dtype=np.float64)
    term = np.empty(n, dtype=np.float64)
    for c in active_components(policy):
        np.multiply(values[c.code], policy.weights.of(c.code), out=term)
        np.add(raw, term, out=raw)
    np.multiply(raw, 100.0, out=raw)
    np.add(raw, 0.5, out=raw)
    np.floor(raw, out=raw)
    return raw.astype(np.int64)


def apportion(values: dict[Component, F64], policy: Policy, totals: I64) -> I64:
    """Points in hundredths, (pairs, active components), summing exactly to ``totals``."""
    exact = np.stack(
        [values[c.code] * policy.weights.of(c.code) * 100.0 for c in active_components(policy)],
        axis=1,
    )
    floors = np.floor(exact)
    remainder = exact - floors
    points = floors.astype(np.int64)
    missing = totals - points.sum(axis=1)
    # rank components by remainder desc, ties by component order (stable sort)
    order = np.argsort(-remainder, axis=1, kind="stable")
    ranks = np.argsort(order, axis=1)  # the inverse permutation: each component's place
    points += ranks < missing[:, None]
    return points
