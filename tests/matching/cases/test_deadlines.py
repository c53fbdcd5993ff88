"""Deadlines of a case: which ones, their dates, § 193 BGB beside them, the two-year rule."""

from __future__ import annotations

from datetime import date

from matching.cases.deadlines import CaseDates, deadlines, two_year_warning, within
from matching.enums import ArrearsLegalBasis, DeadlineKind


def test_schonfrist_on_a_weekend_shows_the_next_working_day() -> None:
    # served 31.12.2026 -> end 28.02.2027, a Sunday -> Monday 01.03.2027
    found = deadlines(CaseDates(open=True, suit_served_on=date(2026, 12, 31)))
    (schonfrist,) = found
    assert schonfrist.kind == DeadlineKind.SCHONFRIST
    assert schonfrist.date == date(2027, 2, 28)
    assert schonfrist.last_working_day == date(2027, 3, 1)
    assert "§ 569 Abs. 3 Nr. 2 BGB" in (schonfrist.legal_basis or "")
    assert "Schonfrist" in schonfrist.label


def test_second_date_only_when_the_end_is_no_working_day() -> None:
    (schonfrist,) = deadlines(CaseDates(open=True, suit_served_on=date(2027, 1, 13)))
    assert schonfrist.date == date(2027, 3, 13)  # a Saturday -> Monday 15.03.
    assert schonfrist.last_working_day == date(2027, 3, 15)
    (plain,) = deadlines(CaseDates(open=True, suit_served_on=date(2027, 1, 10)))
    assert plain.date == date(2027, 3, 10) and plain.last_working_day is None


def test_a_deadline_moved_by_193_is_not_overdue_before_the_working_day() -> None:
    """Schonfrist ends Saturday 13.03.2027: on Sunday and Monday it is still running (the
    page said "überfällig" on Sunday and "in 0 Tagen" / "in 1 Tagen" otherwise)."""
    (schonfrist,) = deadlines(CaseDates(open=True, suit_served_on=date(2027, 1, 13)))
    words = {
        day: (schonfrist.overdue(date(2027, 3, day)), schonfrist.due_in_words(date(2027, 3, day)))
        for day in (5, 13, 14, 15, 16)
    }
    assert words == {
        5: (False, "in 10 Tagen"),
        13: (False, "in 2 Tagen"),
        14: (False, "morgen"),
        15: (False, "heute"),
        16: (True, "überfällig"),
    }


def test_all_kinds_sorted_by_date_and_none_when_closed() -> None:
    case = CaseDates(
        open=True,
        suit_served_on=date(2027, 1, 10),
        eviction_date=date(2027, 2, 1),
        application_filed_on=date(2027, 1, 12),
        application_legal_basis=ArrearsLegalBasis.SGB2,
        next_appointment=date(2027, 1, 20),
    )
    found = deadlines(case)
    assert [d.kind for d in found] == [
        DeadlineKind.APPOINTMENT,
        DeadlineKind.APPLICATION_PENDING,
        DeadlineKind.EVICTION,
        DeadlineKind.SCHONFRIST,
    ]
    pending = found[1]
    assert pending.date == date(2027, 1, 26)
    assert pending.legal_basis == "§ 22 Abs. 8 SGB II"
    assert deadlines(CaseDates(open=False, suit_served_on=date(2027, 1, 10))) == []
    assert [d.kind for d in within(found, date(2027, 1, 19), 7)] == [
        DeadlineKind.APPOINTMENT,
        DeadlineKind.APPLICATION_PENDING,
    ]


def test_decided_application_and_cured_schonfrist_are_no_deadlines() -> None:
    case = CaseDates(
        open=True,
        suit_served_on=date(2027, 1, 10),
        schonfrist_cured_on=date(2027, 2, 20),
        application_filed_on=date(2027, 1, 12),
        application_decided_on=date(2027, 1, 30),
    )
    assert deadlines(case) == []


def test_two_year_rule() -> None:
    notice = date(2027, 5, 10)
    warning = two_year_warning(notice, [date(2025, 5, 10)])
    assert warning is not None and "10.05.2025" in warning
    assert "§ 569 Abs. 3 Nr. 2 Satz 2 BGB" in warning
    assert two_year_warning(notice, [date(2025, 5, 9)]) is None  # more than two years
    assert two_year_warning(notice, []) is None
    assert two_year_warning(None, [date(2026, 1, 1)]) is None
    # leap day: two years before 29.02.2028 is 28.02.2026
    assert two_year_warning(date(2028, 2, 29), [date(2026, 2, 28)]) is not None
