"""Ranking pages: households for a vacancy, vacancies for a household, "Warum nicht?" for
one pair, and the Fachstelle's allocation suggestion.

The ranking on the vacancy page is a partial (``partials/ranking.html``): rendered inside the
vacancy detail page, and on its own for HTMX (next page, other policy). Without JavaScript
the same links and the policy form reload the vacancy page with query parameters.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.di import Provide
from litestar.params import Parameter
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from api.dependencies import provide_actor, provide_vacancies
from api.guards import admin_only, counselor_or_admin
from api.views.forms import render
from matching.actors import Actor
from matching.db.models import Vacancy
from matching.enums import Role, VacancyStatus
from matching.proposals.candidates import EXCLUDED_SAMPLE, consent_states
from matching.ranking import RankingService
from matching.ranking.results import AllocationResult
from matching.vacancies.service import VacancyService
from matching.validation import FieldError, ValidationFailed

PAGE_SIZE = 20
MAX_ID = 2**62
FIELD_LABELS = {
    "municipality_ags": "Kommune",
    "rooms": "Zimmer",
    "living_area": "Wohnfläche",
    "floor": "Stockwerk",
    "net_cold_rent": "Nettokaltmiete",
    "cold_service_charges": "Kalte Nebenkosten",
    "heating_costs": "Heizkosten",
    "available_from": "Bezugsdatum",
    "min_persons": "Mindestpersonenzahl",
    "max_persons": "Höchstpersonenzahl",
    "lat": "Breitengrad",
    "lon": "Längengrad",
    "policy": "Policy",
    "limit": "Anzahl",
    "offset": "Seite",
}

PolicyQuery = Annotated[str | None, Parameter(max_length=50)]
OffsetQuery = Annotated[int, Parameter(ge=0, le=1_000_000)]


def _ranking(request: Request[Any, Any, Any]) -> RankingService | None:
    return getattr(request.app.state, "ranking", None)


def _is_htmx(request: Request[Any, Any, Any]) -> bool:
    return request.headers.get("hx-request") == "true"


def _query_offset(request: Request[Any, Any, Any]) -> int:
    raw = request.query_params.get("offset") or "0"
    try:
        return max(0, min(int(raw), 1_000_000))
    except ValueError:
        return 0


async def vacancy_ranking_context(
    request: Request[Any, Any, Any], session: AsyncSession, actor: Actor, vacancy: Vacancy
) -> dict[str, Any] | None:
    """Context for ``partials/ranking.html`` (``?policy=`` and ``?offset=`` are honoured)."""
    ranking_service = _ranking(request)
    if ranking_service is None:
        return None
    policy = (request.query_params.get("policy") or "").strip()[:50] or None
    result: dict[str, Any] = await ranking_service.vacancy_context(
        session,
        actor,
        vacancy,
        policy=policy,
        offset=_query_offset(request),
        limit=PAGE_SIZE,
        excluded_sample=EXCLUDED_SAMPLE,
    )
    result["field_labels"] = FIELD_LABELS
    ranked = result["result"]
    # Own rows of a counselor get "Vorschlagen" with their consent state (one query).
    result["consents"] = (
        await consent_states(session, vacancy, [r.household_id for r in ranked.rows if r.own])
        if ranked is not None
        and actor.role == Role.COUNSELOR
        and vacancy.status == VacancyStatus.OPEN
        else {}
    )
    acceptance = getattr(request.app.state, "acceptance", None)
    if ranked is not None and acceptance is not None:
        result["acceptance"] = await acceptance.for_vacancy(session, ranking_service, ranked)
    return result


def _errors(errors: list[FieldError]) -> list[dict[str, str]]:
    return [{"label": FIELD_LABELS.get(e.field, e.field), "message": e.message} for e in errors]


async def provide_ranking(request: Request[Any, Any, Any]) -> RankingService:
    service = _ranking(request)
    assert service is not None, "create_app sets app.state.ranking"
    return service


class MatchPages(Controller):
    path = "/"
    guards = [counselor_or_admin]
    include_in_schema = False
    dependencies = {
        "actor": Provide(provide_actor),
        "vacancies": Provide(provide_vacancies),
        "ranking": Provide(provide_ranking),
    }

    @get("/wohnungen/{vacancy_id:int}/rangliste")
    async def ranking_partial(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        vacancies: VacancyService,
        db_session: AsyncSession,
        vacancy_id: Annotated[int, Parameter(ge=1, le=MAX_ID)],
    ) -> Template:
        """The ranking alone (HTMX: next page, other policy)."""
        vacancy = await vacancies.get_for(actor, vacancy_id)
        ranking = await vacancy_ranking_context(request, db_session, actor, vacancy)
        failed = bool(ranking and ranking["errors"]) and not _is_htmx(request)
        return render(
            request,
            "partials/ranking.html",
            status_code=422 if failed else 200,
            ranking=ranking,
            vacancy=vacancy,
        )

    @get("/haushalte/{household_id:int}/wohnungen")
    async def household_matches(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        ranking: RankingService,
        db_session: AsyncSession,
        household_id: Annotated[int, Parameter(ge=1, le=MAX_ID)],
        policy: PolicyQuery = None,
        offset: OffsetQuery = 0,
    ) -> Template:
        """ "Passende Wohnungen" for one household."""
        result = None
        errors: list[FieldError] = []
        try:
            result = await ranking.household_matches(
                db_session, actor, household_id, policy=policy, offset=offset, limit=PAGE_SIZE
            )
        except ValidationFailed as exc:
            errors = exc.errors
        chances = None
        acceptance = getattr(request.app.state, "acceptance", None)
        if result is not None and acceptance is not None:
            chances = await acceptance.for_household(db_session, ranking, result)
        return render(
            request,
            "matches/household.html",
            status_code=422 if errors else 200,
            household_id=household_id,
            result=result,
            acceptance=chances,
            errors=_errors(errors),
            policies=ranking.policy_names,
            default_policy=ranking.default_policy,
            policy=policy or ranking.default_policy,
        )

    @get("/wohnungen/{vacancy_id:int}/haushalte/{household_id:int}/warum")
    async def pair(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        ranking: RankingService,
        db_session: AsyncSession,
        vacancy_id: Annotated[int, Parameter(ge=1, le=MAX_ID)],
        household_id: Annotated[int, Parameter(ge=1, le=MAX_ID)],
        policy: PolicyQuery = None,
    ) -> Template:
        """ "Warum?/Warum nicht?" for one household and one vacancy: every sentence."""
        result = None
        chances = None
        errors: list[FieldError] = []
        try:
            result = await ranking.explain(
                db_session, actor, vacancy_id, household_id, policy=policy
            )
        except ValidationFailed as exc:
            errors = exc.errors
        acceptance = getattr(request.app.state, "acceptance", None)
        if result is not None and acceptance is not None:
            chances = await acceptance.for_explained(db_session, ranking, result)
        return render(
            request,
            "matches/pair.html",
            status_code=422 if errors else 200,
            vacancy_id=vacancy_id,
            household_id=household_id,
            result=result,
            acceptance=chances,
            errors=_errors(errors),
        )


class AllocationPages(Controller):
    """The allocation suggestion: computed on demand (seconds), with a progress indicator."""

    path = "/admin/zuteilung"
    guards = [admin_only]
    include_in_schema = False
    dependencies = {"actor": Provide(provide_actor), "ranking": Provide(provide_ranking)}

    async def _run(
        self,
        session: AsyncSession,
        actor: Actor,
        ranking: RankingService,
        policy: str | None,
    ) -> tuple[AllocationResult | None, list[dict[str, str]]]:
        try:
            return await ranking.allocation(session, actor, policy=policy), []
        except ValidationFailed as exc:
            return None, _errors(exc.errors)

    @get("/")
    async def page(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        ranking: RankingService,
        db_session: AsyncSession,
        policy: PolicyQuery = None,
        berechnen: bool = False,
    ) -> Template:
        """The page; ``?berechnen=1`` computes at once (the path without JavaScript)."""
        result: AllocationResult | None = None
        errors: list[dict[str, str]] = []
        if berechnen:
            result, errors = await self._run(db_session, actor, ranking, policy)
        return render(
            request,
            "admin/allocation.html",
            status_code=422 if errors else 200,
            result=result,
            errors=errors,
            policies=ranking.policy_names,
            default_policy=ranking.default_policy,
            policy=policy or ranking.default_policy,
        )

    @get("/berechnen")
    async def running(
        self, request: Request[Any, Any, Any], ranking: RankingService, policy: PolicyQuery = None
    ) -> Template:
        """HTMX step 1: the progress indicator, which itself loads the result."""
        return render(
            request, "matches/allocation_running.html", policy=policy or ranking.default_policy
        )

    @get("/ergebnis")
    async def result(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        ranking: RankingService,
        db_session: AsyncSession,
        policy: PolicyQuery = None,
    ) -> Template:
        """HTMX step 2: the computed suggestion (a partial)."""
        result, errors = await self._run(db_session, actor, ranking, policy)
        return render(
            request,
            "matches/allocation_result.html",
            status_code=422 if errors and not _is_htmx(request) else 200,
            result=result,
            errors=errors,
        )


ROUTES: list[Any] = [MatchPages, AllocationPages]
