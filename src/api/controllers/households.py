"""JSON API for households (counselling organisations' software)."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, patch, post
from litestar.di import Provide
from litestar.params import Parameter

from api.controllers.schemas import PageOut
from api.dependencies import provide_actor, provide_households
from api.guards import requires_scope
from matching.actors import Actor
from matching.enums import HouseholdStatus, Urgency
from matching.households.repository import HouseholdFilter
from matching.households.schemas import HouseholdCreate, HouseholdOut, HouseholdUpdate
from matching.households.service import HouseholdService, to_out


class HouseholdApi(Controller):
    path = "/api/v1/households"
    tags = ["Haushalte"]
    dependencies = {
        "actor": Provide(provide_actor),
        "households": Provide(provide_households),
    }

    @get("/", guards=[requires_scope("households:read")], summary="Haushalte auflisten")
    async def list_households(
        self,
        actor: Actor,
        households: HouseholdService,
        status: HouseholdStatus | None = None,
        urgency: Urgency | None = None,
        municipality: Annotated[str | None, Parameter(pattern=r"^\d{8}$")] = None,
        limit: Annotated[int, Parameter(ge=1, le=100)] = 25,
        offset: Annotated[int, Parameter(ge=0, le=10_000_000)] = 0,
    ) -> PageOut[HouseholdOut]:
        flt = HouseholdFilter(status=status, urgency=urgency, municipality_ags=municipality)
        rows, total = await households.list_for(actor, flt, limit, offset)
        return PageOut(items=[to_out(h) for h in rows], total=total, limit=limit, offset=offset)

    @get(
        "/{household_id:int}",
        guards=[requires_scope("households:read")],
        summary="Einen Haushalt lesen",
    )
    async def get_household(
        self,
        actor: Actor,
        households: HouseholdService,
        household_id: Annotated[int, Parameter(ge=1, le=2**62)],
    ) -> HouseholdOut:
        return to_out(await households.get_for(actor, household_id))

    @post("/", guards=[requires_scope("households:write")], summary="Haushalt anlegen")
    async def create_household(
        self, actor: Actor, households: HouseholdService, data: HouseholdCreate
    ) -> HouseholdOut:
        return to_out(await households.create_for(actor, data))

    @patch(
        "/{household_id:int}",
        guards=[requires_scope("households:write")],
        summary="Haushalt ändern",
    )
    async def update_household(
        self,
        actor: Actor,
        households: HouseholdService,
        household_id: Annotated[int, Parameter(ge=1, le=2**62)],
        data: HouseholdUpdate,
    ) -> HouseholdOut:
        return to_out(await households.update_for(actor, household_id, data))
