"""BGB deadline arithmetic: month ends, leap years, weekends and every NRW holiday 2026-2028."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from matching.cases.calendar import (
    add_months,
    holiday_name,
    is_working_day,
    next_working_day,
    nrw_holidays,
)
from matching.cases.deadlines import schonfrist_end

# Written down from the statutes (Feiertagsgesetz NRW) and the Easter dates, not from the
# package, so the test checks the package too.
NRW_HOLIDAYS = {
    2026: [
        "2026-01-01", "2026-04-03", "2026-04-06", "2026-05-01", "2026-05-14", "2026-05-25",
        "2026-06-04", "2026-10-03", "2026-11-01", "2026-12-25", "2026-12-26",
    ],
    2027: [
        "2027-01-01", "2027-03-26", "2027-03-29", "2027-05-01", "2027-05-06", "2027-05-17",
        "2027-05-27", "2027-10-03", "2027-11-01", "2027-12-25", "2027-12-26",
    ],
    2028: [
        "2028-01-01", "2028-04-14", "2028-04-17", "2028-05-01", "2028-05-25", "2028-06-05",
        "2028-06-15", "2028-10-03", "2028-11-01", "2028-12-25", "2028-12-26",
    ],
}  # fmt: skip


@pytest.mark.parametrize("year", sorted(NRW_HOLIDAYS))
def test_every_nrw_public_holiday(year: int) -> None:
    assert sorted(d.isoformat() for d in nrw_holidays(year)) == NRW_HOLIDAYS[year]


@pytest.mark.parametrize("day", [d for days in NRW_HOLIDAYS.values() for d in days])
def test_holiday_is_no_working_day_and_moves_on(day: str) -> None:
    holiday = date.fromisoformat(day)
    assert holiday_name(holiday)
    assert not is_working_day(holiday)
    moved = next_working_day(holiday)
    assert moved > holiday and is_working_day(moved)
    # every day strictly between is a weekend or a holiday as well
    for offset in range(1, (moved - holiday).days):
        assert not is_working_day(holiday + timedelta(days=offset))


def test_regional_holidays_of_other_states_are_working_days_in_nrw() -> None:
    assert is_working_day(date(2026, 10, 30))  # a Friday; Reformationstag is 31.10. elsewhere
    assert is_working_day(date(2027, 11, 17))  # Buß- und Bettag: Saxony only
    assert is_working_day(date(2028, 3, 8))  # Frauentag: Berlin only
    assert is_working_day(date(2027, 1, 6))  # Heilige Drei Könige: not in NRW


@pytest.mark.parametrize(
    ("served", "end"),
    [
        ("2026-12-31", "2027-02-28"),  # § 188 Abs. 3: February has no 31st
        ("2027-12-31", "2028-02-29"),  # ... and in a leap year it ends on the 29th
        ("2027-12-29", "2028-02-29"),
        ("2027-12-30", "2028-02-29"),
        ("2026-12-29", "2027-02-28"),
        ("2026-12-28", "2027-02-28"),
        ("2026-01-15", "2026-03-15"),  # § 188 Abs. 2: same day number
        ("2026-11-30", "2027-01-30"),  # over the year end
        ("2026-07-31", "2026-09-30"),  # September has 30 days
        ("2027-08-31", "2027-10-31"),
        ("2028-01-31", "2028-03-31"),
    ],
)
def test_schonfrist_ends_two_months_after_service(served: str, end: str) -> None:
    assert schonfrist_end(date.fromisoformat(served)) == date.fromisoformat(end)


def test_add_months_rolls_over_years() -> None:
    assert add_months(date(2026, 11, 15), 14) == date(2028, 1, 15)
    assert add_months(date(2028, 2, 29), 12) == date(2029, 2, 28)


@pytest.mark.parametrize(
    ("day", "working"),
    [
        ("2027-02-27", "2027-03-01"),  # Saturday -> Monday
        ("2027-02-28", "2027-03-01"),  # Sunday -> Monday
        ("2027-03-26", "2027-03-30"),  # Karfreitag -> over Easter to Tuesday
        ("2026-12-25", "2026-12-28"),  # Christmas Friday, Saturday, Sunday -> Monday
        ("2027-12-24", "2027-12-24"),  # Heiligabend is a working day
        ("2027-03-01", "2027-03-01"),  # a Monday stays
    ],
)
def test_next_working_day(day: str, working: str) -> None:
    assert next_working_day(date.fromisoformat(day)) == date.fromisoformat(working)
