"""The overview page each role lands on after login."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from litestar import Request, get
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from api.guards import any_user, current_actor
from api.views.forms import render
from matching import clock
from matching.cases.service import CaseService
from matching.enums import ProposalStatus, Role
from matching.proposals import queries
from matching.proposals.timeutil import utcnow

ANSWERS_WINDOW = timedelta(days=7)  # "new answers": landlord answers of the last week


@get("/uebersicht", guards=[any_user], include_in_schema=False)
async def overview(request: Request[Any, Any, Any], db_session: AsyncSession) -> Template:
    actor = current_actor(request)
    assert actor is not None
    stats = await queries.overview_counts(db_session, actor)
    board: Any = None
    case_deadlines: list[Any] = []
    if actor.role == Role.COUNSELOR:
        # The week's case deadlines come first: a missed Schonfrist costs a home.
        case_deadlines = await CaseService(session=db_session).board(
            actor, counselor_only=True, within_days=7
        )
        board = await queries.counselor_dashboard(
            db_session, actor, since=utcnow() - ANSWERS_WINDOW
        )
    elif actor.role == Role.LANDLORD:
        board = await queries.landlord_dashboard(db_session, actor)
    elif actor.is_admin:
        board = await queries.fachstelle_dashboard(db_session, actor)
    return render(
        request,
        "dashboard.html",
        stats=stats,
        board=board,
        case_deadlines=case_deadlines,
        today=clock.today(),
        week_end=clock.today() + timedelta(days=7),
        statuses=list(ProposalStatus),
        reason_names=await queries.reason_labels(db_session) if actor.is_admin else {},
    )
