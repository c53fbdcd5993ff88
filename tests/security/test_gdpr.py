"""GDPR: the export of one household (Art. 15/20) and its anonymisation after retention.

The anonymisation test plants canaries everywhere a household leaves traces, proves a full
scan finds them (decrypting every Fernet token it meets), runs the scheduled job and proves
the same scan then finds none, in any column of any table.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from typing import Any

import pytest
import sqlalchemy as sa

from matching import clock
from matching.audit.service import verify_chain
from matching.db.models import AuditEvent, Household, OutboxMessage, Proposal, ProposalEvent
from matching.enums import HouseholdStatus, IncomeBasis, OutboxStatus, Urgency
from matching.gdpr.anonymise import anonymise_due, months_before
from matching.scheduler.runner import default_jobs, run_due_jobs
from matching.security import crypto
from tests.conftest import login
from tests.security.conftest import send_proposal
from tests.support.world import PASSWORD

pytestmark = pytest.mark.anyio
TOKEN = re.compile(r"gAAAAA[A-Za-z0-9_\-]+=*")


# ------------------------------------------------------------------------------ export


async def test_counselor_exports_everything_about_a_household(
    client: Any, world: Any, session: Any
) -> None:
    hid = world.households["a"].id
    proposal_id = await send_proposal(session, world, hid, form_reference="Akte 77/2026")
    await login(client, world.email("counselor_a"), PASSWORD)
    response = await client.get(f"/haushalte/{hid}/auskunft.json")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert "attachment" in response.headers["content-disposition"]
    assert "Erika" not in response.headers["content-disposition"]
    assert response.headers["cache-control"] == "no-store"
    data = response.json()
    assert data["household"]["name"] == "Erika Mustermann"
    assert data["household"]["reference_code"] == world.households["a"].reference_code
    assert [c["form_reference"] for c in data["consents"]] == ["Akte 77/2026"]
    (proposal,) = data["proposals"]
    assert proposal["id"] == proposal_id and proposal["status"] == "sent"
    assert proposal["shared_profile"]["identity"]["name"] == "Erika Mustermann"
    assert [e["to_status"] for e in proposal["events"]] == ["draft", "sent"]
    assert data["emails"] and data["emails"][0]["kind"] == "proposal_new"
    actions = {(a["action"], a["object_type"]) for a in data["audit_events"]}
    assert {("export", "household"), ("proposal.create", "proposal")} <= actions

    page = await client.get(f"/haushalte/{hid}/auskunft")
    assert page.status_code == 200
    assert "Datenauskunft" in page.text and "Erika Mustermann" in page.text
    assert "Akte 77/2026" in page.text and "Einwilligungen (1)" in page.text
    detail = await client.get(f"/haushalte/{hid}")
    assert f"/haushalte/{hid}/auskunft" in detail.text and "Art. 15/20" in detail.text

    exports = (
        await session.scalars(
            sa.select(AuditEvent).where(
                AuditEvent.action == "export", AuditEvent.object_id == str(hid)
            )
        )
    ).all()
    assert [e.details["format"] for e in exports] == ["json", "html"]
    assert {e.actor_user_id for e in exports} == {world.users["counselor_a"].id}


@pytest.mark.parametrize(
    ("who", "status"),
    [("counselor_b", 404), ("landlord_a", 403), ("admin", 200), (None, 401)],
)
async def test_export_only_for_the_owning_office_and_admins(
    client: Any, world: Any, who: str | None, status: int
) -> None:
    hid = world.households["a"].id
    if who:
        await login(client, world.email(who), PASSWORD)
    for path in (f"/haushalte/{hid}/auskunft.json", f"/haushalte/{hid}/auskunft"):
        response = await client.get(path, follow_redirects=False)
        if status == 401:
            assert response.status_code in (302, 303, 401)
        else:
            assert response.status_code == status
        if status != 200:
            assert "Erika" not in response.text
    key = world.keys["counseling_a:all"]
    api = await client.get(
        f"/haushalte/{hid}/auskunft.json",
        headers={"authorization": f"Bearer {key}"},
        follow_redirects=False,
    )
    if who is None:  # an API key is no way into the pages
        assert api.status_code in (302, 303, 401)


# ------------------------------------------------------------------------ anonymisation

CANARIES = {
    "name": "Zqname Kanarienvogel",
    "phone": "+49 571 55501234",
    "email": "zqpost@kanarien.example",
    "notes": "Zqnotiz: Therapie, Schulden",
    "form": "Zqakte 4711/2023",
    "decline": "Zqabsage passt nicht",
    "event": "Zqvermerk Telefonat",
    "mail": "Zqmail an Frau Kanarienvogel",
}
CONTROL = "Zqkontrolle Bleibt"


async def _scan(session: Any) -> str:
    """All values of all tables as text, with every Fernet token it contains decrypted."""
    conn = await session.connection()
    names = await conn.run_sync(lambda c: sa.inspect(c).get_table_names())
    parts: list[str] = []
    for name in names:
        rows = (await conn.execute(sa.text(f'SELECT * FROM "{name}"'))).all()  # noqa: S608
        for row in rows:
            for value in row:
                text = str(value)
                parts.append(text)
                for token in TOKEN.findall(text):
                    try:
                        parts.append(crypto.decrypt(token))
                    except crypto.KeyRingNotConfigured:
                        parts.append("<undecryptable>")
    return "\n".join(parts)


async def _plant(session: Any, world: Any) -> tuple[int, int, str]:
    today = clock.today()
    household = Household(
        reference_code="HH-2023-04711",
        organisation_id=world.orgs["counseling_a"].id,
        counselor_id=world.users["counselor_a"].id,
        adults=2,
        children_ages=[3, 11],
        persons=4,
        income_basis=IncomeBasis.SGB2,
        urgency=Urgency.EVICTION_SCHEDULED,
        eviction_date=date(2023, 5, 17),
        registered_at=date(2023, 2, 13),
        status=HouseholdStatus.ACTIVE,
        name=CANARIES["name"],
        phone=CANARIES["phone"],
        email=CANARIES["email"],
        notes=CANARIES["notes"],
    )
    control = Household(
        reference_code="HH-2024-00815",
        organisation_id=world.orgs["counseling_a"].id,
        adults=1,
        persons=1,
        income_basis=IncomeBasis.SGB12,
        urgency=Urgency.NONE,
        registered_at=date(2024, 1, 2),
        status=HouseholdStatus.CLOSED,
        closed_at=months_before(today, 23),
        name=CONTROL,
    )
    session.add_all([household, control])
    await session.commit()
    proposal_id = await send_proposal(session, world, household.id, form_reference=CANARIES["form"])
    await session.execute(
        sa.update(Proposal)
        .where(Proposal.id == proposal_id)
        .values(decline_text=CANARIES["decline"])
    )
    await session.execute(
        sa.update(ProposalEvent)
        .where(ProposalEvent.proposal_id == proposal_id)
        .values(note=CANARIES["event"])
    )
    now = datetime.now(UTC)
    for key, body in (
        (f"proposal:{proposal_id}:manual", CANARIES["mail"]),
        ("consent:reminder:1", f"Haushalt {household.reference_code}: bitte melden"),
    ):
        session.add(
            OutboxMessage(
                dedup_key=key,
                kind="manual",
                to_address="vermietung@example.org",
                subject="Hinweis",
                body_text=body,
                status=OutboxStatus.SENT,
                next_attempt_at=now,
            )
        )
    # Close it 25 months ago (the UI sets closed_at when the status becomes closed).
    await session.execute(
        sa.update(Household)
        .where(Household.id == household.id)
        .values(status=HouseholdStatus.CLOSED, closed_at=months_before(today, 25))
    )
    await session.commit()
    return household.id, control.id, household.reference_code


async def test_nothing_personal_remains_after_the_retention(
    session: Any, world: Any, settings: Any
) -> None:
    household_id, control_id, old_code = await _plant(session, world)
    before = await _scan(session)
    for canary in [*CANARIES.values(), old_code, CONTROL]:
        assert canary in before, f"the scan cannot see {canary!r}: the test would prove nothing"

    (job,) = [j for j in default_jobs(settings=settings) if j.name == "anonymise_closed"]
    results = await run_due_jobs(_factory(session), job_list=[job])
    assert results == {"anonymise_closed": 1}

    session.expunge_all()
    after = await _scan(session)
    for canary in [*CANARIES.values(), old_code]:
        assert canary not in after, f"{canary!r} survived the anonymisation"
    assert CONTROL in after  # closed only 23 months ago: kept
    assert "<undecryptable>" not in after

    household = await session.get(Household, household_id)
    assert household.reference_code == f"ANON-{household_id}"
    assert (household.persons, household.adults, household.income_basis) == (4, 2, "sgb2")
    assert household.children_ages == [] and household.eviction_date is None
    assert household.registered_at == date(2023, 2, 1)
    assert household.anonymised_at == clock.today()
    assert (await session.get(Household, control_id)).name == CONTROL
    proposal = await session.scalar(
        sa.select(Proposal).where(Proposal.household_id == household_id)
    )
    assert proposal.shared_profile == {"anonymised": True} and proposal.status == "sent"
    assert (await verify_chain(session)).ok
    logged = await session.scalar(
        sa.select(AuditEvent).where(
            AuditEvent.action == "anonymise", AuditEvent.object_id == str(household_id)
        )
    )
    assert logged is not None and logged.details["emails_deleted"] == 3
    # Nothing left to do on the next run.
    assert await anonymise_due(_factory(session), clock.today(), 24) == []


async def test_retention_is_configurable(session: Any, world: Any) -> None:
    household_id, control_id, _ = await _plant(session, world)
    done = await anonymise_due(_factory(session), clock.today(), 12)
    assert sorted(r.household_id for r in done) == sorted([household_id, control_id])


def test_months_before_clamps_to_month_end() -> None:
    assert months_before(date(2026, 3, 31), 1) == date(2026, 2, 28)
    assert months_before(date(2026, 1, 15), 24) == date(2024, 1, 15)
    assert months_before(date(2024, 2, 29), 12) == date(2023, 2, 28)


def _factory(session: Any) -> Any:
    from sqlalchemy.ext.asyncio import async_sessionmaker

    return async_sessionmaker(session.bind, expire_on_commit=False)


def test_export_json_is_plain() -> None:
    from decimal import Decimal

    from matching.gdpr.export import plain

    value = plain({"a": Decimal("1.50"), "d": date(2026, 1, 2), "s": HouseholdStatus.CLOSED})
    assert json.loads(json.dumps(value)) == {"a": "1.50", "d": "2026-01-02", "s": "closed"}
