"""German number, money, area and date formatting for the user-facing sentences.

Kept locale-independent on purpose: the server's locale must never change what a counselor,
a landlord or an auditor reads.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from decimal import ROUND_HALF_UP, Decimal

__all__ = [
    "format_area",
    "format_cents",
    "format_date",
    "format_floor",
    "format_km",
    "format_money",
    "format_number",
    "format_persons",
    "format_points",
]


_SWAP = str.maketrans({",": ".", ".": ","})
_CACHE = 4096
"""Memoised formats per function (explanations quote the same rents and areas again and again)."""


@functools.lru_cache(maxsize=_CACHE)
def format_number(value: float, decimals: int = 2, *, trim: bool = False) -> str:
    """Format ``value`` German style: ``1234.5`` → ``"1.234,50"``.

    With ``trim`` trailing zeros of the fraction are dropped (``54,50`` → ``54,5``,
    ``50,00`` → ``50``).
    """
    if not math.isfinite(value):
        raise ValueError(f"cannot format non-finite number {value!r}")
    text = f"{value:,.{decimals}f}"  # "1,234.50"
    if trim and "." in text:
        text = text.rstrip("0").rstrip(".")
    if text[0] == "-" and not any(c in "123456789" for c in text):
        text = text[1:]  # no "-0,00 €"
    return text.translate(_SWAP)


@functools.lru_cache(maxsize=_CACHE)
def format_cents(cents: int) -> str:
    """Euro amount from integer cents, exact: ``123450`` → ``"1.234,50 €"``."""
    sign = "-" if cents < 0 else ""
    euros, rest = divmod(abs(int(cents)), 100)
    return f"{sign}{euros:,}".replace(",", ".") + f",{rest:02d} €"


def format_money(value: Decimal) -> str:
    """Euro amount with two decimals, exact: ``Decimal("1234.5")`` → ``"1.234,50 €"``."""
    if not value.is_finite():
        raise ValueError(f"cannot format non-finite amount {value!r}")
    return format_cents(int((value * 100).to_integral_value(ROUND_HALF_UP)))


@functools.lru_cache(maxsize=_CACHE)
def format_area(value: float) -> str:
    """Floor area with up to two decimals: ``"54,5 m²"``, ``"50 m²"``."""
    return f"{format_number(value, 2, trim=True)} m²"


@functools.lru_cache(maxsize=_CACHE)
def format_km(value: float) -> str:
    """Distance with one decimal: ``"12,3 km"``."""
    return f"{format_number(value, 1)} km"


def format_points(value: float) -> str:
    """Score points with two decimals: ``"73,45"``."""
    return format_number(value, 2)


def format_date(value: dt.date) -> str:
    """German date: ``"01.01.2026"``."""
    return f"{value.day:02d}.{value.month:02d}.{value.year:04d}"


def format_persons(persons: int) -> str:
    """``"1 Person"`` / ``"3 Personen"``."""
    return "1 Person" if persons == 1 else f"{persons} Personen"


def format_floor(floor: int) -> str:
    """German floor name: 0 → ``"Erdgeschoss"``, 2 → ``"2. Obergeschoss"``."""
    if floor == 0:
        return "Erdgeschoss"
    if floor > 0:
        return f"{floor}. Obergeschoss"
    return "Untergeschoss" if floor == -1 else f"{-floor}. Untergeschoss"
