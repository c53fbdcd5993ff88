"""Dependency providers: the acting principal and the domain services per request."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.exceptions import NotAuthorizedException
from sqlalchemy.ext.asyncio import AsyncSession

from matching.actors import Actor
from matching.households.service import HouseholdService
from matching.vacancies.service import VacancyService


async def provide_actor(request: Request[Any, Any, Any]) -> Actor:
    user = request.scope.get("user")
    if not isinstance(user, Actor):
        raise NotAuthorizedException("Bitte melden Sie sich an.")
    return user


async def provide_households(db_session: AsyncSession) -> HouseholdService:
    return HouseholdService(session=db_session)


async def provide_vacancies(db_session: AsyncSession) -> VacancyService:
    return VacancyService(session=db_session)
