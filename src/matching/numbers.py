"""The one parser for numbers typed by people: forms, CSV and spreadsheet cells.

German rules, strict: ``1.200`` and ``1.200,00`` are 1200, ``1200,5`` is 1200,5 and
``84.5`` (a point followed by one or two digits cannot be a thousands separator) is 84,5;
``1,234.50`` (both separators, English order) is 1234,50. Anything else with separators -
``1.20.0``, ``1.2345``, ``1,2,3`` - is refused
with a German reason instead of guessed, because a guess turned "1.200" Nebenkosten into
1,20 €. The result is an exact :class:`~decimal.Decimal`; callers that need money check the
number of decimals with :func:`parse_money`. :func:`format_german_decimal` is the way back:
what it writes into a form, the parser reads as the same value.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache

__all__ = [
    "NumberRefused",
    "format_german_decimal",
    "parse_german_decimal",
    "parse_money",
    "plain_int",
]


class NumberRefused(ValueError):
    """Text that is not an unambiguous number; ``reason`` is a German sentence."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


_UNIT = re.compile(r"(?:€|eur|euro|m²|m2|qm)$", re.IGNORECASE)
_SPACES = str.maketrans("", "", " \u00a0\u202f\u2009'")
_PLAIN = re.compile(r"[+-]?\d+")
_COMMA_DECIMAL = re.compile(r"[+-]?\d*,\d+")
_DE_GROUPED = re.compile(r"[+-]?\d{1,3}(?:\.\d{3})+(?:,\d+)?")
_POINT_DECIMAL = re.compile(r"[+-]?\d*\.\d{1,2}")
_EN_GROUPED = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+\.\d+")


def _quote(raw: str) -> str:
    text = raw.strip()
    return f"„{text[:30]}{'…' if len(text) > 30 else ''}“"


@lru_cache(maxsize=8192)
def parse_german_decimal(raw: str) -> Decimal | None:
    """Exact value of a German number text; empty → ``None``; :class:`NumberRefused` when
    the text is not a number or could be read in two ways."""
    text = raw.strip().translate(_SPACES)
    text = _UNIT.sub("", text)
    if text.startswith("€"):
        text = text[1:]
    if not text:
        if raw.strip():
            raise NumberRefused(f"{_quote(raw)} ist keine Zahl.")
        return None
    if _PLAIN.fullmatch(text) or _POINT_DECIMAL.fullmatch(text):
        return _decimal(text, raw)
    if _COMMA_DECIMAL.fullmatch(text):
        return _decimal(text.replace(",", "."), raw)
    if _DE_GROUPED.fullmatch(text):
        return _decimal(text.replace(".", "").replace(",", "."), raw)
    if _EN_GROUPED.fullmatch(text):  # both separators: the last one is the decimal point
        return _decimal(text.replace(",", ""), raw)
    if re.fullmatch(r"[+-]?[\d.,]+", text):
        raise NumberRefused(
            f"{_quote(raw)} ist mehrdeutig und keine Zahl im deutschen Format: Tausenderpunkte "
            "stehen vor Gruppen von drei Ziffern, das Komma trennt die Nachkommastellen "
            "(z. B. 1.200,50)."
        )
    raise NumberRefused(f"{_quote(raw)} ist keine Zahl.")


def _decimal(text: str, raw: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation as exc:  # pragma: no cover - the patterns admit digits only
        raise NumberRefused(f"{_quote(raw)} ist keine Zahl.") from exc
    return value


def parse_money(raw: str) -> Decimal | None:
    """A euro amount: :func:`parse_german_decimal` with at most two decimals (exact)."""
    value = parse_german_decimal(raw)
    if value is not None and value != value.quantize(Decimal("0.01")):
        raise NumberRefused(
            f"{_quote(raw)} hat mehr als zwei Nachkommastellen; Beträge bitte auf den Cent "
            "genau angeben (z. B. 1.200,50)."
        )
    return value


def format_german_decimal(value: Decimal | float | int, places: int | None = None) -> str:
    """The exact German text of ``value`` for a form field, read back unchanged by
    :func:`parse_german_decimal`: ``Decimal("1200.5")`` → ``"1.200,5"``; with ``places=2``
    (money) → ``"1.200,50"``. Thousands are grouped by points (groups of exactly three
    digits, which the parser cannot mistake for decimals), the comma separates the fraction.

    Never rounds: ``places`` only pads with zeros, and without it trailing zeros are dropped
    (``Decimal("54.50")`` → ``"54,5"``), so an edit form submitted unchanged stores the same
    value. A float is written by its shortest exact repr (``54.5``, not ``54.4999…``)."""
    if isinstance(value, bool) or not isinstance(value, Decimal | float | int):
        raise TypeError(f"not a number: {value!r}")
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if not number.is_finite():
        raise ValueError(f"cannot format non-finite number {value!r}")
    exponent = number.as_tuple().exponent
    if places is not None and isinstance(exponent, int) and exponent > -places:
        number = number.quantize(Decimal(1).scaleb(-places))  # padding only: exact
    text = f"{number:f}"
    sign = "-" if text.startswith("-") else ""
    whole, _, fraction = text.lstrip("-").partition(".")
    if places is None:
        fraction = fraction.rstrip("0")
    grouped = f"{int(whole):,}".replace(",", ".")
    if sign and not whole.strip("0") and not fraction.strip("0"):
        sign = ""  # no "-0"
    return f"{sign}{grouped},{fraction}" if fraction else f"{sign}{grouped}"


def plain_int(raw: object, *, max_digits: int = 18) -> int | None:
    """A whole number typed as ASCII digits (an id, a year, a page), else ``None``.

    The one check for such parameters: ``str.isdigit`` also admits "²" or "①", which
    ``int`` refuses (a 500 where a German message belongs), and more than 18 digits do not
    fit a database integer.
    """
    text = str(raw if raw is not None else "").strip()
    if not text or len(text) > max_digits or not (text.isascii() and text.isdigit()):
        return None
    return int(text)
