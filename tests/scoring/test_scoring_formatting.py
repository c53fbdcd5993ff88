from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from scoring.formatting import (
    format_area,
    format_cents,
    format_date,
    format_floor,
    format_km,
    format_money,
    format_persons,
    format_points,
)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("512", "512,00 €"),
        ("1234.5", "1.234,50 €"),
        ("0.004", "0,00 €"),
        ("1234567.891", "1.234.567,89 €"),
        ("478.0", "478,00 €"),
        ("500.00", "500,00 €"),
    ],
)
def test_money(value: str, text: str) -> None:
    assert format_money(Decimal(value)) == text


@pytest.mark.parametrize(
    ("cents", "text"),
    [(0, "0,00 €"), (50000, "500,00 €"), (12883, "128,83 €"), (123456789, "1.234.567,89 €")],
)
def test_cents_are_formatted_exactly(cents: int, text: str) -> None:
    assert format_cents(cents) == text


def test_area_km_points_dates_floors() -> None:
    assert format_area(54.5) == "54,5 m²"
    assert format_area(50.0) == "50 m²"
    assert format_area(1050.25) == "1.050,25 m²"
    assert format_km(12.345) == "12,3 km"
    assert format_points(73.456) == "73,46"
    assert format_date(dt.date(2026, 1, 1)) == "01.01.2026"
    assert format_persons(1) == "1 Person"
    assert format_persons(3) == "3 Personen"
    assert format_floor(0) == "Erdgeschoss"
    assert format_floor(2) == "2. Obergeschoss"
    assert format_floor(-1) == "Untergeschoss"


def test_non_finite_is_rejected() -> None:
    with pytest.raises(ValueError, match="non-finite"):
        format_money(Decimal("NaN"))
