"""The overview page each role lands on after login."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from litestar import Request, get
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from api.guards import any_user, current_actor
from api.views.forms import render
from matching.db.models import Household, Vacancy
from matching.enums import HouseholdStatus, Role, VacancyStatus


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
    return render(request, "dashboard.html", stats=stats)
