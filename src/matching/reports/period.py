"""Report periods: a month, a quarter, a year or a custom range, parsed from a request."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from matching.numbers import plain_int
from matching.validation import FieldError, ValidationFailed

MONTHS_DE = (
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
)
KINDS_DE = {"monat": "Monat", "quartal": "Quartal", "jahr": "Jahr", "frei": "frei gewählt"}
FIRST_YEAR = 2000
MAX_DAYS = 366 * 10


@dataclass(frozen=True)
class Period:
    """A closed range of days (``end`` inclusive) with its German name."""

    kind: str  # "monat" | "quartal" | "jahr" | "frei"
    start: date
    end: date

    @property
    def label(self) -> str:
        if self.kind == "monat":
            return f"{MONTHS_DE[self.start.month - 1]} {self.start.year}"
        if self.kind == "quartal":
            return f"{(self.start.month - 1) // 3 + 1}. Quartal {self.start.year}"
        if self.kind == "jahr":
            return f"Jahr {self.start.year}"
        return f"{self.start:%d.%m.%Y} bis {self.end:%d.%m.%Y}"

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def is_complete(self, today: date) -> bool:
        """Whether the period is over (a yearly report is published once its year is)."""
        return self.end < today

    def query(self) -> dict[str, str]:
        """The request parameters that choose this period again (for links and exports)."""
        if self.kind == "monat":
            return {
                "zeitraum": "monat",
                "jahr": str(self.start.year),
                "monat": str(self.start.month),
            }
        if self.kind == "quartal":
            quarter = (self.start.month - 1) // 3 + 1
            return {"zeitraum": "quartal", "jahr": str(self.start.year), "quartal": str(quarter)}
        if self.kind == "jahr":
            return {"zeitraum": "jahr", "jahr": str(self.start.year)}
        return {"zeitraum": "frei", "von": self.start.isoformat(), "bis": self.end.isoformat()}


def year_period(year: int) -> Period:
    return Period("jahr", date(year, 1, 1), date(year, 12, 31))


def _int(raw: Mapping[str, str], key: str, low: int, high: int, what: str) -> int:
    number = plain_int(raw.get(key))
    if number is None or not low <= number <= high:
        raise ValidationFailed(
            [FieldError(key, f"Bitte {what} zwischen {low} und {high} angeben.")]
        )
    return number


def _day(raw: Mapping[str, str], key: str, what: str) -> date:
    text = (raw.get(key) or "").strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    try:
        day, month, year = (int(p) for p in text.split("."))
        return date(year, month, day)
    except ValueError:
        raise ValidationFailed(
            [FieldError(key, f"Bitte {what} als Datum angeben, z. B. 31.12.2026.")]
        ) from None


def custom_period(start: date, end: date, today: date) -> Period:
    """A freely chosen range ``von``…``bis`` (reports and the fairness monitor alike): in
    order, between ``FIRST_YEAR`` and next year, at most ten years long."""
    last_year = today.year + 1
    if end < start:
        raise ValidationFailed(
            [FieldError("bis", "Das Ende des Zeitraums liegt vor dem Anfang. Bitte tauschen.")]
        )
    if start.year < FIRST_YEAR or end.year > last_year:
        raise ValidationFailed(
            [FieldError("von", f"Berichte gibt es für {FIRST_YEAR} bis {last_year}.")]
        )
    if (end - start).days > MAX_DAYS:
        raise ValidationFailed(
            [FieldError("bis", "Ein frei gewählter Zeitraum umfasst höchstens zehn Jahre.")]
        )
    return Period("frei", start, end)


def parse_period(raw: Mapping[str, str], today: date, *, default_year: int | None = None) -> Period:
    """The period a request asks for; without parameters the year ``default_year`` (or this
    year). Raises :class:`ValidationFailed` with German messages for impossible periods."""
    kind = (raw.get("zeitraum") or "jahr").strip()
    last_year = today.year + 1
    if kind not in KINDS_DE:
        raise ValidationFailed(
            [
                FieldError(
                    "zeitraum", "Bitte Monat, Quartal, Jahr oder einen freien Zeitraum wählen."
                )
            ]
        )
    if kind == "frei":
        return custom_period(_day(raw, "von", "den Anfang"), _day(raw, "bis", "das Ende"), today)
    if kind == "jahr" and not (raw.get("jahr") or "").strip():
        return year_period(default_year or today.year)
    year = _int(raw, "jahr", FIRST_YEAR, last_year, "ein Jahr")
    if kind == "jahr":
        return year_period(year)
    if kind == "quartal":
        quarter = _int(raw, "quartal", 1, 4, "ein Quartal")
        start = date(year, 3 * quarter - 2, 1)
        return Period("quartal", start, _month_end(date(year, 3 * quarter, 1)))
    month = _int(raw, "monat", 1, 12, "einen Monat")
    start = date(year, month, 1)
    return Period("monat", start, _month_end(start))


def _month_end(first: date) -> date:
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return following - timedelta(days=1)
