"""Object-level access of every role to households and vacancies (table-driven).

Objects of another organisation answer 404, exactly like unknown ids.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import login
from tests.support.world import PASSWORD

pytestmark = pytest.mark.anyio

# (actor, path template, expected status); {ha}/{hb} households of counseling A/B,
# {va}/{vb} vacancies of landlord A/B.
PAGE_CASES = [
    ("counselor_a", "/haushalte", 200),
    ("counselor_a", "/haushalte/{ha}", 200),
    ("counselor_a", "/haushalte/{hb}", 404),
    ("counselor_a", "/haushalte/999999", 404),
    ("counselor_b", "/haushalte/{ha}", 404),
    ("counselor_a", "/haushalte/{ha}/bearbeiten", 200),
    ("counselor_a", "/wohnungen/{va}", 200),
    ("counselor_a", "/wohnungen/{vb}", 200),
    ("counselor_a", "/wohnungen/neu", 403),
    ("landlord_a", "/haushalte", 403),
    ("landlord_a", "/haushalte/{ha}", 403),
    ("landlord_a", "/wohnungen/{va}", 200),
    ("landlord_a", "/wohnungen/{vb}", 404),
    ("landlord_a", "/wohnungen/{va}/bearbeiten", 200),
    ("landlord_a", "/wohnungen/{vb}/bearbeiten", 404),
    ("landlord_b", "/wohnungen/{va}", 404),
    ("landlord_a", "/admin/konten", 403),
    ("counselor_a", "/admin/konten", 403),
    ("admin", "/admin/konten", 200),
    ("admin", "/haushalte/{hb}", 200),
    ("admin", "/wohnungen/{vb}", 200),
]

API_CASES = [
    ("counseling_a:households:read", "/api/v1/households/{ha}", 200),
    ("counseling_a:households:read", "/api/v1/households/{hb}", 404),
    ("counseling_b:households:read", "/api/v1/households/{ha}", 404),
    ("counseling_a:vacancies:read", "/api/v1/households/{ha}", 403),
    ("landlord_a:households:read", "/api/v1/households/{ha}", 404),
    ("landlord_a:vacancies:read", "/api/v1/vacancies/{va}", 200),
    ("landlord_a:vacancies:read", "/api/v1/vacancies/{vb}", 404),
    ("landlord_b:vacancies:read", "/api/v1/vacancies/{va}", 404),
    ("counseling_a:vacancies:read", "/api/v1/vacancies/{va}", 200),
    ("landlord_a:households:write", "/api/v1/vacancies/{va}", 403),
    (None, "/api/v1/vacancies/{va}", 401),
    ("invalid", "/api/v1/vacancies/{va}", 401),
]


def _fill(path: str, world: Any) -> str:
    return path.format(
        ha=world.households["a"].id,
        hb=world.households["b"].id,
        va=world.vacancies["a"].id,
        vb=world.vacancies["b"].id,
    )


@pytest.mark.parametrize(("who", "path", "expected"), PAGE_CASES)
async def test_page_access(client: Any, world: Any, who: str, path: str, expected: int) -> None:
    await login(client, world.email(who), PASSWORD)
    response = await client.get(_fill(path, world), follow_redirects=False)
    assert response.status_code == expected, (who, path, response.status_code)
    if expected == 404:
        assert "Erika Mustermann" not in response.text


async def test_anonymous_is_sent_to_login(client: Any, world: Any) -> None:
    for path in (
        "/haushalte",
        "/wohnungen",
        "/admin/konten",
        f"/haushalte/{world.households['a'].id}",
    ):
        response = await client.get(path, follow_redirects=False)
        assert response.status_code in (302, 303) and response.headers["location"] == "/login"


@pytest.mark.parametrize(("key", "path", "expected"), API_CASES)
async def test_api_access(
    client: Any, world: Any, key: str | None, path: str, expected: int
) -> None:
    headers = {}
    if key == "invalid":
        headers["Authorization"] = "Bearer tk_not-a-real-key"
    elif key:
        headers["Authorization"] = f"Bearer {world.keys[key]}"
    response = await client.get(_fill(path, world), headers=headers)
    assert response.status_code == expected, (key, path, response.text)
    assert response.headers["content-type"].startswith(
        ("application/json", "application/problem+json")
    )


async def test_landlord_cannot_change_another_landlords_vacancy(client: Any, world: Any) -> None:
    response = await client.patch(
        f"/api/v1/vacancies/{world.vacancies['a'].id}",
        json={"title": "gekapert"},
        headers={"Authorization": f"Bearer {world.keys['landlord_b:all']}"},
    )
    assert response.status_code == 404


async def test_session_cookie_does_not_authenticate_the_api(client: Any, world: Any) -> None:
    await login(client, world.email("admin"), PASSWORD)
    response = await client.get("/api/v1/vacancies")
    assert response.status_code == 401


async def test_revoked_key_is_refused(client: Any, world: Any, session: Any) -> None:
    from datetime import UTC, datetime

    import sqlalchemy as sa

    from matching.db.models import ApiKey

    await session.execute(sa.update(ApiKey).values(revoked_at=datetime.now(UTC)))
    await session.commit()
    response = await client.get(
        "/api/v1/vacancies", headers={"Authorization": f"Bearer {world.keys['landlord_a:all']}"}
    )
    assert response.status_code == 401
