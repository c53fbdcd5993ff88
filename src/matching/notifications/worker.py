"""The outbox worker: claim due messages, send them over SMTP, record the outcome.

Delivery guarantee — at-least-once, with the duplicate window made as small as it can be:

1. *Claim* (own committed transaction): due ``pending`` rows get ``attempts + 1`` and a lease
   (``next_attempt_at = now + CLAIM_LEASE``). PostgreSQL picks them with
   ``FOR UPDATE SKIP LOCKED``; on every database the UPDATE is guarded by
   ``status = 'pending' AND next_attempt_at <= now``, so two workers never claim one row.
2. *Send* over SMTP, outside any transaction.
3. *Record* (own committed transaction): ``sent`` — or, on a refused or failed delivery, a
   retry with exponential backoff, ``failed`` after ``MAX_ATTEMPTS``.

A message is therefore never sent twice by two workers, nor by one worker run twice. Only if
the process dies between the server's "250 OK" and step 3 does the lease expire and the
message go out again; we accept that rare duplicate rather than risk losing a proposal or a
deadline notice (at-most-once would turn the same crash into a silent loss). The Message-ID
is derived from the dedup key, so a duplicate is recognisable as the same message.

The raw secure-link token sits in the message body only until delivery: the sent row keeps
the body with the token cut out.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from matching.db.models import OutboxMessage
from matching.enums import OutboxStatus
from matching.notifications.settings import SmtpSettings
from matching.proposals.timeutil import utcnow
from matching.validators import email_error, header_text

MAX_ATTEMPTS = 8
BASE_DELAY = timedelta(minutes=1)
MAX_DELAY = timedelta(hours=6)
CLAIM_LEASE = timedelta(minutes=10)
#: Marks an error that no retry can cure (the message cannot be built): failed at once.
PERMANENT = "permanent:"
# Secure proposal links and one-time password links: the token is cut out once delivered.
_LINK_TOKEN = re.compile(r"(/l/|/passwort-neu/)[A-Za-z0-9_\-]{16,}")


@dataclass(frozen=True)
class Claimed:
    id: int
    to_address: str
    subject: str
    body_text: str
    body_html: str | None
    dedup_key: str
    attempts: int


@dataclass(frozen=True)
class DeliveryReport:
    claimed: int = 0
    sent: int = 0
    retrying: int = 0
    given_up: int = 0


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, … minutes after the n-th failed attempt, at most six hours."""
    delay: timedelta = BASE_DELAY * (2 ** max(attempts - 1, 0))
    return min(delay, MAX_DELAY)


def redact_links(body: str | None) -> str | None:
    return None if body is None else _LINK_TOKEN.sub(r"\1[entfernt]", body)


async def deliver_pending(
    session_factory: async_sessionmaker[AsyncSession],
    smtp_settings: SmtpSettings,
    now: datetime | None = None,
    *,
    batch_size: int = 50,
) -> DeliveryReport:
    """Deliver what is due now; safe to run in several processes at once."""
    moment = now or utcnow()
    claimed = await _claim(session_factory, moment, batch_size)
    if not claimed:
        return DeliveryReport()
    errors = await asyncio.to_thread(_send_batch, smtp_settings, claimed)
    return await _record(session_factory, claimed, errors, moment)


async def _claim(
    session_factory: async_sessionmaker[AsyncSession], now: datetime, limit: int
) -> list[Claimed]:
    due = sa.and_(
        OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.next_attempt_at <= now
    )
    async with session_factory() as session, session.begin():
        query = (
            sa.select(OutboxMessage.id)
            .where(due)
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(limit)
        )
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        ids = list((await session.scalars(query)).all())
        claimed: list[Claimed] = []
        for message_id in ids:
            result = await session.execute(
                sa.update(OutboxMessage)
                .where(OutboxMessage.id == message_id, due)
                .values(attempts=OutboxMessage.attempts + 1, next_attempt_at=now + CLAIM_LEASE)
                .returning(
                    OutboxMessage.id,
                    OutboxMessage.to_address,
                    OutboxMessage.subject,
                    OutboxMessage.body_text,
                    OutboxMessage.body_html,
                    OutboxMessage.dedup_key,
                    OutboxMessage.attempts,
                )
                .execution_options(synchronize_session=False)
            )
            row = result.one_or_none()
            if row is not None:  # another worker's guard may have won the row
                claimed.append(Claimed(*row))
    return claimed


def _message_id(dedup_key: str, sender: str) -> str:
    domain = parseaddr(sender)[1].rpartition("@")[2] or "tueroeffner.invalid"
    return f"<{hashlib.sha256(dedup_key.encode()).hexdigest()[:32]}@{domain}>"


class Unbuildable(ValueError):
    """A message that can never be sent as stored; the German reason is shown to the admin."""


def build_email(settings: SmtpSettings, message: Claimed) -> EmailMessage:
    """The MIME message; header text is encoded here whatever the input checks let through."""
    if email_error(message.to_address) is not None:
        raise Unbuildable(
            "Die Empfängeradresse ist ungültig (mehrere Adressen oder Steuerzeichen)."
        )
    email = EmailMessage()
    email["From"] = settings.from_address
    email["To"] = message.to_address
    email["Subject"] = header_text(message.subject)
    email["Date"] = format_datetime(utcnow())
    email["Message-ID"] = _message_id(message.dedup_key, settings.from_address)
    email["Auto-Submitted"] = "auto-generated"
    email.set_content(message.body_text)
    if message.body_html:
        email.add_alternative(message.body_html, subtype="html")
    return email


def _connect(settings: SmtpSettings) -> smtplib.SMTP:
    context = ssl.create_default_context()
    client: smtplib.SMTP
    if settings.tls:
        client = smtplib.SMTP_SSL(
            settings.host, settings.port, timeout=settings.timeout_seconds, context=context
        )
    else:
        client = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout_seconds)
        if settings.starttls:
            client.starttls(context=context)
    if settings.user:
        client.login(settings.user, settings.password or "")
    return client


def error_label(exc: BaseException) -> str:
    """What went wrong, without addresses or server text (they may name a person)."""
    code = getattr(exc, "smtp_code", None)
    return f"{type(exc).__name__} {code}" if code else type(exc).__name__


def _build_each(
    settings: SmtpSettings, messages: Sequence[Claimed]
) -> tuple[list[tuple[Claimed, EmailMessage]], dict[int, str]]:
    """Build every message on its own: one that cannot be built never holds up the others."""
    built: list[tuple[Claimed, EmailMessage]] = []
    unbuildable: dict[int, str] = {}
    for message in messages:
        try:
            built.append((message, build_email(settings, message)))
        except Unbuildable as exc:
            unbuildable[message.id] = str(exc)
        except Exception as exc:
            unbuildable[message.id] = (
                f"Die Nachricht konnte nicht erstellt werden ({type(exc).__name__})."
            )
    return built, unbuildable


def _send_batch(settings: SmtpSettings, messages: Sequence[Claimed]) -> dict[int, str | None]:
    """Send over one connection; returns message id -> None (sent) or an error label.

    Messages that cannot be built are answered with ``PERMANENT`` + the German reason."""
    built, unbuildable = _build_each(settings, messages)
    results: dict[int, str | None] = {k: PERMANENT + v for k, v in unbuildable.items()}
    if not built:
        return results
    try:
        client = _connect(settings)
    except (OSError, smtplib.SMTPException) as exc:
        return results | {m.id: error_label(exc) for m, _ in built}
    try:
        for index, (message, email) in enumerate(built):
            try:
                client.send_message(email)
                results[message.id] = None
            except smtplib.SMTPServerDisconnected as exc:
                for rest, _email in built[index:]:
                    results[rest.id] = error_label(exc)
                break
            except (OSError, smtplib.SMTPException) as exc:
                results[message.id] = error_label(exc)
    finally:
        try:
            client.quit()
        except (OSError, smtplib.SMTPException):
            client.close()
    return results


async def _record(
    session_factory: async_sessionmaker[AsyncSession],
    claimed: Sequence[Claimed],
    errors: dict[int, str | None],
    now: datetime,
) -> DeliveryReport:
    sent = retrying = given_up = 0
    async with session_factory() as session, session.begin():
        for message in claimed:
            error = errors.get(message.id, "NotAttempted")
            values: dict[str, Any]
            if error is None:
                row = await session.get(OutboxMessage, message.id)
                assert row is not None
                values = {
                    "status": OutboxStatus.SENT,
                    "sent_at": utcnow(),
                    "last_error": None,
                    "body_text": redact_links(row.body_text),
                    "body_html": redact_links(row.body_html),
                }
                sent += 1
            elif error.startswith(PERMANENT) or message.attempts >= MAX_ATTEMPTS:
                reason = error.removeprefix(PERMANENT)
                values = {"status": OutboxStatus.FAILED, "last_error": reason[:500]}
                given_up += 1
            else:
                values = {"next_attempt_at": now + backoff(message.attempts), "last_error": error}
                retrying += 1
            await session.execute(
                sa.update(OutboxMessage)
                .where(
                    OutboxMessage.id == message.id,
                    OutboxMessage.status == OutboxStatus.PENDING,
                )
                .values(**values)
                .execution_options(synchronize_session=False)
            )
    return DeliveryReport(len(claimed), sent, retrying, given_up)
