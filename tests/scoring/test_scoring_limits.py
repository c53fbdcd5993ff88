"""Rent-limit tables in the engine: per-table town grouping, gaps, precedence, exact cents."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pytest
from scoring_factories import POLICY, base_household, base_vacancy, households_from

from scoring import (
    AreaLimits,
    Municipalities,
    RentLimits,
    RentLimitTable,
    Rule,
    ScoringInputError,
    explain_pair,
)
from scoring.inputs import day_number
from scoring.limits import NO_AMOUNT, limit_matrix, to_cents
from scoring.reference import reference_rent_limit
from scoring.synthetic import example_municipalities

MINDEN, HUELLHORST = "05770024", "05770016"
TOWNS: Municipalities = example_municipalities()
T2013 = RentLimitTable(
    id=1,
    valid_from=dt.date(2013, 1, 1),
    valid_to=dt.date(2016, 12, 31),
    areas=(
        AreaLimits("1", (MINDEN,), (33700, 40100, 46800, 54300, 61700), 6000),
        AreaLimits("2", (HUELLHORST,), (32600, 40500, 46300, 56100, 59600), 6000),
    ),
)
T2025 = RentLimitTable(
    id=2,
    valid_from=dt.date(2025, 1, 1),
    valid_to=None,
    areas=(
        AreaLimits("III", (HUELLHORST,), (40500, 48000), 8500, (4000, 8000), 4000),
        AreaLimits("IV", (MINDEN,), (44500, 53000), None),
    ),
    is_example=True,
)
LIMITS = RentLimits((T2013, T2025))


def test_lookup_uses_the_grouping_of_the_table_valid_on_the_day() -> None:
    minden = LIMITS.lookup(MINDEN, dt.date(2014, 6, 1), 2)
    assert minden is not None and minden.gross_cold == 40100 and not minden.is_example
    huellhorst = LIMITS.lookup(HUELLHORST, dt.date(2014, 6, 1), 2)
    assert huellhorst is not None and huellhorst.gross_cold == 40500
    assert huellhorst.valid_from == dt.date(2013, 1, 1)
    # 7 persons in 2014: 5-person amount plus 2 × 60 €
    seven = LIMITS.lookup(MINDEN, dt.date(2016, 12, 31), 7)
    assert seven is not None and seven.gross_cold == 61700 + 2 * 6000
    # a gap (2017-2024), no increment in area IV, an unknown town
    assert LIMITS.lookup(MINDEN, dt.date(2020, 1, 1), 2) is None
    assert LIMITS.lookup(MINDEN, dt.date(2026, 1, 1), 3) is None
    assert LIMITS.lookup("05770099", dt.date(2014, 1, 1), 1) is None
    heating = LIMITS.lookup(HUELLHORST, dt.date(2026, 1, 1), 4)
    assert heating is not None and (heating.gross_cold, heating.heating) == (65000, 16000)


def test_official_table_wins_over_an_overlapping_example_table() -> None:
    official = dataclasses.replace(T2013, id=3, valid_from=dt.date(2026, 1, 1), valid_to=None)
    limits = RentLimits((T2013, T2025, official))
    assert limits.table_on(dt.date(2025, 6, 1)) is T2025
    assert limits.table_on(dt.date(2026, 6, 1)) is official


def test_vectorised_lookup_and_oracle_agree() -> None:
    days = [dt.date(2014, 1, 1), dt.date(2020, 1, 1), dt.date(2026, 1, 1), dt.date(2012, 1, 1)]
    for ags in (MINDEN, HUELLHORST, "05770099"):
        gross, heating, _ = limit_matrix(
            LIMITS, [ags] * len(days), np.array([day_number(d) for d in days])
        )
        for k, day in enumerate(days):
            for persons in range(1, 9):
                expected, expected_heating, _ = reference_rent_limit(LIMITS, ags, day, persons)
                assert gross[k, persons] == (NO_AMOUNT if expected is None else expected)
                assert heating[k, persons] == (
                    NO_AMOUNT if expected_heating is None else expected_heating
                )


@pytest.mark.parametrize(("rent", "excluded"), [(301.0, False), (301.01, True)])
def test_limit_comparison_is_exact_to_the_cent(rent: float, excluded: bool) -> None:
    household = households_from([base_household(registered_at=dt.date(2013, 6, 1))])
    vacancy = base_vacancy(
        net_cold_rent=rent, cold_service_charges=100.0, available_from=dt.date(2014, 3, 1)
    )
    result = explain_pair(
        household,
        int(household.id[0]),
        vacancy,
        TOWNS,
        LIMITS,
        POLICY,
        reference_date=dt.date(2014, 2, 1),
    )
    assert (Rule.RENT_ABOVE_LIMIT.value in {e.code for e in result.exclusions}) is excluded


def test_invalid_tables_are_refused() -> None:
    with pytest.raises(ScoringInputError, match="gültig bis"):
        RentLimits((dataclasses.replace(T2013, valid_to=dt.date(2012, 1, 1)),))
    with pytest.raises(ScoringInputError, match="mehreren Gebieten"):
        RentLimits(
            (
                dataclasses.replace(
                    T2013, areas=(T2013.areas[0], dataclasses.replace(T2013.areas[0], name="x"))
                ),
            )
        )


def test_to_cents_is_exact_or_refuses() -> None:
    assert to_cents(401.01) == 40101
    assert to_cents("0.1") == 10
    assert to_cents(None) is None
    with pytest.raises(ValueError):
        to_cents("1.001")
    with pytest.raises(ValueError):
        to_cents("abc")
