"""How a prevention case feeds the household's urgency in the ranking (pure).

The engine's rules stay untouched: the case raises the urgency stored on the household (what
the ranking snapshot reads), and the reason is shown to the counselor beside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from matching.enums import CaseOutcome, Urgency

# Most urgent first (the order of the default policy's urgency component).
ORDER: tuple[Urgency, ...] = (
    Urgency.EVICTION_SCHEDULED,
    Urgency.HOMELESS,
    Urgency.NOTICE_RECEIVED,
    Urgency.INADEQUATE_HOUSING,
    Urgency.THREATENED,
    Urgency.NONE,
)


def more_urgent(a: Urgency, b: Urgency) -> bool:
    return ORDER.index(a) < ORDER.index(b)


@dataclass(frozen=True)
class Derived:
    urgency: Urgency
    eviction_date: date | None
    notice_date: date | None
    reason: str


def derive(
    *, eviction_date: date | None, notice_date: date | None, reference: str, today: date
) -> Derived:
    """The urgency an open prevention case implies, with the sentence that explains it."""
    if eviction_date is not None and eviction_date >= today:
        return Derived(
            Urgency.EVICTION_SCHEDULED,
            eviction_date,
            notice_date,
            f"Räumungstermin am {eviction_date:%d.%m.%Y} (Fall {reference})",
        )
    if notice_date is not None:
        return Derived(
            Urgency.NOTICE_RECEIVED,
            None,
            notice_date,
            f"Kündigung vom {notice_date:%d.%m.%Y} (Fall {reference})",
        )
    return Derived(Urgency.THREATENED, None, None, f"Wohnungssicherung läuft (Fall {reference})")


def after_closing(outcome: CaseOutcome, current: Urgency) -> Urgency | None:
    """The household's urgency once a prevention case ends; None = leave it as it is."""
    if outcome == CaseOutcome.HOME_LOST:
        return Urgency.HOMELESS
    if outcome == CaseOutcome.HOME_KEPT and current in (
        Urgency.EVICTION_SCHEDULED,
        Urgency.NOTICE_RECEIVED,
        Urgency.THREATENED,
    ):
        return Urgency.NONE
    return None
