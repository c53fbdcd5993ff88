"""Who can be proposed for a vacancy: its ranking, page by page, with each consent state.

Why one module for both pages: the vacancy's ranking and the propose page show the same
ranking (all eligible households of the office in ranking order, not a pre-cut list), and both
need the consent state of the rows. One ranking call and one consent query per page.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from matching import clock
from matching.access import counseling_org
from matching.actors import Actor
from matching.consent.service import ConsentCheck, checks_for_proposal
from matching.db.models import Vacancy
from matching.households.name_index import matching_ids
from matching.proposals.checker import may_override
from matching.ranking.results import HouseholdMatch, VacancyMatches

if TYPE_CHECKING:
    from matching.ranking.service import RankingService

EXCLUDED_SAMPLE = 20
"""Excluded households named per rule (the search finds any other)."""


@dataclass(frozen=True)
class Candidate:
    """One ranked household of the counselor's office with its consent for this landlord."""

    match: HouseholdMatch
    consent: ConsentCheck

    @property
    def selectable(self) -> bool:
        return self.consent.consent is not None


@dataclass(frozen=True)
class CandidatePage:
    ranking: VacancyMatches
    rows: tuple[Candidate, ...]
    consents: dict[int, ConsentCheck]
    """Consent state of every household on the page, the excluded ones named included."""

    @property
    def overridable(self) -> frozenset[str]:
        """Rules a written justification may override (others make the pair impossible)."""
        return frozenset(g.code for g in self.ranking.excluded if may_override(g.code))


async def consent_states(
    session: AsyncSession, vacancy: Vacancy, household_ids: Iterable[int]
) -> dict[int, ConsentCheck]:
    """Consent of each household for this vacancy's landlord today (one query)."""
    ids = sorted(set(household_ids))
    today = clock.today()
    return await checks_for_proposal(session, ids, vacancy.organisation_id, today)


async def candidate_page(
    session: AsyncSession,
    actor: Actor,
    vacancy: Vacancy,
    ranking: RankingService,
    *,
    offset: int,
    limit: int,
    search: str = "",
) -> CandidatePage:
    """A page of the vacancy's ranking for the actor's office, with consents.

    ``search`` matches reference codes and, through the blind index, household names."""
    named: set[int] = set()
    by_name = matching_ids(search, counseling_org(actor)) if search.strip() else None
    if by_name is not None:
        named = set((await session.scalars(by_name)).all())
    result = await ranking.rank_vacancy(
        session,
        actor,
        vacancy,
        offset=offset,
        limit=limit,
        search=search,
        named_ids=named,
        excluded_sample=EXCLUDED_SAMPLE,
    )
    shown = [h for g in result.excluded for h, _ in g.households]
    consents = await consent_states(
        session, vacancy, [r.household_id for r in result.rows if r.own] + shown
    )
    rows = tuple(Candidate(r, consents[r.household_id]) for r in result.rows if r.own)
    return CandidatePage(result, rows, consents)
