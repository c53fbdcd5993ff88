"""JSON API for casework (counselling organisations' own software).

Scopes ``cases:read`` and ``cases:write``; another office's case answers 404 unless it is
shared with the key's organisation; a stale ``version`` answers 409 with a German
explanation; every bad field is named in the 422 problem details.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, get, patch, post
from litestar.di import Provide
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import Parameter
from sqlalchemy.ext.asyncio import AsyncSession

from api.controllers.schemas import PageOut
from api.dependencies import provide_actor
from api.guards import requires_scope
from matching.actors import Actor
from matching.cases.deadlines import Deadline
from matching.cases.schemas import (
    CaseCreate,
    CaseOut,
    CaseUpdate,
    ContactCreate,
    ContactOut,
    DeadlineOut,
    ReferralCreate,
    ReferralOut,
    ReferralStatusChange,
    ShareCreate,
    ShareOut,
)
from matching.cases.service import CaseService, CaseView, euro_values
from matching.enums import CaseKind, CaseStatus

CaseId = Annotated[int, Parameter(ge=1, le=2**62)]


class ProblemOut(msgspec.Struct, kw_only=True):
    """RFC 9457 problem details (German ``detail``; ``errors`` name every bad field)."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    errors: list[dict[str, str]] | None = None


def _problems(*statuses: int) -> dict[int, ResponseSpec]:
    text = {
        401: "API-Schlüssel fehlt oder ist ungültig.",
        403: "Dem Schlüssel fehlt die Berechtigung, oder der Fall ist nur zur Einsicht geteilt.",
        404: "Fall unbekannt oder nicht mit Ihrer Organisation geteilt.",
        409: "Der Fall wurde inzwischen geändert (Version veraltet).",
        422: "Ungültige Eingabe; jedes fehlerhafte Feld ist benannt.",
    }
    return {
        s: ResponseSpec(
            data_container=ProblemOut, description=text[s], media_type="application/problem+json"
        )
        for s in statuses
    }


async def provide_cases(db_session: AsyncSession) -> CaseService:
    return CaseService(session=db_session)


def deadline_out(deadline: Deadline, case_id: int, reference: str) -> DeadlineOut:
    return DeadlineOut(
        kind=deadline.kind,
        date=deadline.date,
        last_working_day=deadline.last_working_day,
        label=deadline.label,
        legal_basis=deadline.legal_basis,
        case_id=case_id,
        case_reference=reference,
    )


async def case_out(cases: CaseService, view: CaseView) -> CaseOut:
    case = view.case
    values: dict[str, Any] = euro_values(case)
    values.pop("opened_on", None)
    return CaseOut(
        id=case.id,
        reference=case.reference,
        household_id=case.household_id,
        household_reference=view.household_reference,
        kind=case.kind,
        status=case.status,
        lead_organisation_id=case.lead_organisation_id,
        access=view.access,
        opened_on=case.opened_on,
        deadlines=[
            deadline_out(d, case.id, case.reference) for d in await cases.deadlines_of(case)
        ],
        warnings=await cases.warnings_of(case),
        version=case.version,
        **values,
    )


class CaseApi(Controller):
    path = "/api/v1"
    tags = ["Fälle"]
    dependencies = {"actor": Provide(provide_actor), "cases": Provide(provide_cases)}

    @get(
        "/cases",
        guards=[requires_scope("cases:read")],
        summary="Fälle auflisten",
        responses=_problems(401, 403),
    )
    async def list_cases(
        self,
        actor: Actor,
        cases: CaseService,
        status: CaseStatus | None = None,
        kind: CaseKind | None = None,
        limit: Annotated[int, Parameter(ge=1, le=100)] = 25,
        offset: Annotated[int, Parameter(ge=0, le=10_000_000)] = 0,
    ) -> PageOut[CaseOut]:
        rows, total = await cases.list_for(
            actor, status=status, kind=kind, limit=limit, offset=offset
        )
        items = [
            await case_out(cases, await cases.get_for(actor, case.id, audit_read=True))
            for case, _ in rows
        ]
        return PageOut(items=items, total=total, limit=limit, offset=offset)

    @post(
        "/cases",
        guards=[requires_scope("cases:write")],
        summary="Fall anlegen",
        responses=_problems(401, 403, 422),
    )
    async def create_case(self, actor: Actor, cases: CaseService, data: CaseCreate) -> CaseOut:
        case = await cases.create_for(actor, data)
        return await case_out(cases, await cases.get_for(actor, case.id, audit_read=False))

    @get(
        "/cases/{case_id:int}",
        guards=[requires_scope("cases:read")],
        summary="Einen Fall mit seinen Fristen lesen",
        responses=_problems(401, 403, 404),
    )
    async def get_case(self, actor: Actor, cases: CaseService, case_id: CaseId) -> CaseOut:
        return await case_out(cases, await cases.get_for(actor, case_id))

    @patch(
        "/cases/{case_id:int}",
        guards=[requires_scope("cases:write")],
        summary="Fall ändern (ausgelassen = unverändert, null = leeren)",
        responses=_problems(401, 403, 404, 409, 422),
    )
    async def update_case(
        self, actor: Actor, cases: CaseService, case_id: CaseId, data: CaseUpdate
    ) -> CaseOut:
        await cases.update_for(actor, case_id, data)
        return await case_out(cases, await cases.get_for(actor, case_id, audit_read=False))

    @post(
        "/cases/{case_id:int}/contacts",
        guards=[requires_scope("cases:write")],
        summary="Kontakt eintragen",
        responses=_problems(401, 403, 404, 422),
    )
    async def add_contact(
        self, actor: Actor, cases: CaseService, case_id: CaseId, data: ContactCreate
    ) -> ContactOut:
        contact = await cases.add_contact(actor, case_id, data)
        return ContactOut(
            id=contact.id,
            case_id=contact.case_id,
            occurred_on=contact.occurred_on,
            kind=contact.kind,
            municipality_ags=contact.municipality_ags,
            organisation_id=contact.organisation_id,
            note=contact.note,
        )

    @post(
        "/cases/{case_id:int}/referrals",
        guards=[requires_scope("cases:write")],
        summary="Vermittlung in weiterführende Hilfe eintragen",
        responses=_problems(401, 403, 404, 422),
    )
    async def add_referral(
        self, actor: Actor, cases: CaseService, case_id: CaseId, data: ReferralCreate
    ) -> ReferralOut:
        return _referral_out(await cases.add_referral(actor, case_id, data))

    @patch(
        "/cases/{case_id:int}/referrals/{referral_id:int}",
        guards=[requires_scope("cases:write")],
        summary="Stand einer Vermittlung ändern (vereinbart, wahrgenommen, abgeschlossen, "
        "abgelehnt)",
        responses=_problems(401, 403, 404, 422),
    )
    async def set_referral_status(
        self,
        actor: Actor,
        cases: CaseService,
        case_id: CaseId,
        referral_id: CaseId,
        data: ReferralStatusChange,
    ) -> ReferralOut:
        """Statuses: ``agreed`` (vereinbart), ``attended`` (wahrgenommen), ``completed``
        (abgeschlossen), ``refused`` (abgelehnt). Allowed for the case's offices and an
        office it is shared with for co-working; audited."""
        return _referral_out(await cases.set_referral_status(actor, case_id, referral_id, data))

    @post(
        "/cases/{case_id:int}/shares",
        guards=[requires_scope("cases:write")],
        summary="Fall mit einer anderen Beratungsstelle teilen (laut Einwilligung)",
        responses=_problems(401, 403, 404, 422),
    )
    async def share_case(
        self, actor: Actor, cases: CaseService, case_id: CaseId, data: ShareCreate
    ) -> ShareOut:
        share = await cases.share(actor, case_id, data)
        return ShareOut(
            id=share.id,
            case_id=share.case_id,
            organisation_id=share.organisation_id,
            consent_id=share.consent_id,
            level=share.level,
        )

    @get(
        "/deadlines",
        guards=[requires_scope("cases:read")],
        summary="Fristen der offenen Fälle, nach Datum",
        responses=_problems(401, 403),
    )
    async def list_deadlines(
        self,
        actor: Actor,
        cases: CaseService,
        within_days: Annotated[int, Parameter(ge=0, le=366)] = 14,
    ) -> list[DeadlineOut]:
        board = await cases.board(actor, counselor_only=False, within_days=within_days)
        return [deadline_out(d, case.id, case.reference) for d, case, _ in board]


def _referral_out(referral: Any) -> ReferralOut:
    return ReferralOut(
        id=referral.id,
        case_id=referral.case_id,
        kind=referral.kind,
        local_service_id=referral.local_service_id,
        status=referral.status,
        agreed_on=referral.agreed_on,
        note=referral.note,
    )
