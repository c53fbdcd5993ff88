"""Time helpers: store UTC, reason in Europe/Berlin (deadlines are calendar days there)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from matching.clock import BERLIN, utcnow

__all__ = [
    "BERLIN",
    "as_utc",
    "berlin_date",
    "end_of_berlin_day",
    "format_date_de",
    "respond_by_from",
    "utcnow",
]


def as_utc(moment: datetime) -> datetime:
    """Naive values (SQLite hands some back) are UTC by convention of this project."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def berlin_date(moment: datetime) -> date:
    return as_utc(moment).astimezone(BERLIN).date()


def end_of_berlin_day(day: date) -> datetime:
    """23:59:59 Berlin time on ``day``, in UTC (DST handled by zoneinfo)."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=BERLIN).astimezone(UTC)


def respond_by_from(sent_at: datetime, respond_days: int) -> datetime:
    """End of the Berlin calendar day ``respond_days`` after sending: a date a landlord reads."""
    return end_of_berlin_day(berlin_date(sent_at) + timedelta(days=respond_days))


def format_date_de(value: date | datetime) -> str:
    """``31.12.2026``; datetimes are shown as their Berlin date."""
    day = berlin_date(value) if isinstance(value, datetime) else value
    return day.strftime("%d.%m.%Y")
