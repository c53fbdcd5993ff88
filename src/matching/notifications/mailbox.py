"""The admin's view of the outbox: the local mailbox ("Postausgang") and failed messages.

Why: without an SMTP server e-mails used to fail three times unseen. Now they wait in the
outbox and the admin reads them in the browser; with SMTP, messages the worker gave up on are
listed with the server's error and can be handed back to the worker (audited).
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from matching.actors import Actor
from matching.audit import service as audit
from matching.db.models import OutboxMessage
from matching.enums import OutboxStatus
from matching.errors import Conflict, Forbidden, NotFound
from matching.notifications.settings import smtp_configured
from matching.proposals.timeutil import utcnow

PAGE_SIZE = 50


@dataclass(frozen=True)
class MailboxPage:
    messages: list[OutboxMessage]
    total: int
    counts: dict[OutboxStatus, int]
    local: bool
    """True without SMTP: the messages are delivered here only."""


def _admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise Forbidden("Der Postausgang ist der Fachstelle vorbehalten.")


async def mailbox(
    session: AsyncSession,
    actor: Actor,
    *,
    status: OutboxStatus | None = None,
    offset: int = 0,
) -> MailboxPage:
    """Newest messages first, optionally of one status, with the count per status."""
    _admin(actor)
    counts = {
        OutboxStatus(s): int(n)
        for s, n in (
            await session.execute(
                sa.select(OutboxMessage.status, sa.func.count()).group_by(OutboxMessage.status)
            )
        ).all()
    }
    query = sa.select(OutboxMessage).order_by(OutboxMessage.id.desc())
    if status is not None:
        query = query.where(OutboxMessage.status == status)
    rows = (await session.scalars(query.offset(offset).limit(PAGE_SIZE))).all()
    total = counts.get(status, 0) if status is not None else sum(counts.values())
    return MailboxPage(list(rows), total, counts, local=not smtp_configured())


async def message(session: AsyncSession, actor: Actor, message_id: int) -> OutboxMessage:
    _admin(actor)
    found = await session.get(OutboxMessage, message_id)
    if found is None:
        raise NotFound("E-Mail")
    return found


async def retry(session: AsyncSession, actor: Actor, message_id: int) -> OutboxMessage:
    """Hand a failed message back to the worker: attempts start again, due now."""
    found = await message(session, actor, message_id)
    if found.status != OutboxStatus.FAILED:
        raise Conflict("Nur fehlgeschlagene E-Mails können erneut versendet werden.")
    previous = found.last_error
    found.status = OutboxStatus.PENDING
    found.attempts = 0
    found.next_attempt_at = utcnow()
    await session.flush()
    await audit.record(
        session,
        actor,
        "outbox.retry",
        "outbox_message",
        found.id,
        {"kind": found.kind, "had_error": bool(previous)},
    )
    return found
