"""Login, logout, wrong credentials, inactive accounts, session rotation and timeouts."""

from __future__ import annotations

import time
from typing import Any

import pytest
import sqlalchemy as sa

from matching.db.models import User
from tests.conftest import csrf_headers, login
from tests.support.world import PASSWORD

pytestmark = pytest.mark.anyio
LOGIN_FAILED = "E-Mail-Adresse oder Passwort ist falsch"


async def test_login_lands_on_overview_and_logout_ends_the_session(client: Any, world: Any) -> None:
    response = await login(client, world.email("counselor_a"), PASSWORD)
    assert response.status_code == 200
    assert "Übersicht" in response.text
    page = await client.get("/haushalte")
    assert page.status_code == 200 and "HH-2026-90000" in page.text
    old_session = client.cookies.get("tueroeffner_session")
    out = await client.post("/logout", headers=csrf_headers(client))
    assert out.status_code == 200 and "Anmelden" in out.text
    # The old session id is dead on the server, even if someone kept the cookie.
    client.cookies.set("tueroeffner_session", old_session)
    again = await client.get("/haushalte", follow_redirects=False)
    assert again.status_code in (302, 303)
    assert again.headers["location"] == "/login"


async def test_session_id_is_renewed_at_login(client: Any, world: Any) -> None:
    await client.get("/login")
    before = client.cookies.get("tueroeffner_session")
    await login(client, world.email("admin"), PASSWORD)
    after = client.cookies.get("tueroeffner_session")
    assert after and after != before


@pytest.mark.parametrize(
    ("email", "password"),
    [("counselor.a@example.org", "falsches-Passwort-123"), ("niemand@example.org", PASSWORD)],
)
async def test_wrong_password_and_unknown_email_give_the_same_message(
    client: Any, world: Any, email: str, password: str
) -> None:
    response = await login(client, email, password)
    assert response.status_code == 400
    assert LOGIN_FAILED in response.text
    assert "HH-2026" not in response.text


async def test_inactive_user_cannot_log_in(client: Any, world: Any, session: Any) -> None:
    await session.execute(
        sa.update(User).where(User.id == world.users["landlord_a"].id).values(is_active=False)
    )
    await session.commit()
    response = await login(client, world.email("landlord_a"), PASSWORD)
    assert response.status_code == 400 and LOGIN_FAILED in response.text


async def test_deactivated_user_loses_a_running_session(
    client: Any, world: Any, session: Any
) -> None:
    await login(client, world.email("landlord_a"), PASSWORD)
    assert (await client.get("/wohnungen")).status_code == 200
    await session.execute(
        sa.update(User).where(User.id == world.users["landlord_a"].id).values(is_active=False)
    )
    await session.commit()
    response = await client.get("/wohnungen", follow_redirects=False)
    assert response.status_code in (302, 303)


async def test_login_without_csrf_token_is_refused(client: Any, world: Any) -> None:
    await client.get("/login")
    response = await client.post(
        "/login", data={"email": world.email("admin"), "password": PASSWORD}
    )
    assert response.status_code == 403


async def test_idle_timeout_ends_the_session(client: Any, world: Any, monkeypatch: Any) -> None:
    await login(client, world.email("admin"), PASSWORD)
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 31 * 60)
    response = await client.get("/uebersicht", follow_redirects=False)
    assert response.status_code in (302, 303)


async def test_repeated_failures_are_throttled(client: Any, world: Any) -> None:
    for _ in range(4):
        await login(client, world.email("admin"), "falsch-falsch-falsch")
    response = await login(client, world.email("admin"), PASSWORD)
    assert response.status_code == 429
    assert "Zu viele Anmeldeversuche" in response.text
