"""Case pages: open a case from a court notice, see the Schonfrist, record, share, close;
the Fristen board and the dashboard list the week's deadlines; the calendar file carries
reference numbers only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from matching import clock
from matching.cases.deadlines import schonfrist_end
from matching.db.models import Case, CaseAppointment, CaseReferral
from matching.enums import CaseStatus, ContactKind, ReferralStatus
from tests.conftest import csrf_headers, login
from tests.support.world import PASSWORD

pytestmark = pytest.mark.anyio


async def _open_case(client: Any, world: Any, **fields: str) -> int:
    await login(client, world.email("counselor_a"), PASSWORD)
    response = await client.post(
        "/faelle/",
        data={"household_id": str(world.households["a"].id), "kind": "prevention", **fields},
        headers=csrf_headers(client),
        follow_redirects=False,
    )
    assert response.status_code in (302, 303), response.text
    return int(response.headers["location"].rsplit("/", 1)[1])


async def test_case_from_a_court_notice_shows_the_schonfrist(client: Any, world: Any) -> None:
    today = clock.today()
    served = today - timedelta(days=2)
    case_id = await _open_case(
        client,
        world,
        court_notice_received_on=today.isoformat(),
        suit_served_on=served.isoformat(),
        arrears="2.400,00",
    )
    page = await client.get(f"/faelle/{case_id}")
    assert page.status_code == 200
    assert "Ende der Schonfrist" in page.text
    assert schonfrist_end(served).strftime("%d.%m.%Y") in page.text
    assert "2.400,00" in page.text
    board = await client.get("/fristen?ansicht=stelle")
    assert f"/faelle/{case_id}" in board.text
    assert "Ende der Schonfrist" in board.text


async def test_bad_input_shows_german_errors_and_keeps_nothing(
    client: Any, world: Any, session: Any
) -> None:
    await login(client, world.email("counselor_a"), PASSWORD)
    response = await client.post(
        "/faelle/",
        data={
            "household_id": str(world.households["a"].id),
            "kind": "prevention",
            "suit_served_on": "2026-03-10",
            "eviction_date": "2026-03-01",
            "arrears": "150.000,00",
        },
        headers=csrf_headers(client),
    )
    assert response.status_code == 422
    assert "Räumungsklage zugestellt am" in response.text
    assert "Mietrückstand" in response.text
    count = await session.scalar(sa.select(sa.func.count()).select_from(Case))
    assert count == 0


async def test_contact_and_closing_with_home_kept(client: Any, world: Any, session: Any) -> None:
    case_id = await _open_case(client, world)
    today = clock.today()
    contact = await client.post(
        f"/faelle/{case_id}/kontakte",
        data={"occurred_on": today.isoformat(), "kind": "outreach", "municipality_ags": "05770024"},
        headers=csrf_headers(client),
        follow_redirects=True,
    )
    assert "Kontakt eingetragen." in contact.text
    assert "Hausbesuch / aufsuchend" in contact.text
    closed = await client.post(
        f"/faelle/{case_id}",
        data={"version": "1", "outcome": "home_kept", "closed_on": today.isoformat()},
        headers=csrf_headers(client),
        follow_redirects=True,
    )
    assert "abgeschlossen" in closed.text and "Wohnung erhalten" in closed.text
    status = await session.scalar(sa.select(Case.status).where(Case.id == case_id))
    assert status == CaseStatus.CLOSED


async def test_calendar_file_carries_reference_numbers_only(
    client: Any, world: Any, session: Any
) -> None:
    case_id = await _open_case(client, world, landlord_name="Wohnbau Beispiel")
    appointment = CaseAppointment(
        case_id=case_id,
        starts_at=datetime.now(UTC) + timedelta(days=3),
        purpose=ContactKind.CONSULTATION,
        organisation_id=world.orgs["counseling_a"].id,
    )
    session.add(appointment)
    await session.commit()
    response = await client.get(f"/faelle/{case_id}/termine/{appointment.id}/termin.ics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    body = response.text
    assert "BEGIN:VEVENT" in body and "FA-" in body and "HH-2026-" in body
    assert "Beispiel" not in body and "Mustermann" not in body


async def test_dashboard_lists_the_weeks_deadlines_first(client: Any, world: Any) -> None:
    today = clock.today()
    await _open_case(client, world, eviction_date=(today + timedelta(days=3)).isoformat())
    page = await client.get("/uebersicht")
    assert page.status_code == 200
    first = page.text.index("Fristen meiner Fälle in dieser Woche")
    assert first < page.text.index("Meine Haushalte mit laufenden Vorschlägen")
    assert (today + timedelta(days=3)).strftime("%d.%m.%Y") in page.text


async def test_referral_status_changes_on_the_case_page(
    client: Any, world: Any, session: Any
) -> None:
    case_id = await _open_case(client, world)
    made = await client.post(
        f"/faelle/{case_id}/vermittlungen",
        data={"kind": "debt_counselling"},
        headers=csrf_headers(client),
        follow_redirects=True,
    )
    assert "Vermittlung eingetragen." in made.text and "Stand ändern" in made.text
    referral_id = await session.scalar(
        sa.select(CaseReferral.id).where(CaseReferral.case_id == case_id)
    )
    changed = await client.post(
        f"/faelle/{case_id}/vermittlungen/{referral_id}/stand",
        data={"status": "attended"},
        headers=csrf_headers(client),
        follow_redirects=True,
    )
    assert "Stand der Vermittlung gespeichert." in changed.text
    session.expire_all()
    status = await session.scalar(
        sa.select(CaseReferral.status).where(CaseReferral.id == referral_id)
    )
    assert status == ReferralStatus.ATTENDED
    assert "attended" not in changed.text.replace('value="attended"', "")
