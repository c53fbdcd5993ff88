"""Read-only JSON API of the rent-limit tables (maintained by the Fachstelle on its page).

Any valid API key may read them: the limits are the Kreis' published figures, not personal
data. Amounts are exact decimal strings in EUR per month.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, get
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.handlers.base import BaseRouteHandler
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import Parameter
from sqlalchemy.ext.asyncio import AsyncSession

from api.guards import current_actor
from matching.rent_limits import service
from matching.rent_limits.presentation import (
    RentLimitTableDetail,
    RentLimitTableList,
    detail_of,
    list_of,
)


class ProblemOut(msgspec.Struct):
    """RFC 9457 problem details (German ``detail``; ``code`` is machine-readable)."""

    type: str
    title: str
    status: int
    detail: str
    code: str


def _problem(description: str) -> ResponseSpec:
    return ResponseSpec(
        data_container=ProblemOut, description=description, media_type="application/problem+json"
    )


def requires_api_key(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Any valid API key (the tables are public figures; no scope needed)."""
    actor = current_actor(connection)
    if actor is None or actor.kind != "api_key":
        raise NotAuthorizedException("API-Schlüssel fehlt oder ist ungültig.")


class RentLimitApi(Controller):
    path = "/api/v1/rent-limit-tables"
    tags = ["Mietobergrenzen"]
    guards = [requires_api_key]

    @get(
        "/",
        summary="Mietobergrenzen-Tabellen auflisten",
        description="Alle Tabellen (auch deaktivierte) mit Gültigkeit und Status sowie die "
        "Lücken zwischen aktiven Tabellen, in denen keine Grenze gilt.",
        responses={401: _problem("API-Schlüssel fehlt oder ist ungültig.")},
    )
    async def list_tables(self, db_session: AsyncSession) -> RentLimitTableList:
        overview = await service.overview(db_session)
        return list_of(overview.tables, overview.gaps)

    @get(
        "/{table_id:int}",
        summary="Eine Mietobergrenzen-Tabelle lesen",
        description="Gebiete mit ihren Kommunen und die Höchstbeträge je Haushaltsgröße "
        "(``persons`` null: Betrag für jede weitere Person).",
        responses={
            401: _problem("API-Schlüssel fehlt oder ist ungültig."),
            404: _problem("Keine Tabelle mit dieser Nummer."),
        },
    )
    async def get_table(
        self,
        db_session: AsyncSession,
        table_id: Annotated[int, Parameter(ge=1, le=2**62)],
    ) -> RentLimitTableDetail:
        table = await service.table_detail(db_session, table_id)
        return detail_of(table, await service.town_names(db_session))
