"""Sessions and login (ASVS V3/V2): cookie flags behind TLS, the absolute 12 h limit, and no
user enumeration by timing; throttling per address grows."""

from __future__ import annotations

import statistics
import time
from dataclasses import replace
from http.cookies import SimpleCookie
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from api.app import create_app
from matching.security.throttle import (
    FREE_ATTEMPTS,
    FREE_ATTEMPTS_PER_ADDRESS,
    MAX_DELAY,
    LoginThrottle,
)
from tests.conftest import login
from tests.support.world import PASSWORD

pytestmark = pytest.mark.anyio
# Session handling does not depend on the database: SQLite only, to keep the suite fast.
SQLITE_ONLY = pytest.mark.parametrize("database", ["sqlite"], indirect=True)


def _cookies(response: Any) -> dict[str, Any]:
    jar: dict[str, Any] = {}
    for header in response.headers.get_list("set-cookie"):
        parsed = SimpleCookie()
        parsed.load(header)
        jar.update(parsed)
    return jar


@SQLITE_ONLY
async def test_cookies_are_secure_httponly_samesite_behind_tls(settings: Any, world: Any) -> None:
    secure = replace(settings, security=replace(settings.security, secure_cookies=True))
    app = create_app(secure)
    async with AsyncTestClient(app=app, base_url="https://testserver.local") as client:
        page = await client.get("/login")
        csrf = _cookies(page)["tueroeffner_csrf"]
        assert csrf["secure"] and csrf["samesite"].lower() == "strict"
        assert "max-age=63072000" in page.headers["strict-transport-security"]
        token = client.cookies.get("tueroeffner_csrf")
        response = await client.post(
            "/login",
            data={"email": world.email("counselor_a"), "password": PASSWORD},
            headers={"x-csrftoken": token},
            follow_redirects=False,
        )
        assert response.status_code in (302, 303)
        session = _cookies(response)["tueroeffner_session"]
        assert session["secure"] and session["httponly"]
        assert session["samesite"].lower() in ("lax", "strict")
        assert int(session["max-age"]) <= 12 * 3600
        assert (await client.get("/haushalte/")).status_code == 200


@SQLITE_ONLY
async def test_without_tls_setting_cookies_still_httponly_and_samesite(
    client: Any, world: Any
) -> None:
    await client.get("/login")
    token = client.cookies.get("tueroeffner_csrf")
    response = await client.post(
        "/login",
        data={"email": world.email("admin"), "password": PASSWORD},
        headers={"x-csrftoken": token},
        follow_redirects=False,
    )
    session = _cookies(response)["tueroeffner_session"]
    assert session["httponly"] and session["samesite"].lower() == "lax"


@SQLITE_ONLY
async def test_absolute_timeout_ends_even_an_active_session(
    client: Any, world: Any, monkeypatch: Any
) -> None:
    await login(client, world.email("counselor_a"), PASSWORD)
    real = time.time
    offset = 0.0
    monkeypatch.setattr(time, "time", lambda: real() + offset)
    # Active every 25 minutes (never idle for 30) for almost 12 hours: still logged in.
    while offset < 12 * 3600 - 25 * 60:
        offset += 25 * 60
        response = await client.get("/uebersicht", follow_redirects=False)
        assert response.status_code == 200, f"logged out after {offset / 3600:.1f} h"
    offset = 12 * 3600 + 60
    response = await client.get("/uebersicht", follow_redirects=False)
    assert response.status_code in (302, 303) and response.headers["location"] == "/login"
    notice = await client.get("/login")
    assert "Sitzung ist abgelaufen" in notice.text


async def _login_time(client: Any, app: Any, email: str, password: str) -> float:
    app.state.login_throttle = LoginThrottle()  # measure the check, not the throttle
    await client.get("/login")
    token = client.cookies.get("tueroeffner_csrf")
    started = time.perf_counter()
    response = await client.post(
        "/login", data={"email": email, "password": password}, headers={"x-csrftoken": token}
    )
    took = time.perf_counter() - started
    assert response.status_code == 400
    return took


@SQLITE_ONLY
async def test_unknown_email_and_wrong_password_take_the_same_time(
    production_argon2: None, client: Any, app: Any, world: Any
) -> None:
    unknown: list[float] = []
    wrong: list[float] = []
    await _login_time(client, app, "warmup@example.org", "x" * 12)
    for i in range(5):
        unknown.append(await _login_time(client, app, f"niemand{i}@example.org", PASSWORD))
        wrong.append(await _login_time(client, app, world.email("counselor_a"), f"falsch-{i}x"))
    m_unknown, m_wrong = statistics.median(unknown), statistics.median(wrong)
    # Both pay one argon2 verification; without the dummy hash the unknown e-mail would be
    # an order of magnitude faster.
    assert abs(m_unknown - m_wrong) / max(m_unknown, m_wrong) < 0.35, (unknown, wrong)
    assert min(unknown + wrong) > 0.02  # the product's argon2 cost was paid (not the suite's)


async def test_throttle_per_address_covers_many_accounts(client: Any, world: Any) -> None:
    for i in range(FREE_ATTEMPTS_PER_ADDRESS + 1):
        await login(client, f"rate{i}@example.org", "falsch-falsch-falsch")
    response = await login(client, world.email("admin"), PASSWORD)
    assert response.status_code == 429 and "Zu viele Anmeldeversuche" in response.text


async def test_an_attacker_cannot_lock_the_owner_out(app: Any, world: Any) -> None:
    """Wrong passwords from another address slow down the guesser only (issue 12)."""
    import httpx

    def client_from(address: str) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=app, client=(address, 40000))
        return httpx.AsyncClient(transport=transport, base_url="http://testserver.local")

    owner = world.email("counselor_a")
    async with (
        app.lifespan(),
        client_from("203.0.113.9") as attacker,
        client_from("192.0.2.10") as own,
    ):
        for _ in range(FREE_ATTEMPTS + 2):
            await login(attacker, owner, "falsch-falsch-falsch")
        assert (await login(attacker, owner, PASSWORD)).status_code == 429
        response = await login(own, owner, PASSWORD)
        assert response.status_code in (302, 303), response.status_code
        assert (await own.get("/uebersicht")).status_code == 200


async def test_forwarded_for_is_ignored_without_trusted_proxies(client: Any, world: Any) -> None:
    for i in range(FREE_ATTEMPTS_PER_ADDRESS + 1):
        await client.get("/login")
        await client.post(
            "/login",
            data={"email": f"spray{i}@example.org", "password": "falsch-falsch-falsch"},
            headers={
                "x-csrftoken": client.cookies.get("tueroeffner_csrf") or "",
                "x-forwarded-for": f"198.51.100.{i}",
            },
        )
    response = await login(client, world.email("admin"), PASSWORD)
    assert response.status_code == 429  # the rotating header bought nothing


async def test_throttle_state_is_shared_between_instances(settings: Any, world: Any) -> None:
    """Two app instances on one database see each other's failed attempts."""
    from litestar.testing import AsyncTestClient

    first, second = create_app(settings), create_app(settings)
    owner = world.email("counselor_a")
    async with AsyncTestClient(app=first, base_url="http://testserver.local") as one:
        for _ in range(FREE_ATTEMPTS + 1):
            await login(one, owner, "falsch-falsch-falsch")
    async with AsyncTestClient(app=second, base_url="http://testserver.local") as two:
        response = await login(two, owner, PASSWORD)
        assert response.status_code == 429


async def test_throttle_delays_grow_and_are_capped() -> None:
    now = [1000.0]
    throttle = LoginThrottle(clock=lambda: now[0])
    delays = []
    for _ in range(FREE_ATTEMPTS + 10):
        await throttle.failed("a@example.org", "10.0.0.1")
        delays.append(await throttle.delay_for("a@example.org", "10.0.0.1"))
    assert delays[: FREE_ATTEMPTS - 1] == [0.0] * (FREE_ATTEMPTS - 1)
    growing = delays[FREE_ATTEMPTS - 1 :]
    assert growing == sorted(growing) and growing[0] > 0 and growing[-1] == MAX_DELAY
    assert await throttle.delay_for("a@example.org", "10.0.0.2") == 0.0  # the owner elsewhere
    now[0] += 16 * 60  # the window has passed
    assert await throttle.delay_for("a@example.org", "10.0.0.1") == 0.0


def test_trusted_proxies_decide_whose_forwarded_for_counts() -> None:
    from api.auth import forwarded_client

    assert forwarded_client("10.0.0.5", "198.51.100.7", ()) == "10.0.0.5"
    trusted = ("10.0.0.0/8",)
    assert forwarded_client("10.0.0.5", "198.51.100.7", trusted) == "198.51.100.7"
    # a client cannot prepend its own choice: the right-most untrusted hop counts
    assert forwarded_client("10.0.0.5", "1.2.3.4, 198.51.100.7, 10.0.0.9", trusted) == (
        "198.51.100.7"
    )
    assert forwarded_client("192.0.2.1", "198.51.100.7", trusted) == "192.0.2.1"


def test_the_product_hashes_with_argon2s_vetted_parameters() -> None:
    """The suite hashes cheaply for speed; the product keeps argon2id at RFC 9106 strength."""
    from argon2 import Type, profiles

    from tests.support.cheap_argon2 import PRODUCTION_HASHER

    vetted = profiles.RFC_9106_LOW_MEMORY
    assert PRODUCTION_HASHER.type is Type.ID
    assert PRODUCTION_HASHER.time_cost >= vetted.time_cost
    assert PRODUCTION_HASHER.memory_cost >= vetted.memory_cost
    assert PRODUCTION_HASHER.check_needs_rehash(PRODUCTION_HASHER.hash("x" * 12)) is False
