"""The rulebook: one definition per rule, warning and component, and what iterates over it.

The last tests add a rule and a warning by defining one entry each and show that the engine,
the oracle, the sentences, the funnel and the ranking page pick them up.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from enum import StrEnum

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scoring_factories import (
    POLICY,
    REF,
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
    RULEBOOK,
    Component,
    HardRule,
    Households,
    Rule,
    Rulebook,
    Vacancy,
    WarningCode,
    WarningRule,
    explain_pair,
    rank_households,
    rank_vacancies,
)
from scoring.components import SCORE_COMPONENTS, active_components, score_component
from scoring.explain import ReasonCache, build_funnel, exclusion_reasons, warning_reasons
from scoring.formatting import format_floor, format_number, format_persons
from scoring.inputs import Vacancies
from scoring.masks import full_mask
from scoring.pairs import (
    PairArrays,
    PreferenceIndex,
    VacancyFrame,
    pairs_for_household,
    pairs_for_vacancy,
    with_heating_limit,
)
from scoring.reference import (
    reference_evaluate_pair,
    reference_rank_households,
    reference_rank_vacancies,
)
from scoring.rulebook import require_cover
from scoring.rules import evaluate_rules, evaluate_warnings
from scoring.synthetic import (
    example_municipalities,
    example_rent_limits,
    synthetic_households,
    synthetic_vacancies,
)

TOWNS = municipalities()
LIMITS = rent_limits()

# The funnel labels are shown to counselors and stored nowhere else: changing one is a
# deliberate act, so they are spelt out here.
LABELS = {
    Rule.NOT_ACTIVE: "nicht aktiv",
    Rule.ALREADY_PROPOSED: "bereits vorgeschlagen",
    Rule.DECLINED_BEFORE: "früher abgesagt",
    Rule.HOUSEHOLD_TOO_LARGE: "Haushalt zu groß für die Wohnung",
    Rule.HOUSEHOLD_TOO_SMALL: "Haushalt zu klein für die Wohnung",
    Rule.RENT_LIMIT_UNKNOWN: "keine Angemessenheitsgrenze hinterlegt",
    Rule.RENT_ABOVE_LIMIT: "Miete über Angemessenheitsgrenze",
    Rule.RENT_ABOVE_BUDGET: "Miete über eigenem Budget",
    Rule.WBS_MISSING: "kein gültiger WBS",
    Rule.WBS_SIZE: "WBS-Wohnung zu groß",
    Rule.NOT_BARRIER_FREE: "nicht barrierefrei",
    Rule.NOT_WHEELCHAIR_ACCESSIBLE: "nicht rollstuhlgerecht",
    Rule.FLOOR_NOT_REACHABLE: "Stockwerk nicht erreichbar",
    Rule.PETS_NOT_ALLOWED: "Haustiere nicht erlaubt",
    Rule.OUTSIDE_AREA: "außerhalb des Suchgebiets",
}
COMPONENT_LABELS = {
    Component.URGENCY: "Dringlichkeit",
    Component.WAITING: "Wartezeit",
    Component.SIZE_FIT: "Passende Größe",
    Component.LOCATION: "Lage",
    Component.AFFORDABILITY: "Bezahlbarkeit",
    Component.ACCEPTANCE: "Zusage-Chance",
}


# --- one definition per code ---------------------------------------------------------------


def test_every_rule_code_has_exactly_one_definition_in_display_order() -> None:
    codes = [r.code for r in RULEBOOK.rules]
    assert codes == list(Rule)  # declaration order of the codes = display order
    assert set(Counter(codes).values()) == {1}
    assert [w.code for w in RULEBOOK.warnings] == list(WarningCode)
    assert [c.code for c in SCORE_COMPONENTS] == list(Component)
    for rule in Rule:
        assert RULEBOOK.rule(rule).code is rule
        assert RULEBOOK.rule(rule.value) is RULEBOOK.rule(rule)  # stored codes are strings


def test_labels_are_the_german_ones_and_unique() -> None:
    assert {r.code: r.label for r in RULEBOOK.rules} == LABELS
    assert {c.code: c.label for c in SCORE_COMPONENTS} == COMPONENT_LABELS
    assert len(set(LABELS.values())) == len(LABELS)
    assert {rule: rule.label for rule in Rule} == LABELS  # Rule.label reads the rulebook
    assert {c: c.label for c in Component} == COMPONENT_LABELS
    assert all(score_component(c).label == c.label for c in Component)


def test_the_funnel_follows_the_rulebook() -> None:
    funnel = build_funnel("Haushalte", 5, 3, {Rule.RENT_ABOVE_LIMIT: 2})
    assert [(s.rule, s.label) for s in funnel.steps] == list(LABELS.items())
    assert (
        funnel.summary()
        == "2 Haushalte ausgeschlossen: 2 Miete über Angemessenheitsgrenze; 3 passen"
    )


def test_overridable_is_part_of_each_definition() -> None:
    impossible = {r.code for r in RULEBOOK.rules if not r.overridable}
    assert impossible == {Rule.ALREADY_PROPOSED, Rule.NOT_ACTIVE}
    for rule in RULEBOOK.rules:
        assert RULEBOOK.overridable(rule.code.value) is rule.overridable
    assert not RULEBOOK.overridable("NO_SUCH_RULE")  # fail closed


def test_a_code_defined_twice_or_missing_is_refused() -> None:
    first = RULEBOOK.rules[0]
    with pytest.raises(ValueError, match="NOT_ACTIVE is defined twice"):
        Rulebook(rules=(first, first), warnings=())
    with pytest.raises(RuntimeError, match=r"missing \['ALREADY_PROPOSED'"):
        require_cover(
            [r.code for r in RULEBOOK.rules if r.code != Rule.ALREADY_PROPOSED], Rule, "x"
        )
    swapped = [Rule.ALREADY_PROPOSED, Rule.NOT_ACTIVE, *list(Rule)[2:]]
    with pytest.raises(RuntimeError, match="out of order"):
        require_cover(swapped, Rule, "hard rules")


def test_definitions_refuse_unknown_pair_columns() -> None:
    urgency = SCORE_COMPONENTS[0]
    with pytest.raises(ValueError, match="no_such_column"):
        dataclasses.replace(urgency, reads=frozenset({"urgency", "no_such_column"}))
    with pytest.raises(ValueError, match="no_such_column"):
        dataclasses.replace(RULEBOOK.warnings[0], reads=frozenset({"no_such_column"}))


# --- declared columns are enough, and a missing one fails loudly --------------------------


def _both_orientations() -> list[PairArrays]:
    """Pairs of one vacancy × households and of one household × vacancies (synthetic)."""
    towns, limits = example_municipalities(), example_rent_limits()
    hh = Households.from_polars(synthetic_households(3_000, seed=3, reference_date=REF))
    vs = Vacancies.from_polars(synthetic_vacancies(400, seed=4, reference_date=REF))
    frame = VacancyFrame.build(vs, towns, limits)
    prefs = PreferenceIndex.build(hh, towns)
    no = np.False_
    return [
        with_heating_limit(pairs_for_vacancy(hh, vs, 5, frame, prefs, no, no), frame),
        with_heating_limit(pairs_for_household(hh, 11, vs, frame, prefs, no, no), frame),
    ]


def test_each_component_and_warning_reads_only_its_declared_columns() -> None:
    day = (REF - dt.date(1970, 1, 1)).days
    for pairs in _both_orientations():
        index = np.arange(0, pairs.size, 7)
        for c in SCORE_COMPONENTS:
            full = np.broadcast_to(c.value(pairs, POLICY, day), (pairs.size,))[index]
            part = c.value(pairs.take(index, c.reads), POLICY, day)
            np.testing.assert_array_equal(np.broadcast_to(part, index.shape), full, c.code)
        for w in RULEBOOK.warnings:
            subset = pairs.take(index, w.reads)
            want_mask = evaluate_warnings(pairs)[w.code][index]
            with np.errstate(invalid="ignore"):
                got_mask = full_mask(w.check(subset), len(index))
            np.testing.assert_array_equal(got_mask, want_mask, w.code)
            for got, want in zip(w.columns(subset), w.columns(pairs), strict=True):
                want = np.broadcast_to(want, (pairs.size,))[index]
                np.testing.assert_array_equal(np.broadcast_to(got, index.shape), want)


def test_an_undeclared_column_fails_loudly() -> None:
    size_fit = score_component(Component.SIZE_FIT)
    forgetful = dataclasses.replace(size_fit, reads=frozenset({"persons", "living_area"}))
    pairs = _both_orientations()[1]  # one household: the vacancies' rooms are an array
    with pytest.raises(RuntimeError, match="'rooms' was not gathered"):
        forgetful.value(pairs.take(np.arange(3), forgetful.reads), POLICY, 0)


def test_a_component_without_a_reason_key_fails_loudly() -> None:
    assert len(active_components(POLICY)) == 5  # the chance is left out at weight 0
    keys = tuple(("#w", i) for i in range(len(active_components(POLICY)) - 1))
    with pytest.raises(ValueError, match="4 reason keys for 5 components"):
        ReasonCache(POLICY).component_rows(keys, [0.5] * 5, [10] * 5, lambda row: None, 0)


# --- adding a rule and a warning is one definition each -----------------------------------


class Extra(StrEnum):
    """Codes of the definitions the tests add (not part of the public contract)."""

    TOO_FEW_ROOMS = "TOO_FEW_ROOMS"
    HIGH_FLOOR_NO_LIFT = "HIGH_FLOOR_NO_LIFT"


TOO_FEW_ROOMS = HardRule(
    Extra.TOO_FEW_ROOMS,
    "zu wenige Zimmer",
    check=lambda p: p.rooms + 1 < p.persons,
    oracle=lambda f, proposed, declined: f.vacancy.rooms + 1 < f.household.persons,
    sentence=lambda f: (
        f"{format_number(f.vacancy.rooms, 1, trim=True)} Zimmer sind für "
        f"{format_persons(f.household.persons)} zu wenige."
    ),
)
HIGH_FLOOR_NO_LIFT = WarningRule(
    Extra.HIGH_FLOOR_NO_LIFT,
    check=lambda p: (p.floor >= 3) & ~p.lift,
    oracle=lambda f: f.vacancy.floor >= 3 and not f.vacancy.lift,
    text=lambda floor: f"Die Wohnung liegt im {format_floor(floor)} und hat keinen Aufzug.",
    numbers=lambda f: (f.vacancy.floor,),
    columns=lambda p: (p.floor,),
    reads=frozenset({"floor", "lift"}),
)
EXTENDED = Rulebook(
    rules=(*RULEBOOK.rules, TOO_FEW_ROOMS),
    warnings=(*RULEBOOK.warnings, HIGH_FLOOR_NO_LIFT),
)
FAMILY = households_from([base_household(id=1, persons=4), base_household(id=2, persons=2)])
SMALL_HIGH = base_vacancy(rooms=2.0, living_area=70.0, floor=4, lift=False)


def test_an_added_rule_excludes_explains_and_counts() -> None:
    pairs = pairs_for_vacancy(
        FAMILY,
        Vacancies.from_vacancies([SMALL_HIGH]),
        0,
        VacancyFrame.build(Vacancies.from_vacancies([SMALL_HIGH]), TOWNS, LIMITS),
        PreferenceIndex.build(FAMILY, TOWNS),
        np.False_,
        np.False_,
    )
    masks = evaluate_rules(pairs, EXTENDED)
    assert list(masks) == [*Rule, Extra.TOO_FEW_ROOMS]
    assert masks[Extra.TOO_FEW_ROOMS].tolist() == [True, False]
    assert Extra.TOO_FEW_ROOMS not in evaluate_rules(pairs)  # the shipped rulebook is unchanged

    why = explain_pair(
        FAMILY, 1, SMALL_HIGH, TOWNS, LIMITS, POLICY, reference_date=REF, rulebook=EXTENDED
    )
    assert not why.eligible
    assert [(r.code, r.text) for r in why.exclusions] == [
        ("TOO_FEW_ROOMS", "2 Zimmer sind für 4 Personen zu wenige.")
    ]
    assert [r.code for r in why.warnings] == ["HIGH_FLOOR_NO_LIFT"]
    slow = reference_evaluate_pair(
        FAMILY.row(0), SMALL_HIGH, TOWNS, LIMITS, POLICY, reference_date=REF, rulebook=EXTENDED
    )
    assert slow.exclusions == (Extra.TOO_FEW_ROOMS,)
    assert exclusion_reasons(list(slow.exclusions), slow.facts, EXTENDED) == why.exclusions
    assert warning_reasons(list(slow.warnings), slow.facts, EXTENDED) == why.warnings

    ranking = rank_households(
        FAMILY, SMALL_HIGH, TOWNS, LIMITS, POLICY, reference_date=REF, rulebook=EXTENDED
    )
    assert [r.household_id for r in ranking.rows] == [2]
    assert ranking.funnel.steps[-1].label == "zu wenige Zimmer"
    assert ranking.funnel.counts()["TOO_FEW_ROOMS"] == 1
    assert ranking.funnel.summary() == "1 Haushalt ausgeschlossen: 1 zu wenige Zimmer; 1 passt"
    assert [w.text for w in ranking.rows[0].warnings] == [
        "Die Wohnung liegt im 4. Obergeschoss und hat keinen Aufzug."
    ]
    shipped = rank_households(FAMILY, SMALL_HIGH, TOWNS, LIMITS, POLICY, reference_date=REF)
    assert {r.household_id for r in shipped.rows} == {1, 2}


def test_an_added_rule_may_be_declared_not_overridable() -> None:
    strict = dataclasses.replace(TOO_FEW_ROOMS, overridable=False)
    book = Rulebook(rules=(*RULEBOOK.rules, strict), warnings=RULEBOOK.warnings)
    assert not book.overridable("TOO_FEW_ROOMS")
    assert EXTENDED.overridable("TOO_FEW_ROOMS")


@given(hh=households(), v=vacancy())
@settings(max_examples=80, deadline=None)
def test_engine_and_oracle_agree_with_the_added_definitions(hh: Households, v: Vacancy) -> None:
    kw = {"reference_date": REF, "limit": len(hh), "rulebook": EXTENDED}
    fast = rank_households(hh, v, TOWNS, LIMITS, POLICY, **kw)
    slow = reference_rank_households(hh, v, TOWNS, LIMITS, POLICY, **kw)
    assert fast == slow
    assert len(fast.funnel.steps) == len(Rule) + 1
    for h in hh.rows():
        got = explain_pair(
            hh, h.id, v, TOWNS, LIMITS, POLICY, reference_date=REF, rulebook=EXTENDED
        )
        ref = reference_evaluate_pair(
            h, v, TOWNS, LIMITS, POLICY, reference_date=REF, rulebook=EXTENDED
        )
        assert got.exclusions == exclusion_reasons(list(ref.exclusions), ref.facts, EXTENDED)
        assert got.warnings == warning_reasons(list(ref.warnings), ref.facts, EXTENDED)


@given(hh=households(max_size=3), vs=st.lists(vacancy(), min_size=1, max_size=10))
@settings(max_examples=40, deadline=None)
def test_vacancy_rankings_agree_with_the_added_definitions(
    hh: Households, vs: list[Vacancy]
) -> None:
    table = vacancies_of([Vacancy(**{**v.__dict__, "id": i + 1}) for i, v in enumerate(vs)])
    for i, h in enumerate(hh.rows()):
        kw = {"reference_date": REF, "limit": len(table), "rulebook": EXTENDED}
        fast = rank_vacancies(hh, h.id, table, TOWNS, LIMITS, POLICY, **kw)
        slow = reference_rank_vacancies(hh.row(i), table, TOWNS, LIMITS, POLICY, **kw)
        assert fast == slow
