"""JSON API for vacancies (landlords' software; read-only for counselling organisations)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from litestar import Controller, Response, delete, get, patch, post
from litestar.di import Provide
from litestar.params import Parameter

from api.controllers.intake import WithdrawOut
from api.controllers.schemas import PageOut
from api.dependencies import provide_actor, provide_vacancies
from api.guards import requires_scope
from matching.actors import Actor
from matching.enums import VacancySource, VacancyStatus
from matching.vacancies.repository import VacancyFilter
from matching.vacancies.schemas import VacancyCreate, VacancyOut, VacancyUpdate
from matching.vacancies.service import VacancyService, to_out
from matching.vacancies.upsert import etag


class VacancyApi(Controller):
    path = "/api/v1/vacancies"
    tags = ["Wohnungsangebote"]
    dependencies = {
        "actor": Provide(provide_actor),
        "vacancies": Provide(provide_vacancies),
    }

    @get("/", guards=[requires_scope("vacancies:read")], summary="Wohnungsangebote auflisten")
    async def list_vacancies(
        self,
        actor: Actor,
        vacancies: VacancyService,
        status: VacancyStatus | None = None,
        municipality: Annotated[str | None, Parameter(pattern=r"^\d{8}$")] = None,
        min_rooms: Annotated[float | None, Parameter(ge=0, le=20)] = None,
        max_rent: Annotated[float | None, Parameter(ge=0, le=100_000)] = None,
        available_until: date | None = None,
        limit: Annotated[int, Parameter(ge=1, le=100)] = 25,
        offset: Annotated[int, Parameter(ge=0, le=10_000_000)] = 0,
    ) -> PageOut[VacancyOut]:
        flt = VacancyFilter(
            status=status,
            municipality_ags=municipality,
            min_rooms=min_rooms,
            max_rent=max_rent,
            available_until=available_until,
        )
        rows, total = await vacancies.list_for(actor, flt, limit, offset)
        return PageOut(items=[to_out(v) for v in rows], total=total, limit=limit, offset=offset)

    @get(
        "/{vacancy_id:int}",
        guards=[requires_scope("vacancies:read")],
        summary="Ein Wohnungsangebot lesen",
    )
    async def get_vacancy(
        self,
        actor: Actor,
        vacancies: VacancyService,
        vacancy_id: Annotated[int, Parameter(ge=1, le=2**62)],
    ) -> Response[VacancyOut]:
        vacancy = await vacancies.get_for(actor, vacancy_id)
        return Response(to_out(vacancy), headers={"ETag": etag(vacancy)})

    @post("/", guards=[requires_scope("vacancies:write")], summary="Wohnungsangebot anlegen")
    async def create_vacancy(
        self, actor: Actor, vacancies: VacancyService, data: VacancyCreate
    ) -> VacancyOut:
        return to_out(await vacancies.create_for(actor, data, VacancySource.API))

    @patch(
        "/{vacancy_id:int}",
        guards=[requires_scope("vacancies:write")],
        summary="Wohnungsangebot ändern",
    )
    async def update_vacancy(
        self,
        actor: Actor,
        vacancies: VacancyService,
        vacancy_id: Annotated[int, Parameter(ge=1, le=2**62)],
        data: VacancyUpdate,
    ) -> VacancyOut:
        return to_out(await vacancies.update_for(actor, vacancy_id, data))

    @delete(
        "/{vacancy_id:int}",
        guards=[requires_scope("vacancies:write")],
        status_code=200,
        summary="Wohnungsangebot zurückziehen (bleibt erhalten; idempotent)",
    )
    async def withdraw_vacancy(
        self,
        actor: Actor,
        vacancies: VacancyService,
        vacancy_id: Annotated[int, Parameter(ge=1, le=2**62)],
    ) -> WithdrawOut:
        changed = await vacancies.withdraw_for(actor, vacancy_id)
        vacancy = await vacancies.get_for(actor, vacancy_id, write=True)
        return WithdrawOut(result="withdrawn" if changed else "unchanged", vacancy=to_out(vacancy))
