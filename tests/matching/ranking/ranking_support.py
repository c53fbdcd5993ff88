"""Helpers for the ranking tests: households and vacancies written like the services do."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from matching.actors import Actor
from matching.db import versioning
from matching.db.models import Household, Organisation, User, Vacancy
from tests.support.world import World, household_values, vacancy_values


async def add_household(session: AsyncSession, org_id: int, code: str, **values: Any) -> Household:
    """A household plus the stamp bump every household change makes."""
    household = Household(**household_values(org_id, reference_code=code, **values))
    session.add(household)
    await session.flush()
    await versioning.bump(session, versioning.HOUSEHOLDS)
    await session.commit()
    return household


async def add_vacancy(session: AsyncSession, org_id: int, **values: Any) -> Vacancy:
    vacancy = Vacancy(**vacancy_values(org_id, **values))
    session.add(vacancy)
    await session.flush()
    await versioning.bump(session, versioning.VACANCIES)
    await session.commit()
    return vacancy


async def actor(session: AsyncSession, world: World, who: str) -> Actor:
    """The domain actor of one of the world's users."""
    user: User = world.users[who]
    org = await session.get(Organisation, user.organisation_id)
    assert org is not None
    return Actor(
        kind="user",
        organisation_id=user.organisation_id,
        role=user.role,
        organisation_kind=org.kind,
        user_id=user.id,
        label=who,
    )


def api_actor(world: World, org_key: str) -> Actor:
    org = world.orgs[org_key]
    return Actor(
        kind="api_key",
        organisation_id=org.id,
        organisation_kind=org.kind,
        scopes=frozenset({"households:read"}),
        label=org_key,
    )


async def age_rows(session: AsyncSession, model: Any, hours: int = 1) -> None:
    """Set ``updated_at`` back, as if the rows were written long ago (the steady state)."""
    past = datetime.now(UTC) - timedelta(hours=hours)
    await session.execute(sa.update(model).values(updated_at=past))
    await session.commit()
