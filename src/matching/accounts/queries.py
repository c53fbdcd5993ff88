"""Read side of accounts: names and flags the pages show about users and organisations."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from matching.actors import Actor
from matching.db.models import Organisation, User
from matching.enums import OrganisationKind


async def is_org_admin(session: AsyncSession, actor: Actor) -> bool:
    """Whether the actor's user is its organisation's own admin (False without a user)."""
    flag = await session.scalar(sa.select(User.is_org_admin).where(User.id == actor.user_id))
    return bool(flag)


async def member_organisations(session: AsyncSession) -> list[Organisation]:
    """All organisations except the Fachstelle, by name."""
    rows = await session.scalars(
        sa.select(Organisation)
        .where(Organisation.kind != OrganisationKind.FACHSTELLE)
        .order_by(Organisation.name)
    )
    return list(rows.all())


async def organisation_names(session: AsyncSession) -> dict[int, str]:
    """Organisation id -> name, for all organisations."""
    rows = await session.execute(sa.select(Organisation.id, Organisation.name))
    return {int(oid): str(name) for oid, name in rows}


async def user_names(session: AsyncSession) -> dict[int, str]:
    """User id -> name, for all users."""
    rows = await session.execute(sa.select(User.id, User.name))
    return dict(rows.tuples().all())
