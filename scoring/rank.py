"""Ranking: households for a vacancy, vacancies for a household, the block form.

Rules run over the whole pair axis; components only for the pairs that pass; explanations
(German reasons, warnings, apportioned points) only for the rows on the requested page.
Order is deterministic: total desc, then urgency rank desc, registered_at asc, household id
asc (for vacancies: total desc, available_from asc, vacancy id asc). The page is found with
``np.partition`` on the totals; every row tied with the page's last total is kept as a
candidate, so ties are resolved by the exact sort and never by the partition.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from typing import Any, TypeAlias, TypeVar

import numpy as np
import numpy.typing as npt

from scoring.codes import Component, Rule
from scoring.components import (
    ACCEPTANCE,
    COMPONENT_COLUMNS,
    HOUSEHOLD_ONLY,
    PAIR_COMPONENT_COLUMNS,
    ChanceFunction,
    active_components,
    apportion,
    component_values,
    estimate_chances,
    total_hundredths,
)
from scoring.errors import FieldError, ScoringInputError
from scoring.explain import (
    PairFacts,
    ReasonCache,
    build_funnel,
    exclusion_reasons,
    warning_reasons,
)
from scoring.inputs import (
    HouseholdRow,
    Households,
    Municipalities,
    RentLimits,
    Vacancies,
    Vacancy,
    day_number,
    from_day_number,
)
from scoring.pairs import (
    PairArrays,
    PreferenceIndex,
    VacancyFrame,
    pairs_for_household,
    pairs_for_vacancy,
    with_heating_limit,
)
from scoring.policy import Policy, load_policy
from scoring.results import (
    ComponentScore,
    HouseholdRanking,
    PairExplanation,
    RankedHousehold,
    RankedVacancy,
    Reason,
    ScoreMatrix,
    VacancyRanking,
)
from scoring.rulebook import RULEBOOK, Rulebook
from scoring.rules import evaluate_rules, evaluate_warnings

__all__ = [
    "explain_pair",
    "rank_households",
    "rank_vacancies",
    "resolve_policy",
    "score_matrix",
]

I64: TypeAlias = npt.NDArray[np.int64]
F64: TypeAlias = npt.NDArray[np.float64]
Bool: TypeAlias = npt.NDArray[np.bool_]
MAX_PAGE = 10_000
_Row = TypeVar("_Row")


def resolve_policy(policy: Policy | str) -> Policy:
    """A :class:`Policy` as is, or a bundled policy loaded by name."""
    return policy if isinstance(policy, Policy) else load_policy(policy)


def _check_page(limit: int, offset: int) -> None:
    errors = []
    if not 0 <= limit <= MAX_PAGE:
        errors.append(FieldError("limit", f"muss zwischen 0 und {MAX_PAGE} liegen"))
    if offset < 0:
        errors.append(FieldError("offset", "darf nicht negativ sein"))
    if errors:
        raise ScoringInputError(errors)


def _member(ids: I64, chosen: Iterable[int]) -> Bool | np.bool_:
    wanted = np.fromiter((int(x) for x in chosen), dtype=np.int64)
    if not wanted.size:
        return np.False_
    return np.isin(ids, wanted)


@dataclass(frozen=True)
class _Evaluation:
    """Rules over the pair axis, components and totals of the passing pairs."""

    pairs: PairArrays
    masks: dict[Rule, Bool]
    passing: I64
    values: dict[Component, F64]
    totals: I64
    chances: F64 | None = None
    """Supplied acceptance chances of the passing pairs (NaN: no estimate); ``None`` while
    the policy gives the chance no weight (then nobody is asked for it)."""


def _is_shared(mask: Bool) -> bool:
    """True for a broadcast scalar (one value for every pair)."""
    return mask.strides == (0,)


def _evaluate(
    pairs: PairArrays,
    policy: Policy,
    reference_day: int,
    rulebook: Rulebook,
    snapshot: Households | None = None,
    chances: ChanceFunction | None = None,
) -> _Evaluation:
    """Rules over the pair axis, then components and totals of the passing pairs.

    ``snapshot``: the pair axis is every household of this snapshot against one vacancy;
    the :data:`HOUSEHOLD_ONLY` components are then read from the snapshot's cache.
    ``chances`` is asked only for the passing pairs, and only if the policy weighs them."""
    masks = evaluate_rules(pairs, rulebook)
    excluded = np.zeros(pairs.size, dtype=bool)
    for mask in masks.values():
        if _is_shared(mask):
            if pairs.size and mask[0]:
                excluded[:] = True
        else:
            excluded |= mask
    passing = np.flatnonzero(~excluded)
    extra: dict[str, F64] = {}
    if ACCEPTANCE in active_components(policy):
        ids = pairs.take(passing, frozenset({"household_id", "vacancy_id"}))
        n = len(passing)
        extra["acceptance_chance"] = estimate_chances(
            chances,
            np.broadcast_to(np.asarray(ids.household_id, dtype=np.int64), (n,)),
            np.broadcast_to(np.asarray(ids.vacancy_id, dtype=np.int64), (n,)),
        )
    if snapshot is None:
        scored = pairs.take(passing, COMPONENT_COLUMNS, **extra)
        values = component_values(scored, policy, reference_day)
    else:
        fixed = _household_values(snapshot, pairs, policy, reference_day)
        scored = pairs.take(passing, PAIR_COMPONENT_COLUMNS, **extra)
        known = {code: value[passing] for code, value in fixed.items()}
        values = component_values(scored, policy, reference_day, known)
    totals = total_hundredths(values, policy)
    return _Evaluation(pairs, masks, passing, values, totals, extra.get("acceptance_chance"))


def _household_values(
    households: Households, pairs: PairArrays, policy: Policy, reference_day: int
) -> dict[Component, F64]:
    """Values of the :data:`HOUSEHOLD_ONLY` components for every household of the snapshot
    (``pairs``: all households against one vacancy), kept on the snapshot per (policy,
    reference day); the same element-wise operations as on the passing pairs, so the
    gathered values are bit-identical."""
    key = ("household values", policy, reference_day)
    cached: dict[Component, F64] | None = households._cache.get(key)
    if cached is None:
        for old in [k for k in households._cache if isinstance(k, tuple) and k[0] == key[0]]:
            del households._cache[old]
        cached = households._cache[key] = {
            c.code: np.broadcast_to(
                np.asarray(c.value(pairs, policy, reference_day), dtype=np.float64), (pairs.size,)
            )
            for c in HOUSEHOLD_ONLY
        }
    return cached


def _counts(ev: _Evaluation) -> dict[Rule, int]:
    return {
        rule: (len(mask) if len(mask) and mask[0] else 0)
        if _is_shared(mask)
        else int(np.count_nonzero(mask))
        for rule, mask in ev.masks.items()
    }


def _top(totals: I64, tiebreak: Callable[[I64], list[I64]], stop: int) -> I64:
    """Indices of the ``stop`` best rows: totals desc, then the keys ``tiebreak(candidates)``
    ascending (computed only for the candidates the partition leaves, not for every row)."""
    n = len(totals)
    if stop <= 0 or n == 0:
        return np.zeros(0, dtype=np.int64)
    if stop < n:
        kth = np.partition(totals, n - stop)[n - stop]  # the stop-th largest total
        candidates = np.flatnonzero(totals >= kth)
    else:
        candidates = np.arange(n)
    keys = [*reversed(tiebreak(candidates)), -totals[candidates]]
    return candidates[np.lexsort(keys)][:stop]


_ROW_CACHE_SIZE = 20_000
_REASON_CACHE_SIZE = 50_000


def _cached_rows(
    cache: dict[Any, Any], wanted: list[int], convert: Callable[[list[int]], list[_Row]]
) -> dict[int, _Row]:
    """Row objects (immutable) by row index, converted once per table and kept on it."""
    rows: dict[int, _Row] | None = cache.get("row_objects")
    if rows is None or len(rows) > _ROW_CACHE_SIZE:
        rows = cache["row_objects"] = {}
    missing = [i for i in wanted if i not in rows]
    if missing:
        rows.update(zip(missing, convert(missing), strict=True))
    return {i: rows[i] for i in wanted}


def _one_by_one(convert: Callable[[int], _Row]) -> Callable[[list[int]], list[_Row]]:
    """Row-wise conversion (cheaper than the bulk one for a single row)."""
    return lambda indices: [convert(i) for i in indices]


def _reason_cache(households: Households, policy: Policy, reference_date: dt.date) -> ReasonCache:
    """The sentence cache for (policy, reference date), kept on the snapshot between calls."""
    key = ("reasons", policy, reference_date)
    cache: ReasonCache | None = households._cache.get(key)
    if cache is None or cache.size > _REASON_CACHE_SIZE:
        for old in [k for k in households._cache if isinstance(k, tuple) and k[0] == "reasons"]:
            del households._cache[old]
        cache = households._cache[key] = ReasonCache(policy)
    return cache


class _FactSource:
    """Builds :class:`PairFacts` for chosen pairs from the engine's own arrays."""

    def __init__(
        self,
        households: Households,
        vacancies: Vacancies,
        municipalities: Municipalities,
        frame: VacancyFrame,
        prefs: PreferenceIndex,
        reference_date: dt.date,
    ) -> None:
        self.h, self.v, self.m = households, vacancies, municipalities
        self.frame, self.prefs, self.reference_date = frame, prefs, reference_date
        self._names: dict[int, tuple[str, ...]] = {}

    def _preferred_names(self, group: int) -> tuple[str, ...]:
        names = self._names.get(group)
        if names is None:
            towns = self.m
            names = self._names[group] = tuple(
                sorted(
                    towns.name[j] if (j := towns.index_of(a)) is not None else a
                    for a in self.h.preference_sets[group]
                )
            )
        return names

    def facts(
        self,
        household_rows: list[int],
        vacancy_rows: list[int],
        in_preferred: list[bool],
        distance: list[float],
    ) -> list[PairFacts]:
        """Facts for the pairs (household row, vacancy row), converted in bulk."""
        page = _PageFacts(self, household_rows, vacancy_rows, in_preferred, distance)
        return [page.facts(k) for k in range(len(household_rows))]


class _PageFacts:
    """Plain per-row values of a page; :class:`PairFacts` are only built where needed."""

    def __init__(
        self,
        source: _FactSource,
        household_rows: list[int],
        vacancy_rows: list[int],
        in_preferred: list[bool],
        distance: list[float],
        chances: list[float] | None = None,
    ) -> None:
        frame, towns = source.frame, source.m
        self.chances = None if chances is None else _optional(chances)
        self.source = source
        self.household_rows, self.vacancy_rows = household_rows, vacancy_rows
        self.in_preferred, self.distance = in_preferred, distance
        persons = source.h.persons[household_rows]
        self.persons: list[int] = persons.tolist()
        self.limits: list[int] = frame.limit[vacancy_rows, persons].tolist()  # cents, <0: none
        self.heating: list[int] = frame.heating_limit[vacancy_rows, persons].tolist()
        self.starts: list[int] = frame.limit_valid_from[vacancy_rows].tolist()
        self.groups: list[int] = source.h.preference_group[household_rows].tolist()
        town: list[int] = frame.town[vacancy_rows].tolist()
        self.town_names = [towns.name[t] for t in town]
        # nearest preferred town (first on ties) for every pair, in one pass
        km = np.where(source.prefs.member[self.groups], frame.town_distance[vacancy_rows], np.inf)
        closest = km.argmin(axis=1).tolist() if km.size else [0] * len(vacancy_rows)
        self.nearest: list[str | None] = [
            self.town_names[k]
            if in_preferred[k]
            else (towns.name[closest[k]] if distance[k] == distance[k] else None)
            for k in range(len(vacancy_rows))
        ]
        self._households: dict[int, HouseholdRow] | None = None
        self._vacancies: dict[int, Vacancy] | None = None

    def facts(self, k: int) -> PairFacts:
        """:class:`PairFacts` of row ``k``."""
        source = self.source
        hr, vr = self.household_rows[k], self.vacancy_rows[k]
        if self._households is None or self._vacancies is None:
            # first call: only this pair (a page often needs a single one, see ReasonCache)
            self._households = _cached_rows(source.h._cache, [hr], _one_by_one(source.h.row))
            self._vacancies = _cached_rows(source.v._cache, [vr], _one_by_one(source.v.row))
        elif hr not in self._households or vr not in self._vacancies:
            # later calls: the whole page in bulk
            self._households = _cached_rows(
                source.h._cache, sorted(set(self.household_rows)), source.h.rows
            )
            self._vacancies = _cached_rows(
                source.v._cache, sorted(set(self.vacancy_rows)), source.v.rows
            )
        limit, dist, heating = self.limits[k], self.distance[k], self.heating[k]
        known = limit >= 0
        return PairFacts(
            household=self._households[hr],
            vacancy=self._vacancies[vr],
            reference_date=source.reference_date,
            town_name=self.town_names[k],
            preferred_town_names=source._preferred_names(self.groups[k]),
            rent_limit_cents=limit if known else None,
            heating_limit_cents=heating if heating >= 0 else None,
            rent_limit_valid_from=from_day_number(self.starts[k]) if known else None,
            in_preferred=bool(self.in_preferred[k]),
            nearest_town=self.nearest[k],
            distance_km=dist if dist == dist else None,
            acceptance_chance=None if self.chances is None else self.chances[k],
        )

    def reason_keys(self) -> list[tuple[tuple[object, ...], ...]]:
        """Per row and component, a key for everything its reason reads (see
        :func:`scoring.explain.component_reason`)."""
        h, v, frame = self.source.h, self.source.v, self.source.frame
        hr, vr = self.household_rows, self.vacancy_rows
        ref = self.source.reference_date
        urgency: list[int] = h.urgency[hr].tolist()
        eviction: list[int] = h.eviction_date[hr].tolist()
        homeless: list[int] = h.homeless_since[hr].tolist()
        notice: list[int] = h.notice_date[hr].tolist()
        registered: list[int] = h.registered_at[hr].tolist()
        income: list[int] = h.income_basis[hr].tolist()
        budget = _optional_cents(h.own_max_rent_cents[hr].tolist())
        area: list[float] = v.living_area[vr].tolist()
        rooms: list[float] = v.rooms[vr].tolist()
        ids: list[int] = v.id[vr].tolist()
        gross: list[int] = frame.gross_cold_rent[vr].tolist()
        warm: list[int] = frame.warm_rent[vr].tolist()
        heating_known: list[bool] = frame.heating_known[vr].tolist()
        limits, distance = _optional_cents(self.limits), _optional(self.distance)
        return [
            (
                ("#u", urgency[k], eviction[k], homeless[k], notice[k], ref),
                ("#w", registered[k], ref),
                ("#s", self.persons[k], area[k], rooms[k]),
                (
                    "#l",
                    bool(self.in_preferred[k]),
                    self.town_names[k],
                    distance[k],
                    self.nearest[k],
                ),
                (
                    "#a",
                    income[k],
                    budget[k],
                    limits[k],
                    ids[k],
                    gross[k],
                    warm[k],
                    heating_known[k],
                ),
                *(() if self.chances is None else (("#c", self.chances[k]),)),
            )
            for k in range(len(hr))
        ]


def _optional(values: list[float]) -> list[float | None]:
    return [None if x != x else x for x in values]  # x != x: NaN


def _optional_cents(values: list[int]) -> list[int | None]:
    return [None if x < 0 else x for x in values]  # NO_AMOUNT: none


_FACT_COLUMNS = frozenset(
    {"household_row", "vacancy_row", "in_preferred", "distance_km", "persons"}
)
"""Columns read for the rows on a page besides the warnings' (facts, heating limits)."""


def _page_rows(
    ev: _Evaluation, order: I64, policy: Policy, source: _FactSource, rulebook: Rulebook
) -> list[tuple[int, float, tuple[ComponentScore, ...], tuple[Reason, ...]]]:
    """(pair index, total, components, warnings) for the rows on the page."""
    if not len(order):
        return []
    gathered = _FACT_COLUMNS | rulebook.warning_columns
    page = with_heating_limit(ev.pairs.take(ev.passing[order], gathered), source.frame)
    values = {c: v[order] for c, v in ev.values.items()}
    chances = None if ev.chances is None else ev.chances[order].tolist()
    totals = ev.totals[order].tolist()
    points = apportion(values, policy, ev.totals[order]).tolist()
    warnings = evaluate_warnings(page, rulebook)
    n = page.size
    # per raised warning, the numbers its sentence quotes (row by row) and the rows raising it
    quoted = [
        (w, [np.broadcast_to(c, (n,)).tolist() for c in w.columns(page)], raised.tolist())
        for w in rulebook.warnings
        if len(raised := np.flatnonzero(warnings[w.code]))
    ]
    facts = _PageFacts(
        source,
        np.broadcast_to(page.household_row, (n,)).tolist(),
        np.broadcast_to(page.vacancy_row, (n,)).tolist(),
        np.broadcast_to(page.in_preferred, (n,)).tolist(),
        np.broadcast_to(page.distance_km, (n,)).tolist(),
        chances,
    )
    value_rows = np.stack([values[c.code] for c in active_components(policy)], axis=1).tolist()
    reasons = _reason_cache(source.h, policy, source.reference_date)
    comps = reasons.page_rows(facts.reason_keys(), value_rows, points, facts.facts)
    warns: list[tuple[Reason, ...]] = [()] * n
    for w, columns, rows in quoted:  # in rulebook order, so each row's warnings are too
        for k in rows:
            warns[k] += (reasons.warning(w, (w.code, *(column[k] for column in columns))),)
    return [(k, totals[k] / 100, comps[k], warns[k]) for k in range(n)]


def rank_households(
    households: Households,
    vacancy: Vacancy,
    municipalities: Municipalities,
    rent_limits: RentLimits,
    policy: Policy | str,
    *,
    reference_date: dt.date,
    proposed_ids: Collection[int] = (),
    declined_ids: Collection[int] = (),
    limit: int = 50,
    offset: int = 0,
    excluded_sample: int = 0,
    rulebook: Rulebook = RULEBOOK,
    chances: ChanceFunction | None = None,
) -> VacancyRanking:
    """Rank all households for one vacancy: a page of rows, the eligible count and the funnel.

    ``proposed_ids``/``declined_ids`` are households with a live proposal for this vacancy or
    an earlier decline; they are excluded with their own rule codes. ``excluded_sample`` > 0
    also names up to that many excluded households per rule (pages link them to "Warum
    nicht?"). ``rulebook``: the hard rules and warnings applied (default: the shipped ones).
    ``chances``: the estimated acceptance chances, asked for the passing pairs only when the
    policy weighs them (without it every pair counts as having no estimate).
    """
    return _rank_households_in(
        households,
        Vacancies.from_vacancies([vacancy]),
        0,
        municipalities,
        rent_limits,
        resolve_policy(policy),
        reference_date=reference_date,
        proposed_ids=proposed_ids,
        declined_ids=declined_ids,
        limit=limit,
        offset=offset,
        excluded_sample=excluded_sample,
        rulebook=rulebook,
        chances=chances,
    )


def _excluded_sample(
    households: Households, ev: _Evaluation, n: int
) -> tuple[tuple[Rule, tuple[int, ...]], ...]:
    """The first ``n`` household ids each rule excluded (pair index = household row here)."""
    if n <= 0:
        return ()
    sample = []
    for rule, mask in ev.masks.items():
        if _is_shared(mask):
            rows = np.arange(min(n, len(mask))) if len(mask) and mask[0] else np.zeros(0, int)
        else:
            rows = np.flatnonzero(mask)[:n]
        if len(rows):
            sample.append((rule, tuple(int(x) for x in households.id[rows])))
    return tuple(sample)


def _household_evaluation(
    households: Households,
    vacancies: Vacancies,
    j: int,
    municipalities: Municipalities,
    rent_limits: RentLimits,
    policy: Policy,
    reference_date: dt.date,
    proposed_ids: Iterable[int],
    declined_ids: Iterable[int],
    rulebook: Rulebook = RULEBOOK,
    chances: ChanceFunction | None = None,
) -> tuple[_Evaluation, VacancyFrame, PreferenceIndex]:
    frame = VacancyFrame.build(vacancies, municipalities, rent_limits)
    prefs = PreferenceIndex.build(households, municipalities)
    pairs = pairs_for_vacancy(
        households,
        vacancies,
        j,
        frame,
        prefs,
        _member(households.id, proposed_ids),
        _member(households.id, declined_ids),
    )
    ev = _evaluate(pairs, policy, day_number(reference_date), rulebook, households, chances)
    return ev, frame, prefs


def _household_order(households: Households, ev: _Evaluation, stop: int) -> I64:
    def tiebreak(candidates: I64) -> list[I64]:
        rows = ev.passing[candidates]
        return [-households.urgency[rows], households.registered_at[rows], households.id[rows]]

    return _top(ev.totals, tiebreak, stop)


def _rank_households_in(
    households: Households,
    vacancies: Vacancies,
    j: int,
    municipalities: Municipalities,
    rent_limits: RentLimits,
    policy: Policy,
    *,
    reference_date: dt.date,
    proposed_ids: Iterable[int],
    declined_ids: Iterable[int],
    limit: int,
    offset: int,
    excluded_sample: int = 0,
    rulebook: Rulebook = RULEBOOK,
    chances: ChanceFunction | None = None,
) -> VacancyRanking:
    _check_page(limit, offset)
    ev, frame, prefs = _household_evaluation(
        households,
        vacancies,
        j,
        municipalities,
        rent_limits,
        policy,
        reference_date,
        proposed_ids,
        declined_ids,
        rulebook,
        chances,
    )
    order = _household_order(households, ev, offset + limit)[offset:]
    source = _FactSource(households, vacancies, municipalities, frame, prefs, reference_date)
    ids: list[int] = households.id[ev.passing[order]].tolist()
    rows = tuple(
        RankedHousehold(
            rank=offset + k + 1,
            household_id=ids[k],
            total=total,
            components=comps,
            warnings=warns,
        )
        for k, total, comps, warns in _page_rows(ev, order, policy, source, rulebook)
    )
    counts = _counts(ev)
    return VacancyRanking(
        vacancy_id=int(vacancies.id[j]),
        policy_name=policy.name,
        policy_version=policy.version,
        reference_date=reference_date,
        eligible_count=len(ev.passing),
        funnel=build_funnel("Haushalte", len(households), len(ev.passing), counts, rulebook),
        rows=rows,
        offset=offset,
        limit=limit,
        excluded=_excluded_sample(households, ev, excluded_sample),
    )


def rank_vacancies(
    households: Households,
    household_id: int,
    vacancies: Vacancies,
    municipalities: Municipalities,
    rent_limits: RentLimits,
    policy: Policy | str,
    *,
    reference_date: dt.date,
    proposed_vacancy_ids: Collection[int] = (),
    declined_vacancy_ids: Collection[int] = (),
    limit: int = 50,
    offset: int = 0,
    rulebook: Rulebook = RULEBOOK,
    chances: ChanceFunction | None = None,
) -> HouseholdRanking:
    """Rank all ``vacancies`` for one household (``household_id`` in ``households``).

    Ties break by available_from asc, then vacancy id asc. ``chances``: as for
    :func:`rank_households`.
    """
    _check_page(limit, offset)
    policy = resolve_policy(policy)
    i = _household_index(households, household_id)
    frame = VacancyFrame.build(vacancies, municipalities, rent_limits)
    prefs = PreferenceIndex.build(households, municipalities)
    pairs = pairs_for_household(
        households,
        i,
        vacancies,
        frame,
        prefs,
        _member(vacancies.id, proposed_vacancy_ids),
        _member(vacancies.id, declined_vacancy_ids),
    )
    ev = _evaluate(pairs, policy, day_number(reference_date), rulebook, chances=chances)
    rows_ = ev.passing

    def tiebreak(candidates: I64) -> list[I64]:
        rows = rows_[candidates]
        return [vacancies.available_from[rows], vacancies.id[rows]]

    order = _top(ev.totals, tiebreak, offset + limit)[offset:]
    source = _FactSource(households, vacancies, municipalities, frame, prefs, reference_date)
    ids: list[int] = vacancies.id[rows_[order]].tolist()
    rows = tuple(
        RankedVacancy(
            rank=offset + k + 1,
            vacancy_id=ids[k],
            total=total,
            components=comps,
            warnings=warns,
        )
        for k, total, comps, warns in _page_rows(ev, order, policy, source, rulebook)
    )
    counts = _counts(ev)
    return HouseholdRanking(
        household_id=int(household_id),
        policy_name=policy.name,
        policy_version=policy.version,
        reference_date=reference_date,
        eligible_count=len(rows_),
        funnel=build_funnel("Wohnungen", len(vacancies), len(rows_), counts, rulebook),
        rows=rows,
        offset=offset,
        limit=limit,
    )


def _household_index(households: Households, household_id: int) -> int:
    try:
        return households.index_of(household_id)
    except KeyError:
        raise ScoringInputError(
            [FieldError("household_id", f"Haushalt {household_id} ist nicht im Bestand")]
        ) from None


def explain_pair(
    households: Households,
    household_id: int,
    vacancy: Vacancy,
    municipalities: Municipalities,
    rent_limits: RentLimits,
    policy: Policy | str,
    *,
    reference_date: dt.date,
    proposed: bool = False,
    declined: bool = False,
    rulebook: Rulebook = RULEBOOK,
    chances: ChanceFunction | None = None,
) -> PairExplanation:
    """ "Warum?" / "Warum nicht?": every exclusion, the warnings and (if eligible) the
    components with points and reasons for one household and one vacancy (``chances``: as
    for :func:`rank_households`)."""
    policy = resolve_policy(policy)
    i = _household_index(households, household_id)
    vacancies = Vacancies.from_vacancies([vacancy])
    frame = VacancyFrame.build(vacancies, municipalities, rent_limits)
    prefs = PreferenceIndex.build(households, municipalities)
    pairs = pairs_for_household(
        households, i, vacancies, frame, prefs, np.bool_(proposed), np.bool_(declined)
    )
    ev = _evaluate(pairs, policy, day_number(reference_date), rulebook, chances=chances)
    source = _FactSource(households, vacancies, municipalities, frame, prefs, reference_date)
    facts = source.facts([i], [0], [bool(pairs.in_preferred[0])], [float(pairs.distance_km[0])])[0]
    failed = [rule for rule, mask in ev.masks.items() if mask[0]]
    warnings = evaluate_warnings(with_heating_limit(pairs, frame), rulebook)
    raised = [code for code, mask in warnings.items() if mask[0]]
    components: tuple[ComponentScore, ...] = ()
    total: float | None = None
    if len(ev.passing):
        page = _page_rows(ev, np.array([0], dtype=np.int64), policy, source, rulebook)
        total, components = page[0][1], page[0][2]
    return PairExplanation(
        household_id=int(household_id),
        vacancy_id=vacancy.id,
        policy_name=policy.name,
        policy_version=policy.version,
        reference_date=reference_date,
        eligible=not failed,
        total=total,
        components=components,
        exclusions=exclusion_reasons(failed, facts, rulebook),
        warnings=warning_reasons(raised, facts, rulebook),
    )


def _pair_sets(pairs: Iterable[tuple[int, int]]) -> dict[int, set[int]]:
    out: dict[int, set[int]] = {}
    for vacancy_id, household_id in pairs:
        out.setdefault(int(vacancy_id), set()).add(int(household_id))
    return out


def score_matrix(
    households: Households,
    vacancies: Vacancies,
    municipalities: Municipalities,
    rent_limits: RentLimits,
    policy: Policy | str,
    *,
    reference_date: dt.date,
    proposed_pairs: Iterable[tuple[int, int]] = (),
    declined_pairs: Iterable[tuple[int, int]] = (),
    chances: ChanceFunction | None = None,
) -> ScoreMatrix:
    """Block form: total points (vacancies × households), ``-inf`` where a rule excludes.

    Memory is ``8 × len(vacancies) × len(households)`` bytes; for all open vacancies against
    the whole snapshot use :func:`scoring.allocation.allocate`, which keeps only top
    candidates.
    """
    policy = resolve_policy(policy)
    proposed, declined = _pair_sets(proposed_pairs), _pair_sets(declined_pairs)
    scores = np.full((len(vacancies), len(households)), -np.inf)
    for j in range(len(vacancies)):
        vid = int(vacancies.id[j])
        ev, _, _ = _household_evaluation(
            households,
            vacancies,
            j,
            municipalities,
            rent_limits,
            policy,
            reference_date,
            proposed.get(vid, ()),
            declined.get(vid, ()),
            chances=chances,
        )
        scores[j, ev.passing] = ev.totals / 100
    return ScoreMatrix(
        vacancy_ids=vacancies.id.copy(),
        household_ids=households.id.copy(),
        scores=scores,
        policy_name=policy.name,
        policy_version=policy.version,
    )
