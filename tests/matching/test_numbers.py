"""German number input: one strict parser for forms and files; never 1,20 € for "1.200"."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from matching.households.schemas import HouseholdCreate
from matching.intake.values import Invalid, parse_decimal
from matching.numbers import NumberRefused, parse_german_decimal, parse_money
from matching.vacancies.schemas import VacancyCreate
from matching.validation import ValidationFailed, validate


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("1.200", "1200"),
        ("1.200,00", "1200.00"),
        ("1200,5", "1200.5"),
        ("1200", "1200"),
        ("84.5", "84.5"),
        ("128,83 €", "128.83"),
        ("1.234.567,89", "1234567.89"),
        ("1,234.50", "1234.50"),
        ("", None),
    ],
)
def test_german_numbers(raw: str, value: str | None) -> None:
    assert parse_german_decimal(raw) == (None if value is None else Decimal(value))


@pytest.mark.parametrize("raw", ["1.20.0", "1.2345", "1,2,3", "12.34.5", "540,-", "abc", "1e5"])
def test_ambiguous_or_broken_numbers_are_refused(raw: str) -> None:
    with pytest.raises(NumberRefused):
        parse_german_decimal(raw)


def test_money_has_at_most_two_decimals() -> None:
    assert parse_money("1.200,50") == Decimal("1200.50")
    with pytest.raises(NumberRefused, match="zwei Nachkommastellen"):
        parse_money("12,345")


def test_the_import_uses_the_same_parser() -> None:
    assert parse_decimal("1.200", "german") == 1200.0
    assert isinstance(parse_decimal("1.20.0", "german"), Invalid)


VACANCY_FORM: dict[str, Any] = {
    "postal_code": "32423",
    "rooms": "2",
    "living_area": "55,5",
    "floor": "1",
    "net_cold_rent": "300",
    "cold_service_charges": "1.200",
    "available_from": "2026-12-15",
}


@pytest.mark.parametrize(
    ("typed", "stored"), [("1.200", 1200.0), ("1.200,00", 1200.0), ("1200,5", 1200.5)]
)
def test_form_reads_german_amounts(typed: str, stored: float) -> None:
    vacancy = validate(
        VacancyCreate, {**VACANCY_FORM, "cold_service_charges": typed}, from_form=True
    )
    assert vacancy.cold_service_charges == stored
    assert vacancy.living_area == 55.5


def test_form_refuses_an_ambiguous_amount_naming_the_field() -> None:
    with pytest.raises(ValidationFailed) as caught:
        validate(VacancyCreate, {**VACANCY_FORM, "net_cold_rent": "1.20.0"}, from_form=True)
    assert caught.value.as_dict().keys() == {"net_cold_rent"}
    assert "mehrdeutig" in caught.value.as_dict()["net_cold_rent"]


def test_sub_cent_amounts_are_refused_in_forms_and_json() -> None:
    with pytest.raises(ValidationFailed) as caught:
        validate(VacancyCreate, {**VACANCY_FORM, "net_cold_rent": "300,005"}, from_form=True)
    assert "net_cold_rent" in caught.value.as_dict()
    body = {"adults": 1, "income_basis": "own_income", "urgency": "none", "own_max_rent": 500.005}
    with pytest.raises(ValidationFailed) as caught:
        validate(HouseholdCreate, body)
    assert "own_max_rent" in caught.value.as_dict()
