"""German number input: one strict parser for forms and files; never 1,20 € for "1.200"."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from matching.households.schemas import HouseholdCreate
from matching.intake.values import Invalid, parse_decimal
from matching.numbers import (
    NumberRefused,
    format_german_decimal,
    parse_german_decimal,
    parse_money,
    plain_int,
)
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


@pytest.mark.parametrize(
    ("value", "places", "text"),
    [
        (Decimal("1200.5"), 2, "1.200,50"),
        (Decimal("1200.50"), None, "1.200,5"),
        (Decimal("54.50"), None, "54,5"),
        (Decimal("3.0"), None, "3"),
        (54.5, None, "54,5"),
        (389.5, 2, "389,50"),
        (20000, 2, "20.000,00"),
        (Decimal("0.125"), 2, "0,125"),  # places pad, never round
        (Decimal("-1200.5"), 2, "-1.200,50"),
        (-0.0, None, "0"),
    ],
)
def test_numbers_are_written_the_german_way(value: Any, places: int | None, text: str) -> None:
    assert format_german_decimal(value, places) == text


@given(
    cents=st.integers(-(10**12), 10**12),
    places=st.sampled_from([None, 2]),
)
def test_what_is_written_is_read_back_unchanged(cents: int, places: int | None) -> None:
    """The edit forms' round trip: the parser reads the written text as the same amount."""
    value = Decimal(cents).scaleb(-2)
    text = format_german_decimal(value, places)
    assert parse_german_decimal(text) == value
    assert parse_money(text) == value


@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False, allow_infinity=False))
def test_a_float_is_read_back_as_itself(value: float) -> None:
    parsed = parse_german_decimal(format_german_decimal(value))
    assert parsed is not None and float(parsed) == value


def test_only_numbers_are_written() -> None:
    with pytest.raises(TypeError):
        format_german_decimal(True)
    with pytest.raises(ValueError):
        format_german_decimal(Decimal("NaN"))


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("42", 42),
        (" 7 ", 7),
        ("²", None),
        ("①", None),
        ("٣", None),
        ("-1", None),
        ("", None),
        (None, None),
        ("1" * 19, None),
        ("9" * 18, 10**18 - 1),
    ],
)
def test_plain_int_takes_ascii_digits_only(raw: str | None, value: int | None) -> None:
    assert plain_int(raw) == value
