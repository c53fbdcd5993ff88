"""What the ranking service hands to pages and the API: engine results plus display facts.

The engine knows only ids; pages need reference codes, towns and titles, and must know which
rows the actor may open. These dataclasses carry both, so controllers only format.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from matching.ranking.chances import UsedChances
from scoring import (
    Allocation,
    ComponentScore,
    Funnel,
    HouseholdRow,
    PairExplanation,
    Reason,
    Vacancy,
)

__all__ = [
    "AllocationItem",
    "AllocationResult",
    "ExcludedGroup",
    "HouseholdMatch",
    "HouseholdMatches",
    "PairResult",
    "VacancyMatch",
    "VacancyMatches",
]


@dataclass(frozen=True)
class HouseholdMatch:
    """One ranked household of a vacancy (``own``: the actor may open the household)."""

    rank: int
    household_id: int
    reference_code: str
    urgency: str
    persons: int
    total: float
    components: tuple[ComponentScore, ...]
    warnings: tuple[Reason, ...]
    own: bool


@dataclass(frozen=True)
class ExcludedGroup:
    """One exclusion rule of the funnel with the first households it excluded."""

    code: str
    label: str
    count: int
    households: tuple[tuple[int, str], ...]
    """(household id, reference code) – each links to its "Warum nicht?" page."""


@dataclass(frozen=True)
class VacancyMatches:
    """A page of the households ranked for one vacancy, the funnel and result warnings."""

    vacancy_id: int
    policy_name: str
    policy_version: str
    reference_date: dt.date
    eligible_count: int
    funnel: Funnel
    rows: tuple[HouseholdMatch, ...]
    offset: int
    limit: int
    warnings: tuple[Reason, ...]
    scope: str
    """ "organisation" (a counselling office sees its own households) or "all" (admin)."""
    vacancy: Vacancy
    """The vacancy as the engine ranked it (the acceptance chance reads its facts here
    instead of loading the vacancy again)."""
    landlord_id: int
    excluded: tuple[ExcludedGroup, ...] = ()
    search: str = ""
    used_chances: UsedChances | None = None
    """The acceptance chances the order used (a policy weighing them, a model shown)."""

    @property
    def has_next(self) -> bool:
        return self.offset + len(self.rows) < self.eligible_count


@dataclass(frozen=True)
class VacancyMatch:
    """One ranked open vacancy of a household."""

    rank: int
    vacancy_id: int
    title: str
    postal_code: str
    town: str
    total: float
    components: tuple[ComponentScore, ...]
    warnings: tuple[Reason, ...]


@dataclass(frozen=True)
class HouseholdMatches:
    """A page of the open vacancies ranked for one household."""

    household_id: int
    reference_code: str
    policy_name: str
    policy_version: str
    reference_date: dt.date
    eligible_count: int
    funnel: Funnel
    rows: tuple[VacancyMatch, ...]
    offset: int
    limit: int
    warnings: tuple[Reason, ...]
    household: HouseholdRow
    """The household as the engine ranked it, read fresh (the acceptance chance reads its
    facts here instead of loading the household again)."""
    used_chances: UsedChances | None = None
    """The acceptance chances the order used (a policy weighing them, a model shown)."""

    @property
    def has_next(self) -> bool:
        return self.offset + len(self.rows) < self.eligible_count


@dataclass(frozen=True)
class PairResult:
    """ "Warum?" / "Warum nicht?" for one household and one vacancy."""

    explanation: PairExplanation
    reference_code: str
    vacancy_title: str
    warnings: tuple[Reason, ...]
    used_chances: UsedChances | None = None
    """The acceptance chances the order used (a policy weighing them, a model shown)."""

    @property
    def policy_name(self) -> str:
        return self.explanation.policy_name

    @property
    def policy_version(self) -> str:
        return self.explanation.policy_version


@dataclass(frozen=True)
class AllocationItem:
    """One vacancy of the allocation suggestion with its suggested household."""

    vacancy_id: int
    title: str
    town: str
    eligible_count: int
    household_id: int | None
    reference_code: str | None
    total: float | None
    hard_to_place: bool


@dataclass(frozen=True)
class AllocationResult:
    """The allocation suggestion, hard-to-place vacancies first."""

    allocation: Allocation
    items: tuple[AllocationItem, ...]
    reference_date: dt.date
    household_count: int
    seconds: float
    warnings: tuple[Reason, ...]

    @property
    def policy_name(self) -> str:
        return self.allocation.policy_name

    @property
    def policy_version(self) -> str:
        return self.allocation.policy_version

    @property
    def assigned(self) -> int:
        return sum(1 for item in self.items if item.household_id is not None)
