"""Validation at the boundary: bad input raises ScoringInputError naming the fields."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import polars as pl
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
    Households,
    Municipalities,
    RentLimits,
    ScoringInputError,
    Vacancies,
    rank_households,
)


def test_vacancy_without_area_or_rent_names_the_fields() -> None:
    v = dataclasses.replace(base_vacancy(), living_area=None, net_cold_rent=float("nan"))
    with pytest.raises(ScoringInputError) as info:
        rank_households(
            households_from([base_household()]),
            v,
            municipalities(),
            rent_limits(),
            POLICY,
            reference_date=REF,
        )
    assert set(info.value.fields) == {"living_area", "net_cold_rent"}
    assert "Wohnfläche fehlt" in str(info.value)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"living_area": 10_000.0}, "living_area"),
        ({"living_area": -5.0}, "living_area"),
        ({"rooms": 0.0}, "rooms"),
        ({"rooms": 25.0}, "rooms"),
        ({"rooms": 2.3}, "rooms"),
        ({"net_cold_rent": -1.0}, "net_cold_rent"),
        ({"cold_service_charges": float("inf")}, "cold_service_charges"),
        ({"heating_costs": -3.0}, "heating_costs"),
        ({"floor": 300}, "floor"),
        ({"pets": "maybe"}, "pets"),
        ({"min_persons": 4, "max_persons": 2}, "max_persons"),
        ({"lat": 52.3, "lon": None}, "lat"),
        ({"municipality_ags": ""}, "municipality_ags"),
    ],
)
def test_absurd_vacancy_values(changes: dict, field: str) -> None:
    with pytest.raises(ScoringInputError) as info:
        Vacancies.from_vacancies([dataclasses.replace(base_vacancy(), **changes)])
    assert field in info.value.fields


def test_unknown_municipality() -> None:
    with pytest.raises(ScoringInputError, match="unbekannte Kommune"):
        rank_households(
            households_from([base_household()]),
            base_vacancy(municipality_ags="01234567"),
            municipalities(),
            rent_limits(),
            POLICY,
            reference_date=REF,
        )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"persons": 40}, "persons"),
        ({"persons": 0}, "persons"),
        ({"persons": None}, "persons"),
        ({"income_basis": "lottery"}, "income_basis"),
        ({"urgency": "panic"}, "urgency"),
        ({"status": "gone"}, "status"),
        ({"own_max_rent": -100.0}, "own_max_rent"),
        ({"max_distance_km": 5000.0}, "max_distance_km"),
        ({"max_floor_without_lift": -2}, "max_floor_without_lift"),
        ({"registered_at": None}, "registered_at"),
    ],
)
def test_bad_household_values(changes: dict, field: str) -> None:
    with pytest.raises(ScoringInputError) as info:
        households_from([base_household(**changes)])
    assert field in info.value.fields


def test_duplicate_ids_and_missing_columns() -> None:
    with pytest.raises(ScoringInputError, match="eindeutig"):
        households_from([base_household(id=1), base_household(id=1)])
    with pytest.raises(ScoringInputError) as info:
        Households.from_polars(pl.DataFrame({"id": [1]}))
    assert "persons" in info.value.fields
    frame = pl.DataFrame(
        [{**base_household(), "registered_at": "01.01.2025"}],
        schema_overrides={"preferred_ags": pl.List(pl.String)},
    )
    with pytest.raises(ScoringInputError, match="Datum"):
        Households.from_polars(frame)


def test_vacancies_from_polars_roundtrip_and_extra_columns() -> None:
    v = base_vacancy(lat=52.3, lon=8.9, heating_costs=None, min_persons=1, max_persons=3)
    frame = pl.DataFrame([{**dataclasses.asdict(v), "description": "schön", "street": "X"}])
    table = Vacancies.from_polars(frame)
    assert table.row(0) == v
    assert table.rows() == [v]


def test_rent_limits_validation() -> None:
    rows = [
        {
            "area": "I",
            "municipalities": "05770024",
            "persons": "1",
            "max_gross_cold_rent": 400.0,
            "valid_from": dt.date(2025, 1, 1),
        }
    ]
    RentLimits.from_polars(pl.DataFrame(rows))
    with pytest.raises(ScoringInputError, match="doppelt"):
        RentLimits.from_polars(pl.DataFrame(rows * 2))
    with pytest.raises(ScoringInputError) as info:
        RentLimits.from_polars(pl.DataFrame([{**rows[0], "max_gross_cold_rent": -1.0}]))
    assert info.value.fields == ("max_gross_cold_rent",)
    with pytest.raises(ScoringInputError, match="valid_from"):
        RentLimits.from_polars(
            pl.DataFrame([{k: v for k, v in rows[0].items() if k != "valid_from"}])
        )


def test_municipalities_from_csv_columns() -> None:
    frame = pl.DataFrame(
        {
            "ags": ["05770024"],
            "name": ["Minden"],
            "lat": [52.29],
            "lon": [8.92],
            "kdu_market_type": ["IV"],
            "population": [83100],
        }
    )
    towns = Municipalities.from_polars(frame)
    assert towns.ags == ("05770024",)
    with pytest.raises(ScoringInputError):
        Municipalities(
            ags=("a", "a"),
            name=("x", "y"),
            lat=np.array([1.0, 2.0]),
            lon=np.array([1.0, 2.0]),
        )
