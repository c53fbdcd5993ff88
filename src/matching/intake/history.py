"""Import jobs as the landlord portal shows them: one's own job, the recent history."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from matching.access import may_read_import, readable_imports
from matching.actors import Actor
from matching.db.models import ImportJob, User
from matching.errors import NotFound


async def own_job(session: AsyncSession, actor: Actor, job_id: int) -> ImportJob:
    """The import job if it belongs to the actor's organisation (the admin reads every
    organisation's); another's is not found."""
    job = await session.get(ImportJob, job_id)
    if job is None or not may_read_import(actor, job):
        raise NotFound("Import")
    return job


async def recent_jobs(
    session: AsyncSession, actor: Actor, *, limit: int = 50
) -> list[tuple[ImportJob, str | None]]:
    """The organisation's import jobs, newest first, with the name of the user who started
    each (None when there is no such user)."""
    query = (
        sa.select(ImportJob, User.name)
        .outerjoin(User, User.id == ImportJob.user_id)
        .where(readable_imports(actor))  # the Fachstelle's admin reads every organisation's
    )
    rows = await session.execute(query.order_by(ImportJob.id.desc()).limit(limit))
    return [(job, name) for job, name in rows.all()]
