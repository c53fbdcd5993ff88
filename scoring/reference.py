"""Reference implementation: every rule and component, one pair at a time, in plain Python.

This is the oracle the vectorised engine is tested against (same exclusions, warnings,
components, totals and order). It shares nothing with the vectorised path except the input
tables, the policy and the sentence templates of :mod:`scoring.explain`; rent limits,
distances and preferred towns are worked out here independently. It is slow by design and
never used to serve requests.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Collection
from dataclasses import dataclass

from scoring.codes import Component, Rule, WarningCode
from scoring.explain import (
    PairFacts,
    build_funnel,
    component_scores,
    warning_reasons,
)
from scoring.geo import haversine_km
from scoring.inputs import (
    KDU_INCOME_BASES,
    URGENCIES,
    HouseholdRow,
    Households,
    Municipalities,
    RentLimits,
    Vacancies,
    Vacancy,
)
from scoring.money import from_cents
from scoring.policy import Policy
from scoring.results import (
    ComponentScore,
    HouseholdRanking,
    RankedHousehold,
    RankedVacancy,
    VacancyRanking,
)

__all__ = [
    "ReferencePair",
    "reference_apportion",
    "reference_evaluate_pair",
    "reference_rank_households",
    "reference_rank_vacancies",
    "reference_rent_limit",
]


@dataclass(frozen=True)
class ReferencePair:
    """The oracle's verdict on one pair."""

    exclusions: tuple[Rule, ...]
    warnings: tuple[WarningCode, ...]
    values: dict[Component, float] | None
    total_hundredths: int | None
    facts: PairFacts


def reference_rent_limit(
    limits: RentLimits, ags: str, day: dt.date, persons: int
) -> tuple[int | None, int | None, dt.date | None]:
    """(max Bruttokaltmiete, max heating, valid_from) in cents for ``persons`` in ``ags``.

    Of the tables valid on ``day`` an official one wins over an example, then the latest
    valid_from, then the highest id; the town's area is the one *of that table*; sizes beyond
    the largest listed one add the "+1" increment for each further person.
    """
    best = None
    for t in limits.tables:
        if t.valid_from <= day and (t.valid_to is None or day <= t.valid_to):
            rank = (not t.is_example, t.valid_from, t.id)
            if best is None or rank > best[0]:
                best = (rank, t)
    if best is None:
        return None, None, None
    table = best[1]
    areas = [a for a in table.areas if ags in a.municipalities]
    if not areas:
        return None, None, None
    area = areas[0]
    sizes = len(area.gross_cold)
    heating = list(area.heating) if area.heating else [None] * sizes
    if persons <= sizes:
        return area.gross_cold[persons - 1], heating[persons - 1], table.valid_from
    if area.increment is None:
        return None, None, table.valid_from
    extra = persons - sizes
    top = heating[sizes - 1]
    more = area.heating_increment
    return (
        area.gross_cold[sizes - 1] + extra * area.increment,
        None if top is None or more is None else top + extra * more,
        table.valid_from,
    )


def _facts(
    h: HouseholdRow,
    v: Vacancy,
    towns: Municipalities,
    limits: RentLimits,
    reference_date: dt.date,
) -> PairFacts:
    index = {towns.ags[j]: j for j in range(len(towns))}
    town = index[v.municipality_ags]
    lat = v.lat if v.lat is not None else float(towns.lat[town])
    lon = v.lon if v.lon is not None else float(towns.lon[town])
    in_preferred = v.municipality_ags in h.preferred_ags
    nearest: str | None = None
    distance: float | None = None
    if in_preferred:
        nearest, distance = towns.name[town], 0.0
    else:
        for j in range(len(towns)):  # municipality order: the first of equal distances wins
            if towns.ags[j] in h.preferred_ags:
                km = haversine_km(lat, lon, float(towns.lat[j]), float(towns.lon[j]))
                if distance is None or km < distance:
                    nearest, distance = towns.name[j], km
    limit, heating, since = reference_rent_limit(
        limits, v.municipality_ags, v.available_from, h.persons
    )
    names = sorted(towns.name[index[a]] if a in index else a for a in h.preferred_ags)
    return PairFacts(
        household=h,
        vacancy=v,
        reference_date=reference_date,
        town_name=towns.name[town],
        preferred_town_names=tuple(names),
        rent_limit_cents=limit,
        heating_limit_cents=heating,
        rent_limit_valid_from=since if limit is not None else None,
        in_preferred=in_preferred,
        nearest_town=nearest,
        distance_km=distance,
    )


def _rules(f: PairFacts, proposed: bool, declined: bool) -> list[Rule]:
    h, v = f.household, f.vacancy
    kdu = h.income_basis in KDU_INCOME_BASES
    failed = []
    if h.status != "active":
        failed.append(Rule.NOT_ACTIVE)
    if proposed:
        failed.append(Rule.ALREADY_PROPOSED)
    if declined:
        failed.append(Rule.DECLINED_BEFORE)
    if v.living_area < 10.0 * h.persons or (
        v.max_persons is not None and h.persons > v.max_persons
    ):
        failed.append(Rule.HOUSEHOLD_TOO_LARGE)
    if v.min_persons is not None and h.persons < v.min_persons:
        failed.append(Rule.HOUSEHOLD_TOO_SMALL)
    limit = None if f.rent_limit_cents is None else from_cents(f.rent_limit_cents)
    if kdu and limit is None:
        failed.append(Rule.RENT_LIMIT_UNKNOWN)
    if kdu and limit is not None and v.gross_cold_rent > limit:  # Decimal: exact
        failed.append(Rule.RENT_ABOVE_LIMIT)
    if h.own_max_rent is not None and v.warm_rent > h.own_max_rent:
        failed.append(Rule.RENT_ABOVE_BUDGET)
    if v.wbs_required and (h.wbs_valid_until is None or h.wbs_valid_until < v.available_from):
        failed.append(Rule.WBS_MISSING)
    if v.wbs_required and v.living_area > 50.0 + 15.0 * (h.persons - 1) + 5.0:
        failed.append(Rule.WBS_SIZE)
    if h.needs_barrier_free and not (v.barrier_free or v.wheelchair_accessible):
        failed.append(Rule.NOT_BARRIER_FREE)
    if h.needs_wheelchair and not v.wheelchair_accessible:
        failed.append(Rule.NOT_WHEELCHAIR_ACCESSIBLE)
    if (h.needs_ground_floor and v.floor != 0) or (
        not v.lift
        and h.max_floor_without_lift is not None
        and abs(v.floor) > h.max_floor_without_lift
    ):
        failed.append(Rule.FLOOR_NOT_REACHABLE)
    if h.has_pets and v.pets == "no":
        failed.append(Rule.PETS_NOT_ALLOWED)
    if (h.preferences_hard and h.preferred_ags and not f.in_preferred) or (
        h.max_distance_km is not None
        and f.distance_km is not None
        and f.distance_km > h.max_distance_km
    ):
        failed.append(Rule.OUTSIDE_AREA)
    return failed


def _warnings(f: PairFacts) -> list[WarningCode]:
    h, v = f.household, f.vacancy
    raised = []
    if (
        h.income_basis in KDU_INCOME_BASES
        and v.heating_costs is not None
        and f.heating_limit_cents is not None
        and v.heating_costs > from_cents(f.heating_limit_cents)
    ):
        raised.append(WarningCode.HEATING_ABOVE_LIMIT)
    if v.heating_costs is None and h.own_max_rent is not None:
        raised.append(WarningCode.HEATING_UNKNOWN)
    if h.has_pets and v.pets == "on_request":
        raised.append(WarningCode.PETS_ON_REQUEST)
    return raised


def _days(a: dt.date, b: dt.date) -> int:
    return (a - b).days


def _values(f: PairFacts, policy: Policy) -> dict[Component, float]:
    h, v, ref = f.household, f.vacancy, f.reference_date
    u = policy.urgency
    base = {
        "none": u.none,
        "threatened": u.threatened,
        "inadequate_housing": u.inadequate_housing,
        "notice_received": u.notice_received,
        "homeless": u.homeless_recent,
        "eviction_scheduled": u.eviction_far,
    }
    urgency = float(base[h.urgency])
    if h.urgency == "eviction_scheduled":
        horizon = u.eviction_horizon_days
        left = horizon if h.eviction_date is None else _days(h.eviction_date, ref)
        left = min(max(left, 0), horizon)
        urgency = u.eviction_far + (u.eviction_near - u.eviction_far) * ((horizon - left) / horizon)
    elif h.urgency == "homeless":
        sat = u.homeless_saturation_days
        days = 0 if h.homeless_since is None else _days(ref, h.homeless_since)
        days = min(max(days, 0), sat)
        urgency = u.homeless_recent + (u.homeless_long - u.homeless_recent) * (days / sat)

    wsat = policy.waiting.saturation_days
    waiting = min(max(_days(ref, h.registered_at), 0), wsat) / wsat

    s = policy.size_fit
    appropriate = 50.0 + 15.0 * (h.persons - 1)
    area_fit = max(0.0, 1.0 - (abs(v.living_area - appropriate) / appropriate) / s.area_tolerance)
    rooms_fit = max(0.0, 1.0 - abs(v.rooms - h.persons) / s.rooms_tolerance)
    size_fit = s.area_share * area_fit + (1.0 - s.area_share) * rooms_fit

    loc = policy.location
    if f.in_preferred:
        location = 1.0
    elif f.distance_km is not None:
        location = loc.decay_km / (loc.decay_km + f.distance_km)
    else:
        location = float(loc.neutral)

    a = policy.affordability
    headroom = math.inf
    # the ratio in cents, as the engine divides (exact integers, one float division)
    limit, budget = f.rent_limit_cents, f.budget_cents
    if h.income_basis in KDU_INCOME_BASES and limit is not None:
        headroom = min(headroom, float(limit - f.gross_cold_rent_cents) / float(limit))
    if budget is not None:
        headroom = min(headroom, float(budget - f.warm_rent_cents) / float(budget))
    afford = (
        float(a.neutral) if math.isinf(headroom) else min(1.0, max(headroom, 0.0) / a.full_headroom)
    )
    return {
        Component.URGENCY: float(urgency),
        Component.WAITING: float(waiting),
        Component.SIZE_FIT: float(size_fit),
        Component.LOCATION: float(location),
        Component.AFFORDABILITY: float(afford),
    }


def _total(values: dict[Component, float], policy: Policy) -> int:
    raw = 0.0
    for c in Component:
        raw = raw + values[c] * policy.weights.of(c)
    return math.floor(raw * 100.0 + 0.5)


def reference_apportion(
    values: dict[Component, float], policy: Policy, total: int
) -> dict[Component, int]:
    """Largest-remainder apportionment of ``total`` hundredths over the components."""
    exact = {c: values[c] * policy.weights.of(c) * 100.0 for c in Component}
    points = {c: math.floor(x) for c, x in exact.items()}
    missing = total - sum(points.values())
    by_remainder = sorted(Component, key=lambda c: -(exact[c] - math.floor(exact[c])))
    for c in by_remainder[: max(missing, 0)]:
        points[c] += 1
    return points


def reference_evaluate_pair(
    household: HouseholdRow,
    vacancy: Vacancy,
    municipalities: Municipalities,
    rent_limits: RentLimits,
    policy: Policy,
    *,
    reference_date: dt.date,
    proposed: bool = False,
    declined: bool = False,
) -> ReferencePair:
    """All failed rules, warnings and (if eligible) component values and total of one pair."""
    facts = _facts(household, vacancy, municipalities, rent_limits, reference_date)
    failed = _rules(facts, proposed, declined)
    values = None if failed else _values(facts, policy)
    return ReferencePair(
        exclusions=tuple(failed),
        warnings=tuple(_warnings(facts)),
        values=values,
        total_hundredths=None if values is None else _total(values, policy),
        facts=facts,
    )


def reference_rank_households(
    households: Households,
    vacancy: Vacancy,
    municipalities: Municipalities,
    rent_limits: RentLimits,
    policy: Policy,
    *,
    reference_date: dt.date,
    proposed_ids: Collection[int] = (),
    declined_ids: Collection[int] = (),
    limit: int = 50,
    offset: int = 0,
) -> VacancyRanking:
    """Oracle of :func:`scoring.rank.rank_households` (same result type)."""
    proposed, declined = set(proposed_ids), set(declined_ids)
    counts: dict[Rule, int] = {}
    eligible: list[tuple[tuple[int, int, dt.date, int], ReferencePair]] = []
    for h in households.rows():
        pair = reference_evaluate_pair(
            h,
            vacancy,
            municipalities,
            rent_limits,
            policy,
            reference_date=reference_date,
            proposed=h.id in proposed,
            declined=h.id in declined,
        )
        for rule in pair.exclusions:
            counts[rule] = counts.get(rule, 0) + 1
        if pair.total_hundredths is not None:
            key = (-pair.total_hundredths, -URGENCIES.index(h.urgency), h.registered_at, h.id)
            eligible.append((key, pair))
    eligible.sort(key=lambda item: item[0])
    rows = tuple(
        RankedHousehold(
            rank=offset + k + 1,
            household_id=pair.facts.household.id,
            total=(pair.total_hundredths or 0) / 100,
            components=_components(pair, policy),
            warnings=warning_reasons(list(pair.warnings), pair.facts),
        )
        for k, (_, pair) in enumerate(eligible[offset : offset + limit])
    )
    return VacancyRanking(
        vacancy_id=vacancy.id,
        policy_name=policy.name,
        policy_version=policy.version,
        reference_date=reference_date,
        eligible_count=len(eligible),
        funnel=build_funnel("Haushalte", len(households), len(eligible), counts),
        rows=rows,
        offset=offset,
        limit=limit,
    )


def _components(pair: ReferencePair, policy: Policy) -> tuple[ComponentScore, ...]:
    assert pair.values is not None
    assert pair.total_hundredths is not None
    points = reference_apportion(pair.values, policy, pair.total_hundredths)
    return component_scores(pair.values, points, pair.facts, policy)


def reference_rank_vacancies(
    household: HouseholdRow,
    vacancies: Vacancies,
    municipalities: Municipalities,
    rent_limits: RentLimits,
    policy: Policy,
    *,
    reference_date: dt.date,
    proposed_vacancy_ids: Collection[int] = (),
    declined_vacancy_ids: Collection[int] = (),
    limit: int = 50,
    offset: int = 0,
) -> HouseholdRanking:
    """Oracle of :func:`scoring.rank.rank_vacancies` (same result type)."""
    proposed, declined = set(proposed_vacancy_ids), set(declined_vacancy_ids)
    counts: dict[Rule, int] = {}
    eligible: list[tuple[tuple[int, dt.date, int], ReferencePair]] = []
    for v in vacancies.rows():
        pair = reference_evaluate_pair(
            household,
            v,
            municipalities,
            rent_limits,
            policy,
            reference_date=reference_date,
            proposed=v.id in proposed,
            declined=v.id in declined,
        )
        for rule in pair.exclusions:
            counts[rule] = counts.get(rule, 0) + 1
        if pair.total_hundredths is not None:
            eligible.append(((-pair.total_hundredths, v.available_from, v.id), pair))
    eligible.sort(key=lambda item: item[0])
    rows = tuple(
        RankedVacancy(
            rank=offset + k + 1,
            vacancy_id=pair.facts.vacancy.id,
            total=(pair.total_hundredths or 0) / 100,
            components=_components(pair, policy),
            warnings=warning_reasons(list(pair.warnings), pair.facts),
        )
        for k, (_, pair) in enumerate(eligible[offset : offset + limit])
    )
    return HouseholdRanking(
        household_id=household.id,
        policy_name=policy.name,
        policy_version=policy.version,
        reference_date=reference_date,
        eligible_count=len(eligible),
        funnel=build_funnel("Wohnungen", len(vacancies), len(eligible), counts),
        rows=rows,
        offset=offset,
        limit=limit,
    )
