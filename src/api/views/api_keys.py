"""API keys page: the Fachstelle (any organisation) and a landlord organisation's own admin user
issue keys with scopes, see them once, and revoke them. Only the key's hash is stored."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import Provide
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from api.dependencies import provide_actor
from api.guards import landlord_or_admin
from api.views.forms import flash, form_dict, render
from matching.accounts import queries as accounts
from matching.accounts.service import SCOPES, issue_api_key, list_api_keys, revoke_api_key
from matching.actors import Actor
from matching.db.models import Organisation
from matching.enums import OrganisationKind
from matching.errors import Forbidden
from matching.numbers import plain_int
from matching.validation import FieldError, ValidationFailed

SCOPE_LABELS = {
    "vacancies:read": "Wohnungsangebote lesen",
    "vacancies:write": "Wohnungsangebote anlegen, ändern, importieren",
    "households:read": "Haushalte lesen",
    "households:write": "Haushalte anlegen und ändern",
    "proposals:read": "Vorschläge lesen",
    "proposals:write": "Vorschläge beantworten",
    "cases:read": "Fälle und Fristen lesen",
    "cases:write": "Fälle anlegen und ändern, Kontakte und Vermittlungen eintragen, teilen",
}
# A landlord organisation's program never needs household or case data.
LANDLORD_SCOPES = tuple(s for s in SCOPES if not s.startswith(("households:", "cases:")))


def scopes_for(kind: OrganisationKind | None) -> tuple[str, ...]:
    return LANDLORD_SCOPES if kind == OrganisationKind.LANDLORD else SCOPES


async def _check_manager(session: AsyncSession, actor: Actor) -> None:
    """Admins, and the landlord organisation's own admin user; plain landlord users not."""
    if actor.is_admin:
        return
    if not actor.is_landlord or not await accounts.is_org_admin(session, actor):
        raise Forbidden(
            "API-Schlüssel verwaltet die Administratorin oder der Administrator Ihrer "
            "Organisation. Bitte wenden Sie sich an diese Person."
        )


class ApiKeyPages(Controller):
    path = "/api-schluessel"
    guards = [landlord_or_admin]
    include_in_schema = False
    dependencies = {"actor": Provide(provide_actor)}

    async def _page(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        session: AsyncSession,
        *,
        status_code: int = 200,
        new_key: str | None = None,
        values: dict[str, Any] | None = None,
        errors: dict[str, str] | None = None,
    ) -> Template:
        orgs = await accounts.member_organisations(session)
        org_names = {o.id: o.name for o in orgs}
        own = next((o for o in orgs if o.id == actor.organisation_id), None)
        users = await accounts.user_names(session)
        return render(
            request,
            "api_keys/list.html",
            status_code=status_code,
            keys=await list_api_keys(session, actor),
            organisations=orgs if actor.is_admin else [],
            org_names=org_names,
            user_names=users,
            scopes=SCOPES if actor.is_admin else scopes_for(own.kind if own else None),
            scope_labels=SCOPE_LABELS,
            new_key=new_key,
            values=values or {"scopes": []},
            errors=errors or {},
        )

    @get("/")
    async def list_page(
        self, request: Request[Any, Any, Any], actor: Actor, db_session: AsyncSession
    ) -> Template:
        await _check_manager(db_session, actor)
        return await self._page(request, actor, db_session)

    @post("/")
    async def create(
        self, request: Request[Any, Any, Any], actor: Actor, db_session: AsyncSession
    ) -> Template:
        await _check_manager(db_session, actor)
        raw = await form_dict(request, lists=("scopes",))
        scopes = [str(s) for s in raw.get("scopes", [])]
        try:
            org_id = actor.organisation_id
            if actor.is_admin:
                number = plain_int(raw.get("organisation_id"))
                org = await db_session.get(Organisation, number) if number is not None else None
                if org is None or org.kind == OrganisationKind.FACHSTELLE:
                    raise ValidationFailed(
                        [FieldError("organisation_id", "Bitte eine Organisation auswählen.")]
                    )
                org_id = org.id
                allowed = scopes_for(org.kind)
            else:
                allowed = LANDLORD_SCOPES
            if any(s not in allowed for s in scopes):
                raise ValidationFailed(
                    [FieldError("scopes", "Diese Berechtigung gibt es für die Organisation nicht.")]
                )
            assert org_id is not None
            issued = await issue_api_key(
                db_session, actor, org_id, str(raw.get("name") or ""), scopes
            )
        except ValidationFailed as exc:
            return await self._page(
                request, actor, db_session, status_code=422, values=raw, errors=exc.as_dict()
            )
        # Shown in this answer only: no redirect, so the key never lands in a session or log.
        return await self._page(request, actor, db_session, status_code=201, new_key=issued.raw)

    @post("/{key_id:int}/widerrufen")
    async def revoke(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        db_session: AsyncSession,
        key_id: int,
    ) -> Redirect:
        await _check_manager(db_session, actor)
        await revoke_api_key(db_session, actor, key_id)
        flash(request, "Der API-Schlüssel wurde widerrufen und gilt ab sofort nicht mehr.")
        return Redirect("/api-schluessel")


ROUTES: list[Any] = [ApiKeyPages]
