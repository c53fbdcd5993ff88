"""Admin page *Mietobergrenzen*: tables with validity, status and gaps; detail as a matrix;
CSV import with a preview of every value, confirmed with "Übernehmen"; deactivation.

The parsed upload waits in a pending-import row on the server (bound to the admin who sent
it); "Übernehmen" only names that row, so a re-posted form can never inject values.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import Provide
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from api.controllers.intake import BODY_LIMIT, read_upload
from api.dependencies import provide_actor
from api.guards import admin_only
from api.views.forms import flash, render
from matching.actors import Actor
from matching.errors import Conflict
from matching.rent_limits import service
from matching.rent_limits.presentation import table_matrix

BASE = "/admin/mietobergrenzen"
CSV_TEMPLATE = (
    "area,municipalities,persons,max_gross_cold_rent_eur,valid_from,valid_to,max_heating_eur\n"
    '1,Minden;Lübbecke,1,"401,00",01.01.2026,,\n'
    '1,Minden;Lübbecke,2,"480,50",01.01.2026,,\n'
    "1,Minden;Lübbecke,+1,60,01.01.2026,,\n"
)


class RentLimitPages(Controller):
    path = BASE
    guards = [admin_only]
    include_in_schema = False
    dependencies = {"actor": Provide(provide_actor)}

    async def _list(
        self,
        request: Request[Any, Any, Any],
        session: AsyncSession,
        status_code: int = 200,
        error: str | None = None,
    ) -> Template:
        overview = await service.overview(session)
        return render(
            request,
            "admin/rent_limits.html",
            status_code=status_code,
            tables=overview.tables,
            gaps=overview.gaps,
            error=error,
        )

    @get("/")
    async def tables(self, request: Request[Any, Any, Any], db_session: AsyncSession) -> Template:
        return await self._list(request, db_session)

    @post("/", request_max_body_size=BODY_LIMIT)
    async def upload(
        self, request: Request[Any, Any, Any], actor: Actor, db_session: AsyncSession
    ) -> Template:
        data, filename, fields = await read_upload(request)
        preview = await service.preview_import(
            db_session,
            actor,
            filename=filename,
            data=data,
            name=fields.get("name", ""),
            legal_source=fields.get("legal_source", ""),
            example=fields.get("example") == "1",
        )
        return render(
            request,
            "admin/rent_limit_preview.html",
            status_code=200 if preview.pending_id else 422,
            preview=preview,
        )

    @post("/vorschau/{import_id:int}/uebernehmen")
    async def confirm(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        db_session: AsyncSession,
        import_id: int,
    ) -> Template | Redirect:
        try:
            table = await service.confirm_import(db_session, actor, import_id)
        except Conflict as exc:
            return await self._list(request, db_session, 409, str(exc))
        flash(request, f"Tabelle „{table.name}“ übernommen.")
        return Redirect(f"{BASE}/{table.id}")

    @post("/vorschau/{import_id:int}/verwerfen")
    async def discard(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        db_session: AsyncSession,
        import_id: int,
    ) -> Redirect:
        await service.discard_import(db_session, actor, import_id)
        flash(request, "Vorschau verworfen – nichts wurde gespeichert.")
        return Redirect(BASE)

    @get("/vorlage.csv")
    async def template_csv(self) -> Response[bytes]:
        return Response(
            content=CSV_TEMPLATE.encode("utf-8"),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="mietobergrenzen-vorlage.csv"'},
        )

    @get("/{table_id:int}")
    async def detail(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, table_id: int
    ) -> Template:
        table = await service.table_detail(db_session, table_id)
        towns = await service.town_names(db_session)
        return render(
            request,
            "admin/rent_limit_detail.html",
            table=table,
            matrix=table_matrix(table, towns),
        )

    @post("/{table_id:int}/deaktivieren")
    async def deactivate(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        db_session: AsyncSession,
        table_id: int,
    ) -> Template | Redirect:
        try:
            table = await service.deactivate_table(db_session, actor, table_id)
        except Conflict as exc:
            return await self._list(request, db_session, 409, str(exc))
        flash(request, f"Tabelle „{table.name}“ deaktiviert; sie wird nicht mehr angewendet.")
        return Redirect(BASE)
