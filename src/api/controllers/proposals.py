"""JSON API for proposals: propose households, list and read proposals, answer them.

Counselling organisations' keys propose and see their own proposals; landlord keys see the
proposals made to them (never drafts) and answer. Refusals are problem details: 409 with the
allowed actions, 422 naming the field, 404 for another organisation's proposal.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.di import Provide
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import Parameter
from sqlalchemy.ext.asyncio import AsyncSession

from api.controllers.schemas import PageOut
from api.dependencies import provide_actor
from api.guards import requires_scope
from api.views.proposals import app_settings, pair_checker
from matching.actors import Actor
from matching.db.models import Proposal, ProposalEvent
from matching.enums import OrganisationKind, ProposalStatus, label
from matching.proposals import queries, service
from matching.proposals.errors import Forbidden, NotFound
from matching.proposals.service import ProposalDetail
from matching.proposals.workflow import Action, ActorKind

Id = Annotated[int, msgspec.Meta(ge=1, le=2**62)]


class ProposeIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    vacancy_id: Id
    household_ids: Annotated[list[Id], msgspec.Meta(min_length=1, max_length=20)]
    justification: Annotated[str, msgspec.Meta(max_length=2000)] | None = None


class ProposeResultOut(msgspec.Struct, kw_only=True):
    household_id: int
    ok: bool
    code: str
    message: str
    proposal_id: int | None


class ProposeOut(msgspec.Struct, kw_only=True):
    created: int
    results: list[ProposeResultOut]


class TransitionIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    action: Action
    expected_version: Annotated[int, msgspec.Meta(ge=1, le=2**31)]
    reason_code: Annotated[str, msgspec.Meta(max_length=40)] | None = None
    text: Annotated[str, msgspec.Meta(max_length=2000)] | None = None


class EventOut(msgspec.Struct, kw_only=True):
    at: datetime
    from_status: str | None
    to_status: str
    reason_code: str | None
    note: str | None


class ProposalOut(msgspec.Struct, kw_only=True):
    id: int
    version: int
    status: ProposalStatus
    status_label: str
    vacancy_id: int
    household_id: int
    reference_code: str
    sent_at: datetime | None
    respond_by: datetime | None
    answered_at: datetime | None
    closed_at: datetime | None
    decline_reason_code: str | None
    score: float | None
    allowed_actions: list[str] = msgspec.field(default_factory=list)
    profile: dict[str, Any] | None = None
    events: list[EventOut] | None = None


def _is_landlord(actor: Actor) -> bool:
    return actor.organisation_kind == OrganisationKind.LANDLORD


def _summary_out(p: queries.ProposalSummary) -> ProposalOut:
    return ProposalOut(
        id=p.id,
        version=p.version,
        status=p.status,
        status_label=p.status_label,
        vacancy_id=p.vacancy_id,
        household_id=p.household_id,
        reference_code=p.reference_code,
        sent_at=p.sent_at,
        respond_by=p.respond_by,
        answered_at=p.answered_at,
        closed_at=p.closed_at,
        decline_reason_code=p.decline_reason_code,
        score=p.score,
    )


async def _detail_out(session: AsyncSession, detail: ProposalDetail) -> ProposalOut:
    p: Proposal = detail.proposal
    reference = await queries.reference_code(session, p.household_id)
    return ProposalOut(
        id=p.id,
        version=p.version,
        status=p.status,
        status_label=label(p.status),
        vacancy_id=p.vacancy_id,
        household_id=p.household_id,
        reference_code=reference or "",
        sent_at=p.sent_at,
        respond_by=p.respond_by,
        answered_at=p.answered_at,
        closed_at=p.closed_at,
        decline_reason_code=p.decline_reason_code,
        score=p.score,
        allowed_actions=[a.value for a in detail.allowed_actions],
        profile=detail.profile if detail.actor_kind == ActorKind.LANDLORD else None,
        events=[_event_out(e, detail.hidden_notes) for e in detail.events],
    )


def _event_out(e: ProposalEvent, hidden_notes: frozenset[int] = frozenset()) -> EventOut:
    return EventOut(
        at=e.created_at,
        from_status=e.from_status,
        to_status=e.to_status,
        reason_code=e.reason_code,
        note=None if e.id in hidden_notes else e.note,
    )


class ProposalApi(Controller):
    path = "/api/v1/proposals"
    tags = ["Vorschläge"]
    dependencies = {"actor": Provide(provide_actor)}

    @post(
        "/",
        guards=[requires_scope("proposals:write")],
        summary="Haushalte vorschlagen",
        status_code=201,
        responses={
            200: ResponseSpec(
                ProposeOut,
                description="Kein Vorschlag angelegt; je Haushalt steht der Grund im Ergebnis.",
            )
        },
    )
    async def propose(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        db_session: AsyncSession,
        data: ProposeIn,
    ) -> Response[ProposeOut]:
        """One result per household; 201 when at least one proposal was created, else 200."""
        if _is_landlord(actor):
            raise Forbidden("Nur Beratungsstellen können Haushalte vorschlagen.")
        outcomes = await service.propose(
            db_session,
            actor,
            data.vacancy_id,
            data.household_ids,
            checker=pair_checker(request),
            justification=data.justification,
            settings=app_settings(request),
        )
        results = [
            ProposeResultOut(
                household_id=o.household_id,
                ok=o.ok,
                code=o.code,
                message=o.message,
                proposal_id=o.proposal_id,
            )
            for o in outcomes
        ]
        created = sum(1 for r in results if r.ok)
        return Response(
            ProposeOut(created=created, results=results), status_code=201 if created else 200
        )

    @get("/", guards=[requires_scope("proposals:read")], summary="Vorschläge auflisten")
    async def list_proposals(
        self,
        actor: Actor,
        db_session: AsyncSession,
        status: ProposalStatus | None = None,
        limit: Annotated[int, Parameter(ge=1, le=100)] = 25,
        offset: Annotated[int, Parameter(ge=0, le=10_000_000)] = 0,
    ) -> PageOut[ProposalOut]:
        """Landlord keys: proposals to the organisation (awaiting an answer first).
        Counselling keys: the organisation's own proposals, newest first."""
        statuses = [status] if status else None
        if _is_landlord(actor):
            rows = await queries.list_for_landlord(
                db_session, actor, statuses=statuses, limit=limit, offset=offset
            )
            total = await queries.count_for_landlord(db_session, actor, status=status)
        elif actor.organisation_kind == OrganisationKind.COUNSELING:
            rows = await queries.list_for_counselor(
                db_session, actor, statuses=statuses, limit=limit, offset=offset
            )
            total = await queries.count_for_counselor(db_session, actor, status=status)
        else:
            raise Forbidden("Vorschläge sehen nur Beratungsstellen und Vermieter.")
        return PageOut(
            items=[_summary_out(r) for r in rows], total=total, limit=limit, offset=offset
        )

    @get(
        "/{proposal_id:int}",
        guards=[requires_scope("proposals:read")],
        summary="Einen Vorschlag lesen",
    )
    async def get_proposal(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        db_session: AsyncSession,
        proposal_id: Annotated[int, Parameter(ge=1, le=2**62)],
    ) -> ProposalOut:
        """For the landlord this is the audited view of the shared profile (as in the portal:
        the first read marks the proposal as viewed)."""
        proposal = await service.get_proposal(db_session, actor, proposal_id)
        if _is_landlord(actor):
            if proposal.status == ProposalStatus.DRAFT:  # not sent to anyone yet
                raise NotFound("Vorschlag nicht gefunden.")
            detail = await service.mark_viewed(
                db_session, actor, proposal_id, settings=app_settings(request)
            )
        else:
            detail = await service.get_detail(db_session, actor, proposal_id)
        return await _detail_out(db_session, detail)

    @post(
        "/{proposal_id:int}/transitions",
        guards=[requires_scope("proposals:write")],
        summary="Einen Vorschlag beantworten oder ändern",
        status_code=200,
    )
    async def transition(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        db_session: AsyncSession,
        proposal_id: Annotated[int, Parameter(ge=1, le=2**62)],
        data: TransitionIn,
    ) -> ProposalOut:
        """``expected_version`` is the version you read; a newer one answers 409."""
        await service.transition(
            db_session,
            actor,
            proposal_id,
            data.action,
            expected_version=data.expected_version,
            reason_code=data.reason_code,
            text=data.text,
            settings=app_settings(request),
        )
        return await _detail_out(
            db_session, await service.get_detail(db_session, actor, proposal_id)
        )


ROUTES: list[Any] = [ProposalApi]
