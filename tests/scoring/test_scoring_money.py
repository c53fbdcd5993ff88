"""Money is exact to the cent: a flat costing exactly the limit or the budget passes, one
cent more is excluded - in the engine, the reference oracle and the sentences."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scoring_factories import (
    MINDEN,
    POLICY,
    REF,
    base_household,
    base_vacancy,
    households_from,
    municipalities,
)

from scoring import Component, RentLimits, Vacancy, explain_pair, rank_households
from scoring.money import NO_AMOUNT, from_cents, to_cents
from scoring.reference import reference_evaluate_pair

TOWNS = municipalities()


def limits_of(cents: int) -> RentLimits:
    """One table, one area holding every town, the same limit for every household size."""
    rows = [
        {
            "table": 1,
            "area": "alle",
            "municipalities": ";".join(TOWNS.ags),
            "persons": str(p),
            "max_gross_cold_rent": float(from_cents(cents)),
            "valid_from": dt.date(2020, 1, 1),
        }
        for p in range(1, 6)
    ]
    return RentLimits.from_polars(pl.DataFrame(rows))


def split(total: int, data: st.DataObject, parts: int) -> list[Decimal]:
    """``total`` cents cut into ``parts`` non-negative amounts that sum exactly to it."""
    cuts = sorted(
        data.draw(st.lists(st.integers(0, total), min_size=parts - 1, max_size=parts - 1))
    )
    bounds = [0, *cuts, total]
    return [from_cents(b - a) for a, b in itertools.pairwise(bounds)]


def flat(amounts: list[Decimal], extra_cents: int) -> Vacancy:
    net = amounts[0] + from_cents(extra_cents)
    heating = amounts[2] if len(amounts) == 3 else None
    return base_vacancy(
        net_cold_rent=net, cold_service_charges=amounts[1], heating_costs=heating, pets="yes"
    )


def verdict(household: dict[str, object], v: Vacancy, limits: RentLimits) -> set[str]:
    """Exclusion codes from the engine, checked against the oracle and the ranking."""
    hh = households_from([household])
    got = explain_pair(hh, 1, v, TOWNS, limits, POLICY, reference_date=REF)
    ref = reference_evaluate_pair(hh.row(0), v, TOWNS, limits, POLICY, reference_date=REF)
    codes = {r.code for r in got.exclusions}
    assert codes == {r.value for r in ref.exclusions}
    ranked = rank_households(hh, v, TOWNS, limits, POLICY, reference_date=REF, limit=1)
    assert bool(ranked.rows) == (not codes)
    return codes


AMOUNTS = st.one_of(
    st.integers(20_000, 150_000).map(lambda c: c - c % 100),  # whole euros
    st.integers(20_000, 150_000),  # with cents
)


@given(budget=AMOUNTS, parts=st.sampled_from([2, 3]), data=st.data())
@settings(max_examples=150, deadline=None)
def test_exactly_the_budget_passes_one_cent_more_is_excluded(
    budget: int, parts: int, data: st.DataObject
) -> None:
    household = base_household(income_basis="own_income", own_max_rent=budget / 100)
    amounts = split(budget, data, parts)
    no_limits = limits_of(500_000)
    assert "RENT_ABOVE_BUDGET" not in verdict(household, flat(amounts, 0), no_limits)
    assert "RENT_ABOVE_BUDGET" in verdict(household, flat(amounts, 1), no_limits)


@given(limit=AMOUNTS, data=st.data())
@settings(max_examples=150, deadline=None)
def test_exactly_the_limit_passes_one_cent_more_is_excluded(
    limit: int, data: st.DataObject
) -> None:
    household = base_household(income_basis="sgb2", persons=2)
    amounts = split(limit, data, 2)
    heating = data.draw(st.integers(0, 30_000))
    limits = limits_of(limit)
    exact = flat([*amounts, from_cents(heating)], 0)  # heating is not part of the KdU limit
    assert "RENT_ABOVE_LIMIT" not in verdict(household, exact, limits)
    assert "RENT_ABOVE_LIMIT" in verdict(household, flat(amounts, 1), limits)


def test_budget_of_500_with_a_flat_of_300_plus_128_83_plus_71_17_passes() -> None:
    household = base_household(income_basis="own_income", own_max_rent=500.0)
    v = flat([Decimal("300.00"), Decimal("128.83"), Decimal("71.17")], 0)
    assert verdict(household, v, limits_of(100_000)) == set()
    hh = households_from([household])
    row = rank_households(hh, v, TOWNS, limits_of(100_000), POLICY, reference_date=REF).rows[0]
    reason = next(c.reason for c in row.components if c.component is Component.AFFORDABILITY)
    assert "Warmmiete 500,00 € liegt genau auf dem eigenen Budget von 500,00 €" in reason
    over = flat([Decimal("300.00"), Decimal("128.83"), Decimal("71.18")], 0)
    sentence = explain_pair(hh, 1, over, TOWNS, limits_of(100_000), POLICY, reference_date=REF)
    assert [r.text for r in sentence.exclusions] == [
        "Warmmiete 500,01 € liegt über dem eigenen Budget von 500,00 €."
    ]


@pytest.mark.parametrize(
    ("value", "cents"),
    [(Decimal("128.83"), 12883), (128.83, 12883), ("71.17", 7117), (500, 50000), (0.1, 10)],
)
def test_amounts_become_exact_cents(value: Decimal | float | str | int, cents: int) -> None:
    assert to_cents(value) == cents


@pytest.mark.parametrize("value", [Decimal("1.005"), float("nan"), "abc", float("inf")])
def test_sub_cent_or_non_numbers_are_refused(value: Decimal | float | str) -> None:
    with pytest.raises(ValueError, match=r"\w"):
        to_cents(value)


def test_engine_tables_hold_integer_cents() -> None:
    v = base_vacancy(net_cold_rent=Decimal("300.00"), heating_costs=None)
    hh = households_from([base_household(own_max_rent=None)])
    assert hh.own_max_rent_cents.tolist() == [NO_AMOUNT]
    assert v.heating_costs is None
    assert MINDEN in TOWNS.ags
