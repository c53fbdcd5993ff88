"""Exact money: Decimal at the edges, integer cents inside the engine.

Binary floating point cannot hold 128,83 € exactly, so ``300.0 + 128.83 + 71.17`` is not
``500.0`` and a flat costing exactly the budget was excluded. Every amount is turned into an
``int`` number of cents once, when a table is built, and all sums and comparisons with a
limit or a budget are integer operations. Missing optional amounts are :data:`NO_AMOUNT`
(amounts are never negative), so a rule reads ``(budget >= 0) & (warm > budget)``.
"""

from __future__ import annotations

import decimal
from decimal import Decimal
from typing import TypeAlias

import numpy as np
import numpy.typing as npt
import polars as pl

__all__ = [
    "CENT",
    "INVALID_AMOUNT",
    "NO_AMOUNT",
    "MoneyInput",
    "cents_array",
    "cents_series",
    "from_cents",
    "optional_cents",
    "table_cents",
    "to_cents",
]

I64: TypeAlias = npt.NDArray[np.int64]
MoneyInput: TypeAlias = Decimal | int | float | str
"""What the edges may hand over; floats are read by their shortest decimal text."""

CENT = Decimal("0.01")
NO_AMOUNT = -1
"""Cents standing for "no amount" (budget not stated, heating unknown, no limit recorded)."""
INVALID_AMOUNT = -2
"""Cents standing for an amount that could not be read exactly (reported by validation)."""
MAX_CENTS = 10**13
"""Largest amount the engine accepts at all (10^11 €); the field ranges are far lower."""


def to_cents(value: MoneyInput) -> int:
    """Exact cents of an amount: ``Decimal("128.83")`` → ``12883``.

    Floats are taken by their shortest repr (``128.83`` → ``"128.83"``), which is the number
    a person typed. ``ValueError`` for NaN, infinity, more than two decimals or absurd size.
    """
    if isinstance(value, bool):
        raise ValueError("ist kein Geldbetrag")
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except decimal.InvalidOperation as exc:
        raise ValueError("ist keine Zahl") from exc
    if not amount.is_finite():
        raise ValueError("ist keine endliche Zahl")
    cents = amount * 100
    if cents != cents.to_integral_value():
        raise ValueError("hat mehr als zwei Nachkommastellen")
    result = int(cents)
    if abs(result) > MAX_CENTS:
        raise ValueError("ist unplausibel groß")
    return result


def optional_cents(value: MoneyInput | None) -> int:
    """:func:`to_cents`, ``None`` → :data:`NO_AMOUNT`."""
    return NO_AMOUNT if value is None else to_cents(value)


def from_cents(cents: int) -> Decimal:
    """Cents → Decimal euros with two places (``12883`` → ``Decimal("128.83")``)."""
    return (Decimal(int(cents)) / 100).quantize(CENT)


def table_cents(value: MoneyInput | None) -> int:
    """Cents for a table column: ``None`` → :data:`NO_AMOUNT`; a negative, non-finite,
    sub-cent or non-numeric value → :data:`INVALID_AMOUNT` (reported by the table check)."""
    if value is None:
        return NO_AMOUNT
    try:
        cents = to_cents(value)
    except ValueError:
        return INVALID_AMOUNT
    return cents if cents >= 0 else INVALID_AMOUNT


def cents_array(values: list[MoneyInput | None]) -> I64:
    """Optional amounts → int64 cents (see :func:`table_cents`)."""
    return np.array([table_cents(v) for v in values], dtype=np.int64)


def cents_series(s: pl.Series) -> I64:
    """A column of euro amounts → int64 cents (see :func:`table_cents`).

    Decimal and text columns are read exactly; float columns are rounded to the nearest
    cent after checking that they hold whole cents (a float 128.83 is 12882.999… cents).
    """
    if s.dtype == pl.Null:
        return np.full(len(s), NO_AMOUNT, dtype=np.int64)
    if not (s.dtype.is_float() or s.dtype.is_integer()):
        return cents_array(s.to_list())
    raw = np.asarray(s.cast(pl.Float64).fill_null(np.nan).to_numpy(), dtype=np.float64)
    present = ~np.isnan(raw)
    with np.errstate(invalid="ignore", over="ignore"):
        scaled = raw * 100.0
        rounded = np.round(scaled)
        good = np.isfinite(scaled) & (scaled >= 0) & (scaled <= MAX_CENTS)
        good &= np.abs(scaled - rounded) <= 1e-3
    cents = np.where(good, rounded, 0).astype(np.int64)
    return np.where(present, np.where(good, cents, INVALID_AMOUNT), NO_AMOUNT).astype(np.int64)
