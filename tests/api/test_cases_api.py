"""Cases JSON API: create, read with computed deadlines, patch with versions, contacts,
referrals, shares, the deadlines list, and problem details for every bad field."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from matching import clock
from matching.cases.calendar import next_working_day
from matching.cases.deadlines import schonfrist_end
from matching.db.models import Case, Consent
from matching.enums import ConsentRecipients

pytestmark = pytest.mark.anyio


def bearer(world: Any, key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.keys[key]}"}


async def _create(client: Any, world: Any, **fields: Any) -> dict[str, Any]:
    body = {"household_id": world.households["a"].id, "kind": "prevention", **fields}
    response = await client.post(
        "/api/v1/cases", json=body, headers=bearer(world, "counseling_a:all")
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def test_case_lists_its_computed_deadlines(client: Any, world: Any) -> None:
    served = clock.today() - timedelta(days=5)
    created = await _create(client, world, suit_served_on=served.isoformat(), arrears="1250.50")
    response = await client.get(
        f"/api/v1/cases/{created['id']}", headers=bearer(world, "counseling_a:cases:read")
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["arrears"] == "1250.50"
    (deadline,) = body["deadlines"]
    end = schonfrist_end(served)
    assert deadline["kind"] == "schonfrist"
    assert deadline["date"] == end.isoformat()
    moved = next_working_day(end)
    assert deadline["last_working_day"] == (None if moved == end else moved.isoformat())
    assert "Schonfrist" in deadline["label"]
    listed = await client.get(
        "/api/v1/deadlines?within_days=90", headers=bearer(world, "counseling_a:cases:read")
    )
    assert [d["case_id"] for d in listed.json()] == [created["id"]]
    other = await client.get(
        f"/api/v1/cases/{created['id']}", headers=bearer(world, "counseling_b:cases:read")
    )
    assert other.status_code == 404


async def test_bad_fields_are_named_in_problem_details(
    client: Any, world: Any, session: Any
) -> None:
    async def refused(**fields: str) -> dict[str, str]:
        """Post a case for household a; the 422's messages by field."""
        body = {"household_id": world.households["a"].id, "kind": "prevention", **fields}
        response = await client.post(
            "/api/v1/cases", json=body, headers=bearer(world, "counseling_a:all")
        )
        assert response.status_code == 422
        assert response.headers["content-type"].startswith("application/problem+json")
        return {e["field"]: e["message"] for e in response.json()["errors"]}

    named = await refused(
        suit_served_on="2026-03-10",
        eviction_date="2026-03-01",
        arrears="-5",
        application_filed_on="2026-03-05",
        application_decided_on="2026-03-01",
    )
    assert set(named) == {"suit_served_on", "arrears", "application_decided_on"}
    assert set(await refused(kind="robbery", arrears="abc")) >= {"kind", "arrears"}
    # a German amount in JSON is explained, not just "Ungültiger Wert."
    assert "1200.50" in (await refused(arrears="1.200,50"))["arrears"]
    # a field of the wrong type no longer hides the rules of the others: all in one answer
    named = await refused(
        kind="robbery", arrears="-5", notice_date="0001-01-01", arrears_months="drei"
    )
    assert set(named) == {"kind", "arrears", "notice_date", "arrears_months"}
    assert named["arrears"].startswith("Mietrückstand:")
    count = await session.scalar(sa.select(sa.func.count()).select_from(Case))
    assert count == 0


async def test_patch_with_a_stale_version_answers_409(client: Any, world: Any) -> None:
    created = await _create(client, world)
    url = f"/api/v1/cases/{created['id']}"
    first = await client.patch(
        url,
        json={
            "version": created["version"],
            "eviction_date": (clock.today() + timedelta(days=60)).isoformat(),
        },
        headers=bearer(world, "counseling_a:all"),
    )
    assert first.status_code == 200, first.text
    assert [d["kind"] for d in first.json()["deadlines"]] == ["eviction"]
    stale = await client.patch(
        url,
        json={"version": created["version"], "eviction_date": None},
        headers=bearer(world, "counseling_a:all"),
    )
    assert stale.status_code == 409
    assert "geändert" in stale.json()["detail"]
    cleared = await client.patch(
        url,
        json={"version": first.json()["version"], "eviction_date": None},
        headers=bearer(world, "counseling_a:all"),
    )
    assert cleared.json()["eviction_date"] is None and cleared.json()["deadlines"] == []


async def test_contacts_referrals_and_shares(client: Any, world: Any, session: Any) -> None:
    created = await _create(client, world)
    base = f"/api/v1/cases/{created['id']}"
    today = clock.today()
    contact = await client.post(
        f"{base}/contacts",
        json={"occurred_on": today.isoformat(), "kind": "outreach", "municipality_ags": "05770024"},
        headers=bearer(world, "counseling_a:cases:write"),
    )
    assert contact.status_code == 201, contact.text
    future = await client.post(
        f"{base}/contacts",
        json={"occurred_on": (today + timedelta(days=3)).isoformat(), "kind": "phone_call"},
        headers=bearer(world, "counseling_a:cases:write"),
    )
    assert future.status_code == 422
    assert future.json()["errors"][0]["field"] == "occurred_on"
    referral = await client.post(
        f"{base}/referrals",
        json={"kind": "debt_counselling"},
        headers=bearer(world, "counseling_a:cases:write"),
    )
    assert referral.status_code == 201 and referral.json()["status"] == "agreed"
    consent = Consent(
        household_id=world.households["a"].id,
        scope=["case"],
        recipients=ConsentRecipients.NAMED,
        recipient_organisation_ids=[world.orgs["counseling_b"].id],
        given_at=today,
        valid_until=today + timedelta(days=30),
        form_reference="Akte",
    )
    session.add(consent)
    await session.commit()
    wrong = await client.post(
        f"{base}/shares",
        json={
            "organisation_id": world.orgs["fachstelle"].id,
            "consent_id": consent.id,
            "level": "read",
        },
        headers=bearer(world, "counseling_a:cases:write"),
    )
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["field"] == "organisation_id"
    shared = await client.post(
        f"{base}/shares",
        json={
            "organisation_id": world.orgs["counseling_b"].id,
            "consent_id": consent.id,
            "level": "read",
        },
        headers=bearer(world, "counseling_a:cases:write"),
    )
    assert shared.status_code == 201, shared.text
    seen = await client.get(base, headers=bearer(world, "counseling_b:cases:read"))
    assert seen.status_code == 200 and seen.json()["access"] == "read"
    refused = await client.post(
        f"{base}/contacts",
        json={"occurred_on": today.isoformat(), "kind": "phone_call"},
        headers=bearer(world, "counseling_b:cases:write"),
    )
    assert refused.status_code == 403


async def test_a_landlord_key_sees_no_case(client: Any, world: Any) -> None:
    created = await _create(client, world)
    listed = await client.get("/api/v1/cases", headers=bearer(world, "landlord_a:all"))
    assert listed.status_code == 200 and listed.json()["total"] == 0
    one = await client.get(
        f"/api/v1/cases/{created['id']}", headers=bearer(world, "landlord_a:all")
    )
    assert one.status_code == 404


async def test_referral_status_changes_by_owner_and_coworker_only(
    client: Any, world: Any, session: Any
) -> None:
    created = await _create(client, world)
    base = f"/api/v1/cases/{created['id']}"
    today = clock.today()
    made = await client.post(
        f"{base}/referrals",
        json={"kind": "debt_counselling"},
        headers=bearer(world, "counseling_a:cases:write"),
    )
    assert made.status_code == 201, made.text
    url = f"{base}/referrals/{made.json()['id']}"
    attended = await client.patch(
        url, json={"status": "attended"}, headers=bearer(world, "counseling_a:cases:write")
    )
    assert attended.status_code == 200 and attended.json()["status"] == "attended"
    bad = await client.patch(
        url, json={"status": "lost"}, headers=bearer(world, "counseling_a:cases:write")
    )
    assert bad.status_code == 422
    assert bad.headers["content-type"].startswith("application/problem+json")
    missing = await client.patch(
        f"{base}/referrals/999999",
        json={"status": "completed"},
        headers=bearer(world, "counseling_a:cases:write"),
    )
    assert missing.status_code == 404
    stranger = await client.patch(
        url, json={"status": "completed"}, headers=bearer(world, "counseling_b:cases:write")
    )
    assert stranger.status_code == 404  # not shared: the case does not exist for them
    consent = Consent(
        household_id=world.households["a"].id,
        scope=["case"],
        recipients=ConsentRecipients.NAMED,
        recipient_organisation_ids=[world.orgs["counseling_b"].id],
        given_at=today,
        valid_until=today + timedelta(days=30),
        form_reference="Akte",
    )
    session.add(consent)
    await session.commit()
    shared = await client.post(
        f"{base}/shares",
        json={
            "organisation_id": world.orgs["counseling_b"].id,
            "consent_id": consent.id,
            "level": "cowork",
        },
        headers=bearer(world, "counseling_a:cases:write"),
    )
    assert shared.status_code == 201, shared.text
    done = await client.patch(
        url, json={"status": "completed"}, headers=bearer(world, "counseling_b:cases:write")
    )
    assert done.status_code == 200 and done.json()["status"] == "completed"
    trail = await session.scalars(
        sa.text("SELECT id FROM audit_events WHERE action = 'case.referral_status'")
    )
    assert len(list(trail)) == 2
