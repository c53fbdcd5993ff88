"""The ranked households on a vacancy page (filled by the ranking service)."""

from __future__ import annotations

from typing import Any

from litestar import Request
from sqlalchemy.ext.asyncio import AsyncSession

from matching.actors import Actor
from matching.db.models import Vacancy


async def vacancy_ranking_context(
    request: Request[Any, Any, Any], session: AsyncSession, actor: Actor, vacancy: Vacancy
) -> dict[str, Any] | None:
    ranking_service = getattr(request.app.state, "ranking", None)
    if ranking_service is None:
        return None
    result: dict[str, Any] = await ranking_service.vacancy_context(session, actor, vacancy)
    return result


ROUTES: list[Any] = []
