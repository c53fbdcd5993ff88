"""End of a vacancy's life: withdrawal by the landlord and expiry of unconfirmed offers.

A withdrawn or expired vacancy is kept (history, proposals, reports); its live proposals are
withdrawn by the system with a reason, so no counselor waits for an answer that cannot come.
An open vacancy nobody confirms (re-delivers unchanged, edits) within ``expiry_days`` after its
available date expires; the landlord is reminded ``reminder_days`` before.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import cast

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm.attributes import set_committed_value

from matching.actors import Actor
from matching.audit import service as audit
from matching.config import Settings, get_settings
from matching.db import versioning
from matching.db.models import (
    Municipality,
    Organisation,
    OutboxMessage,
    Proposal,
    User,
    Vacancy,
)
from matching.enums import LIVE_PROPOSAL_STATUSES, VacancyStatus
from matching.errors import Conflict
from matching.notifications.outbox import enqueue
from matching.proposals import engine
from matching.proposals.errors import DomainError
from matching.proposals.timeutil import berlin_date, utcnow

log = logging.getLogger(__name__)

# Live proposals of a withdrawn or expired vacancy end with this system reason: the counselor
# is told, the landlord (who withdrew it) is not mailed about their own act.
REASON_VACANCY_GONE = engine.REASON_VACANCY_WITHDRAWN

ENDED = (VacancyStatus.WITHDRAWN, VacancyStatus.EXPIRED, VacancyStatus.LET)


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(f"MATCHING_{name}", "").strip()
    return int(raw) if raw.isdigit() else default


@dataclass(frozen=True)
class LifecycleSettings:
    """``MATCHING_VACANCY_EXPIRY_DAYS`` (14) and ``MATCHING_VACANCY_REMINDER_DAYS`` (3)."""

    expiry_days: int = field(default_factory=lambda: _env_int("VACANCY_EXPIRY_DAYS", 14))
    reminder_days: int = field(default_factory=lambda: _env_int("VACANCY_REMINDER_DAYS", 3))


async def end_vacancy(
    session: AsyncSession,
    actor: Actor,
    vacancy: Vacancy,
    status: VacancyStatus = VacancyStatus.WITHDRAWN,
    *,
    now: datetime | None = None,
    settings: Settings | None = None,
) -> bool:
    """Withdraw (or expire) one vacancy and its live proposals; False if it already was."""
    if vacancy.status == status:
        return False
    if vacancy.status == VacancyStatus.LET:
        raise Conflict("Eine vermietete Wohnung kann nicht mehr zurückgezogen werden.")
    moment = now or utcnow()
    await engine.lock_rows(session, Vacancy, [vacancy.id])
    proposals = await engine.live_proposals(session, vacancy_id=vacancy.id)
    await engine.lock_for_change(session, proposals)
    withdrawn = await engine.withdraw_live(
        session, proposals, REASON_VACANCY_GONE, now=moment, settings=settings
    )
    await session.refresh(vacancy)
    if vacancy.status == status:
        return False
    previous = vacancy.status
    vacancy.status = status
    await engine.flush_or_stale(session)
    await versioning.bump(session, versioning.VACANCIES)
    await audit.record(
        session,
        actor,
        "withdraw" if status == VacancyStatus.WITHDRAWN else "expire",
        "vacancy",
        vacancy.id,
        {"from": previous.value, "proposals_withdrawn": len(withdrawn)},
    )
    return True


async def confirm(
    session: AsyncSession, actor: Actor, vacancy: Vacancy, *, now: datetime | None = None
) -> None:
    """The landlord says "still available": restarts the expiry clock, keeps the version."""
    moment = now or utcnow()
    await session.execute(
        sa.update(cast("sa.Table", Vacancy.__table__))
        .where(Vacancy.id == vacancy.id)
        .values(confirmed_at=moment)
        .execution_options(synchronize_session=False)
    )
    set_committed_value(vacancy, "confirmed_at", moment)
    await audit.record(session, actor, "confirm", "vacancy", vacancy.id)


async def withdraw_live_proposals_of(
    session: AsyncSession, vacancy_ids: Sequence[int], *, now: datetime
) -> int:
    """After a bulk withdrawal: end the live proposals of these vacancies (usually none)."""
    proposals: list[Proposal] = []
    for start in range(0, len(vacancy_ids), 1000):
        chunk = list(vacancy_ids[start : start + 1000])
        proposals += (
            await session.scalars(
                sa.select(Proposal)
                .where(
                    Proposal.vacancy_id.in_(chunk),
                    Proposal.status.in_(LIVE_PROPOSAL_STATUSES),
                )
                .order_by(Proposal.id)
            )
        ).all()
    if not proposals:
        return 0
    await engine.lock_for_change(session, proposals)
    return len(await engine.withdraw_live(session, proposals, REASON_VACANCY_GONE, now=now))


# -- expiry job ------------------------------------------------------------------------------
def due_date(vacancy: Vacancy, expiry_days: int) -> date:
    """The last day the offer counts as current: N days after the later of its available
    date and its last confirmation or change."""
    touched = [vacancy.available_from]
    for moment in (vacancy.confirmed_at, vacancy.updated_at, vacancy.created_at):
        if moment is not None:
            touched.append(berlin_date(moment))
    return max(touched) + timedelta(days=expiry_days)


SessionFactory = async_sessionmaker[AsyncSession]


async def expire_stale_vacancies(
    session_factory: SessionFactory,
    now: datetime | None = None,
    settings: Settings | None = None,
    lifecycle: LifecycleSettings | None = None,
) -> int:
    """Remind landlords of offers about to expire, then expire those reminded and still stale.

    Each vacancy is handled in its own transaction (like the proposal deadline jobs)."""
    moment = now or utcnow()
    cfg = settings or get_settings()
    rules = lifecycle or LifecycleSettings()
    today = berlin_date(moment)
    horizon = today + timedelta(days=rules.reminder_days) - timedelta(days=rules.expiry_days)
    async with session_factory() as session:
        candidates = (
            await session.scalars(
                sa.select(Vacancy).where(
                    Vacancy.status == VacancyStatus.OPEN, Vacancy.available_from <= horizon
                )
            )
        ).all()
        plan = [(v.id, due_date(v, rules.expiry_days)) for v in candidates]
    expired = 0
    for vacancy_id, due in plan:
        if today < due - timedelta(days=rules.reminder_days):
            continue
        try:
            async with session_factory() as session, session.begin():
                vacancy = await session.get(Vacancy, vacancy_id)
                if vacancy is None or vacancy.status != VacancyStatus.OPEN:
                    continue
                due = due_date(vacancy, rules.expiry_days)
                key = f"vacancy:{vacancy.id}:expiry-reminder:{due.isoformat()}"
                reminded_at = await session.scalar(
                    sa.select(OutboxMessage.created_at).where(OutboxMessage.dedup_key == key)
                )
                if reminded_at is None and await _remind(session, vacancy, due, key, moment, cfg):
                    continue
                if today <= due or (
                    reminded_at is not None and moment - reminded_at < timedelta(days=1)
                ):
                    continue  # the landlord gets at least a day after the reminder
                await end_vacancy(
                    session,
                    engine.system_actor("Angebot nicht bestätigt"),
                    vacancy,
                    VacancyStatus.EXPIRED,
                    now=moment,
                    settings=cfg,
                )
                expired += 1
        except (DomainError, Conflict) as exc:
            log.warning("expiry of vacancy %s skipped: %s", vacancy_id, type(exc).__name__)
    return expired


async def _remind(
    session: AsyncSession,
    vacancy: Vacancy,
    due: date,
    key: str,
    now: datetime,
    settings: Settings,
) -> bool:
    """Queue the reminder; False when the organisation has no address at all."""
    landlord = await session.get(Organisation, vacancy.organisation_id)
    to = landlord.contact_email if landlord else None
    if not to:
        to = await session.scalar(
            sa.select(User.email)
            .where(User.organisation_id == vacancy.organisation_id, User.is_active.is_(True))
            .order_by(User.is_org_admin.desc(), User.id)
            .limit(1)
        )
    if not to:
        return False
    town = await session.scalar(
        sa.select(Municipality.name).where(Municipality.ags == vacancy.municipality_ags)
    )
    label = engine.vacancy_label(vacancy, town)
    await enqueue(
        session,
        "vacancy_expiry_reminder",
        to,
        f"Bitte bestätigen: Wohnungsangebot läuft am {due:%d.%m.%Y} ab",
        "vacancy_expiry_reminder",
        {
            "vacancy_label": label,
            "external_id": vacancy.external_id,
            "due": due,
            "landlord_name": landlord.name if landlord else "",
            "link": f"{settings.base_url.rstrip('/')}/wohnungen/{vacancy.id}",
        },
        key,
        now=now,
    )
    return True
