"""Lenient, cached converters for single cell values (German spreadsheet and OpenImmo styles).

Each converter takes the raw text of one cell and returns the value or an :class:`Invalid`
carrying a German reason. Converters are pure and cached, because bulk files repeat values a lot
("ja", "nein", rents, dates).
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from datetime import date, timedelta
from functools import lru_cache
from typing import Literal

from matching.intake.records import Pets
from matching.numbers import NumberRefused, parse_german_decimal

NumberStyle = Literal["german", "point"]
"""``german``: a lone ``.`` in ``1.234`` is a thousands separator (CSV written by German users).
``point``: a lone ``.`` is the decimal point (OpenImmo XSD decimals, numeric XLSX cells).
A ``,`` is a decimal comma in both styles unless the value is clearly ``1,234.50``."""


class Invalid:
    """A value that could not be converted; ``reason`` is a German sentence fragment."""

    __slots__ = ("code", "reason")

    def __init__(self, reason: str, code: str = "invalid") -> None:
        self.reason = reason
        self.code = code

    def __repr__(self) -> str:
        return f"Invalid({self.reason!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Invalid) and other.reason == self.reason

    def __hash__(self) -> int:
        return hash(self.reason)


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_NEEDS_CLEANING = re.compile(r"[\x00-\x1f\x7f\u00a0\u2028\u2029]|\s\s")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?")


def utf8_error_offset(data: bytes, chunk: int = 1 << 20) -> int | None:
    """Offset of the first invalid UTF-8 byte, or ``None`` if ``data`` is valid UTF-8.

    Validates chunk by chunk, so no decoded copy of a large file is held."""
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    offset = 0
    try:
        for offset in range(0, len(data), chunk):
            decoder.decode(data[offset : offset + chunk])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError as exc:
        return offset + max(exc.start, 0)
    return None


def show(raw: str, limit: int = 40) -> str:
    """Quote a raw value for a German message, shortened and without control characters."""
    text = _CONTROL.sub("", raw).replace("\n", " ").strip()
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return f"„{text}“"


def format_number(value: float, decimals: int = 0) -> str:
    """German number formatting: 1234.5 → ``1.234,5`` (with ``decimals`` places)."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def neutralise_formula(text: str) -> str:
    """Make a cell safe for spreadsheet export: text starting with ``=``, ``+``, ``-``, ``@``
    (or a tab / carriage return) gets a leading ``'`` so no spreadsheet evaluates it.
    Plain numbers such as ``-1`` or ``+3,5`` are left alone."""
    if text and text.startswith(_FORMULA_START) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def clean_text(raw: str | None, *, multiline: bool = False) -> str | None:
    """Strip, normalise (NFC, newlines), drop control characters; ``None`` when empty.

    A leading ``'`` in front of a formula character (our own export neutralisation) is removed,
    so that exported files import unchanged. The text is never evaluated.
    """
    if raw is None:
        return None
    text = raw.strip()
    if not text:
        return None
    if not multiline and not _NEEDS_CLEANING.search(text):
        if text.isascii():
            return text if text[0] != "'" else _unquote(text)
        if unicodedata.is_normalized("NFC", text):
            return text if text[0] != "'" else _unquote(text)
    text = unicodedata.normalize("NFC", text)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    if not multiline:
        text = " ".join(text.split())
    else:
        text = "\n".join(line.rstrip() for line in text.split("\n")).strip()
        text = re.sub(r"\n{3,}", "\n\n", text)
    return _unquote(text.strip()) or None


def _unquote(text: str) -> str:
    if len(text) > 1 and text[0] == "'" and text[1] in "=+-@":
        return text[1:]
    return text


# --------------------------------------------------------------------------- numbers

_UNIT = re.compile(
    r"(?:€|eur|euro|m²|m2|qm|zi\.?|zimmer|personen|pers\.?)$",
    re.IGNORECASE,
)
_INT = re.compile(r"[+-]?\d+")
_SIMPLE_DECIMAL = re.compile(r"[+-]?\d{1,9}(?:,\d+)?")
_DE_GROUPED = re.compile(r"[+-]?\d{1,3}(?:\.\d{3})+(?:,\d+)?")
_DE_DECIMAL = re.compile(r"[+-]?\d*,\d+")
_EN_GROUPED = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+\.\d+")
_POINT_DECIMAL = re.compile(r"[+-]?\d*\.\d+")
_TRAILING_POINT = re.compile(r"[+-]?\d+[.,]")


@lru_cache(maxsize=8192)
def parse_decimal(raw: str, style: NumberStyle = "german") -> float | Invalid | None:
    """``"1.234,50"`` → 1234.5, ``"84,5"`` → 84.5, ``"84.5"`` → 84.5; empty → ``None``.

    German style is :func:`matching.numbers.parse_german_decimal` (the parser the forms use;
    ambiguous text is refused); the point style reads machine-written decimals."""
    text = raw.strip()
    if not text:
        return None
    if _SIMPLE_DECIMAL.fullmatch(text):
        return float(text.replace(",", "."))
    if style == "german":
        try:
            value = parse_german_decimal(raw)
        except NumberRefused as exc:
            return Invalid(exc.reason.rstrip("."))
        return None if value is None else float(value)
    text = text.replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    text = _UNIT.sub("", text).strip()
    if text.startswith("€"):
        text = text[1:]
    if not text:
        return Invalid(f"{show(raw)} ist keine Zahl")
    if _INT.fullmatch(text):
        return float(int(text))
    if _DE_GROUPED.fullmatch(text) and "," in text:  # point style: "1.234,50" only
        return float(text.replace(".", "").replace(",", "."))
    if _DE_DECIMAL.fullmatch(text):
        return float(text.replace(",", "."))
    if _EN_GROUPED.fullmatch(text):
        return float(text.replace(",", ""))
    if _POINT_DECIMAL.fullmatch(text):
        return float(text)
    if _TRAILING_POINT.fullmatch(text):
        return float(text[:-1])
    return Invalid(f"{show(raw)} ist keine Zahl")


@lru_cache(maxsize=4096)
def parse_int(raw: str, style: NumberStyle = "german") -> int | Invalid | None:
    """A whole number; ``"2.0"`` (spreadsheet float) is accepted as 2."""
    value = parse_decimal(raw, style)
    if value is None or isinstance(value, Invalid):
        return value
    if value != int(value):
        return Invalid(f"{show(raw)} ist keine ganze Zahl")
    return int(value)


_FLOOR_WORDS: dict[str, int] = {
    "eg": 0,
    "erdgeschoss": 0,
    "hochparterre": 0,
    "parterre": 0,
    "hp": 0,
    "ug": -1,
    "kg": -1,
    "untergeschoss": -1,
    "souterrain": -1,
    "keller": -1,
    "kellergeschoss": -1,
}
_FLOOR_OG = re.compile(
    r"(-?\d+)\s*\.?\s*(?:og|obergeschoss|etage|stock|stockwerk|geschoss)?", re.IGNORECASE
)


@lru_cache(maxsize=1024)
def parse_floor(raw: str, style: NumberStyle = "german") -> int | Invalid | None:
    """Floor: an integer (negative = basement), ``EG`` = 0, ``UG`` = -1, ``3. OG`` = 3."""
    text = raw.strip()
    if not text:
        return None
    key = text.casefold().replace(".", "").strip()
    if key in _FLOOR_WORDS:
        return _FLOOR_WORDS[key]
    value = parse_int(text, style)
    if not isinstance(value, Invalid):
        return value
    match = _FLOOR_OG.fullmatch(text)
    if match:
        return int(match.group(1))
    return Invalid(f"{show(raw)} ist keine Etage (erwartet z. B. 0, 2, EG, 3. OG)")


# --------------------------------------------------------------------------- booleans

_TRUE = frozenset(
    {"ja", "j", "x", "1", "1.0", "true", "wahr", "yes", "y", "vorhanden", "erforderlich", "✓"}
)
_FALSE = frozenset(
    {
        "nein",
        "n",
        "0",
        "0.0",
        "false",
        "falsch",
        "no",
        "-",
        "nicht vorhanden",
        "kein",
        "keine",
        "nicht erforderlich",
    }
)


@lru_cache(maxsize=512)
def parse_bool(raw: str) -> bool | Invalid | None:
    """ja/nein, x, 1/0, true/false, wahr/falsch (case-insensitive); empty → ``None``."""
    key = raw.strip().casefold()
    if not key:
        return None
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    return Invalid(f"{show(raw)} ist kein Ja/Nein-Wert (erlaubt: ja, nein, x, 1, 0)")


_PETS: dict[str, Pets] = {
    "auf anfrage": "on_request",
    "anfrage": "on_request",
    "nach absprache": "on_request",
    "nach vereinbarung": "on_request",
    "nach rücksprache": "on_request",
    "vereinbarung": "on_request",
    "on_request": "on_request",
    "on request": "on_request",
    "erlaubt": "yes",
    "nicht erlaubt": "no",
    "verboten": "no",
    "yes": "yes",
}


@lru_cache(maxsize=256)
def parse_pets(raw: str) -> Pets | Invalid | None:
    """ja → ``yes``, nein → ``no``, auf Anfrage → ``on_request``; empty → ``None``."""
    key = " ".join(raw.strip().casefold().split())
    if not key:
        return None
    if key in _PETS:
        return _PETS[key]
    flag = parse_bool(key)
    if isinstance(flag, bool):
        return "yes" if flag else "no"
    return Invalid(f"{show(raw)} ist keine gültige Angabe (erlaubt: ja, nein, auf Anfrage)")


# --------------------------------------------------------------------------- dates

_DE_DATE = re.compile(r"(\d{1,2})\.\s*(\d{1,2})\.\s*(\d{4}|\d{2})")
_SLASH_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_ISO_DATE = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?"
    r"(?:Z|[+-]\d{2}:?\d{2})?)?"
)
_MONTH_YEAR = re.compile(r"(\d{1,2})[./](\d{4})")
_MONTHS = {
    "januar": 1,
    "jan": 1,
    "jänner": 1,
    "februar": 2,
    "feb": 2,
    "märz": 3,
    "maerz": 3,
    "mär": 3,
    "april": 4,
    "apr": 4,
    "mai": 5,
    "juni": 6,
    "jun": 6,
    "juli": 7,
    "jul": 7,
    "august": 8,
    "aug": 8,
    "september": 9,
    "sep": 9,
    "sept": 9,
    "oktober": 10,
    "okt": 10,
    "november": 11,
    "nov": 11,
    "dezember": 12,
    "dez": 12,
}
_MONTH_NAME_YEAR = re.compile(r"(?:anfang\s+|zum\s+|im\s+)?([a-zäö]+)\.?\s+(\d{4})")
_IMMEDIATE = frozenset(
    {
        "sofort",
        "ab sofort",
        "frei",
        "bezugsfrei",
        "sofort frei",
        "sofort bezugsfrei",
        "jetzt",
        "ab jetzt",
        "umgehend",
        "leer",
        "leerstehend",
        "immediately",
        "now",
    }
)
_BY_ARRANGEMENT = frozenset(
    {
        "nach vereinbarung",
        "n. v.",
        "n.v.",
        "nv",
        "nach absprache",
        "auf anfrage",
        "vereinbarung",
        "nach rücksprache",
    }
)
_PREFIX = re.compile(r"^(?:frei\s+ab|bezugsfrei\s+ab|verfügbar\s+ab|ab\s+dem|ab|zum|am)\s+")
#: Accepted years for an available-from date.
MIN_YEAR = 2000
MAX_YEARS_AHEAD = 5


def _make_date(year: int, month: int, day: int, raw: str) -> date | Invalid:
    if year < 100:
        year += 2000
    try:
        return date(year, month, day)
    except ValueError:
        return Invalid(f"{show(raw)} ist kein gültiges Datum")


@lru_cache(maxsize=4096)
def parse_date(raw: str, today: date) -> date | Invalid | None:
    """``31.12.2026``, ``2026-12-31`` (also with time), ``12/2026``, ``Mai 2026``; ``sofort``,
    ``ab sofort``, ``frei`` → ``today``; ``nach Vereinbarung`` → :class:`Invalid` (missing)."""
    text = " ".join(raw.strip().casefold().split())
    if not text:
        return None
    if text in _IMMEDIATE:
        return today
    if text in _BY_ARRANGEMENT:
        return Invalid(
            f"{show(raw)} ist kein Datum – bitte ein konkretes Datum angeben (z. B. 01.08.2026)",
            code="missing",
        )
    text = _PREFIX.sub("", text).strip()
    if text in _IMMEDIATE:
        return today
    result: date | Invalid
    if m := _DE_DATE.fullmatch(text):
        result = _make_date(int(m.group(3)), int(m.group(2)), int(m.group(1)), raw)
    elif m := _ISO_DATE.fullmatch(text.upper()):
        result = _make_date(int(m.group(1)), int(m.group(2)), int(m.group(3)), raw)
    elif m := _SLASH_DATE.fullmatch(text):
        result = _make_date(int(m.group(3)), int(m.group(2)), int(m.group(1)), raw)
    elif m := _MONTH_YEAR.fullmatch(text):
        result = _make_date(int(m.group(2)), int(m.group(1)), 1, raw)
    elif (m := _MONTH_NAME_YEAR.fullmatch(text)) and m.group(1) in _MONTHS:
        result = _make_date(int(m.group(2)), _MONTHS[m.group(1)], 1, raw)
    else:
        return Invalid(f"{show(raw)} ist kein Datum (erwartet TT.MM.JJJJ oder JJJJ-MM-TT)")
    if isinstance(result, date) and not (
        result.year >= MIN_YEAR and result <= today + timedelta(days=366 * MAX_YEARS_AHEAD)
    ):
        return Invalid(f"{show(raw)} ist kein plausibles Datum", code="range")
    return result


# --------------------------------------------------------------------------- postal codes

_PLZ = re.compile(r"(?:d\s*-\s*|de\s*-\s*)?(\d{4,5})(?:\.0+)?", re.IGNORECASE)


@lru_cache(maxsize=1024)
def parse_postal_code(raw: str) -> str | Invalid | None:
    """Five digits; a spreadsheet-mangled ``1067`` or ``32423.0`` is repaired."""
    text = raw.strip()
    if not text:
        return None
    m = _PLZ.fullmatch(text)
    if not m:
        return Invalid(f"{show(raw)} ist keine fünfstellige Postleitzahl")
    return m.group(1).zfill(5)


_DEPOSIT_MULTIPLE = re.compile(
    r"(\d+(?:[.,]5)?)\s*(?:x\s*)?(?:monats?\w*|netto\w*|kalt\w*|nkm|km|mm|grundmiete\w*)"
    r"(?:\s+\w+)*",
    re.IGNORECASE,
)


def parse_deposit_multiple(raw: str) -> float | None:
    """``"3 Monatskaltmieten"``, ``"2 KM"`` → the multiple of the net cold rent, else ``None``."""
    m = _DEPOSIT_MULTIPLE.fullmatch(raw.strip())
    if not m:
        return None
    return float(m.group(1).replace(",", "."))
