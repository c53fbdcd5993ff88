"""Reminders 7 and 2 days before a Schonfrist end and an eviction date: once each, reference
numbers only."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from matching import clock
from matching.cases.calendar import add_months
from matching.cases.reminders import send_case_reminders
from matching.db.engine import make_engine, make_session_factory
from matching.db.models import Case, CaseAppointment, OutboxMessage
from matching.enums import CaseKind, CaseStatus, ContactKind
from matching.proposals.timeutil import BERLIN

pytestmark = pytest.mark.anyio


async def test_reminders_are_written_once(session: Any, world: Any, settings: Any) -> None:
    now = datetime.combine(clock.today(), time(9), BERLIN).astimezone(UTC)
    today = now.astimezone(BERLIN).date()
    # served so that the Schonfrist ends in 2 days; the eviction is in 7 days
    end = today + timedelta(days=2)
    served = next(
        today - timedelta(days=n)
        for n in range(50, 70)
        if add_months(today - timedelta(days=n), 2) == end
    )
    case = Case(
        household_id=world.households["a"].id,
        kind=CaseKind.PREVENTION,
        status=CaseStatus.OPEN,
        lead_organisation_id=world.orgs["counseling_a"].id,
        counselor_id=world.users["counselor_a"].id,
        opened_on=served,
        suit_served_on=served,
        eviction_date=today + timedelta(days=7),
        landlord_name="Vermieterin Geheim",
    )
    session.add(case)
    await session.commit()
    engine = make_engine(settings.database)
    factory = make_session_factory(engine)
    try:
        assert await send_case_reminders(factory, now, settings) == 2
        assert await send_case_reminders(factory, now, settings) == 0  # idempotent
        assert await send_case_reminders(factory, now + timedelta(days=1), settings) == 0
    finally:
        await engine.dispose()
    messages = (await session.scalars(sa.select(OutboxMessage))).all()
    assert {m.to_address for m in messages} == {"counselor.a@example.org"}
    subjects = sorted(m.subject for m in messages)
    assert subjects[0].startswith("In 2 Tagen: Ende der Schonfrist")
    assert subjects[1].startswith("In 7 Tagen: Räumungstermin")
    for message in messages:
        assert case.reference in message.body_text
        assert "Geheim" not in message.body_text and "Mustermann" not in message.body_text


async def test_appointment_reminder_the_day_before(session: Any, world: Any, settings: Any) -> None:
    now = datetime.now(UTC)
    case = Case(
        household_id=world.households["a"].id,
        kind=CaseKind.PREVENTION,
        status=CaseStatus.OPEN,
        lead_organisation_id=world.orgs["counseling_a"].id,
        counselor_id=world.users["counselor_a"].id,
        opened_on=now.date() - timedelta(days=5),
    )
    session.add(case)
    await session.flush()
    session.add_all(
        [
            CaseAppointment(
                case_id=case.id,
                starts_at=now + timedelta(hours=20),
                purpose=ContactKind.ACCOMPANIMENT,
                organisation_id=case.lead_organisation_id,
                user_id=world.users["counselor_a"].id,
            ),
            CaseAppointment(  # next week: no reminder yet
                case_id=case.id,
                starts_at=now + timedelta(days=6),
                purpose=ContactKind.CONSULTATION,
                organisation_id=case.lead_organisation_id,
            ),
        ]
    )
    await session.commit()
    engine = make_engine(settings.database)
    factory = make_session_factory(engine)
    try:
        assert await send_case_reminders(factory, now, settings) == 1
        assert await send_case_reminders(factory, now + timedelta(hours=1), settings) == 0
    finally:
        await engine.dispose()
    (message,) = (await session.scalars(sa.select(OutboxMessage))).all()
    assert message.subject == f"Termin im Fall {case.reference}"
    assert "Begleitung zu Amt, Gericht oder Vermieter" in message.body_text
