"""Shared contracts for text that reaches e-mail headers, ``mailto:`` links and phone links.

Why one place: an e-mail address, a name or a vacancy title may end up in a header
(``To``, ``Subject``) where a line break starts a new header (``Bcc: …``). Every field that
can get there is checked here at input (forms, JSON API, imports) and encoded again at
output (``header_text``), so neither side alone has to be perfect.

Each ``*_error`` function answers ``None`` for a good value or a German message naming the
problem; ``check_fields`` applies them to an object's fields and returns ``FieldError``\\ s.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from typing import Any

from email_validator import EmailNotValidError, validate_email

from matching.validation import FieldError

#: Characters that must never appear in one-line text (headers, names, titles, addresses).
_LINE_BREAKING = {"\r", "\n", "\x00", "\x85", "\u2028", "\u2029", "\x0b", "\x0c"}
_PHONE = re.compile(r"^(?:\+|\()?[0-9][0-9 ()/.\-]{3,28}[0-9]$")
_EMAIL_FORBIDDEN = set(',;<>?"()[]\\ ') | _LINE_BREAKING


def _has_control(text: str) -> bool:
    return any(ch in _LINE_BREAKING or unicodedata.category(ch) == "Cc" for ch in text)


def single_line_error(text: str | None) -> str | None:
    """Header-safe one-line text: no line breaks, NUL or other control characters."""
    if text is None or not _has_control(text):
        return None
    return "Zeilenumbrüche und Steuerzeichen sind in diesem Feld nicht erlaubt."


def email_error(text: str | None) -> str | None:
    """Exactly one plain address (``name@domain.tld``): no display name, list, query part
    (``?bcc=…``) or control characters; syntax checked by email-validator, without DNS."""
    if text is None or text == "":
        return None
    if _has_control(text) or any(ch in _EMAIL_FORBIDDEN for ch in text):
        return "Bitte genau eine E-Mail-Adresse ohne Zusätze angeben (z. B. name@beispiel.de)."
    try:
        validate_email(text, check_deliverability=False, allow_smtputf8=True)
    except EmailNotValidError:
        return "Bitte eine gültige E-Mail-Adresse angeben (z. B. name@beispiel.de)."
    return None


def normalise_email(text: str) -> str:
    """The canonical form of a valid address (domain lower-cased, IDN normalised)."""
    return str(validate_email(text, check_deliverability=False).normalized)


def phone_error(text: str | None) -> str | None:
    """A phone number as people write it: digits, spaces, ``+ ( ) / - .``; 5 to 30 chars."""
    if text is None or text == "":
        return None
    if _has_control(text) or not _PHONE.match(text.strip()):
        return (
            "Bitte eine Telefonnummer aus Ziffern angeben (z. B. 0571 123456 oder +49 571 123456)."
        )
    if sum(ch.isdigit() for ch in text) < 5:
        return "Die Telefonnummer ist zu kurz."
    return None


def header_text(text: str, limit: int = 300) -> str:
    """Output encoding for a header value: control characters become spaces, runs collapse."""
    cleaned = "".join(" " if _has_control(ch) else ch for ch in text)
    return " ".join(cleaned.split())[:limit]


Check = Callable[[str | None], str | None]
EMAIL: Check = email_error
PHONE: Check = phone_error
SINGLE_LINE: Check = single_line_error


def check_fields(
    values: Mapping[str, Any] | object, checks: Mapping[str, Check]
) -> list[FieldError]:
    """Apply ``checks`` (field name -> check) to a mapping or an object's attributes; fields
    that are absent or not text are left to the type validation."""
    errors: list[FieldError] = []
    for name, check in checks.items():
        value = values.get(name) if isinstance(values, Mapping) else getattr(values, name, None)
        if isinstance(value, str) and (message := check(value)) is not None:
            errors.append(FieldError(name, message))
    return errors
