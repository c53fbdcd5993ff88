"""Monotonicity and fairness properties of the rules and the score."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st
from scoring_factories import (
    POLICY,
    REF,
    household_record,
    households,
    households_from,
    municipalities,
    rent_limits,
    vacancy,
)

from scoring import Households, Vacancy, explain_pair, rank_households

TOWNS = municipalities()
LIMITS = rent_limits()
SETTINGS = settings(max_examples=200, deadline=None)


def verdicts(hh: Households, v: Vacancy) -> dict[int, set[str]]:
    return {
        h: {
            r.code
            for r in explain_pair(hh, h, v, TOWNS, LIMITS, POLICY, reference_date=REF).exclusions
        }
        for h in hh.id.tolist()
    }


@given(hh=households(max_size=8), v=vacancy(), cut=st.integers(1, 30_000))
@SETTINGS
def test_cheaper_vacancy_never_excluded_where_dearer_passes(
    hh: Households, v: Vacancy, cut: int
) -> None:
    cheaper = dataclasses.replace(
        v, net_cold_rent=max(v.net_cold_rent - Decimal(cut) / 100, Decimal(0))
    )
    dear = rank_households(hh, v, TOWNS, LIMITS, POLICY, reference_date=REF, limit=len(hh))
    cheap = rank_households(hh, cheaper, TOWNS, LIMITS, POLICY, reference_date=REF, limit=len(hh))
    assert {r.household_id for r in dear.rows} <= {r.household_id for r in cheap.rows}


URGENCY_ORDER = [
    "none",
    "threatened",
    "inadequate_housing",
    "notice_received",
    "homeless",
    "eviction_scheduled",
]


@given(record=household_record(1), v=vacancy(), data=st.data())
@SETTINGS
def test_more_urgency_never_lowers_the_score(record: dict, v: Vacancy, data: st.DataObject) -> None:
    low = data.draw(st.sampled_from(URGENCY_ORDER))
    high = data.draw(st.sampled_from(URGENCY_ORDER[URGENCY_ORDER.index(low) :]))
    totals = []
    for urgency in (low, high):
        hh = households_from([{**record, "urgency": urgency, "status": "active"}])
        e = explain_pair(hh, 1, v, TOWNS, LIMITS, POLICY, reference_date=REF)
        totals.append(e.total)
    if totals[0] is not None:
        assert totals[1] is not None
        assert totals[1] >= totals[0]


@given(hh=households(max_size=8), v=vacancy())
@SETTINGS
def test_removing_a_hard_preference_never_excludes_more(hh: Households, v: Vacancy) -> None:
    soft = dataclasses.replace(hh, preferences_hard=hh.preferences_hard & False)
    before = verdicts(hh, v)
    after = verdicts(soft, v)
    for hid in before:
        assert after[hid] <= before[hid]


@given(hh=households(max_size=10), v=vacancy(), seed=st.integers(0, 1000))
@settings(max_examples=50, deadline=None)
def test_extra_columns_cannot_change_a_result(hh: Households, v: Vacancy, seed: int) -> None:
    frame = pl.DataFrame(
        [dataclasses.asdict(r) for r in hh.rows()],
        schema_overrides={
            "preferred_ags": pl.List(pl.String),
            "own_max_rent": pl.Float64,
            "max_distance_km": pl.Float64,
            "max_floor_without_lift": pl.Int64,
        },
    )
    frame = frame.with_columns(pl.col("preferred_ags").list.eval(pl.element()))
    base = Households.from_polars(frame)
    names = ["Müller", "Yılmaz", "Nowak", "Okafor"]
    tagged = Households.from_polars(
        frame.with_columns(
            pl.Series("name", [names[(i + seed) % 4] for i in range(frame.height)]),
            pl.Series(
                "nationality",
                [["DE", "TR", "PL", "NG"][(i * seed) % 4] for i in range(frame.height)],
            ),
            pl.Series("gender", [["f", "m", "d"][(i + seed) % 3] for i in range(frame.height)]),
        )
    )
    a = rank_households(base, v, TOWNS, LIMITS, POLICY, reference_date=REF, limit=len(hh))
    b = rank_households(tagged, v, TOWNS, LIMITS, POLICY, reference_date=REF, limit=len(hh))
    assert a == b
    assert not {"name", "nationality", "gender"} & {f.name for f in dataclasses.fields(Households)}


def test_reference_date_is_an_explicit_input() -> None:
    hh = households_from(
        [
            {
                "id": 1,
                "persons": 1,
                "income_basis": "own_income",
                "urgency": "none",
                "registered_at": dt.date(2026, 1, 1),
                "status": "active",
            }
        ]
    )
    v = Vacancy(
        id=1,
        municipality_ags="05770024",
        rooms=1.0,
        living_area=40.0,
        floor=0,
        net_cold_rent=300.0,
        cold_service_charges=50.0,
        available_from=dt.date(2026, 4, 1),
    )
    early = rank_households(hh, v, TOWNS, LIMITS, POLICY, reference_date=dt.date(2026, 1, 2))
    late = rank_households(hh, v, TOWNS, LIMITS, POLICY, reference_date=dt.date(2026, 6, 1))
    assert early.rows[0].total < late.rows[0].total
