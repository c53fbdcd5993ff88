"""Run the periodic jobs: each under its JobLock lease, each at its own interval.

``run_due_jobs`` is one tick (call it from a CLI or a test); ``run_forever`` is the loop the
app starts. Several app processes may run the loop: the lease lets one of them do each job.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from matching.acceptance.jobs import train_acceptance
from matching.cases.reminders import send_case_reminders
from matching.config import Settings, get_settings
from matching.gdpr.anonymise import anonymise_due
from matching.notifications.settings import SmtpSettings, smtp_configured
from matching.notifications.worker import deliver_pending
from matching.proposals.timeutil import as_utc, berlin_date, utcnow
from matching.scheduler import jobs, lease
from matching.vacancies.lifecycle import expire_stale_vacancies

log = logging.getLogger(__name__)

SessionFactory = async_sessionmaker[AsyncSession]
LEASE_TTL = timedelta(minutes=5)


@dataclass(frozen=True)
class Job:
    name: str
    interval: timedelta
    run: Callable[[SessionFactory, datetime], Awaitable[int]]


def default_jobs(
    smtp_settings: SmtpSettings | None = None, settings: Settings | None = None
) -> list[Job]:
    smtp = smtp_settings or SmtpSettings()
    local_only = smtp_settings is None and not smtp_configured()

    async def deliver(factory: SessionFactory, now: datetime) -> int:
        if local_only:  # no SMTP server: messages wait in the local mailbox ("Postausgang")
            return 0
        return (await deliver_pending(factory, smtp, now)).sent

    async def remind(factory: SessionFactory, now: datetime) -> int:
        return await jobs.send_reminders(factory, now, settings)

    async def expire(factory: SessionFactory, now: datetime) -> int:
        return await jobs.expire_overdue(factory, now, settings)

    async def anonymise(factory: SessionFactory, now: datetime) -> int:
        months = (settings or get_settings()).retention_months
        done = await anonymise_due(factory, berlin_date(now), months)
        return len(done)

    async def expire_vacancies(factory: SessionFactory, now: datetime) -> int:
        return await expire_stale_vacancies(factory, now, settings)

    async def retrain(factory: SessionFactory, now: datetime) -> int:
        return await train_acceptance(factory, settings or get_settings(), now)

    async def case_reminders(factory: SessionFactory, now: datetime) -> int:
        return await send_case_reminders(factory, now, settings)

    return [
        Job("expire_overdue", timedelta(minutes=5), expire),
        Job("case_deadline_reminders", timedelta(hours=1), case_reminders),
        Job("send_reminders", timedelta(minutes=30), remind),
        Job("deliver_outbox", timedelta(seconds=0), deliver),
        Job("anonymise_closed", timedelta(days=1), anonymise),
        Job("expire_vacancies", timedelta(hours=1), expire_vacancies),
        Job("train_acceptance", timedelta(days=7), retrain),
    ]


def default_holder() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


async def run_due_jobs(
    session_factory: SessionFactory,
    now: datetime | None = None,
    *,
    job_list: Sequence[Job] | None = None,
    smtp_settings: SmtpSettings | None = None,
    settings: Settings | None = None,
    holder: str | None = None,
) -> dict[str, int | None]:
    """Run every job that is due and whose lease we get; job name -> count (None: skipped)."""
    moment = now or utcnow()
    who = holder or default_holder()
    results: dict[str, int | None] = {}
    for job in job_list or default_jobs(smtp_settings, settings):
        results[job.name] = None
        if not await lease.acquire(session_factory, job.name, who, moment, LEASE_TTL):
            continue
        finished: datetime | None = None
        try:
            last = await lease.last_run(session_factory, job.name)
            if last is not None and as_utc(last) + job.interval > moment:
                continue
            results[job.name] = await job.run(session_factory, moment)
            finished = moment
        except Exception:
            log.exception("job %s failed", job.name)
        finally:
            await lease.release(session_factory, job.name, who, finished_at=finished)
    return results


async def run_forever(
    session_factory: SessionFactory,
    interval_seconds: float,
    *,
    smtp_settings: SmtpSettings | None = None,
    settings: Settings | None = None,
    stop: asyncio.Event | None = None,
) -> None:
    """Tick every ``interval_seconds`` until ``stop`` is set (or the task is cancelled)."""
    halt = stop or asyncio.Event()
    job_list = default_jobs(smtp_settings, settings)
    holder = default_holder()
    while not halt.is_set():
        try:
            await run_due_jobs(session_factory, job_list=job_list, holder=holder)
        except Exception:  # the database may be briefly away; try again next tick
            log.exception("scheduler tick failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(halt.wait(), timeout=interval_seconds)
