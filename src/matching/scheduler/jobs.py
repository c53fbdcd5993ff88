"""The deadline jobs: reminders two days before ``respond_by``, then expiry.

Each proposal is handled in its own transaction, so one bad row cannot hold back the rest and
no job transaction collects row locks after its first audit entry.
"""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from matching.config import Settings, get_settings
from matching.db.models import Organisation, Proposal
from matching.enums import ProposalStatus
from matching.notifications.outbox import enqueue
from matching.proposals import engine, tokens
from matching.proposals.engine import must
from matching.proposals.errors import DomainError
from matching.proposals.timeutil import BERLIN, as_utc, format_date_de, utcnow
from matching.proposals.workflow import Action, ActorKind

log = logging.getLogger(__name__)

AWAITING_ANSWER = (ProposalStatus.SENT, ProposalStatus.VIEWED)
REMINDER_BEFORE = timedelta(days=2)
# Reminders go out in Berlin daytime only: a landlord should not get mail at three at night.
DAYTIME = (time(7, 0), time(20, 0))

SessionFactory = async_sessionmaker[AsyncSession]


def is_daytime(now: datetime) -> bool:
    local = as_utc(now).astimezone(BERLIN).time()
    return DAYTIME[0] <= local < DAYTIME[1]


async def send_reminders(
    session_factory: SessionFactory, now: datetime | None = None, settings: Settings | None = None
) -> int:
    """Remind the landlord once, two days before the deadline, with a fresh secure link."""
    moment = now or utcnow()
    cfg = settings or get_settings()
    if not is_daytime(moment):
        return 0
    async with session_factory() as session:
        ids = (
            await session.scalars(
                sa.select(Proposal.id).where(
                    Proposal.status.in_(AWAITING_ANSWER),
                    Proposal.reminder_sent_at.is_(None),
                    Proposal.respond_by > moment,
                    Proposal.respond_by <= moment + REMINDER_BEFORE,
                )
            )
        ).all()
    sent = 0
    for proposal_id in ids:
        async with session_factory() as session, session.begin():
            # Not through the ORM: a reminder must not bump the version the landlord's open
            # page holds, or their answer would be refused as stale.
            claimed = await session.execute(
                sa.update(Proposal)
                .where(
                    Proposal.id == proposal_id,
                    Proposal.status.in_(AWAITING_ANSWER),
                    Proposal.reminder_sent_at.is_(None),
                )
                .values(reminder_sent_at=moment)
                .execution_options(synchronize_session=False)
            )
            if claimed.rowcount != 1:  # type: ignore[attr-defined]
                continue
            proposal = must(await session.get(Proposal, proposal_id))
            respond_by = must(proposal.respond_by)
            landlord = await session.get(Organisation, proposal.landlord_organisation_id)
            if landlord is None or not landlord.contact_email:
                continue
            raw = await tokens.issue(session, proposal.id, landlord.contact_email, respond_by)
            ctx = await engine.mail_context(session, proposal)
            await enqueue(
                session,
                "proposal_reminder",
                landlord.contact_email,
                f"Erinnerung: Vorschlag {ctx.reference_code} – Antwort bis "
                f"{format_date_de(respond_by)}",
                "proposal_reminder",
                ctx.as_dict(link=f"{cfg.base_url.rstrip('/')}/l/{raw}"),
                f"proposal:{proposal.id}:reminder",
                now=moment,
            )
            sent += 1
    return sent


async def expire_overdue(
    session_factory: SessionFactory, now: datetime | None = None, settings: Settings | None = None
) -> int:
    """Unanswered proposals past ``respond_by`` become ``expired``; the counselor is told."""
    moment = now or utcnow()
    async with session_factory() as session:
        ids = (
            await session.scalars(
                sa.select(Proposal.id).where(
                    Proposal.status.in_(AWAITING_ANSWER), Proposal.respond_by < moment
                )
            )
        ).all()
    expired = 0
    for proposal_id in ids:
        try:
            async with session_factory() as session, session.begin():
                proposal = must(await session.get(Proposal, proposal_id))
                await engine.lock_for_change(session, [proposal])
                if proposal.status not in AWAITING_ANSWER:
                    continue  # answered meanwhile
                await engine.apply_transition(
                    session,
                    engine.system_actor("Frist abgelaufen"),
                    proposal,
                    Action.EXPIRE,
                    ActorKind.SYSTEM,
                    reason_code=engine.REASON_EXPIRED,
                    now=moment,
                    settings=settings,
                )
                expired += 1
        except DomainError as exc:  # e.g. a parallel answer: next run decides again
            log.warning("expiry of proposal %s skipped: %s", proposal_id, exc.code)
    return expired
