"""JSON API for rankings: matches of a vacancy, of a household, and one pair explained.

For counselling organisations' API keys (scope ``households:read``); a counselling office
sees only its own households in rows and funnel. Landlord keys answer 404, like an unknown
vacancy. Every answer names the policy and its version the ranking was made with.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get
from litestar.di import Provide
from litestar.params import Parameter
from sqlalchemy.ext.asyncio import AsyncSession

from api.dependencies import provide_actor
from api.guards import requires_scope
from matching.acceptance.service import AcceptanceService, Chance, PageChances
from matching.actors import Actor
from matching.ranking import RankingService
from matching.ranking.results import HouseholdMatches, PairResult, VacancyMatches
from scoring import ComponentScore, Funnel, Reason

MAX_ID = 2**62


class PolicyName(StrEnum):
    """The shipped policies as a closed set, so the API document enumerates them
    (a test keeps it equal to scoring's policy files)."""

    DRINGLICHKEIT = "dringlichkeit"
    PASSGENAUIGKEIT = "passgenauigkeit"
    WARTEZEIT = "wartezeit"


PolicyParam = Annotated[
    PolicyName | None,
    Parameter(
        description="Name der Policy (dringlichkeit, wartezeit, passgenauigkeit); "
        "ohne Angabe die voreingestellte.",
    ),
]
LimitParam = Annotated[int, Parameter(ge=1, le=200, description="Zeilen pro Seite (1–200)")]
OffsetParam = Annotated[int, Parameter(ge=0, le=1_000_000, description="Versatz")]


class PolicyOut(msgspec.Struct):
    name: str
    version: str


class ReasonOut(msgspec.Struct):
    code: str
    text: str


class ComponentOut(msgspec.Struct):
    component: str
    label: str
    points: float
    weight: float
    value: float
    reason: str


class FunnelStepOut(msgspec.Struct):
    rule: str
    label: str
    excluded: int


class FunnelOut(msgspec.Struct):
    total: int
    eligible: int
    excluded: int
    summary: str
    steps: list[FunnelStepOut]


class AcceptanceOut(msgspec.Struct):
    """Estimated chance that the landlord accepts (learned; changes no order)."""

    probability: float
    band: str
    model_version: str


class HouseholdMatchOut(msgspec.Struct):
    rank: int
    household_id: int
    reference_code: str
    urgency: str
    persons: int
    total: float
    components: list[ComponentOut]
    warnings: list[ReasonOut]
    acceptance: AcceptanceOut | None = None


class VacancyMatchesOut(msgspec.Struct):
    vacancy_id: int
    policy: PolicyOut
    reference_date: dt.date
    scope: str
    eligible_count: int
    limit: int
    offset: int
    items: list[HouseholdMatchOut]
    funnel: FunnelOut
    warnings: list[ReasonOut]
    acceptance_note: str | None = None
    """Why ``acceptance`` is null (e.g. "noch zu wenig Erfahrung")."""


class VacancyMatchOut(msgspec.Struct):
    rank: int
    vacancy_id: int
    title: str
    postal_code: str
    town: str
    total: float
    components: list[ComponentOut]
    warnings: list[ReasonOut]
    acceptance: AcceptanceOut | None = None


class HouseholdMatchesOut(msgspec.Struct):
    household_id: int
    reference_code: str
    policy: PolicyOut
    reference_date: dt.date
    eligible_count: int
    limit: int
    offset: int
    items: list[VacancyMatchOut]
    funnel: FunnelOut
    warnings: list[ReasonOut]
    acceptance_note: str | None = None


class PairOut(msgspec.Struct):
    vacancy_id: int
    household_id: int
    reference_code: str
    policy: PolicyOut
    reference_date: dt.date
    eligible: bool
    total: float | None
    components: list[ComponentOut]
    exclusions: list[ReasonOut]
    warnings: list[ReasonOut]
    acceptance: AcceptanceOut | None = None
    acceptance_note: str | None = None


def _reasons(reasons: tuple[Reason, ...]) -> list[ReasonOut]:
    return [ReasonOut(code=r.code, text=r.text) for r in reasons]


def _components(components: tuple[ComponentScore, ...]) -> list[ComponentOut]:
    return [
        ComponentOut(
            component=c.component.value,
            label=c.label,
            points=c.points,
            weight=c.weight,
            value=round(c.value, 4),
            reason=c.reason,
        )
        for c in components
    ]


def _funnel(funnel: Funnel) -> FunnelOut:
    return FunnelOut(
        total=funnel.total,
        eligible=funnel.eligible,
        excluded=funnel.excluded,
        summary=funnel.summary(),
        steps=[
            FunnelStepOut(rule=s.rule.value, label=s.label, excluded=s.excluded)
            for s in funnel.steps
        ],
    )


def _acceptance(chance: Chance | None) -> AcceptanceOut | None:
    if chance is None:
        return None
    return AcceptanceOut(**chance.as_dict())


def vacancy_matches_out(
    result: VacancyMatches, chances: PageChances | None = None
) -> VacancyMatchesOut:
    page = chances or PageChances({}, None)
    return VacancyMatchesOut(
        vacancy_id=result.vacancy_id,
        policy=PolicyOut(name=result.policy_name, version=result.policy_version),
        reference_date=result.reference_date,
        scope=result.scope,
        eligible_count=result.eligible_count,
        limit=result.limit,
        offset=result.offset,
        items=[
            HouseholdMatchOut(
                rank=r.rank,
                household_id=r.household_id,
                reference_code=r.reference_code,
                urgency=r.urgency,
                persons=r.persons,
                total=r.total,
                components=_components(r.components),
                warnings=_reasons(r.warnings),
                acceptance=_acceptance(page.of(r.household_id)),
            )
            for r in result.rows
        ],
        funnel=_funnel(result.funnel),
        warnings=_reasons(result.warnings),
        acceptance_note=page.note,
    )


def household_matches_out(
    result: HouseholdMatches, chances: PageChances | None = None
) -> HouseholdMatchesOut:
    page = chances or PageChances({}, None)
    return HouseholdMatchesOut(
        household_id=result.household_id,
        reference_code=result.reference_code,
        policy=PolicyOut(name=result.policy_name, version=result.policy_version),
        reference_date=result.reference_date,
        eligible_count=result.eligible_count,
        limit=result.limit,
        offset=result.offset,
        items=[
            VacancyMatchOut(
                rank=r.rank,
                vacancy_id=r.vacancy_id,
                title=r.title,
                postal_code=r.postal_code,
                town=r.town,
                total=r.total,
                components=_components(r.components),
                warnings=_reasons(r.warnings),
                acceptance=_acceptance(page.of(r.vacancy_id)),
            )
            for r in result.rows
        ],
        funnel=_funnel(result.funnel),
        warnings=_reasons(result.warnings),
        acceptance_note=page.note,
    )


def pair_out(result: PairResult, chances: PageChances | None = None) -> PairOut:
    e = result.explanation
    page = chances or PageChances({}, None)
    return PairOut(
        vacancy_id=e.vacancy_id,
        household_id=e.household_id,
        reference_code=result.reference_code,
        policy=PolicyOut(name=e.policy_name, version=e.policy_version),
        reference_date=e.reference_date,
        eligible=e.eligible,
        total=e.total,
        components=_components(e.components),
        exclusions=_reasons(e.exclusions),
        warnings=_reasons((*e.warnings, *result.warnings)),
        acceptance=_acceptance(page.of(e.household_id)),
        acceptance_note=page.note,
    )


async def provide_ranking(request: Request[Any, Any, Any]) -> RankingService:
    service: RankingService = request.app.state.ranking
    return service


async def provide_acceptance(request: Request[Any, Any, Any]) -> AcceptanceService:
    service: AcceptanceService = request.app.state.acceptance
    return service


class MatchApi(Controller):
    path = "/api/v1"
    tags = ["Ranglisten"]
    guards = [requires_scope("households:read")]
    dependencies = {
        "actor": Provide(provide_actor),
        "ranking": Provide(provide_ranking),
        "acceptance": Provide(provide_acceptance),
    }

    @get(
        "/vacancies/{vacancy_id:int}/matches",
        summary="Haushalte für ein Wohnungsangebot, gerankt",
        description="Nur Haushalte der eigenen Organisation; mit Punkten je Komponente, "
        "Begründungen, Ausschluss-Trichter und Policy-Version. `acceptance` ist die "
        "geschätzte Zusage-Chance des Vermieters (zählt nur mit, wenn die Policy ihr ein "
        "Gewicht gibt; die mitgelieferten geben 0) oder `null`; "
        "`acceptance_note` nennt dann den Grund.",
    )
    async def vacancy_matches(
        self,
        actor: Actor,
        ranking: RankingService,
        acceptance: AcceptanceService,
        db_session: AsyncSession,
        vacancy_id: Annotated[int, Parameter(ge=1, le=MAX_ID)],
        policy: PolicyParam = None,
        limit: LimitParam = 50,
        offset: OffsetParam = 0,
    ) -> VacancyMatchesOut:
        result = await ranking.vacancy_matches(
            db_session, actor, vacancy_id, policy=policy, limit=limit, offset=offset
        )
        chances = await acceptance.for_vacancy(db_session, ranking, result)
        return vacancy_matches_out(result, chances)

    @get(
        "/households/{household_id:int}/matches",
        summary="Offene Wohnungsangebote für einen Haushalt, gerankt",
    )
    async def household_matches(
        self,
        actor: Actor,
        ranking: RankingService,
        acceptance: AcceptanceService,
        db_session: AsyncSession,
        household_id: Annotated[int, Parameter(ge=1, le=MAX_ID)],
        policy: PolicyParam = None,
        limit: LimitParam = 50,
        offset: OffsetParam = 0,
    ) -> HouseholdMatchesOut:
        result = await ranking.household_matches(
            db_session, actor, household_id, policy=policy, limit=limit, offset=offset
        )
        chances = await acceptance.for_household(db_session, ranking, result)
        return household_matches_out(result, chances)

    @get(
        "/vacancies/{vacancy_id:int}/matches/{household_id:int}",
        summary="Ein Paar erklärt: Punkte oder jeder Ausschlussgrund",
    )
    async def pair(
        self,
        actor: Actor,
        ranking: RankingService,
        acceptance: AcceptanceService,
        db_session: AsyncSession,
        vacancy_id: Annotated[int, Parameter(ge=1, le=MAX_ID)],
        household_id: Annotated[int, Parameter(ge=1, le=MAX_ID)],
        policy: PolicyParam = None,
    ) -> PairOut:
        result = await ranking.explain(db_session, actor, vacancy_id, household_id, policy=policy)
        chances = await acceptance.for_explained(db_session, ranking, result)
        return pair_out(result, chances)


ROUTES: list[Any] = [MatchApi]
