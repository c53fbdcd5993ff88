"""Consent pages: record a household's signed consent, withdraw it, see its history.

Reached from the household page. Withdrawing a consent withdraws the live proposals that
relied on it, in the same transaction (the domain does that).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from litestar import Controller, Request, get, post
from litestar.di import Provide
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from api.dependencies import provide_actor
from api.guards import counselor_only, counselor_or_admin
from api.views.forms import flash, form_dict, render
from api.views.proposals import app_settings
from matching import clock
from matching.access import household_for_counselor
from matching.actors import Actor
from matching.consent.service import (
    CONSENT_FIELDS,
    FIELD_LABELS_DE,
    REQUIRED_FOR_PROPOSAL,
    consent_history,
    consent_status,
    record_consent,
    withdraw_consent,
)
from matching.db.models import Consent, Organisation
from matching.enums import ConsentRecipients, OrganisationKind
from matching.households.service import HouseholdService
from matching.proposals.errors import Conflict, NotFound, ValidationFailed


def parse_date(raw: Any) -> date | None:
    """``2026-12-31`` (date input) or ``31.12.2026`` (typed); None when unreadable."""
    text = str(raw or "").strip()
    for pattern in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


async def landlords(session: AsyncSession) -> list[Organisation]:
    rows = await session.scalars(
        sa.select(Organisation)
        .where(Organisation.kind == OrganisationKind.LANDLORD, Organisation.is_active.is_(True))
        .order_by(Organisation.name)
    )
    return list(rows.all())


async def other_offices(session: AsyncSession, own: int | None) -> list[Organisation]:
    """Counselling offices a case may be shared with (Fallkooperation)."""
    rows = await session.scalars(
        sa.select(Organisation)
        .where(
            Organisation.kind == OrganisationKind.COUNSELING,
            Organisation.is_active.is_(True),
            Organisation.id != (own or 0),
        )
        .order_by(Organisation.name)
    )
    return list(rows.all())


class ConsentPages(Controller):
    path = "/haushalte/{household_id:int}/einwilligungen"
    guards = [counselor_only]
    include_in_schema = False
    dependencies = {"actor": Provide(provide_actor)}

    @get("/")
    async def page(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        db_session: AsyncSession,
        household_id: int,
    ) -> Template:
        today = clock.today()
        values = {
            "scope": sorted(REQUIRED_FOR_PROPOSAL),
            "recipients": ConsentRecipients.NETWORK.value,
            "recipient_organisation_ids": [],
            "given_at": today.isoformat(),
            "valid_until": (today + timedelta(days=365)).isoformat(),
            "form_reference": "",
        }
        return await _page(request, db_session, actor, household_id, values=values)

    @post("/")
    async def record(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        db_session: AsyncSession,
        household_id: int,
    ) -> Template | Redirect:
        raw = await form_dict(request, lists=("scope", "recipient_organisation_ids"))
        errors: dict[str, str] = {}
        given_at = parse_date(raw.get("given_at"))
        valid_until = parse_date(raw.get("valid_until"))
        if given_at is None:
            errors["given_at"] = "Bitte ein gültiges Datum angeben (TT.MM.JJJJ)."
        if valid_until is None:
            errors["valid_until"] = "Bitte ein gültiges Datum angeben (TT.MM.JJJJ)."
        org_ids: list[int] = []
        for value in raw["recipient_organisation_ids"]:
            try:
                org_ids.append(int(value))
            except (TypeError, ValueError):
                errors["recipient_organisation_ids"] = "Bitte Vermieter aus der Liste wählen."
        if not errors and given_at is not None and valid_until is not None:
            try:
                await record_consent(
                    db_session,
                    actor,
                    household_id,
                    scope=[str(s) for s in raw["scope"]],
                    recipients=str(raw.get("recipients") or ""),
                    recipient_organisation_ids=org_ids,
                    given_at=given_at,
                    valid_until=valid_until,
                    form_reference=str(raw.get("form_reference") or "")[:200],
                )
            except ValidationFailed as exc:
                errors[exc.field] = exc.message
        if errors:
            await db_session.rollback()
            return await _page(
                request, db_session, actor, household_id, values=raw, errors=errors, status=422
            )
        flash(request, "Einwilligung gespeichert.")
        return Redirect(f"/haushalte/{household_id}/einwilligungen")

    @post("/{consent_id:int}/widerrufen")
    async def withdraw(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        db_session: AsyncSession,
        household_id: int,
        consent_id: int,
    ) -> Template | Redirect:
        consent = await db_session.get(Consent, consent_id)
        if consent is None or consent.household_id != household_id:
            raise NotFound("Einwilligung nicht gefunden.")
        try:
            withdrawn = await withdraw_consent(
                db_session, actor, consent_id, settings=app_settings(request)
            )
        except Conflict as exc:
            await db_session.rollback()
            return await _page(
                request, db_session, actor, household_id, error=exc.message, status=409
            )
        message = "Einwilligung widerrufen."
        if withdrawn:
            message += (
                " 1 laufender Vorschlag wurde zurückgezogen."
                if len(withdrawn) == 1
                else f" {len(withdrawn)} laufende Vorschläge wurden zurückgezogen."
            )
        flash(request, message)
        return Redirect(f"/haushalte/{household_id}/einwilligungen")


async def _page(
    request: Request[Any, Any, Any],
    session: AsyncSession,
    actor: Actor,
    household_id: int,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    error: str | None = None,
    status: int = 200,
) -> Template:
    household = await household_for_counselor(session, actor, household_id)
    history = await consent_history(session, actor, household_id)
    orgs = await landlords(session)
    offices = await other_offices(session, actor.organisation_id)
    names = {o.id: o.name for o in [*orgs, *offices]}
    today = clock.today()
    form_values = values or {}
    return render(
        request,
        "consent/page.html",
        status_code=status,
        household=household,
        history=history,
        today=today,
        landlords=orgs,
        offices=offices,
        org_names=names,
        status=await consent_status(session, household_id, today),
        fields=[(f, FIELD_LABELS_DE[f]) for f in CONSENT_FIELDS],
        field_labels=FIELD_LABELS_DE,
        values=form_values,
        selected_scope={str(s) for s in form_values.get("scope", [])},
        selected_orgs={str(o) for o in form_values.get("recipient_organisation_ids", [])},
        errors=errors or {},
        error=error,
    )


@get(
    "/haushalte/{household_id:int}/einwilligung-status",
    guards=[counselor_or_admin],
    include_in_schema=False,
)
async def consent_summary(
    request: Request[Any, Any, Any], db_session: AsyncSession, household_id: int
) -> Template:
    """The household page's consent section (loaded into it by HTMX)."""
    actor = await provide_actor(request)
    # The same organisation rule as every household page (404 for another office's).
    household = await HouseholdService(session=db_session).get_for(
        actor, household_id, audit_read=False
    )
    status = await consent_status(db_session, household_id)
    return render(request, "consent/summary.html", household=household, status=status)


ROUTES: list[Any] = [ConsentPages, consent_summary]
