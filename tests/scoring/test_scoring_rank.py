"""Ranking order, pagination, funnel counts, explanations and the block form."""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from scoring_factories import (
    POLICY,
    REF,
    base_household,
    base_vacancy,
    households_from,
    municipalities,
    rent_limits,
)

from scoring import (
    Component,
    Households,
    Rule,
    ScoringInputError,
    Vacancies,
    explain_pair,
    rank_households,
    rank_vacancies,
    score_matrix,
)
from scoring.components import F64, I64
from scoring.policy import load_policy, parse_policy
from scoring.synthetic import synthetic_households, synthetic_vacancies

TOWNS = municipalities()
LIMITS = rent_limits()
POLICY_TOML = Path(__file__).resolve().parents[2] / "scoring" / "policies" / "dringlichkeit.toml"


def twins() -> Households:
    """Households identical in score; only the tie-break keys differ."""
    return households_from(
        [
            base_household(id=30, urgency="threatened", registered_at=dt.date(2025, 6, 1)),
            base_household(id=10, urgency="threatened", registered_at=dt.date(2025, 6, 1)),
            base_household(id=20, urgency="threatened", registered_at=dt.date(2025, 5, 1)),
            base_household(id=40, urgency="inadequate_housing", registered_at=dt.date(2025, 6, 1)),
            base_household(id=50, urgency="threatened", registered_at=dt.date(2025, 6, 1)),
        ]
    )


def test_tie_break_is_total_then_urgency_then_registration_then_id() -> None:
    hh = twins()
    # a policy without urgency/waiting weight makes all totals equal
    policy = POLICY.__class__(
        **{
            **POLICY.__dict__,
            "weights": POLICY.weights.__class__(
                urgency=0, waiting=0, size_fit=40, location=30, affordability=30
            ),
        }
    )
    r = rank_households(hh, base_vacancy(), TOWNS, LIMITS, policy, reference_date=REF)
    assert len({row.total for row in r.rows}) == 1
    assert [row.household_id for row in r.rows] == [40, 20, 10, 30, 50]
    # pages of the same ranking, also when the page boundary cuts a tie
    for limit in (1, 2, 3):
        pages = [
            rank_households(
                hh,
                base_vacancy(),
                TOWNS,
                LIMITS,
                policy,
                reference_date=REF,
                limit=limit,
                offset=offset,
            ).rows
            for offset in range(0, 5, limit)
        ]
        flat = [row for page in pages for row in page]
        assert [row.household_id for row in flat] == [40, 20, 10, 30, 50]
        assert [row.rank for row in flat] == [1, 2, 3, 4, 5]


def test_large_ranking_is_deterministic_and_sorted() -> None:
    hh = Households.from_polars(synthetic_households(5000, seed=3, reference_date=REF))
    v = base_vacancy(net_cold_rent=350.0, wbs_required=False)
    full = rank_households(hh, v, TOWNS, LIMITS, POLICY, reference_date=REF, limit=5000)
    top = rank_households(hh, v, TOWNS, LIMITS, POLICY, reference_date=REF, limit=50)
    page = rank_households(hh, v, TOWNS, LIMITS, POLICY, reference_date=REF, limit=50, offset=50)
    assert top.rows == full.rows[:50]
    assert page.rows == full.rows[50:100]
    totals = [row.total for row in full.rows]
    assert totals == sorted(totals, reverse=True)
    assert full.eligible_count == len(full.rows)


def test_funnel_counts_every_failed_rule() -> None:
    hh = households_from(
        [
            base_household(id=1),  # passes
            base_household(id=2, status="paused"),  # NOT_ACTIVE
            base_household(id=3, persons=7, has_pets=True),  # too large + pets
            base_household(id=4, needs_wheelchair=True),  # not wheelchair accessible
            base_household(id=5),  # already proposed
            base_household(id=6),  # declined before
        ]
    )
    v = base_vacancy(pets="no", living_area=60.0)
    r = rank_households(
        hh, v, TOWNS, LIMITS, POLICY, reference_date=REF, proposed_ids=[5], declined_ids=[6]
    )
    counts = r.funnel.counts()
    assert counts[Rule.NOT_ACTIVE] == 1
    assert counts[Rule.HOUSEHOLD_TOO_LARGE] == 1
    assert counts[Rule.PETS_NOT_ALLOWED] == 1
    assert counts[Rule.NOT_WHEELCHAIR_ACCESSIBLE] == 1
    assert counts[Rule.ALREADY_PROPOSED] == 1
    assert counts[Rule.DECLINED_BEFORE] == 1
    assert r.funnel.eligible == r.eligible_count == 1
    assert r.funnel.total == 6
    assert r.funnel.summary().startswith("5 Haushalte ausgeschlossen: ")
    assert r.funnel.summary().endswith("1 passt")
    assert r.policy_name == "dringlichkeit"
    assert r.policy_version == POLICY.version


def test_explanation_of_an_eligible_pair() -> None:
    hh = households_from(
        [
            base_household(
                urgency="eviction_scheduled",
                eviction_date=dt.date(2026, 3, 21),
                has_pets=True,
                preferred_ags=["05770024"],
            )
        ]
    )
    v = base_vacancy(pets="on_request", heating_costs=120.0)
    e = explain_pair(hh, 1, v, TOWNS, LIMITS, POLICY, reference_date=REF)
    assert e.eligible
    assert e.total is not None
    assert round(sum(c.points for c in e.components), 2) == e.total
    reasons = {c.component.value: c.reason for c in e.components}
    assert reasons["urgency"] == "Räumungstermin am 21.03.2026 (in 20 Tagen)"
    assert reasons["location"] == "Liegt in der gewünschten Kommune Minden"
    assert "genau auf der Angemessenheitsgrenze von 478,00 €" in reasons["affordability"]
    assert [w.code for w in e.warnings] == ["HEATING_ABOVE_LIMIT", "PETS_ON_REQUEST"]
    assert e.warnings[0].text.startswith(
        "Heizkosten 120,00 € liegen über dem Richtwert von 100,00 € für 2 Personen"
    )


def test_explanation_of_an_excluded_pair_lists_all_rules() -> None:
    hh = households_from(
        [
            base_household(
                needs_ground_floor=True,
                needs_barrier_free=True,
                preferred_ags=["05770012"],
                preferences_hard=True,
            )
        ]
    )
    v = base_vacancy(floor=3, net_cold_rent=500.0, wbs_required=True)
    e = explain_pair(hh, 1, v, TOWNS, LIMITS, POLICY, reference_date=REF)
    assert [r.code for r in e.exclusions] == [
        "RENT_ABOVE_LIMIT",
        "WBS_MISSING",
        "NOT_BARRIER_FREE",
        "FLOOR_NOT_REACHABLE",
        "OUTSIDE_AREA",
    ]
    texts = [r.text for r in e.exclusions]
    assert texts[3] == (
        "Der Haushalt braucht eine Wohnung im Erdgeschoss; diese liegt im 3. Obergeschoss."
    )
    assert texts[4] == "Minden gehört nicht zu den gewünschten Kommunen (Hille)."
    assert e.components == ()
    assert e.total is None


def test_rank_vacancies_and_block_form_agree() -> None:
    hh = Households.from_polars(synthetic_households(300, seed=5, reference_date=REF))
    vs = vacancies_frame(40)
    m = score_matrix(hh, vs, TOWNS, LIMITS, POLICY, reference_date=REF)
    assert m.scores.shape == (40, 300)
    for i in (0, 17, 123):
        hid = int(hh.id[i])
        r = rank_vacancies(hh, hid, vs, TOWNS, LIMITS, POLICY, reference_date=REF, limit=40)
        col = m.scores[:, i]
        assert r.eligible_count == int(np.isfinite(col).sum())
        for row in r.rows:
            assert col[vs.index_of(row.vacancy_id)] == row.total
        assert r.funnel.unit == "Wohnungen"


def vacancies_frame(m: int) -> Vacancies:
    return Vacancies.from_polars(synthetic_vacancies(m, seed=9, reference_date=REF))


def test_bad_page_and_unknown_household() -> None:
    hh = twins()
    with pytest.raises(ScoringInputError) as info:
        rank_households(
            hh, base_vacancy(), TOWNS, LIMITS, POLICY, reference_date=REF, limit=-1, offset=-2
        )
    assert info.value.fields == ("limit", "offset")
    with pytest.raises(ScoringInputError, match="household_id"):
        explain_pair(hh, 999, base_vacancy(), TOWNS, LIMITS, POLICY, reference_date=REF)


def test_policy_by_name_changes_the_order_and_is_recorded() -> None:
    hh = Households.from_polars(synthetic_households(2000, seed=4, reference_date=REF))
    v = base_vacancy(net_cold_rent=300.0)
    a = rank_households(hh, v, TOWNS, LIMITS, "dringlichkeit", reference_date=REF)
    b = rank_households(hh, v, TOWNS, LIMITS, "wartezeit", reference_date=REF)
    assert (a.policy_name, b.policy_name) == ("dringlichkeit", "wartezeit")
    assert [r.household_id for r in a.rows] != [r.household_id for r in b.rows]


def test_an_explicit_zero_acceptance_weight_keeps_the_order() -> None:
    hh = Households.from_polars(synthetic_households(2000, seed=5, reference_date=REF))
    v = base_vacancy(net_cold_rent=300.0)
    shipped = load_policy("dringlichkeit")
    data = tomllib.loads(POLICY_TOML.read_text("utf-8"))
    zero = parse_policy({**data, "weights": {**data["weights"], "acceptance": 0}})
    assert zero == shipped
    a = rank_households(hh, v, TOWNS, LIMITS, shipped, reference_date=REF, limit=2000)
    b = rank_households(hh, v, TOWNS, LIMITS, zero, reference_date=REF, limit=2000)
    assert [r.household_id for r in a.rows] == [r.household_id for r in b.rows]
    assert [r.total for r in a.rows] == [r.total for r in b.rows]


ACCEPTING = replace(POLICY, weights=replace(POLICY.weights, urgency=20.0, acceptance=15.0))


def by_household(chance: dict[int, float]) -> Callable[[I64, I64], F64]:
    """Chances by household id (NaN for the others), whatever the vacancy."""
    return lambda hids, vids: np.array([chance.get(h, np.nan) for h in hids.tolist()])


def test_a_weighted_chance_moves_the_likelier_household_up() -> None:
    hh, v = twins(), base_vacancy()
    plain = rank_households(hh, v, TOWNS, LIMITS, ACCEPTING, reference_date=REF)
    assert [r.household_id for r in plain.rows] == [40, 20, 10, 30, 50]  # all neutral: ties
    chances = by_household({50: 0.9, 10: 0.2})
    ranked = rank_households(hh, v, TOWNS, LIMITS, ACCEPTING, reference_date=REF, chances=chances)
    assert [r.household_id for r in ranked.rows] == [50, 40, 20, 30, 10]
    first, last = ranked.rows[0], ranked.rows[-1]
    before = {r.household_id: r.total for r in plain.rows}
    after = {r.household_id: r.total for r in ranked.rows}
    assert after[50] - before[50] == pytest.approx(0.4 * 15)  # 0.9 instead of 0.5, 15 points
    assert after[10] - before[10] == pytest.approx(-0.3 * 15)
    assert after[40] == before[40]
    for row in ranked.rows:
        assert round(sum(c.points for c in row.components) * 100) == round(row.total * 100)
    chance = {c.component: c for c in first.components}[Component.ACCEPTANCE]
    assert (chance.label, chance.weight, chance.value, chance.points) == (
        "Zusage-Chance",
        15.0,
        0.9,
        13.5,
    )
    assert chance.reason == "Geschätzte Zusage-Chance des Vermieters: 90 %"
    neutral = {c.component: c for c in ranked.rows[1].components}[Component.ACCEPTANCE]
    assert (neutral.value, neutral.points) == (0.5, 7.5)
    assert neutral.reason.startswith("Keine Schätzung der Zusage-Chance")
    assert {c.component: c for c in last.components}[Component.ACCEPTANCE].points == 3.0


def test_without_a_weight_the_chance_is_never_asked_and_never_shown() -> None:
    def refuse(hids: I64, vids: I64) -> F64:
        raise AssertionError("asked for a chance the policy does not weigh")

    hh, v = twins(), base_vacancy()
    before = rank_households(hh, v, TOWNS, LIMITS, POLICY, reference_date=REF)
    after = rank_households(hh, v, TOWNS, LIMITS, POLICY, reference_date=REF, chances=refuse)
    assert after == before
    assert all(Component.ACCEPTANCE not in {c.component for c in r.components} for r in after.rows)
    pair = explain_pair(hh, 10, v, TOWNS, LIMITS, POLICY, reference_date=REF, chances=refuse)
    assert [c.component for c in pair.components] == list(Component)[:-1]


@pytest.mark.parametrize("bad", [[1.5], [-0.1], [0.5, 0.5]])
def test_a_chance_outside_zero_to_one_is_refused(bad: list[float]) -> None:
    hh = households_from([base_household(id=1)])
    with pytest.raises(ValueError, match="chances"):
        rank_households(
            hh,
            base_vacancy(),
            TOWNS,
            LIMITS,
            ACCEPTING,
            reference_date=REF,
            chances=lambda hids, vids: np.array(bad),
        )
