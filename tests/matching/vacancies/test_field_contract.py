"""One contract per field: every value the API accepts, the engine can rank; plausibility is
the same in the API, the forms and the import."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import scoring
from matching import clock
from matching.households.schemas import HouseholdCreate
from matching.vacancies.schemas import VacancyCreate, plausibility_errors
from matching.validation import ValidationFailed, validate
from scoring.fields import HOUSEHOLD_FIELDS, VACANCY_FIELDS, NumberField
from tests.scoring.scoring_factories import (
    MINDEN,
    POLICY,
    households_from,
    municipalities,
    rent_limits,
)

TODAY = clock.today()


def values_of(spec: NumberField, integral: bool = False) -> st.SearchStrategy[Any]:
    """Values inside the contract, boundaries first (what the API must accept)."""
    low = spec.low + (spec.step or 0.01) if spec.low_open else spec.low
    if integral:
        return st.integers(int(low), int(spec.high))
    if spec.step:
        steps = int((spec.high - low) / spec.step)
        return st.integers(0, steps).map(lambda k: low + k * spec.step)
    cents = st.integers(round(low * 100), round(spec.high * 100))
    return st.one_of(st.sampled_from([low, spec.high]), cents.map(lambda c: c / 100))


@st.composite
def api_vacancies(draw: st.DrawFn) -> dict[str, Any]:
    v = VACANCY_FIELDS
    area = draw(values_of(v["living_area"]))
    return {
        "postal_code": "32423",
        "municipality_ags": MINDEN,
        "rooms": draw(values_of(v["rooms"])),
        "living_area": area,
        "floor": draw(values_of(v["floor"], integral=True)),
        "net_cold_rent": draw(values_of(v["net_cold_rent"])),
        "cold_service_charges": draw(values_of(v["cold_service_charges"])),
        "heating_costs": draw(st.none() | values_of(v["heating_costs"])),
        "available_from": (TODAY + dt.timedelta(days=draw(st.integers(-365, 730)))).isoformat(),
        "min_persons": draw(st.none() | st.just(1)) if area >= 10 else None,  # plausible
        "max_persons": draw(st.none() | values_of(v["max_persons"], integral=True)),
        "pets": draw(st.sampled_from(["yes", "no", "on_request"])),
    }


@given(body=api_vacancies())
@settings(max_examples=120, deadline=None)
def test_every_vacancy_the_api_accepts_the_engine_ranks(body: dict[str, Any]) -> None:
    accepted = validate(VacancyCreate, body)  # the API's own validation
    flat = scoring.Vacancy(
        id=1,
        municipality_ags=MINDEN,
        rooms=accepted.rooms,
        living_area=accepted.living_area,
        floor=accepted.floor,
        net_cold_rent=Decimal(str(accepted.net_cold_rent)),
        cold_service_charges=Decimal(str(accepted.cold_service_charges)),
        heating_costs=None
        if accepted.heating_costs is None
        else Decimal(str(accepted.heating_costs)),
        available_from=accepted.available_from,
        pets=str(accepted.pets),
        min_persons=accepted.min_persons,
        max_persons=accepted.max_persons,
    )
    hh = households_from([{"id": 1, **_household()}])
    ranking = scoring.rank_households(
        hh, flat, municipalities(), rent_limits(), POLICY, reference_date=TODAY
    )
    assert ranking.funnel.total == 1


def _household() -> dict[str, Any]:
    return {
        "persons": 1,
        "income_basis": "sgb2",
        "urgency": "none",
        "registered_at": TODAY,
        "status": "active",
    }


@given(
    budget=values_of(HOUSEHOLD_FIELDS["own_max_rent"]),
    floor=values_of(HOUSEHOLD_FIELDS["max_floor_without_lift"], integral=True),
    km=values_of(HOUSEHOLD_FIELDS["max_distance_km"]),
)
@settings(max_examples=80, deadline=None)
def test_every_household_the_api_accepts_the_engine_takes(
    budget: float, floor: int, km: float
) -> None:
    body = {
        "adults": 1,
        "income_basis": "own_income",
        "urgency": "none",
        "own_max_rent": budget,
        "max_floor_without_lift": floor,
        "max_distance_km": km,
    }
    accepted = validate(HouseholdCreate, body)
    households_from(
        [
            {
                "id": 1,
                **_household(),
                "own_max_rent": accepted.own_max_rent,
                "max_floor_without_lift": accepted.max_floor_without_lift,
                "max_distance_km": accepted.max_distance_km,
            }
        ]
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [("net_cold_rent", 50_000.0), ("floor", 41), ("floor", -3), ("rooms", 20.5)],
)
def test_values_the_engine_refuses_are_refused_by_the_api(field: str, value: Any) -> None:
    body = msgspec.to_builtins(
        {
            "postal_code": "32423",
            "rooms": 2,
            "living_area": 55,
            "floor": 1,
            "net_cold_rent": 300,
            "cold_service_charges": 80,
            "available_from": TODAY.isoformat(),
        }
    )
    with pytest.raises(ValidationFailed) as caught:
        validate(VacancyCreate, {**body, field: value})
    assert field in caught.value.as_dict()


def test_a_flat_without_floor_is_refused_naming_the_field() -> None:
    body = {
        "postal_code": "32423",
        "rooms": 2,
        "living_area": 55,
        "net_cold_rent": 300,
        "cold_service_charges": 80,
        "available_from": TODAY.isoformat(),
    }
    with pytest.raises(ValidationFailed) as caught:
        validate(VacancyCreate, body)
    assert "floor" in caught.value.as_dict()


@pytest.mark.parametrize(
    ("available", "rooms", "area", "min_persons", "field"),
    [
        (TODAY + dt.timedelta(days=731), 2, 55, None, "available_from"),
        (TODAY - dt.timedelta(days=366), 2, 55, None, "available_from"),
        (dt.date(2999, 1, 1), 2, 55, None, "available_from"),
        (TODAY, 1, 40, 9, "min_persons"),
        (TODAY, 4, 30, 4, "min_persons"),
    ],
)
def test_implausible_flats_are_refused(
    available: dt.date, rooms: float, area: float, min_persons: int | None, field: str
) -> None:
    errors = plausibility_errors(available, rooms, area, min_persons, TODAY)
    assert [e.field for e in errors] == [field]


def test_plausible_flat_passes() -> None:
    assert plausibility_errors(TODAY + dt.timedelta(days=730), 1, 20, 2, TODAY) == []


def test_persons_order_is_explained_with_the_contract_labels() -> None:
    body = {
        "postal_code": "32423",
        "rooms": 3,
        "living_area": 80,
        "floor": 1,
        "net_cold_rent": 500,
        "cold_service_charges": 100,
        "available_from": TODAY.isoformat(),
        "min_persons": 3,
        "max_persons": 2,
    }
    with pytest.raises(ValidationFailed) as caught:
        validate(VacancyCreate, body)
    message = caught.value.as_dict()["max_persons"]
    assert VACANCY_FIELDS["max_persons"].label in message
    assert VACANCY_FIELDS["min_persons"].label in message
