"""Deadlines and the scheduler: reminders, expiry, the JobLock lease, the run loop."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from matching.db.models import OutboxMessage, Proposal, ProposalToken
from matching.enums import ProposalStatus
from matching.proposals import service
from matching.proposals.checker import PassAllChecker
from matching.scheduler import jobs, lease
from matching.scheduler.runner import Job, run_due_jobs, run_forever
from tests.matching.notifications.smtp_fixtures import SmtpServer
from tests.matching.proposals.factories import NOW, TEST_SETTINGS, Db, World, later

pytestmark = pytest.mark.anyio


async def _sent(session: AsyncSession, world: World, index: int = 0) -> int:
    [outcome] = await service.propose(
        session,
        world.counselor,
        world.vacancies[index].id,
        [world.households[index].id],
        checker=PassAllChecker(),
        now=NOW,
        settings=TEST_SETTINGS,
    )
    await session.commit()
    assert outcome.proposal_id is not None
    return outcome.proposal_id


async def _mails(db: Db, kind: str) -> list[OutboxMessage]:
    async with db.sessions() as s:
        rows = await s.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind == kind))
        return list(rows.all())


async def test_reminder_two_days_before_in_berlin_daytime_once(
    db: Db, session: AsyncSession, world: World
) -> None:
    await _sent(session, world)  # respond by 30.11.2026, 23:59 Berlin
    assert await jobs.send_reminders(db.sessions, later(5), TEST_SETTINGS) == 0  # too early
    night = datetime.fromisoformat("2026-11-29T02:00:00+00:00")  # 03:00 in Berlin
    assert await jobs.send_reminders(db.sessions, night, TEST_SETTINGS) == 0
    assert await jobs.send_reminders(db.sessions, later(6), TEST_SETTINGS) == 1
    assert await jobs.send_reminders(db.sessions, later(6.1), TEST_SETTINGS) == 0
    [mail] = await _mails(db, "proposal_reminder")
    assert mail.subject.startswith("Erinnerung: Vorschlag HH-")
    assert "30.11.2026" in mail.subject
    assert "https://tueroeffner.example/l/" in mail.body_text
    async with db.sessions() as s:
        assert len((await s.scalars(sa.select(ProposalToken))).all()) == 2


async def test_expiry_tells_the_counselor_and_spares_answered(
    db: Db, session: AsyncSession, world: World
) -> None:
    silent = await _sent(session, world, 0)
    answered = await _sent(session, world, 1)
    proposal = await session.get(Proposal, answered)
    assert proposal is not None
    await service.transition(
        session,
        world.landlord_actor,
        answered,
        "arrange_viewing",
        expected_version=proposal.version,
        now=later(1),
        settings=TEST_SETTINGS,
    )
    await session.commit()
    assert await jobs.expire_overdue(db.sessions, later(7), TEST_SETTINGS) == 0
    assert await jobs.expire_overdue(db.sessions, later(8), TEST_SETTINGS) == 1
    async with db.sessions() as s:
        statuses = dict((await s.execute(sa.select(Proposal.id, Proposal.status))).tuples().all())
    assert statuses[silent] == ProposalStatus.EXPIRED
    assert statuses[answered] == ProposalStatus.VIEWING_ARRANGED
    [mail] = await _mails(db, "proposal_expired")
    assert mail.to_address == world.counselor_user.email
    assert "Frist abgelaufen" in mail.subject and "30.11.2026" in mail.body_text
    assert await jobs.expire_overdue(db.sessions, later(9), TEST_SETTINGS) == 0


async def test_lease_has_one_holder_among_concurrent_claimers(db: Db) -> None:
    ttl = timedelta(minutes=5)
    won = await asyncio.gather(
        *(lease.acquire(db.sessions, "job", f"worker-{i}", NOW, ttl) for i in range(8))
    )
    assert won.count(True) == 1
    holder = f"worker-{won.index(True)}"
    assert (
        await lease.acquire(db.sessions, "job", "intruder", NOW + timedelta(minutes=1), ttl)
        is False
    )
    assert await lease.acquire(db.sessions, "job", holder, NOW + timedelta(minutes=1), ttl)  # renew
    # An abandoned lease (crashed holder) can be taken over once it ran out.
    assert await lease.acquire(db.sessions, "job", "intruder", NOW + timedelta(minutes=7), ttl)
    await lease.release(db.sessions, "job", "intruder", finished_at=NOW)
    assert await lease.last_run(db.sessions, "job") is not None


async def test_run_due_jobs_runs_each_job_once_and_respects_interval(db: Db) -> None:
    runs: list[datetime] = []

    async def count(factory: async_sessionmaker[AsyncSession], now: datetime) -> int:
        runs.append(now)
        await asyncio.sleep(0.05)  # long enough for the rivals to find the lease taken
        return 1

    job_list = [Job("counting", timedelta(minutes=10), count)]
    results = await asyncio.gather(
        *(run_due_jobs(db.sessions, NOW, job_list=job_list, holder=f"p{i}") for i in range(4))
    )
    assert sorted(r["counting"] or 0 for r in results) == [0, 0, 0, 1]
    assert len(runs) == 1
    assert (await run_due_jobs(db.sessions, later(0.001), job_list=job_list))["counting"] is None
    assert (await run_due_jobs(db.sessions, NOW + timedelta(minutes=11), job_list=job_list))[
        "counting"
    ] == 1


async def test_run_forever_delivers_the_outbox(
    db: Db, session: AsyncSession, world: World, smtp_server: SmtpServer
) -> None:
    await _sent(session, world)
    stop = asyncio.Event()
    loop = asyncio.create_task(
        run_forever(
            db.sessions, 0.05, smtp_settings=smtp_server.settings, settings=TEST_SETTINGS, stop=stop
        )
    )
    for _ in range(100):
        if smtp_server.recorder.received:
            break
        await asyncio.sleep(0.05)
    stop.set()
    await asyncio.wait_for(loop, timeout=5)
    # The loop runs on the real clock: later reminders or expiry notices may join the mail.
    subjects = [r.message["Subject"] for r in smtp_server.recorder.received]
    assert sum(s.startswith("Neuer Vorschlag") for s in subjects) == 1
    assert len(subjects) == len(set(subjects))
