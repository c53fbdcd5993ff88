"""The outbox worker against a real SMTP server: what arrives, retries, never twice."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from matching.db.models import OutboxMessage
from matching.enums import OutboxStatus
from matching.notifications import worker
from matching.notifications.outbox import enqueue
from matching.notifications.settings import SmtpSettings
from matching.proposals import service
from matching.proposals.checker import PassAllChecker
from tests.matching.notifications.smtp_fixtures import SmtpServer, free_port
from tests.matching.proposals.factories import NOW, TEST_SETTINGS, Db, World, later

pytestmark = pytest.mark.anyio


async def _propose(session: AsyncSession, world: World, household_index: int = 0) -> int:
    [outcome] = await service.propose(
        session,
        world.counselor,
        world.vacancies[household_index % len(world.vacancies)].id,
        [world.households[household_index].id],
        checker=PassAllChecker(),
        now=NOW,
        settings=TEST_SETTINGS,
    )
    await session.commit()
    assert outcome.proposal_id is not None
    return outcome.proposal_id


async def _messages(db: Db) -> list[OutboxMessage]:
    async with db.sessions() as s:
        return list((await s.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id))).all())


async def test_new_proposal_mail_arrives_once_with_link_and_without_name(
    db: Db, session: AsyncSession, world: World, smtp_server: SmtpServer
) -> None:
    await _propose(session, world)
    report = await worker.deliver_pending(db.sessions, smtp_server.settings, NOW)
    assert (report.claimed, report.sent) == (1, 1)
    [got] = smtp_server.recorder.received
    assert got.rcpt_tos == ["vermietung@wohnbau.example"]
    reference = world.households[0].reference_code
    assert got.message["Subject"].startswith(f"Neuer Vorschlag {reference}")
    assert got.message["From"] == "Türöffner <noreply@tueroeffner.example>"
    assert "https://tueroeffner.example/l/" in got.text
    assert 'href="https://tueroeffner.example/l/' in got.html
    assert "30.11.2026" in got.text
    for secret in ("Yilmaz", "0571 123456", "familie@example.net"):
        assert secret not in got.text and secret not in got.html
    [row] = await _messages(db)
    assert row.status == OutboxStatus.SENT and row.sent_at is not None
    # The raw token does not stay in the database once the mail is out.
    assert "/l/[entfernt]" in row.body_text
    again = await worker.deliver_pending(db.sessions, smtp_server.settings, later(1))
    assert again.claimed == 0
    assert len(smtp_server.recorder.received) == 1


async def test_failures_are_retried_with_backoff_then_delivered(
    db: Db, session: AsyncSession, world: World, smtp_server: SmtpServer
) -> None:
    await _propose(session, world)
    smtp_server.recorder.refuse = True
    first = await worker.deliver_pending(db.sessions, smtp_server.settings, NOW)
    assert (first.sent, first.retrying) == (0, 1)
    [row] = await _messages(db)
    assert row.status == OutboxStatus.PENDING and row.attempts == 1
    assert row.next_attempt_at == NOW + timedelta(minutes=1)
    assert row.last_error == "SMTPDataError 451"
    # Not due yet: nothing is tried.
    early = await worker.deliver_pending(
        db.sessions, smtp_server.settings, NOW + timedelta(seconds=30)
    )
    assert early.claimed == 0
    # Server down: connection refused, the delay doubles.
    smtp_server.stop()
    down = await worker.deliver_pending(
        db.sessions, smtp_server.settings, NOW + timedelta(minutes=1)
    )
    assert down.retrying == 1
    [row] = await _messages(db)
    assert row.attempts == 2 and row.last_error == "ConnectionRefusedError"
    assert row.next_attempt_at == NOW + timedelta(minutes=3)
    smtp_server.start()
    smtp_server.recorder.refuse = False
    ok = await worker.deliver_pending(db.sessions, smtp_server.settings, NOW + timedelta(minutes=3))
    assert ok.sent == 1
    assert len(smtp_server.recorder.received) == 1
    [row] = await _messages(db)
    assert row.status == OutboxStatus.SENT and row.attempts == 3 and row.last_error is None


async def test_gives_up_after_max_attempts(db: Db, session: AsyncSession) -> None:
    await enqueue(
        session,
        "test",
        "someone@example.org",
        "Betreff",
        "proposal_expired",
        {
            "counselor_name": None,
            "landlord_name": "L",
            "reference_code": "HH-1",
            "vacancy_label": "W",
            "respond_by": NOW,
            "base_url": "https://x",
        },
        "test:1",
        now=NOW,
    )
    await session.commit()
    dead = SmtpSettings(host="127.0.0.1", port=free_port(), timeout_seconds=1)
    moment = NOW
    for _ in range(worker.MAX_ATTEMPTS):
        await worker.deliver_pending(db.sessions, dead, moment)
        moment += worker.MAX_DELAY
    [row] = await _messages(db)
    assert row.status == OutboxStatus.FAILED and row.attempts == worker.MAX_ATTEMPTS


async def test_two_workers_at_once_never_send_twice(
    db: Db, session: AsyncSession, world: World, smtp_server: SmtpServer
) -> None:
    for i in range(4):
        await _propose(session, world, i)
    reports = await asyncio.gather(
        *(worker.deliver_pending(db.sessions, smtp_server.settings, NOW) for _ in range(3))
    )
    assert sum(r.sent for r in reports) == 4
    assert sum(r.claimed for r in reports) == 4
    subjects = [r.message["Subject"] for r in smtp_server.recorder.received]
    assert len(subjects) == 4 and len(set(subjects)) == 4
    ids = {r.message["Message-ID"] for r in smtp_server.recorder.received}
    assert len(ids) == 4


async def test_dedup_key_keeps_one_message(db: Db, session: AsyncSession) -> None:
    context = {
        "counselor_name": None,
        "landlord_name": "L",
        "reference_code": "HH-1",
        "vacancy_label": "W",
        "respond_by": NOW,
        "base_url": "https://x",
    }
    first = await enqueue(session, "t", "a@example.org", "S", "proposal_expired", context, "k:1")
    second = await enqueue(session, "t", "a@example.org", "S", "proposal_expired", context, "k:1")
    await session.commit()
    assert first is not None and second is None
    assert len(await _messages(db)) == 1


def test_smtp_settings_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MATCHING_SMTP_HOST", "mail.example.org")
    monkeypatch.setenv("MATCHING_SMTP_PORT", "587")
    monkeypatch.setenv("MATCHING_SMTP_USER", "tueroeffner")
    monkeypatch.setenv("MATCHING_SMTP_PASSWORD", "geheim")
    monkeypatch.setenv("MATCHING_SMTP_STARTTLS", "true")
    monkeypatch.setenv("MATCHING_SMTP_FROM", "Türöffner <noreply@example.org>")
    settings = SmtpSettings()
    assert (settings.host, settings.port, settings.starttls, settings.tls) == (
        "mail.example.org",
        587,
        True,
        False,
    )
    assert settings.user == "tueroeffner" and settings.password == "geheim"
    assert "geheim" not in repr(settings)


async def test_a_message_that_cannot_be_built_fails_alone(
    db: Db, session: AsyncSession, smtp_server: SmtpServer
) -> None:
    """Issue 12: one bad header used to abort the whole batch, retried for ever."""
    context = {
        "counselor_name": None,
        "landlord_name": "L",
        "reference_code": "HH-1",
        "vacancy_label": "W",
        "respond_by": NOW,
        "base_url": "https://x",
    }
    mails = [
        ("first@example.org", "Vorher", "k:1"),
        ("bad@example.org\r\nBcc: victim@example.net", "Adresse mit Umbruch", "k:2"),
        ("third@example.org", "Wohnung\r\nBcc: victim@example.net", "k:3"),
        ("x@y.example?bcc=victim@example.net", "Abfrage-Trick", "k:4"),
        ("fifth@example.org", "Nachher", "k:5"),
    ]
    for to, subject, key in mails:
        await enqueue(session, "t", to, subject, "proposal_expired", context, key, now=NOW)
    await session.commit()
    report = await worker.deliver_pending(db.sessions, smtp_server.settings, NOW)
    assert (report.claimed, report.sent, report.given_up, report.retrying) == (5, 3, 2, 0)
    received = smtp_server.recorder.received
    assert sorted(r.rcpt_tos[0] for r in received) == [
        "fifth@example.org",
        "first@example.org",
        "third@example.org",
    ]
    for got in received:
        assert "victim" not in "".join(got.rcpt_tos)
        assert got.message["Bcc"] is None
    encoded = next(r for r in received if r.rcpt_tos == ["third@example.org"])
    assert encoded.message["Subject"] == "Wohnung Bcc: victim@example.net"  # one line
    rows = {row.dedup_key: row for row in await _messages(db)}
    for key in ("k:2", "k:4"):
        assert rows[key].status == OutboxStatus.FAILED
        assert rows[key].attempts == 1
        assert rows[key].last_error is not None
        assert "Empfängeradresse ist ungültig" in rows[key].last_error
    again = await worker.deliver_pending(db.sessions, smtp_server.settings, NOW + worker.MAX_DELAY)
    assert again.claimed == 0
