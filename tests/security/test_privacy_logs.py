"""Logs are JSON lines with a request id and never carry personal data (ASVS V7 / item 7).

Canary values go through the household and vacancy forms and JSON endpoints (valid, so they
are stored and shown), and then through every route of the route table with every method, as
query strings, JSON bodies and form bodies, by every kind of client. No captured log line may
contain any canary.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from litestar.routes import HTTPRoute

from tests.conftest import csrf_headers, login
from tests.support.world import PASSWORD

pytestmark = [pytest.mark.anyio, pytest.mark.parametrize("database", ["sqlite"], indirect=True)]

CANARIES = {
    "name": "Kanarienname Zqvogel",
    "phone": "0571 7731 90042",
    "email": "kanarienpost.zq@example.net",
    "notes": "Kanariennotiz Zqdiagnose",
    "description": "Kanarienbeschreibung Zqaltbau",
    "title": "Kanarientitel Zqdach",
}
# What must never appear, also URL-encoded: distinctive fragments of each canary.
FRAGMENTS = [
    "Zqvogel",
    "kanarienpost",
    "Zqdiagnose",
    "Zqaltbau",
    "Zqdach",
    "7731 90042",  # the phone number as sent, in a query string and URL-encoded
    "7731+90042",
    "7731%2090042",
]


def _household_json() -> dict[str, Any]:
    return {
        "adults": 1,
        "income_basis": "sgb2",
        "urgency": "homeless",
        "homeless_since": "2026-01-01",
        "name": CANARIES["name"],
        "phone": CANARIES["phone"],
        "email": CANARIES["email"],
        "notes": CANARIES["notes"],
    }


def _vacancy_json() -> dict[str, Any]:
    return {
        "postal_code": "32423",
        "municipality_ags": "05770024",
        "rooms": 2,
        "living_area": 50,
        "floor": 1,
        "net_cold_rent": 300,
        "cold_service_charges": 80,
        "available_from": "2027-01-01",
        "title": CANARIES["title"],
        "description": CANARIES["description"],
    }


def _fill(path: str, ids: dict[str, int]) -> str:
    def one(match: re.Match[str]) -> str:
        name, _, kind = match.group(1).partition(":")
        if kind in ("int", ""):
            return str(ids.get(name, 1))
        return "Zqvogel-" + name  # string parameters (tokens) carry a canary too

    return re.sub(r"\{([^}]+)\}", one, path)


async def _valid_flows(client: Any, world: Any, app_client: Any) -> None:
    hh_key = {"authorization": f"Bearer {world.keys['counseling_a:all']}"}
    v_key = {"authorization": f"Bearer {world.keys['landlord_a:all']}"}
    created = await client.post("/api/v1/households", json=_household_json(), headers=hh_key)
    assert created.status_code == 201, created.text
    hid = created.json()["id"]
    patched = await client.patch(
        f"/api/v1/households/{hid}", json={"notes": CANARIES["notes"] + " 2"}, headers=hh_key
    )
    assert patched.status_code == 200, patched.text
    assert (await client.get(f"/api/v1/households/{hid}", headers=hh_key)).status_code == 200
    vac = await client.post("/api/v1/vacancies", json=_vacancy_json(), headers=v_key)
    assert vac.status_code in (200, 201), vac.text
    vid = vac.json()["id"]
    upd = await client.patch(
        f"/api/v1/vacancies/{vid}",
        json={"description": CANARIES["description"] + " neu"},
        headers=v_key,
    )
    assert upd.status_code == 200, upd.text

    # Pages: a counselor creates and edits a household, a landlord a vacancy.
    assert (await login(app_client, world.email("counselor_a"), PASSWORD)).status_code == 200
    form = {
        "adults": "1",
        "income_basis": "sgb2",
        "urgency": "homeless",
        "homeless_since": "01.01.2026",
        **{k: CANARIES[k] for k in ("name", "phone", "email", "notes")},
    }
    page = await app_client.post("/haushalte/", data=form, headers=csrf_headers(app_client))
    assert page.status_code == 200 and CANARIES["name"] in page.text
    edit = await app_client.post(
        f"/haushalte/{hid}", data=form | {"notes": "x"}, headers=csrf_headers(app_client)
    )
    assert edit.status_code in (200, 404)
    search = await app_client.get("/haushalte/", params={"status": CANARIES["name"]})
    assert search.status_code in (200, 400, 422)


async def _sweep(app: Any, clients: list[tuple[Any, dict[str, str], bool]], world: Any) -> int:
    ids = {
        "household_id": world.households["a"].id,
        "vacancy_id": world.vacancies["a"].id,
        "org_id": world.orgs["counseling_a"].id,
        "user_id": world.users["counselor_a"].id,
    }
    body = {**_household_json(), **_vacancy_json(), **CANARIES, "text": CANARIES["notes"]}
    sent = 0
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for method in sorted(route.methods - {"HEAD", "OPTIONS"}):
            path = _fill(route.path_format, ids)
            if path in ("/logout",) or path.startswith("/static"):
                continue
            for client, headers, is_api in clients:
                if path.startswith("/api/") != is_api:
                    continue
                params = {"q": CANARIES["name"], "name": CANARIES["email"]}
                kwargs: dict[str, Any] = {"params": params, "headers": dict(headers)}
                if method in ("POST", "PUT", "PATCH"):
                    if is_api:
                        kwargs["json"] = body
                    else:
                        kwargs["data"] = {k: str(v) for k, v in body.items()}
                        kwargs["headers"].update(csrf_headers(client))
                await client.request(method, path, **kwargs)
                sent += 1
    return sent


async def test_no_personal_data_in_any_log_line(
    app: Any, client: Any, world: Any, json_logs: Any
) -> None:
    from litestar.testing import AsyncTestClient

    async with (
        AsyncTestClient(app=app, base_url="http://testserver.local") as counselor,
        AsyncTestClient(app=app, base_url="http://testserver.local") as landlord,
        AsyncTestClient(app=app, base_url="http://testserver.local") as admin,
    ):
        await _valid_flows(client, world, counselor)
        await login(landlord, world.email("landlord_a"), PASSWORD)
        vac_form = {
            "postal_code": "32423",
            "municipality_ags": "05770024",
            "rooms": "2",
            "living_area": "50",
            "floor": "1",
            "net_cold_rent": "300",
            "cold_service_charges": "80",
            "available_from": "01.01.2027",
            "title": CANARIES["title"],
            "description": CANARIES["description"],
        }
        made = await landlord.post("/wohnungen/", data=vac_form, headers=csrf_headers(landlord))
        assert made.status_code == 200 and CANARIES["description"] in made.text
        await login(admin, world.email("admin"), PASSWORD)
        api_all = {"authorization": f"Bearer {world.keys['counseling_a:all']}"}
        api_landlord = {"authorization": f"Bearer {world.keys['landlord_a:all']}"}
        sent = await _sweep(
            app,
            [
                (client, {}, False),
                (client, {}, True),
                (client, api_all, True),
                (client, api_landlord, True),
                (counselor, {}, False),
                (landlord, {}, False),
                (admin, {}, False),
            ],
            world,
        )
    assert sent > 50
    lines = json_logs.lines
    request_lines = [json.loads(line) for line in lines if '"message": "request"' in line]
    assert len(request_lines) >= sent
    for line in lines:
        entry = json.loads(line)  # every line is one JSON object
        assert {"time", "level", "logger", "message", "request_id"} <= entry.keys()
        # The random request id may contain any digits; everything else is checked.
        lowered = line.replace(str(entry["request_id"]), "").lower()
        for fragment in FRAGMENTS:
            assert fragment.lower() not in lowered, f"personal data in log line: {line}"
        assert "?" not in str(entry.get("path", "")), "query string logged"
    templated = {e["path"] for e in request_lines}
    assert "/haushalte/{household_id:int}" in templated or "/haushalte/{household_id}" in templated
    assert not any(re.search(r"/haushalte/\d", p) for p in templated)


async def test_request_id_is_taken_when_sane_and_echoed(client: Any, json_logs: Any) -> None:
    mine = await client.get("/health", headers={"X-Request-ID": "trace-0123456789abcdef"})
    assert mine.headers["x-request-id"] == "trace-0123456789abcdef"
    bad = await client.get("/health", headers={"X-Request-ID": "<script>alert(1)</script>"})
    generated = bad.headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", generated)
    unknown = await client.get("/gibt-es-nicht/123")
    assert unknown.status_code == 404 and unknown.headers["x-request-id"]
    entries = [json.loads(line) for line in json_logs.lines]
    by_id = {e["request_id"]: e for e in entries if e["message"] == "request"}
    assert by_id["trace-0123456789abcdef"]["path"] == "/health"
    assert by_id["trace-0123456789abcdef"]["status"] == 200
    assert by_id[generated]["method"] == "GET"
    assert isinstance(by_id[generated]["duration_ms"], float)
    assert "<script>" not in json_logs.stream.getvalue()


async def test_sql_echo_and_chatty_loggers_stay_off(app: Any) -> None:
    import logging

    assert not app.state.session_factory.kw["bind"].echo
    for name in ("sqlalchemy.engine", "aiosqlite", "httpx", "uvicorn.access"):
        logger = logging.getLogger(name)
        assert logger.disabled or logger.getEffectiveLevel() >= logging.WARNING
