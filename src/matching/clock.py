"""The one clock of the service: instants are UTC, calendar dates for people are Berlin dates.

"Today" for the Fachstelle is the date in Europe/Berlin: between midnight Berlin time and
midnight UTC the two differ, and deadlines, consents, retention and reports count Berlin days.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

BERLIN = ZoneInfo("Europe/Berlin")


def utcnow() -> datetime:
    return datetime.now(UTC)


def today() -> date:
    """The current calendar date in Berlin (not the server's local or UTC date)."""
    return utcnow().astimezone(BERLIN).date()
