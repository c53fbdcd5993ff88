"""Reference implementation: every rule and component, one pair at a time, in plain Python.

This is the oracle the vectorised engine is tested against (same exclusions, warnings,
components, totals and order). The per-pair checks and values are the ``oracle`` of each
definition in :mod:`scoring.rulebook` and :mod:`scoring.components`, written beside the
vectorised ``check``/``value`` but sharing no code with it. Beyond those it shares only the
input tables, the policy and the sentences; rent limits, distances, preferred towns, ranking
order and apportionment are worked out here independently. It is slow by design and never
used to serve requests.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Collection
from dataclasses import dataclass, replace

import numpy as np

from scoring.codes import Component, Rule, WarningCode
from scoring.components import ACCEPTANCE, ChanceFunction, active_components
from scoring.explain import (
    PairFacts,
    build_funnel,
    component_scores,
    warning_reasons,
)
from scoring.geo import haversine_km
from scoring.inputs import (
    URGENCIES,
    HouseholdRow,
    Households,
    Municipalities,
    RentLimits,
    Vacancies,
    Vacancy,
)
from scoring.policy import Policy
from scoring.results import (
    ComponentScore,
    HouseholdRanking,
    RankedHousehold,
    RankedVacancy,
    VacancyRanking,
)
from scoring.rulebook import RULEBOOK, Rulebook

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


def _rules(f: PairFacts, proposed: bool, declined: bool, rulebook: Rulebook) -> list[Rule]:
    return [rule.code for rule in rulebook.rules if rule.oracle(f, proposed, declined)]


def _warnings(f: PairFacts, rulebook: Rulebook) -> list[WarningCode]:
    return [warning.code for warning in rulebook.warnings if warning.oracle(f)]


def _values(f: PairFacts, policy: Policy) -> dict[Component, float]:
    return {c.code: c.oracle(f, policy) for c in active_components(policy)}


def _total(values: dict[Component, float], policy: Policy) -> int:
    raw = 0.0
    for c in values:  # the active components, in component order
        raw = raw + values[c] * policy.weights.of(c)
    return math.floor(raw * 100.0 + 0.5)


def _with_chance(f: PairFacts, chances: ChanceFunction | None) -> PairFacts:
    """``f`` with the supplied acceptance chance of its pair (asked for this pair alone)."""
    if chances is None:
        return f
    ids = (np.array([f.household.id], dtype=np.int64), np.array([f.vacancy.id], dtype=np.int64))
    chance = float(chances(*ids)[0])
    return f if math.isnan(chance) else replace(f, acceptance_chance=chance)


def reference_apportion(
    values: dict[Component, float], policy: Policy, total: int
) -> dict[Component, int]:
    """Largest-remainder apportionment of ``total`` hundredths over the (active) components
    in ``values``."""
    exact = {c: values[c] * policy.weights.of(c) * 100.0 for c in values}
    points = {c: math.floor(x) for c, x in exact.items()}
    missing = total - sum(points.values())
    by_remainder = sorted(values, key=lambda c: -(exact[c] - math.floor(exact[c])))
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
    rulebook: Rulebook = RULEBOOK,
    chances: ChanceFunction | None = None,
) -> ReferencePair:
    """All failed rules, warnings and (if eligible) component values and total of one pair;
    ``chances`` is asked only for an eligible pair of a policy weighing the chance."""
    facts = _facts(household, vacancy, municipalities, rent_limits, reference_date)
    failed = _rules(facts, proposed, declined, rulebook)
    if not failed and ACCEPTANCE in active_components(policy):
        facts = _with_chance(facts, chances)
    values = None if failed else _values(facts, policy)
    return ReferencePair(
        exclusions=tuple(failed),
        warnings=tuple(_warnings(facts, rulebook)),
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
    rulebook: Rulebook = RULEBOOK,
    chances: ChanceFunction | None = None,
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
            rulebook=rulebook,
            chances=chances,
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
            warnings=warning_reasons(list(pair.warnings), pair.facts, rulebook),
        )
        for k, (_, pair) in enumerate(eligible[offset : offset + limit])
    )
    return VacancyRanking(
        vacancy_id=vacancy.id,
        policy_name=policy.name,
        policy_version=policy.version,
        reference_date=reference_date,
        eligible_count=len(eligible),
        funnel=build_funnel("Haushalte", len(households), len(eligible), counts, rulebook),
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
    rulebook: Rulebook = RULEBOOK,
    chances: ChanceFunction | None = None,
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
            rulebook=rulebook,
            chances=chances,
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
            warnings=warning_reasons(list(pair.warnings), pair.facts, rulebook),
        )
        for k, (_, pair) in enumerate(eligible[offset : offset + limit])
    )
    return HouseholdRanking(
        household_id=household.id,
        policy_name=policy.name,
        policy_version=policy.version,
        reference_date=reference_date,
        eligible_count=len(eligible),
        funnel=build_funnel("Wohnungen", len(vacancies), len(eligible), counts, rulebook),
        rows=rows,
        offset=offset,
        limit=limit,
    )
