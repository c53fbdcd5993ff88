"""The overview page each role lands on after login."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from litestar import Request, get
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from api.guards import any_user, current_actor
from api.views.forms import render
from api.views.proposals import reason_labels
from matching.db.models import Household, Vacancy
from matching.enums import HouseholdStatus, ProposalStatus, Role, VacancyStatus
from matching.proposals import queries
from matching.proposals.timeutil import utcnow

ANSWERS_WINDOW = timedelta(days=7)  # "new answers": landlord answers of the last week


@get("/uebersicht", guards=[any_user], include_in_schema=False)
async def overview(request: Request[Any, Any, Any], db_session: AsyncSession) -> Template:
    actor = current_actor(request)
    assert actor is not None
    stats: dict[str, int] = {}
    if actor.role == Role.COUNSELOR:
        stats["active_households"] = int(
            await db_session.scalar(
                sa.select(sa.func.count(Household.id)).where(
                    Household.organisation_id == actor.organisation_id,
                    Household.status == HouseholdStatus.ACTIVE,
                )
            )
            or 0
        )
        stats["open_vacancies"] = int(
            await db_session.scalar(
                sa.select(sa.func.count(Vacancy.id)).where(Vacancy.status == VacancyStatus.OPEN)
            )
            or 0
        )
    elif actor.role == Role.LANDLORD:
        stats["open_vacancies"] = int(
            await db_session.scalar(
                sa.select(sa.func.count(Vacancy.id)).where(
                    Vacancy.organisation_id == actor.organisation_id,
                    Vacancy.status == VacancyStatus.OPEN,
                )
            )
            or 0
        )
    else:
        stats["active_households"] = int(
            await db_session.scalar(
                sa.select(sa.func.count(Household.id)).where(
                    Household.status == HouseholdStatus.ACTIVE
                )
            )
            or 0
        )
        stats["open_vacancies"] = int(
            await db_session.scalar(
                sa.select(sa.func.count(Vacancy.id)).where(Vacancy.status == VacancyStatus.OPEN)
            )
            or 0
        )
    board: Any = None
    if actor.role == Role.COUNSELOR:
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
        statuses=list(ProposalStatus),
        reason_names=await reason_labels(db_session) if actor.is_admin else {},
    )
