"""Deadlines of a case, computed from its dates (never typed in), pure.

Each deadline carries its German label, its date and the legal basis; when the date falls on
a Saturday, Sunday or NRW public holiday the next working day is given beside it (§ 193 BGB),
because courts disagree whether § 193 extends the Schonfrist: the counselor sees both.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from matching.cases.calendar import add_months, next_working_day, subtract_years
from matching.enums import ArrearsLegalBasis, DeadlineKind, label

SCHONFRIST_MONTHS = 2
APPLICATION_PENDING_DAYS = 14
BASIS_SCHONFRIST = "§ 569 Abs. 3 Nr. 2 BGB; §§ 187 Abs. 1, 188 Abs. 2 und 3 BGB"
BASIS_EVICTION = "§ 885 ZPO"
BASIS_TWO_YEARS = "§ 569 Abs. 3 Nr. 2 Satz 2 BGB"


Day = date  # the field below is called ``date`` (the API's word), so the type needs a name


@dataclass(frozen=True)
class Deadline:
    kind: DeadlineKind
    date: Day
    label: str
    legal_basis: str | None
    last_working_day: Day | None = None  # only when ``date`` is no working day

    @property
    def last_day(self) -> Day:
        """The day that still counts: the next working day where § 193 BGB moves it."""
        return self.last_working_day or self.date

    def overdue(self, today: Day) -> bool:
        """Over only once the moved day has passed too (a Schonfrist ending on Saturday can
        still be met on Monday; showing it as overdue on Sunday would give up a home)."""
        return self.last_day < today

    def due_in_words(self, today: Day) -> str:
        """ "überfällig", "heute", "morgen" or "in 5 Tagen", counted to :attr:`last_day`."""
        days = (self.last_day - today).days
        if days < 0:
            return "überfällig"
        return {0: "heute", 1: "morgen"}.get(days, f"in {days} Tagen")


@dataclass(frozen=True)
class CaseDates:
    """The dates of one case that deadlines are computed from."""

    open: bool
    suit_served_on: date | None = None
    eviction_date: date | None = None
    schonfrist_cured_on: date | None = None
    application_filed_on: date | None = None
    application_decided_on: date | None = None
    application_legal_basis: ArrearsLegalBasis | None = None
    next_appointment: date | None = None


def schonfrist_end(served_on: date) -> date:
    """Last day of the Schonfrist: two months after service of the eviction suit."""
    return add_months(served_on, SCHONFRIST_MONTHS)


def _deadline(
    kind: DeadlineKind, day: date, text: str, basis: str | None, *, working_day: bool = True
) -> Deadline:
    moved = next_working_day(day) if working_day else day
    return Deadline(kind, day, text, basis, moved if moved != day else None)


def deadlines(case: CaseDates, *, pending_days: int = APPLICATION_PENDING_DAYS) -> list[Deadline]:
    """Every deadline of an open case, earliest first (a closed case has none)."""
    if not case.open:
        return []
    found: list[Deadline] = []
    if case.suit_served_on is not None and case.schonfrist_cured_on is None:
        found.append(
            _deadline(
                DeadlineKind.SCHONFRIST,
                schonfrist_end(case.suit_served_on),
                "Ende der Schonfrist: bis dahin Mietrückstand zahlen oder "
                "Übernahmeerklärung des Amtes vorlegen",
                BASIS_SCHONFRIST,
            )
        )
    if case.eviction_date is not None:
        found.append(
            _deadline(
                DeadlineKind.EVICTION,
                case.eviction_date,
                "Räumungstermin des Gerichtsvollziehers",
                BASIS_EVICTION,
                working_day=False,
            )
        )
    if case.application_filed_on is not None and case.application_decided_on is None:
        found.append(
            _deadline(
                DeadlineKind.APPLICATION_PENDING,
                case.application_filed_on + timedelta(days=pending_days),
                f"Antrag auf Mietschuldenübernahme seit {pending_days} Tagen ohne "
                "Bescheid: beim Amt nachfragen",
                label(case.application_legal_basis) if case.application_legal_basis else None,
                working_day=False,
            )
        )
    if case.next_appointment is not None:
        found.append(
            _deadline(
                DeadlineKind.APPOINTMENT,
                case.next_appointment,
                "Nächster Termin",
                None,
                working_day=False,
            )
        )
    return sorted(found, key=lambda d: (d.date, d.kind.value))


def within(items: Iterable[Deadline], start: date, days: int) -> list[Deadline]:
    """Deadlines from ``start`` up to ``days`` days later (inclusive)."""
    end = start + timedelta(days=days)
    return [d for d in items if start <= d.date <= end]


def two_year_warning(notice_date: date | None, earlier_cured_notices: Sequence[date]) -> str | None:
    """The warning when the Schonfrist no longer helps (§ 569 Abs. 3 Nr. 2 Satz 2 BGB).

    A payment does not cure the notice if, not longer than two years before it, an earlier
    notice of the same tenancy was already cured by payment within the Schonfrist.
    """
    if notice_date is None:
        return None
    since = subtract_years(notice_date, 2)
    cured = sorted(d for d in earlier_cured_notices if since <= d < notice_date)
    if not cured:
        return None
    return (
        f"Achtung: Für dieses Mietverhältnis wurde die Schonfrist bereits am "
        f"{cured[-1].strftime('%d.%m.%Y')} genutzt. Innerhalb von zwei Jahren heilt eine "
        f"Zahlung die Kündigung nicht erneut ({BASIS_TWO_YEARS}); "
        "eine Vereinbarung mit dem Vermieter ist nötig."
    )
