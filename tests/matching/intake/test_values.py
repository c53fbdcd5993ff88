from __future__ import annotations

from datetime import date

import pytest

from matching.intake import neutralise_formula
from matching.intake.values import (
    Invalid,
    clean_text,
    parse_bool,
    parse_date,
    parse_decimal,
    parse_floor,
    parse_pets,
    parse_postal_code,
)

TODAY = date(2026, 5, 1)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1.234,50", 1234.5),
        ("84,5", 84.5),
        ("84.5", 84.5),
        ("940", 940.0),
        ("940.0", 940.0),
        ("1.234", 1234.0),
        ("1,234.50", 1234.5),
        (" 385,00 € ", 385.0),
        ("54,5 m²", 54.5),
        ("12.500,00 EUR", 12500.0),
        ("", None),
        ("   ", None),
    ],
)
def test_decimal_german(raw: str, expected: float | None) -> None:
    assert parse_decimal(raw, "german") == expected


def test_decimal_point_style_reads_lone_dot_as_decimal_point() -> None:
    assert parse_decimal("1.234", "point") == pytest.approx(1.234)
    assert parse_decimal("1.250,00", "point") == 1250.0


@pytest.mark.parametrize("raw", ["abc", "1,2,3", "12-3", "€", "nan", "inf", "1e5"])
def test_decimal_invalid(raw: str) -> None:
    value = parse_decimal(raw, "german")
    assert isinstance(value, Invalid)
    assert "keine Zahl" in value.reason


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("31.12.2026", date(2026, 12, 31)),
        ("1.8.2026", date(2026, 8, 1)),
        ("01.08.26", date(2026, 8, 1)),
        ("2026-12-31", date(2026, 12, 31)),
        ("2026-12-31 00:00:00", date(2026, 12, 31)),
        ("2026-12-31T10:00:00+02:00", date(2026, 12, 31)),
        ("ab 15.07.2026", date(2026, 7, 15)),
        ("sofort", TODAY),
        ("ab sofort", TODAY),
        ("Frei", TODAY),
        ("08/2026", date(2026, 8, 1)),
        ("Mai 2026", date(2026, 5, 1)),
    ],
)
def test_dates(raw: str, expected: date) -> None:
    assert parse_date(raw, TODAY) == expected


@pytest.mark.parametrize("raw", ["nach Vereinbarung", "31.02.2026", "morgen", "1899-01-01"])
def test_dates_invalid(raw: str) -> None:
    assert isinstance(parse_date(raw, TODAY), Invalid)


def test_by_arrangement_is_reported_as_missing() -> None:
    value = parse_date("nach Vereinbarung", TODAY)
    assert isinstance(value, Invalid)
    assert value.code == "missing"
    assert "konkretes Datum" in value.reason


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ja", True),
        ("JA", True),
        ("x", True),
        ("1", True),
        ("true", True),
        ("Wahr", True),
        ("nein", False),
        ("0", False),
        ("false", False),
        ("FALSCH", False),
        ("", None),
    ],
)
def test_booleans(raw: str, expected: bool | None) -> None:
    assert parse_bool(raw) is expected


def test_boolean_invalid() -> None:
    assert isinstance(parse_bool("vielleicht"), Invalid)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("ja", "yes"), ("nein", "no"), ("auf Anfrage", "on_request"), ("Auf  anfrage", "on_request")],
)
def test_pets(raw: str, expected: str) -> None:
    assert parse_pets(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"), [("EG", 0), ("3. OG", 3), ("-1", -1), ("UG", -1), ("2.0", 2)]
)
def test_floor(raw: str, expected: int) -> None:
    assert parse_floor(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"), [("32423", "32423"), ("1067", "01067"), ("32423.0", "32423")]
)
def test_postal_code(raw: str, expected: str) -> None:
    assert parse_postal_code(raw) == expected


def test_postal_code_invalid() -> None:
    assert isinstance(parse_postal_code("3242"), str)  # leading zero restored
    assert isinstance(parse_postal_code("324"), Invalid)
    assert isinstance(parse_postal_code("ABCDE"), Invalid)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=SUMME(A1:A9)", "'=SUMME(A1:A9)"),
        ("+49 571 1234", "'+49 571 1234"),
        ("-Keller", "'-Keller"),
        ("@cmd", "'@cmd"),
        ("\tx", "'\tx"),
        ("Wohnung", "Wohnung"),
        ("-1", "-1"),
        ("+3,5", "+3,5"),
        ("", ""),
    ],
)
def test_neutralise_formula(text: str, expected: str) -> None:
    assert neutralise_formula(text) == expected


def test_clean_text_keeps_formulas_as_text_and_undoes_own_neutralisation() -> None:
    assert clean_text("=1+2") == "=1+2"
    assert clean_text("'=1+2") == "=1+2"
    assert clean_text("  a \u00a0 b\x07 ") == "a b"
    assert clean_text("Zeile 1\r\nZeile 2", multiline=True) == "Zeile 1\nZeile 2"
    assert clean_text("   ") is None
