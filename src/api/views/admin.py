"""Admin pages of the Fachstelle: organisations and users."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from litestar import Controller, Request, get, post
from litestar.di import Provide
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from api.dependencies import provide_actor
from api.guards import admin_only
from api.views.forms import flash, form_dict, render
from matching.accounts.service import create_organisation, create_user, set_active
from matching.actors import Actor
from matching.db.models import Organisation, User
from matching.enums import OrganisationKind
from matching.numbers import plain_int
from matching.validation import FieldError, ValidationFailed


class AdminPages(Controller):
    path = "/admin"
    guards = [admin_only]
    include_in_schema = False
    dependencies = {"actor": Provide(provide_actor)}

    async def _page(
        self,
        request: Request[Any, Any, Any],
        session: AsyncSession,
        status_code: int = 200,
        **extra: Any,
    ) -> Template:
        orgs = (await session.scalars(sa.select(Organisation).order_by(Organisation.name))).all()
        users = (await session.scalars(sa.select(User).order_by(User.email))).all()
        context: dict[str, Any] = {
            "org_values": {},
            "org_errors": {},
            "user_values": {},
            "user_errors": {},
        }
        context.update(extra)
        return render(
            request,
            "admin/accounts.html",
            status_code=status_code,
            organisations=orgs,
            users=users,
            kinds=list(OrganisationKind),
            **context,
        )

    @get("/konten")
    async def accounts(self, request: Request[Any, Any, Any], db_session: AsyncSession) -> Template:
        return await self._page(request, db_session)

    @post("/organisationen")
    async def create_org(
        self, request: Request[Any, Any, Any], actor: Actor, db_session: AsyncSession
    ) -> Template | Redirect:
        raw = await form_dict(request)
        try:
            kind_raw = str(raw.get("kind") or "")
            if kind_raw not in {k.value for k in OrganisationKind}:
                raise ValidationFailed([FieldError("kind", "Bitte eine Art auswählen.")])
            await create_organisation(
                db_session,
                actor,
                str(raw.get("name") or ""),
                OrganisationKind(kind_raw),
                str(raw.get("contact_email") or "")[:254],
            )
        except ValidationFailed as exc:
            return await self._page(
                request, db_session, 422, org_values=raw, org_errors=exc.as_dict()
            )
        flash(request, "Organisation angelegt.")
        return Redirect("/admin/konten")

    @post("/benutzer")
    async def create_user_(
        self, request: Request[Any, Any, Any], actor: Actor, db_session: AsyncSession
    ) -> Template | Redirect:
        raw = await form_dict(request)
        try:
            org_id = plain_int(raw.get("organisation_id")) or 0
            await create_user(
                db_session,
                actor,
                email=str(raw.get("email") or ""),
                name=str(raw.get("name") or ""),
                organisation_id=org_id,
                password=str(raw.get("password") or ""),
                is_org_admin=bool(raw.get("is_org_admin")),
            )
        except ValidationFailed as exc:
            raw.pop("password", None)
            return await self._page(
                request, db_session, 422, user_values=raw, user_errors=exc.as_dict()
            )
        flash(request, "Benutzerkonto angelegt.")
        return Redirect("/admin/konten")

    @post("/organisationen/{org_id:int}/status")
    async def toggle_org(
        self, request: Request[Any, Any, Any], actor: Actor, db_session: AsyncSession, org_id: int
    ) -> Redirect:
        raw = await form_dict(request)
        await set_active(db_session, actor, Organisation, org_id, raw.get("active") == "1")
        flash(request, "Status der Organisation geändert.")
        return Redirect("/admin/konten")

    @post("/benutzer/{user_id:int}/status")
    async def toggle_user(
        self, request: Request[Any, Any, Any], actor: Actor, db_session: AsyncSession, user_id: int
    ) -> Redirect:
        raw = await form_dict(request)
        await set_active(db_session, actor, User, user_id, raw.get("active") == "1")
        flash(request, "Status des Kontos geändert.")
        return Redirect("/admin/konten")
