"""Date arithmetic of the BGB for deadlines, pure (no database, no clock).

Why a module of its own: the Schonfrist decides whether a family keeps its home, so its
arithmetic is tested on its own against the statute: § 187 Abs. 1 BGB (the day of service
does not count), § 188 Abs. 2 and 3 BGB (a month period ends on the day with the same number,
or on the month's last day when that number does not exist) and § 193 BGB (a last day on a
Saturday, Sunday or public holiday at the place of performance moves to the next working day).
Public holidays are those of North Rhine-Westphalia, from the ``holidays`` package.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from functools import lru_cache

import holidays

COUNTRY = "DE"
SUBDIVISION = "NW"


@lru_cache(maxsize=64)
def nrw_holidays(year: int) -> dict[date, str]:
    """Public holidays in NRW for ``year``, with their German names."""
    table = holidays.country_holidays(COUNTRY, subdiv=SUBDIVISION, years=year, language="de")
    return {day: str(name) for day, name in table.items() if day.year == year}


def holiday_name(day: date) -> str | None:
    return nrw_holidays(day.year).get(day)


def is_working_day(day: date) -> bool:
    """Monday to Friday and not a public holiday in NRW (§ 193 BGB)."""
    return day.weekday() < 5 and holiday_name(day) is None


def next_working_day(day: date) -> date:
    """``day`` itself when it is a working day, else the next one (§ 193 BGB)."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def add_months(start: date, months: int) -> date:
    """The last day of a period of ``months`` months that begins with an event on ``start``.

    § 187 Abs. 1 with § 188 Abs. 2 BGB: the period ends at the end of the day of the last month
    whose number matches ``start``'s day; § 188 Abs. 3 BGB: when that month is shorter, on its
    last day (served 31 December -> end of February, 28th or 29th).
    """
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(start.day, last))


def subtract_years(day: date, years: int) -> date:
    """The same calendar day ``years`` earlier; 29 February falls back to 28 February; before
    year 1 the earliest date there is (a stored typo must not break the case page)."""
    if day.year - years < date.min.year:
        return date.min
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)
