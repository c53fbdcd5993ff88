"""The hard-rule check the proposal service needs from the ranking side, as a Protocol.

Why injected: the proposal workflow must not depend on how ranking is built (snapshot cache,
vectorised engine); the ranking service implements ``evaluate`` and the app passes it in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from matching.proposals.errors import DomainError
from scoring import RULEBOOK


def may_override(code: str) -> bool:
    """Whether a written justification may override an exclusion by rule ``code``.

    The rulebook says which rules make a pair impossible rather than unwise; a code it does
    not know is never overridable (fail closed)."""
    return RULEBOOK.overridable(code)


@dataclass(frozen=True)
class PairEvaluation:
    """The engine's verdict on one (vacancy, household) pair."""

    exclusions: list[tuple[str, str]]  # (code, German sentence); empty when the pair passes
    score: float | None
    components: dict[str, float] = field(default_factory=dict)
    policy_name: str = ""
    policy_version: str = ""


class PairChecker(Protocol):
    async def evaluate(
        self, session: AsyncSession, vacancy_id: int, household_id: int
    ) -> PairEvaluation: ...


class PassAllChecker:
    """A checker that excludes nothing: unit tests of the workflow only, never the app."""

    def __init__(self, policy_name: str = "dringlichkeit", policy_version: str = "0") -> None:
        self.policy_name = policy_name
        self.policy_version = policy_version

    async def evaluate(
        self, session: AsyncSession, vacancy_id: int, household_id: int
    ) -> PairEvaluation:
        return PairEvaluation([], None, {}, self.policy_name, self.policy_version)


class CheckerUnavailable(DomainError):
    """The hard rules cannot be checked now: nothing is proposed (fail closed)."""

    http_status = 503
    code = "checker_unavailable"


class UnavailableChecker:
    """Stands in when the ranking service is missing: every proposal is refused, never let
    through unchecked."""

    async def evaluate(
        self, session: AsyncSession, vacancy_id: int, household_id: int
    ) -> PairEvaluation:
        raise CheckerUnavailable(
            "Die Ausschlussregeln können gerade nicht geprüft werden. Es wurde nichts "
            "vorgeschlagen; bitte versuchen Sie es in einigen Minuten erneut."
        )
