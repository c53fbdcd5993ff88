"""The proposals JSON API: propose, list, read, answer; refusals as problem details."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from matching import clock
from matching.db.models import AuditEvent, Consent, Proposal, ProposalEvent
from matching.enums import ConsentRecipients, ProposalStatus

pytestmark = pytest.mark.anyio


def key(world: Any, name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.keys[name]}"}


async def give_consent(session: Any, household: Any, scope: tuple[str, ...] = ()) -> None:
    session.add(
        Consent(
            household_id=household.id,
            scope=["composition", "income_basis", *scope],
            recipients=ConsentRecipients.NETWORK,
            recipient_organisation_ids=[],
            given_at=clock.today() - timedelta(days=1),
            valid_until=clock.today() + timedelta(days=300),
            form_reference="Akte 1/2026",
        )
    )
    await session.commit()


async def propose(client: Any, world: Any, household: str = "a", vacancy: str = "a") -> Any:
    return await client.post(
        "/api/v1/proposals",
        json={
            "vacancy_id": world.vacancies[vacancy].id,
            "household_ids": [world.households[household].id],
        },
        headers=key(world, "counseling_a:proposals:write"),
    )


async def sent_proposal(client: Any, world: Any, session: Any) -> int:
    await give_consent(session, world.households["a"])
    response = await propose(client, world)
    assert response.status_code == 201, response.text
    [result] = response.json()["results"]
    assert result["ok"] and result["code"] == "sent"
    return int(result["proposal_id"])


async def test_propose_without_consent_is_refused_with_the_reason(
    client: Any, world: Any, session: Any
) -> None:
    response = await propose(client, world)
    assert response.status_code == 200
    body = response.json()
    assert body["created"] == 0
    [result] = body["results"]
    assert result["code"] == "consent_missing" and not result["ok"]
    assert "Einwilligung" in result["message"]
    assert await session.scalar(sa.select(sa.func.count(Proposal.id))) == 0


async def test_propose_then_list_read_and_answer(client: Any, world: Any, session: Any) -> None:
    proposal_id = await sent_proposal(client, world, session)

    mine = await client.get("/api/v1/proposals", headers=key(world, "counseling_a:proposals:read"))
    assert mine.status_code == 200
    assert [p["id"] for p in mine.json()["items"]] == [proposal_id]
    assert mine.json()["total"] == 1
    to_landlord = await client.get(
        "/api/v1/proposals?status=sent", headers=key(world, "landlord_a:proposals:read")
    )
    assert [p["id"] for p in to_landlord.json()["items"]] == [proposal_id]
    for other in ("landlord_b:proposals:read", "counseling_b:proposals:read"):
        listed = await client.get("/api/v1/proposals", headers=key(world, other))
        assert listed.json()["items"] == [] and listed.json()["total"] == 0

    seen = await client.get(
        f"/api/v1/proposals/{proposal_id}", headers=key(world, "landlord_a:proposals:read")
    )
    assert seen.status_code == 200
    body = seen.json()
    assert body["status"] == "viewed"  # the landlord's first read
    assert body["profile"]["reference_code"] == world.households["a"].reference_code
    assert "Erika" not in seen.text  # no consent to share the name
    assert body["allowed_actions"] == ["arrange_viewing", "accept", "decline"]

    answered = await client.post(
        f"/api/v1/proposals/{proposal_id}/transitions",
        json={"action": "arrange_viewing", "expected_version": body["version"]},
        headers=key(world, "landlord_a:proposals:write"),
    )
    assert answered.status_code == 200, answered.text
    assert answered.json()["status"] == "viewing_arranged"
    assert answered.json()["version"] == body["version"] + 1
    events = (
        await session.scalars(
            sa.select(ProposalEvent.to_status).where(ProposalEvent.proposal_id == proposal_id)
        )
    ).all()
    assert list(events) == ["draft", "sent", "viewed", "viewing_arranged"]
    actions = set((await session.scalars(sa.select(AuditEvent.action))).all())
    assert {"proposal.create", "proposal.send", "view_profile", "proposal.arrange_viewing"} <= (
        actions
    )


async def test_stale_version_answers_409_in_german(client: Any, world: Any, session: Any) -> None:
    proposal_id = await sent_proposal(client, world, session)
    response = await client.post(
        f"/api/v1/proposals/{proposal_id}/transitions",
        json={"action": "arrange_viewing", "expected_version": 1},
        headers=key(world, "landlord_a:proposals:write"),
    )
    assert response.status_code == 409
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "stale_version"
    assert "inzwischen von jemand anderem geändert" in response.json()["detail"]


async def test_transition_not_allowed_names_the_allowed_ones(
    client: Any, world: Any, session: Any
) -> None:
    proposal_id = await sent_proposal(client, world, session)
    proposal = await session.get(Proposal, proposal_id, populate_existing=True)
    response = await client.post(
        f"/api/v1/proposals/{proposal_id}/transitions",
        json={"action": "let", "expected_version": proposal.version},
        headers=key(world, "landlord_a:proposals:write"),
    )
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "transition_not_allowed"
    assert body["allowed"] == ["open", "arrange_viewing", "decline"]
    assert "„Vermietet“ ist im Status „gesendet“ nicht möglich" in body["detail"]
    assert "„Besichtigung vereinbaren“" in body["detail"]


async def test_decline_without_reason_is_422(client: Any, world: Any, session: Any) -> None:
    proposal_id = await sent_proposal(client, world, session)
    proposal = await session.get(Proposal, proposal_id, populate_existing=True)
    response = await client.post(
        f"/api/v1/proposals/{proposal_id}/transitions",
        json={"action": "decline", "expected_version": proposal.version},
        headers=key(world, "landlord_a:proposals:write"),
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "reason_required"
    assert body["errors"] == [
        {"field": "reason_code", "message": "Bitte wählen Sie einen Grund aus der Liste."}
    ]
    declined = await client.post(
        f"/api/v1/proposals/{proposal_id}/transitions",
        json={
            "action": "decline",
            "expected_version": proposal.version,
            "reason_code": "L_OTHER_APPLICANT",
        },
        headers=key(world, "landlord_a:proposals:write"),
    )
    assert declined.status_code == 200 and declined.json()["status"] == "declined"


async def test_other_organisations_get_404(client: Any, world: Any, session: Any) -> None:
    proposal_id = await sent_proposal(client, world, session)
    for other in ("landlord_b:all", "counseling_b:all"):
        read = await client.get(f"/api/v1/proposals/{proposal_id}", headers=key(world, other))
        assert read.status_code == 404, other
        changed = await client.post(
            f"/api/v1/proposals/{proposal_id}/transitions",
            json={"action": "withdraw", "expected_version": 2},
            headers=key(world, other),
        )
        assert changed.status_code == 404, other
    assert "Erika" not in read.text
    unknown = await client.get("/api/v1/proposals/999999", headers=key(world, "landlord_a:all"))
    assert unknown.status_code == 404


async def test_scopes_roles_and_bad_input(client: Any, world: Any, session: Any) -> None:
    body = {"vacancy_id": world.vacancies["a"].id, "household_ids": [world.households["a"].id]}
    landlord = await client.post(
        "/api/v1/proposals", json=body, headers=key(world, "landlord_a:all")
    )
    assert landlord.status_code == 403
    read_only = await client.post(
        "/api/v1/proposals", json=body, headers=key(world, "counseling_a:proposals:read")
    )
    assert read_only.status_code == 403
    anonymous = await client.get("/api/v1/proposals")
    assert anonymous.status_code == 401
    bad = await client.post(
        "/api/v1/proposals",
        json={"vacancy_id": "x", "household_ids": []},
        headers=key(world, "counseling_a:all"),
    )
    assert bad.status_code == 422
    fields = {e["field"] for e in bad.json()["errors"]}
    assert {"vacancy_id", "household_ids"} <= fields
    bad_action = await client.post(
        "/api/v1/proposals/1/transitions",
        json={"action": "explode", "expected_version": 1},
        headers=key(world, "counseling_a:all"),
    )
    assert bad_action.status_code == 422


async def test_counselor_withdraws_and_draft_is_hidden_from_landlord(
    client: Any, world: Any, session: Any
) -> None:
    proposal_id = await sent_proposal(client, world, session)
    withdrawn = await client.post(
        f"/api/v1/proposals/{proposal_id}/transitions",
        json={"action": "withdraw", "expected_version": 2, "reason_code": "H_FOUND_OTHER"},
        headers=key(world, "counseling_a:proposals:write"),
    )
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json()["status"] == ProposalStatus.WITHDRAWN.value
    assert withdrawn.json()["allowed_actions"] == []
