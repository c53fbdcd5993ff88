"""Vacancy pages: landlords manage their own; counselors read open ones and see the ranking."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.di import Provide
from litestar.params import Parameter
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from api.dependencies import provide_actor, provide_vacancies
from api.guards import any_user, landlord_only
from api.views.forms import flash, form_dict, render
from matching.actors import Actor
from matching.enums import PetsPolicy, Role, VacancyStatus
from matching.proposals import queries
from matching.reference.queries import municipalities
from matching.vacancies.repository import VacancyFilter
from matching.vacancies.schemas import VacancyCreate, VacancyUpdate
from matching.vacancies.service import VacancyService
from matching.validation import ValidationFailed, validate
from scoring.fields import VACANCY_FIELDS

PAGE_SIZE = 25


class VacancyPages(Controller):
    path = "/wohnungen"
    guards = [any_user]
    include_in_schema = False
    dependencies = {
        "actor": Provide(provide_actor),
        "vacancies": Provide(provide_vacancies),
    }

    @get("/")
    async def list_page(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        vacancies: VacancyService,
        db_session: AsyncSession,
        town: Annotated[str | None, Parameter(pattern=r"^\d{8}$")] = None,
        min_rooms: Annotated[float | None, Parameter(ge=0, le=VACANCY_FIELDS["rooms"].high)] = None,
        max_rent: Annotated[float | None, Parameter(ge=0, le=100_000)] = None,
        available_until: date | None = None,
        barrier_free: bool | None = None,
        status: VacancyStatus | None = None,
        page: Annotated[int, Parameter(ge=1, le=100_000)] = 1,
    ) -> Template:
        flt = VacancyFilter(
            municipality_ags=town,
            min_rooms=min_rooms,
            max_rent=max_rent,
            available_until=available_until,
            barrier_free=barrier_free,
            status=status,
        )
        rows, total = await vacancies.list_for(actor, flt, PAGE_SIZE, (page - 1) * PAGE_SIZE)
        town_rows = await municipalities(db_session)
        proposal_counts = await queries.live_proposal_counts(db_session, [v.id for v in rows])
        return render(
            request,
            "vacancies/list.html",
            vacancies=rows,
            total=total,
            page=page,
            pages=max(1, -(-total // PAGE_SIZE)),
            towns=town_rows,
            town_names={m.ags: m.name for m in town_rows},
            filters={
                "town": town,
                "min_rooms": min_rooms,
                "max_rent": max_rent,
                "available_until": available_until,
                "barrier_free": barrier_free,
                "status": status,
            },
            statuses=list(VacancyStatus),
            is_landlord=actor.role == Role.LANDLORD,
            proposal_counts=proposal_counts,
        )

    @get("/neu", guards=[landlord_only])
    async def new_page(self, request: Request[Any, Any, Any]) -> Template:
        return render(
            request,
            "vacancies/form.html",
            values={"pets": "on_request"},
            errors={},
            vacancy=None,
            pets=list(PetsPolicy),
        )

    @post("/", guards=[landlord_only])
    async def create(
        self, request: Request[Any, Any, Any], actor: Actor, vacancies: VacancyService
    ) -> Template | Redirect:
        raw = await form_dict(request)
        try:
            data = validate(VacancyCreate, raw, from_form=True)
            vacancy = await vacancies.create_for(actor, data)
        except ValidationFailed as exc:
            return render(
                request,
                "vacancies/form.html",
                status_code=422,
                values=raw,
                errors=exc.as_dict(),
                vacancy=None,
                pets=list(PetsPolicy),
            )
        flash(request, "Das Wohnungsangebot wurde gespeichert und ist jetzt sichtbar.")
        return Redirect(f"/wohnungen/{vacancy.id}")

    @get("/{vacancy_id:int}")
    async def detail(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        vacancies: VacancyService,
        db_session: AsyncSession,
        vacancy_id: int,
    ) -> Template:
        vacancy = await vacancies.get_for(actor, vacancy_id)
        town_names = {m.ags: m.name for m in await municipalities(db_session)}
        ranking = None
        if actor.role in (Role.COUNSELOR, Role.ADMIN) and vacancy.status == VacancyStatus.OPEN:
            from api.views.matches import vacancy_ranking_context

            ranking = await vacancy_ranking_context(request, db_session, actor, vacancy)
        return render(
            request,
            "vacancies/detail.html",
            vacancy=vacancy,
            towns=town_names,
            ranking=ranking,
            can_edit=actor.role == Role.LANDLORD,
        )

    @get("/{vacancy_id:int}/bearbeiten", guards=[landlord_only])
    async def edit_page(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        vacancies: VacancyService,
        vacancy_id: int,
    ) -> Template:
        vacancy = await vacancies.get_for(actor, vacancy_id, write=True)
        values = {
            f: getattr(vacancy, f) for f in VacancyUpdate.__struct_fields__ if hasattr(vacancy, f)
        }
        return render(
            request,
            "vacancies/form.html",
            values=values,
            errors={},
            vacancy=vacancy,
            pets=list(PetsPolicy),
        )

    @post("/{vacancy_id:int}", guards=[landlord_only])
    async def update(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        vacancies: VacancyService,
        vacancy_id: int,
    ) -> Template | Redirect:
        vacancy = await vacancies.get_for(actor, vacancy_id, write=True)
        raw = await form_dict(request)
        try:
            data = validate(VacancyUpdate, raw, from_form=True)
            await vacancies.update_for(actor, vacancy_id, data)
        except ValidationFailed as exc:
            return render(
                request,
                "vacancies/form.html",
                status_code=422,
                values=raw,
                errors=exc.as_dict(),
                vacancy=vacancy,
                pets=list(PetsPolicy),
            )
        flash(request, "Änderungen gespeichert.")
        return Redirect(f"/wohnungen/{vacancy_id}")
