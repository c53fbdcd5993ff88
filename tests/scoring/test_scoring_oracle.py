"""The vectorised engine agrees with the plain-Python reference on random data."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

import numpy as np
import numpy.typing as npt
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scoring_factories import (
    CHANGE,
    MINDEN,
    POLICY,
    REF,
    TESTDORF,
    base_household,
    base_vacancy,
    households,
    households_from,
    municipalities,
    rent_limits,
    vacancies_of,
    vacancy,
)

from scoring import (
    Component,
    Households,
    Vacancy,
    explain_pair,
    rank_households,
    rank_vacancies,
)
from scoring.components import ChanceFunction
from scoring.explain import exclusion_reasons, warning_reasons
from scoring.reference import (
    reference_evaluate_pair,
    reference_rank_households,
    reference_rank_vacancies,
)

TOWNS = municipalities()
LIMITS = rent_limits()
SETTINGS = settings(max_examples=200, deadline=None)


def assert_same_household_ranking(hh: Households, v: Vacancy, **kw: object) -> None:
    fast = rank_households(hh, v, TOWNS, LIMITS, POLICY, reference_date=REF, limit=len(hh), **kw)
    slow = reference_rank_households(
        hh, v, TOWNS, LIMITS, POLICY, reference_date=REF, limit=len(hh), **kw
    )
    assert fast.funnel == slow.funnel
    assert fast.eligible_count == slow.eligible_count
    assert [r.household_id for r in fast.rows] == [r.household_id for r in slow.rows]
    assert fast == slow  # totals, components, reasons, warnings: identical
    for row in fast.rows:
        assert round(sum(c.points for c in row.components) * 100) == round(row.total * 100)


def assert_same_pairs(hh: Households, v: Vacancy) -> None:
    for i, h in enumerate(hh.rows()):
        ref = reference_evaluate_pair(h, v, TOWNS, LIMITS, POLICY, reference_date=REF)
        got = explain_pair(hh, h.id, v, TOWNS, LIMITS, POLICY, reference_date=REF)
        assert got.exclusions == exclusion_reasons(list(ref.exclusions), ref.facts), i
        assert got.warnings == warning_reasons(list(ref.warnings), ref.facts)
        assert got.eligible == (not ref.exclusions)
        if ref.total_hundredths is not None:
            assert got.total == ref.total_hundredths / 100


EDGE_VACANCIES = [
    base_vacancy(),  # Bruttokaltmiete 478,00 € exactly at the 2-person limit from 01.01.2026
    base_vacancy(available_from=CHANGE - dt.timedelta(days=1)),  # old table: 530 €
    base_vacancy(living_area=20.0),  # exactly 10 m² per person for 2 persons
    base_vacancy(municipality_ags=TESTDORF),  # no rent limit recorded
    base_vacancy(wbs_required=True, available_from=dt.date(2026, 3, 15)),
    base_vacancy(lat=None, lon=None, municipality_ags="05770012"),
]
EDGE_HOUSEHOLDS = households_from(
    [
        base_household(id=1),
        base_household(id=2, persons=8, registered_at=dt.date(2024, 1, 1)),  # increment
        base_household(id=3, wbs_valid_until=dt.date(2026, 3, 14)),  # expires the day before
        base_household(id=4, wbs_valid_until=dt.date(2026, 3, 15)),  # expires on the day
        base_household(id=5, preferred_ags=[], max_distance_km=5.0),  # no preferences
        base_household(id=6, preferred_ags=["05770028"], max_distance_km=12.0),
        base_household(id=7, persons=9, income_basis="sgb12", urgency="homeless"),
        base_household(id=8, income_basis="own_income", own_max_rent=568.0),
        base_household(id=9, urgency="eviction_scheduled", eviction_date=dt.date(2026, 3, 20)),
    ]
)


@given(hh=households(), v=vacancy())
@SETTINGS
@example(hh=EDGE_HOUSEHOLDS, v=EDGE_VACANCIES[0])
@example(hh=EDGE_HOUSEHOLDS, v=EDGE_VACANCIES[1])
@example(hh=EDGE_HOUSEHOLDS, v=EDGE_VACANCIES[2])
@example(hh=EDGE_HOUSEHOLDS, v=EDGE_VACANCIES[3])
@example(hh=EDGE_HOUSEHOLDS, v=EDGE_VACANCIES[4])
@example(hh=EDGE_HOUSEHOLDS, v=EDGE_VACANCIES[5])
def test_rank_households_matches_reference(hh: Households, v: Vacancy) -> None:
    assert_same_household_ranking(hh, v)


@given(hh=households(max_size=6), v=vacancy(), data=st.data())
@settings(max_examples=60, deadline=None)
def test_pairs_and_flags_match_reference(hh: Households, v: Vacancy, data: st.DataObject) -> None:
    assert_same_pairs(hh, v)
    ids = hh.id.tolist()
    proposed = data.draw(st.lists(st.sampled_from(ids), max_size=2))
    declined = data.draw(st.lists(st.sampled_from(ids), max_size=2))
    assert_same_household_ranking(hh, v, proposed_ids=proposed, declined_ids=declined)


@given(hh=households(max_size=3), vs=st.lists(vacancy(), min_size=1, max_size=12))
@settings(max_examples=100, deadline=None)
def test_rank_vacancies_matches_reference(hh: Households, vs: list[Vacancy]) -> None:
    table = vacancies_of([Vacancy(**{**v.__dict__, "id": i + 1}) for i, v in enumerate(vs)])
    for i, h in enumerate(hh.rows()):
        fast = rank_vacancies(
            hh, h.id, table, TOWNS, LIMITS, POLICY, reference_date=REF, limit=len(table)
        )
        slow = reference_rank_vacancies(
            hh.row(i), table, TOWNS, LIMITS, POLICY, reference_date=REF, limit=len(table)
        )
        assert fast == slow


def test_edge_examples_have_the_expected_verdicts() -> None:
    def codes(hid: int, v: Vacancy) -> list[str]:
        e = explain_pair(EDGE_HOUSEHOLDS, hid, v, TOWNS, LIMITS, POLICY, reference_date=REF)
        return [r.code for r in e.exclusions]

    at_limit, old_table, tiny, no_limit, wbs, _ = EDGE_VACANCIES
    assert codes(1, at_limit) == []  # exactly at the limit passes
    assert codes(1, base_vacancy(net_cold_rent=400.01)) == ["RENT_ABOVE_LIMIT"]
    assert codes(1, old_table) == []
    assert codes(1, tiny) == []  # exactly 10 m² per person passes
    assert "HOUSEHOLD_TOO_LARGE" in codes(1, base_vacancy(living_area=19.99))
    assert codes(1, no_limit) == ["RENT_LIMIT_UNKNOWN"]
    assert codes(8, no_limit) == []  # own income: the KdU limit does not apply
    assert "WBS_MISSING" in codes(3, wbs)
    assert "WBS_MISSING" not in codes(4, wbs)
    # 8 persons in Minden: 750 + 3 × 90 = 1.020 €
    e = explain_pair(
        EDGE_HOUSEHOLDS,
        2,
        base_vacancy(net_cold_rent=942.0, living_area=100.0),
        TOWNS,
        LIMITS,
        POLICY,
        reference_date=REF,
    )
    assert e.exclusions == ()
    e = explain_pair(
        EDGE_HOUSEHOLDS,
        2,
        base_vacancy(net_cold_rent=942.01, living_area=100.0),
        TOWNS,
        LIMITS,
        POLICY,
        reference_date=REF,
    )
    assert e.exclusions[0].text == (
        "Bruttokaltmiete 1.020,01 € liegt über der Angemessenheitsgrenze von 1.020,00 € "
        "für 8 Personen in Minden (gültig ab 01.01.2026)."
    )


def test_example_sentence_from_the_issue() -> None:
    hh = households_from([base_household()])
    v = base_vacancy(net_cold_rent=434.0)
    e = explain_pair(hh, 1, v, TOWNS, LIMITS, POLICY, reference_date=REF)
    assert [r.text for r in e.exclusions] == [
        "Bruttokaltmiete 512,00 € liegt über der Angemessenheitsgrenze von 478,00 € für "
        "2 Personen in Minden (gültig ab 01.01.2026)."
    ]
    assert v.municipality_ags == MINDEN
    assert e.total is None
    assert not e.eligible


# --- the acceptance chance with a weight ----------------------------------------------------

ACCEPTING = replace(POLICY, weights=replace(POLICY.weights, urgency=20.0, acceptance=15.0))
"""The default policy with 15 of the urgency's points given to the acceptance chance."""


def chance_function(salt: int) -> ChanceFunction:
    """A pure chance per (household, vacancy): NaN (no estimate) for about one pair in
    seven, else a value in [0, 1] (both ends included)."""

    def chances(household_ids: npt.NDArray[np.int64], vacancy_ids: npt.NDArray[np.int64]) -> Any:
        mixed = (household_ids * 7919 + vacancy_ids * 104_729 + salt) % 1009
        return np.where(mixed % 7 == 3, np.nan, mixed / 1008)

    return chances


@given(hh=households(), v=vacancy(), salt=st.integers(0, 10_000))
@SETTINGS
@example(hh=EDGE_HOUSEHOLDS, v=EDGE_VACANCIES[0], salt=0)
def test_rank_households_with_a_chance_matches_reference(
    hh: Households, v: Vacancy, salt: int
) -> None:
    chances = chance_function(salt)
    fast = rank_households(
        hh, v, TOWNS, LIMITS, ACCEPTING, reference_date=REF, limit=len(hh), chances=chances
    )
    slow = reference_rank_households(
        hh, v, TOWNS, LIMITS, ACCEPTING, reference_date=REF, limit=len(hh), chances=chances
    )
    assert fast == slow  # order, totals, components (the chance's included), reasons
    for row in fast.rows:
        assert [c.component for c in row.components][-1] == Component.ACCEPTANCE
        assert round(sum(c.points for c in row.components) * 100) == round(row.total * 100)
        got = explain_pair(
            hh, row.household_id, v, TOWNS, LIMITS, ACCEPTING, reference_date=REF, chances=chances
        )
        assert (got.total, got.components) == (row.total, row.components)


@given(hh=households(max_size=3), vs=st.lists(vacancy(), min_size=1, max_size=12))
@settings(max_examples=60, deadline=None)
def test_rank_vacancies_with_a_chance_matches_reference(hh: Households, vs: list[Vacancy]) -> None:
    table = vacancies_of([Vacancy(**{**v.__dict__, "id": i + 1}) for i, v in enumerate(vs)])
    chances = chance_function(17)
    for i, h in enumerate(hh.rows()):
        kw: dict[str, Any] = {"reference_date": REF, "limit": len(table), "chances": chances}
        fast = rank_vacancies(hh, h.id, table, TOWNS, LIMITS, ACCEPTING, **kw)
        slow = reference_rank_vacancies(hh.row(i), table, TOWNS, LIMITS, ACCEPTING, **kw)
        assert fast == slow


@given(hh=households(max_size=8), v=vacancy())
@settings(max_examples=60, deadline=None)
def test_the_chance_is_asked_only_for_passing_pairs(hh: Households, v: Vacancy) -> None:
    asked: list[int] = []

    def chances(household_ids: npt.NDArray[np.int64], vacancy_ids: npt.NDArray[np.int64]) -> Any:
        assert set(vacancy_ids.tolist()) <= {v.id}
        asked.extend(household_ids.tolist())
        return np.full(len(household_ids), 0.5)

    ranking = rank_households(
        hh, v, TOWNS, LIMITS, ACCEPTING, reference_date=REF, limit=len(hh), chances=chances
    )
    assert sorted(asked) == sorted(r.household_id for r in ranking.rows)
