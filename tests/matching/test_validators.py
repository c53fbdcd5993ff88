"""The shared contracts for e-mail addresses, phone numbers and header-safe one-line text."""

from __future__ import annotations

import pytest

from matching.validators import (
    check_fields,
    email_error,
    header_text,
    normalise_email,
    phone_error,
    single_line_error,
)

BAD_EMAILS = [
    "a@b.example\r\nBcc: x@evil.example",
    "a@b.example\nBcc: x@evil.example",
    "not-an-email",
    "a\x00@b.example",
    "x@y.example?bcc=victim@example.net&body=Hallo",
    "a@b.example, c@d.example",
    "Max <max@b.example>",
    "a@b.example;c@d.example",
    "@b.example",
    "a@",
    "a@b",
    "a b@c.example",
]
GOOD_EMAILS = ["max.mustermann@example.org", "o'brien@example.de", "info@müller-bau.de"]


@pytest.mark.parametrize("address", BAD_EMAILS)
def test_bad_addresses_are_refused(address: str) -> None:
    assert email_error(address) is not None


@pytest.mark.parametrize("address", GOOD_EMAILS)
def test_good_addresses_pass(address: str) -> None:
    assert email_error(address) is None
    assert "@" in normalise_email(address)


@pytest.mark.parametrize(
    "number", ["0571 123456", "+49 571 123456", "(0571) 12 34-56", "0571/123456"]
)
def test_phone_numbers_as_people_write_them(number: str) -> None:
    assert phone_error(number) is None


@pytest.mark.parametrize(
    "number", ["0571\r\n123", "abc", "123", "+49 571 123456?x", "0571\x00123456", "1" * 40]
)
def test_bad_phone_numbers(number: str) -> None:
    assert phone_error(number) is not None


@pytest.mark.parametrize("text", ["Wohnung\r\nBcc: x", "a\nb", "a\x00b", "a\u2028b", "a\x1bb"])
def test_line_breaks_and_controls_are_not_single_line(text: str) -> None:
    assert single_line_error(text) is not None
    assert "\n" not in header_text(text) and "\r" not in header_text(text)


def test_single_line_accepts_umlauts_and_punctuation() -> None:
    assert single_line_error("3-Zimmer-Wohnung, Minden (Innenstadt) – 54,5 m²") is None


def test_check_fields_names_each_bad_field() -> None:
    errors = check_fields(
        {"email": "x", "phone": "0571 123456", "name": "A\nB"},
        {"email": email_error, "phone": phone_error, "name": single_line_error},
    )
    assert [e.field for e in errors] == ["email", "name"]
