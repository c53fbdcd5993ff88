"""API key page: issued keys are shown once and stored only as a hash; revocation; who may."""

from __future__ import annotations

import hashlib
import re
from typing import Any

import pytest
import sqlalchemy as sa

from matching.db.models import ApiKey, User
from tests.conftest import csrf_headers, login
from tests.support.world import PASSWORD

pytestmark = pytest.mark.anyio


async def make_org_admin(session: Any, world: Any, who: str) -> None:
    user_id = world.users[who].id
    await session.execute(sa.update(User).where(User.id == user_id).values(is_org_admin=True))
    await session.commit()


async def issue(client: Any, **form: Any) -> Any:
    return await client.post("/api-schluessel", data=form, headers=csrf_headers(client))


async def test_plain_landlord_user_may_not_manage_keys(client: Any, world: Any) -> None:
    await login(client, world.email("landlord_a"), PASSWORD)
    assert (await client.get("/api-schluessel")).status_code == 403
    response = await issue(client, name="x", scopes=["vacancies:read"])
    assert response.status_code == 403
    await login(client, world.email("counselor_a"), PASSWORD)
    assert (await client.get("/api-schluessel", follow_redirects=False)).status_code == 403


async def test_org_admin_issues_a_key_shown_once_stored_as_hash_and_revokes_it(
    client: Any, world: Any, session: Any
) -> None:
    await make_org_admin(session, world, "landlord_a")
    await login(client, world.email("landlord_a"), PASSWORD)
    page = await client.get("/api-schluessel")
    assert page.status_code == 200
    # A landlord's program needs no household data: not offered.
    assert 'value="households:write"' not in page.text
    assert 'value="vacancies:write"' in page.text
    created = await issue(
        client, name="Warenwirtschaft", scopes=["vacancies:read", "vacancies:write"]
    )
    assert created.status_code == 201, created.text
    match = re.search(r'value="(tk_[A-Za-z0-9_\-]+)"', created.text)
    assert match, created.text
    raw = match.group(1)
    assert "nur dieses eine Mal" in created.text
    await session.rollback()
    key = await session.scalar(sa.select(ApiKey).where(ApiKey.name == "Warenwirtschaft"))
    assert key.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert key.organisation_id == world.orgs["landlord_a"].id
    assert key.scopes == ["vacancies:read", "vacancies:write"]
    assert raw not in {key.name, key.prefix, key.key_hash}
    again = await client.get("/api-schluessel")
    assert raw not in again.text
    assert key.prefix in again.text
    assert "noch nie" in again.text
    used = await client.get("/api/v1/vacancies", headers={"Authorization": f"Bearer {raw}"})
    assert used.status_code == 200
    assert "noch nie" not in (await client.get("/api-schluessel")).text.split(key.prefix)[1][:400]
    revoked = await client.post(
        f"/api-schluessel/{key.id}/widerrufen", headers=csrf_headers(client)
    )
    assert "widerrufen" in revoked.text
    refused = await client.get("/api/v1/vacancies", headers={"Authorization": f"Bearer {raw}"})
    assert refused.status_code == 401


async def test_org_admin_cannot_touch_other_organisations_or_grant_household_scopes(
    client: Any, world: Any, session: Any
) -> None:
    await make_org_admin(session, world, "landlord_a")
    other = await session.scalar(
        sa.select(ApiKey.id).where(ApiKey.organisation_id == world.orgs["landlord_b"].id)
    )
    await login(client, world.email("landlord_a"), PASSWORD)
    revoke = await client.post(f"/api-schluessel/{other}/widerrufen", headers=csrf_headers(client))
    assert revoke.status_code == 404
    page = await client.get("/api-schluessel")
    assert "Vermieter B" not in page.text
    bad = await issue(client, name="zu viel", scopes=["households:write"])
    assert bad.status_code == 422
    empty = await issue(client, name="", scopes=[])
    assert empty.status_code == 422
    assert "Bezeichnung" in empty.text


async def test_admin_issues_keys_for_any_organisation(
    client: Any, world: Any, session: Any
) -> None:
    await login(client, world.email("admin"), PASSWORD)
    page = await client.get("/api-schluessel")
    assert page.status_code == 200
    assert "Vermieter B" in page.text
    created = await issue(
        client,
        name="Für B",
        scopes=["vacancies:write"],
        organisation_id=str(world.orgs["landlord_b"].id),
    )
    assert created.status_code == 201, created.text
    await session.rollback()
    key = await session.scalar(sa.select(ApiKey).where(ApiKey.name == "Für B"))
    assert key.organisation_id == world.orgs["landlord_b"].id
    assert key.created_by_id == world.users["admin"].id
    missing_org = await issue(client, name="ohne", scopes=["vacancies:read"])
    assert missing_org.status_code == 422
