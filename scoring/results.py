"""Result types of the engine: plain frozen dataclasses, easy to serialise for the API."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from scoring.codes import Component, Rule

__all__ = [
    "Allocation",
    "AllocationRow",
    "ComponentScore",
    "Funnel",
    "FunnelStep",
    "HouseholdRanking",
    "PairExplanation",
    "RankedHousehold",
    "RankedVacancy",
    "Reason",
    "ScoreMatrix",
    "VacancyRanking",
]


@dataclass(frozen=True, slots=True)
class Reason:
    """An exclusion or warning: stable ``code`` and a German sentence with the numbers."""

    code: str
    text: str


@dataclass(frozen=True, slots=True)
class ComponentScore:
    """One score component of a pair: value in [0, 1], weight, rounded points, reason."""

    component: Component
    label: str
    weight: float
    value: float
    points: float
    reason: str


@dataclass(frozen=True)
class FunnelStep:
    """How many candidates one rule excluded (a candidate failing two rules counts twice)."""

    rule: Rule
    label: str
    excluded: int


@dataclass(frozen=True)
class Funnel:
    """Per-rule exclusion counts and how many candidates pass all rules."""

    unit: str
    total: int
    eligible: int
    steps: tuple[FunnelStep, ...]

    @property
    def excluded(self) -> int:
        """Candidates excluded by at least one rule."""
        return self.total - self.eligible

    def counts(self) -> dict[str, int]:
        """Rule code → excluded count, every rule included."""
        return {s.rule.value: s.excluded for s in self.steps}

    def summary(self) -> str:
        """German one-liner, e.g. "312 Haushalte ausgeschlossen: 140 Miete über …; 88 passen"."""
        steps = sorted((s for s in self.steps if s.excluded), key=lambda s: -s.excluded)
        parts = ", ".join(f"{s.excluded} {s.label}" for s in steps)
        unit = _SINGULAR.get(self.unit, self.unit) if self.excluded == 1 else self.unit
        head = f"{self.excluded} {unit} ausgeschlossen"
        tail = f"{self.eligible} {'passt' if self.eligible == 1 else 'passen'}"
        return f"{head}: {parts}; {tail}" if parts else f"{head}; {tail}"


# "1 Haushalt ausgeschlossen", not "1 Haushalte": the singular of each funnel unit.
_SINGULAR = {"Haushalte": "Haushalt", "Wohnungen": "Wohnung"}


@dataclass(frozen=True, slots=True)
class RankedHousehold:
    """A household in a vacancy's ranking (``rank`` is 1-based over all eligible)."""

    rank: int
    household_id: int
    total: float
    components: tuple[ComponentScore, ...]
    warnings: tuple[Reason, ...]


@dataclass(frozen=True)
class VacancyRanking:
    """Households ranked for one vacancy, one page of it, with the funnel."""

    vacancy_id: int
    policy_name: str
    policy_version: str
    reference_date: dt.date
    eligible_count: int
    funnel: Funnel
    rows: tuple[RankedHousehold, ...]
    offset: int
    limit: int
    excluded: tuple[tuple[Rule, tuple[int, ...]], ...] = ()
    """Per rule with exclusions, the first excluded household ids (``excluded_sample``)."""


@dataclass(frozen=True, slots=True)
class RankedVacancy:
    """A vacancy in a household's ranking (``rank`` is 1-based over all eligible)."""

    rank: int
    vacancy_id: int
    total: float
    components: tuple[ComponentScore, ...]
    warnings: tuple[Reason, ...]


@dataclass(frozen=True)
class HouseholdRanking:
    """Vacancies ranked for one household, one page of it, with the funnel."""

    household_id: int
    policy_name: str
    policy_version: str
    reference_date: dt.date
    eligible_count: int
    funnel: Funnel
    rows: tuple[RankedVacancy, ...]
    offset: int
    limit: int


@dataclass(frozen=True)
class PairExplanation:
    """ "Warum?" / "Warum nicht?" for one household and one vacancy."""

    household_id: int
    vacancy_id: int
    policy_name: str
    policy_version: str
    reference_date: dt.date
    eligible: bool
    total: float | None
    components: tuple[ComponentScore, ...]
    exclusions: tuple[Reason, ...]
    warnings: tuple[Reason, ...]


@dataclass(frozen=True, eq=False)
class ScoreMatrix:
    """Block form: total points for vacancies × households; ``-inf`` where excluded."""

    vacancy_ids: npt.NDArray[np.int64]
    household_ids: npt.NDArray[np.int64]
    scores: npt.NDArray[np.float64]
    policy_name: str
    policy_version: str


@dataclass(frozen=True)
class AllocationRow:
    """One vacancy of the allocation: the suggested household (or none) and its score."""

    vacancy_id: int
    household_id: int | None
    total: float | None
    eligible_count: int


@dataclass(frozen=True)
class Allocation:
    """Suggested one-to-one assignment; rows list hard-to-place vacancies first."""

    rows: tuple[AllocationRow, ...]
    total_points: float
    candidates_per_vacancy: int
    policy_name: str
    policy_version: str

    @property
    def assignments(self) -> tuple[tuple[int, int, float], ...]:
        """(vacancy id, household id, total) for every assigned vacancy, in row order."""
        return tuple(
            (r.vacancy_id, r.household_id, r.total)
            for r in self.rows
            if r.household_id is not None and r.total is not None
        )
