"""E-mail reminders 7 and 2 days before each Schonfrist end and eviction date, and the day
before each appointment.

Idempotent: every reminder has a dedup key (case, kind, date, days before), so a job that runs
twice, or on two app instances, writes each message once. The mail carries reference numbers
only (no names, no addresses): e-mail is not a safe channel for social data.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from matching.cases.deadlines import Deadline, deadlines
from matching.cases.service import _dates
from matching.config import Settings, get_settings
from matching.db.models import Case, CaseAppointment, Household, User
from matching.enums import CaseKind, CaseStatus, DeadlineKind, Role, label
from matching.notifications.outbox import enqueue
from matching.proposals.timeutil import BERLIN, as_utc, berlin_date, utcnow

REMIND_DAYS_BEFORE = (7, 2)
REMINDED_KINDS = (DeadlineKind.SCHONFRIST, DeadlineKind.EVICTION)
APPOINTMENT_REMINDER = timedelta(days=1)


async def _recipients(session: AsyncSession, case: Case) -> list[str]:
    """The case's counselor, else every active counselor of the lead office."""
    if case.counselor_id is not None:
        user = await session.get(User, case.counselor_id)
        if user is not None and user.is_active:
            return [user.email]
    rows = await session.scalars(
        sa.select(User.email).where(
            User.organisation_id == case.lead_organisation_id,
            User.role == Role.COUNSELOR,
            User.is_active.is_(True),
        )
    )
    return list(rows.all())


async def due_reminders(session: AsyncSession, today: date) -> list[tuple[Case, str, Deadline]]:
    rows = await session.execute(
        sa.select(Case, Household.reference_code)
        .join(Household, Household.id == Case.household_id)
        .where(Case.status == CaseStatus.OPEN, Case.kind == CaseKind.PREVENTION)
        .where(sa.or_(Case.suit_served_on.is_not(None), Case.eviction_date.is_not(None)))
    )
    due: list[tuple[Case, str, Deadline]] = []
    for case, reference in rows.all():
        for deadline in deadlines(_dates(case, None)):
            days = (deadline.date - today).days
            if deadline.kind in REMINDED_KINDS and days in REMIND_DAYS_BEFORE:
                due.append((case, str(reference), deadline))
    return due


async def send_case_reminders(
    session_factory: async_sessionmaker[AsyncSession],
    now: datetime | None = None,
    settings: Settings | None = None,
) -> int:
    """Write the day's reminders into the outbox; returns how many messages were new."""
    moment = now or utcnow()
    cfg = settings or get_settings()
    today = berlin_date(moment)
    written = 0
    async with session_factory() as session, session.begin():
        for case, reference, deadline in await due_reminders(session, today):
            days = (deadline.date - today).days
            for address in await _recipients(session, case):
                message = await enqueue(
                    session,
                    "case_deadline",
                    address,
                    f"In {days} Tagen: {label(deadline.kind)} im Fall {case.reference}",
                    "case_deadline",
                    {
                        "case_reference": case.reference,
                        "household_reference": reference,
                        "deadline": deadline,
                        "days": days,
                        "link": f"{cfg.base_url.rstrip('/')}/faelle/{case.id}",
                    },
                    f"case-deadline:{case.id}:{deadline.kind.value}:"
                    f"{deadline.date.isoformat()}:{days}:{address}",
                    now=moment,
                )
                written += message is not None
        written += await _appointment_reminders(session, moment, cfg)
    return written


async def _appointment_reminders(session: AsyncSession, moment: datetime, cfg: Settings) -> int:
    """One e-mail the day before each appointment (within the next 24 hours), once."""
    rows = await session.execute(
        sa.select(CaseAppointment, Case, Household.reference_code)
        .join(Case, Case.id == CaseAppointment.case_id)
        .join(Household, Household.id == Case.household_id)
        .where(
            Case.status == CaseStatus.OPEN,
            CaseAppointment.starts_at > moment,
            CaseAppointment.starts_at <= moment + APPOINTMENT_REMINDER,
        )
    )
    written = 0
    for appointment, case, reference in rows.all():
        user = await session.get(User, appointment.user_id) if appointment.user_id else None
        addresses = [user.email] if user is not None and user.is_active else []
        for address in addresses or await _recipients(session, case):
            message = await enqueue(
                session,
                "case_appointment",
                address,
                f"Termin im Fall {case.reference}",
                "case_appointment",
                {
                    "case_reference": case.reference,
                    "household_reference": str(reference),
                    "starts_at": appointment.starts_at,
                    "time": as_utc(appointment.starts_at).astimezone(BERLIN).strftime("%H:%M"),
                    "purpose": appointment.purpose,
                    "link": f"{cfg.base_url.rstrip('/')}/faelle/{case.id}",
                },
                f"case-appointment:{appointment.id}:{address}",
                now=moment,
            )
            written += message is not None
    return written
