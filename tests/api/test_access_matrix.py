# ruff: noqa: E501
"""The access matrix: every route of the app × every kind of actor.

Routes come from Litestar's route table, so a new route without an expectation fails this
test. Objects in path parameters belong to organisation A (counselling office A, landlord A);
actors of organisation B must get 404, exactly as for an unknown id. The observed matrix is
printed as a table.

Outcome codes: ok = passed authorisation (2xx/3xx, or 400/409/422 on the deliberately empty
body); L = sent to log in (401 or redirect to /login); F = 403; N = 404; E = server error.
"""

from __future__ import annotations

import asyncio
import shutil
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar.testing import AsyncTestClient

from matching import clock
from matching.accounts.service import SCOPES
from matching.config import Settings
from matching.security.throttle import LoginThrottle
from tests.support.apps import sqlite_app_settings
from tests.support.routes import RouteCase, route_cases
from tests.support.scene import Scene, build_scene
from tests.support.world import PASSWORD

# counselor_read / _cowork / _withdrawn: offices the scene's case of organisation A is shared
# with (Einsicht, Mitarbeit, and one whose consent was withdrawn).
SHARING = ("counselor_read", "counselor_cowork", "counselor_withdrawn")
USERS = ("counselor_a", "counselor_b", *SHARING, "landlord_a", "landlord_b", "admin")
ACTORS: tuple[str, ...] = (
    "anon",
    *(f"key:counseling_a:{s}" for s in SCOPES),
    *(f"key:landlord_a:{s}" for s in SCOPES),
    "link",
    "landlord_b",
    "counselor_b",
    *SHARING,
    "landlord_a",
    "counselor_a",
    "admin",
)
SHORT = {
    "anon": "anon",
    "link": "link",
    "landlord_b": "LB",
    "counselor_b": "CB",
    "counselor_read": "CR",
    "counselor_cowork": "CW",
    "counselor_withdrawn": "CX",
    "landlord_a": "LA",
    "counselor_a": "CA",
    "admin": "ADM",
}


def short(actor: str) -> str:
    if actor.startswith("key:"):
        _, org, scope = actor.split(":", 2)
        return ("kC:" if org.startswith("counseling") else "kL:") + scope.replace(":", "")[:7]
    return SHORT[actor]


def _category(response: Any) -> str:
    status = response.status_code
    if status >= 500:
        return "E"
    if status == 401 or (
        status in (301, 302, 303, 307) and response.headers.get("location", "").endswith("/login")
    ):
        return "L"
    if status == 403:
        return "F"
    if status == 404:
        return "N"
    return "ok"


async def _clients(app: Any, scene: Scene) -> dict[str, httpx.AsyncClient]:
    """One cookie jar per actor; plain httpx over ASGI (the app's lifespan runs once)."""
    clients: dict[str, httpx.AsyncClient] = {}
    for actor in ACTORS:
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver.local"
        )
        await client.get("/login")
        if actor in USERS:
            response = await client.post(
                "/login",
                data={"email": f"{actor.replace('_', '.')}@example.org", "password": PASSWORD},
                headers={"x-csrftoken": client.cookies.get("tueroeffner_csrf") or ""},
                follow_redirects=True,
            )
            assert response.status_code == 200, (actor, response.status_code)
        elif actor == "link":
            response = await client.get(f"/l/{scene.token}", follow_redirects=True)
            assert response.status_code == 200, response.status_code
        elif actor.startswith("key:"):
            _, org, scope = actor.split(":", 2)
            client.headers["Authorization"] = f"Bearer {scene.keys[f'{org}:{scope}']}"
        clients[actor] = client
    return clients


VACANCY_BODY = {
    "postal_code": "32423",
    "rooms": 2,
    "living_area": 54.5,
    "floor": 1,
    "net_cold_rent": 330,
    "cold_service_charges": 110,
    "available_from": (clock.today() + timedelta(days=10)).isoformat(),
}


def _json_body(case: RouteCase, scene: Scene) -> dict[str, Any]:
    """A valid body, so an answer other than ok shows refusal, not a validation error."""
    bodies: dict[str, dict[str, Any]] = {
        "POST /api/v1/households": {"adults": 1, "income_basis": "sgb2", "urgency": "homeless"},
        "PATCH /api/v1/households/{household_id}": {"adults": 2},
        "POST /api/v1/cases": {"household_id": scene.values["household_id"], "kind": "search"},
        "PATCH /api/v1/cases/{case_id}": {"version": 1, "arrears": "100.00"},
        "POST /api/v1/cases/{case_id}/contacts": {
            "occurred_on": clock.today().isoformat(),
            "kind": "consultation",
        },
        "POST /api/v1/cases/{case_id}/referrals": {"kind": "debt_counselling"},
        "PATCH /api/v1/cases/{case_id}/referrals/{referral_id}": {"status": "attended"},
        "POST /api/v1/cases/{case_id}/shares": {
            "organisation_id": scene.values["share_org_id"],
            "consent_id": scene.values["share_consent_id"],
            "level": "read",
        },
        "POST /api/v1/vacancies": VACANCY_BODY,
        "PUT /api/v1/vacancies/by-external-id/{external_id}": VACANCY_BODY,
        "PATCH /api/v1/vacancies/{vacancy_id}": {"title": "Neu"},
        "POST /api/v1/proposals": {
            "vacancy_id": scene.values["vacancy_id"],
            "household_ids": [scene.values["household_id"]],
        },
        "POST /api/v1/proposals/{proposal_id}/transitions": {
            "action": "arrange_viewing",
            "expected_version": 2,
        },
    }
    return bodies.get(case.key, {})


async def _request(client: httpx.AsyncClient, case: RouteCase, path: str, scene: Scene) -> Any:
    headers = {"x-csrftoken": client.cookies.get("tueroeffner_csrf") or ""}
    if case.method == "GET":
        return await client.get(path, follow_redirects=False)
    if path.startswith("/api/"):
        return await client.request(
            case.method,
            path,
            json=_json_body(case, scene),
            headers=headers,
            follow_redirects=False,
        )
    return await client.request(case.method, path, data={}, headers=headers, follow_redirects=False)


SESSION_ROUTES = {"POST /login", "POST /logout", "GET /l/{token}"}


async def _observe(
    url: str, db_file: Path, settings: Settings, shard: int
) -> dict[str, dict[str, str]]:
    from api.app import create_app

    app = create_app(settings)
    cases = _shard(route_cases(app), shard)
    observed: dict[str, dict[str, str]] = {}
    # Opening a secure link replaces the session, so it counts as a write here.
    reads = [c for c in cases if c.method == "GET" and not c.template.startswith("/l/")]
    writes = [c for c in cases if c not in reads]
    lifespan = AsyncTestClient(app=app)
    await lifespan.__aenter__()
    engine = app.state.session_factory.kw["bind"]
    scene = await build_scene(url)
    clients = await _clients(app, scene)
    await engine.dispose()
    snapshot = db_file.with_suffix(".snapshot")
    shutil.copyfile(db_file, snapshot)
    for case in reads:
        path = case.fill(scene.values)
        observed[case.key] = {
            a: _category(await _request(clients[a], case, path, scene)) for a in ACTORS
        }
    sessions_changed = False
    for case in writes:
        # A write may change what later requests see: every write starts from the same
        # database (the file is restored); sessions are rebuilt around a route that changes
        # them (before it, and after it: a logout must not leave the next route's actors
        # logged out, which once hid eight routes behind "L" for everyone).
        await engine.dispose()
        for suffix in ("-wal", "-shm"):
            Path(f"{db_file}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(snapshot, db_file)
        if case.key in SESSION_ROUTES or sessions_changed:
            for client in clients.values():
                await client.aclose()
            app.state.login_throttle = LoginThrottle()  # empty login forms count as failures
            clients = await _clients(app, scene)
        sessions_changed = case.key in SESSION_ROUTES
        path = case.fill(scene.values)
        observed[case.key] = {
            a: _category(await _request(clients[a], case, path, scene)) for a in ACTORS
        }
    for client in clients.values():
        await client.aclose()
    await lifespan.__aexit__(None, None, None)
    return observed


def _table(observed: dict[str, dict[str, str]]) -> str:
    width = max(len(k) for k in observed) + 1
    head = "route".ljust(width) + " ".join(short(a).ljust(8) for a in ACTORS)
    lines = [head, "-" * len(head)]
    for key in sorted(observed, key=lambda k: (k.split(" ", 1)[1], k)):
        lines.append(key.ljust(width) + " ".join(observed[key][a].ljust(8) for a in ACTORS))
    return "\n".join(lines)


#: The routes are split into shards so that pytest-xdist can run them on both cores; together
#: the shards cover every route exactly once (see ``_shard``).
SHARDS = 3


def _shard(cases: list[RouteCase], shard: int) -> list[RouteCase]:
    """Every ``SHARDS``-th route in key order, starting at ``shard``."""
    ordered = sorted(cases, key=lambda c: c.key)
    return [c for i, c in enumerate(ordered) if i % SHARDS == shard]


@pytest.mark.parametrize("shard", range(SHARDS))
def test_access_matrix(tmp_path: Path, shard: int) -> None:
    url, db_file, settings = sqlite_app_settings(tmp_path, "matrix")
    observed = asyncio.run(_observe(url, db_file, settings, shard))
    print(
        f"\nAccess matrix, shard {shard + 1} of {SHARDS} ("
        f"{len(observed)} routes × {len(ACTORS)} actors = "
        f"{len(observed) * len(ACTORS)} requests)\n" + _table(observed)
    )
    unclassified = sorted(set(observed) - set(EXPECTED))
    assert not unclassified, f"routes without an expected access profile: {unclassified}"
    violations = [
        f"{key} as {actor}: expected {expected(key, actor)}, got {got}"
        for key, row in observed.items()
        for actor, got in row.items()
        if got != expected(key, actor)
    ]
    assert not violations, "\n".join(violations)


# Reviewed by hand: one row per route, one outcome per actor in ACTORS order (anon, the eight
# counselling-office keys, the eight landlord keys, link, LB, CB, CR, CW, CX, LA, CA, ADM).
EXPECTED: dict[str, str] = {
    "DELETE /api/v1/vacancies/by-external-id/{external_id}": "L F N F F F F F F F ok F F F F F F L L L L L L L L L",
    "DELETE /api/v1/vacancies/{vacancy_id}": "L F N F F F F F F F ok F F F F F F L L L L L L L L L",
    "GET /": "L L L L L L L L L L L L L L L L L L ok ok ok ok ok ok ok ok",
    "GET /admin/audit": "L L L L L L L L L L L L L L L L L L F F F F F F F ok",
    "GET /admin/audit/pruefung": "L L L L L L L L L L L L L L L L L L F F F F F F F ok",
    "GET /admin/benutzer/{user_id}": "L L L L L L L L L L L L L L L L L L F F F F F F F ok",
    "GET /admin/dubletten": "L L L L L L L L L L L L L L L L L L F F F F F F F ok",
    "GET /admin/hilfeangebote": "L L L L L L L L L L L L L L L L L L F F F F F F F ok",
    "GET /admin/konten": "L L L L L L L L L L L L L L L L L L F F F F F F F ok",
    "GET /admin/mietobergrenzen": "L L L L L L L L L L L L L L L L L L F F F F F F F ok",
    "GET /admin/mietobergrenzen/vorlage.csv": "L L L L L L L L L L L L L L L L L L F F F F F F F ok",
    "GET /admin/mietobergrenzen/{table_id}": "L L L L L L L L L L L L L L L L L L F F F F F F F ok",
    "GET /admin/postausgang": "L L L L L L L L L L L L L L L L L L F F F F F F F ok",
    "GET /admin/postausgang/{message_id}": "L L L L L L L L L L L L L L L L L L F F F F F F F ok",
    "GET /admin/zuteilung": "L L L L L L L L L L L L L L L L L L F F F F F F F ok",
    "GET /admin/zuteilung/berechnen": "L L L L L L L L L L L L L L L L L L F F F F F F F ok",
    "GET /admin/zuteilung/ergebnis": "L L L L L L L L L L L L L L L L L L F F F F F F F ok",
    "GET /api-schluessel": "L L L L L L L L L L L L L L L L L L F F F F F F F ok",
    "GET /api/v1/cases": "L F F F F F F ok F F F F F F F ok F L L L L L L L L L L",
    "GET /api/v1/cases/{case_id}": "L F F F F F F ok F F F F F F F N F L L L L L L L L L L",
    "GET /api/v1/deadlines": "L F F F F F F ok F F F F F F F ok F L L L L L L L L L L",
    "GET /api/v1/households": "L F F ok F F F F F F F N F F F F F L L L L L L L L L",
    "GET /api/v1/households/{household_id}": "L F F ok F F F F F F F N F F F F F L L L L L L L L L",
    "GET /api/v1/households/{household_id}/matches": "L F F ok F F F F F F F N F F F F F L L L L L L L L L",
    "GET /api/v1/proposals": "L F F F F ok F F F F F F F ok F F F L L L L L L L L L",
    "GET /api/v1/proposals/{proposal_id}": "L F F F F ok F F F F F F F ok F F F L L L L L L L L L",
    "GET /api/v1/rent-limit-tables": "L ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok L L L L L L L L L",
    "GET /api/v1/rent-limit-tables/{table_id}": "L ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok L L L L L L L L L",
    "GET /api/v1/vacancies": "L ok F F F F F F F ok F F F F F F F L L L L L L L L L",
    "GET /api/v1/vacancies/by-external-id/{external_id}": "L N F F F F F F F ok F F F F F F F L L L L L L L L L",
    "GET /api/v1/vacancies/{vacancy_id}": "L ok F F F F F F F ok F F F F F F F L L L L L L L L L",
    "GET /api/v1/vacancies/{vacancy_id}/matches": "L F F ok F F F F F F F N F F F F F L L L L L L L L L",
    "GET /api/v1/vacancies/{vacancy_id}/matches/{household_id}": "L F F ok F F F F F F F N F F F F F L L L L L L L L L",
    "GET /berichte": "L L L L L L L L L L L L L L L L L L ok ok ok ok ok ok ok ok",
    "GET /berichte/export": "L L L L L L L L L L L L L L L L L L N N N N N N N N",
    "GET /berichte/fairness": "L L L L L L L L L L L L L L L L L L F F F F F F F ok",
    "GET /berichte/jahresbericht.pdf": "L L L L L L L L L L L L L L L L L L ok ok ok ok ok ok ok ok",
    "GET /berichte/zusage-chance": "L L L L L L L L L L L L L L L L L L F ok ok ok ok F ok ok",
    "GET /faelle": "L L L L L L L L L L L L L L L L L L F ok ok ok ok F ok ok",
    "GET /faelle/neu": "L L L L L L L L L L L L L L L L L L F ok ok ok ok F ok ok",
    "GET /faelle/{case_id}": "L L L L L L L L L L L L L L L L L L F N ok ok N F ok ok",
    "GET /faelle/{case_id}/bearbeiten": "L L L L L L L L L L L L L L L L L L F N F ok N F ok F",
    "GET /faelle/{case_id}/termine/{appointment_id}/termin.ics": "L L L L L L L L L L L L L L L L L L F N ok ok N F ok ok",
    "GET /fristen": "L L L L L L L L L L L L L L L L L L F ok ok ok ok F ok ok",
    "GET /haushalte": "L L L L L L L L L L L L L L L L L L F ok ok ok ok F ok ok",
    "GET /haushalte/neu": "L L L L L L L L L L L L L L L L L L F ok ok ok ok F ok ok",
    "GET /haushalte/{household_id}": "L L L L L L L L L L L L L L L L L L F N N N N F ok ok",
    "GET /haushalte/{household_id}/auskunft": "L L L L L L L L L L L L L L L L L L F N N N N F ok ok",
    "GET /haushalte/{household_id}/auskunft.json": "L L L L L L L L L L L L L L L L L L F N N N N F ok ok",
    "GET /haushalte/{household_id}/bearbeiten": "L L L L L L L L L L L L L L L L L L F N N N N F ok ok",
    "GET /haushalte/{household_id}/einwilligung-status": "L L L L L L L L L L L L L L L L L L F N N N N F ok ok",
    "GET /haushalte/{household_id}/einwilligungen": "L L L L L L L L L L L L L L L L L L F N N N N F ok F",
    "GET /haushalte/{household_id}/vorschlaege": "L L L L L L L L L L L L L L L L L L F N N N N F ok ok",
    "GET /haushalte/{household_id}/wohnungen": "L L L L L L L L L L L L L L L L L L F N N N N F ok ok",
    "GET /health": "ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok",
    "GET /import": "L L L L L L L L L L L L L L L L L L ok F F F F ok F ok",
    "GET /import/vorlage.csv": "L L L L L L L L L L L L L L L L L L ok F F F F ok F ok",
    "GET /import/vorlage.xlsx": "L L L L L L L L L L L L L L L L L L ok F F F F ok F ok",
    "GET /import/{job_id}": "L L L L L L L L L L L L L L L L L L N F F F F ok F ok",
    "GET /import/{job_id}/bericht.csv": "L L L L L L L L L L L L L L L L L L N F F F F ok F ok",
    "GET /import/{job_id}/fortschritt": "L L L L L L L L L L L L L L L L L L N F F F F ok F ok",
    "GET /konto": "L L L L L L L L L L L L L L L L L L ok ok ok ok ok ok ok ok",
    "GET /l/{token}": "ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok",
    "GET /login": "ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok",
    "GET /passwort-neu/{token}": "N N N N N N N N N N N N N N N N N N N N N N N N N N",
    "GET /ready": "ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok",
    "GET /schema": "ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok",
    "GET /schema/openapi.json": "ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok",
    "GET /schema/{path}": "ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok",
    "GET /static/{file_path}": "ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok",
    "GET /uebersicht": "L L L L L L L L L L L L L L L L L L ok ok ok ok ok ok ok ok",
    "GET /vermieter/vorschlaege": "L L L L L L L L L L L L L L L L L L ok F F F F ok F F",
    "GET /vermieter/vorschlaege/{proposal_id}": "L L L L L L L L L L L L L L L L L ok N F F F F ok F ok",
    "GET /vermieter/vorschlaege/{proposal_id}/druck": "L L L L L L L L L L L L L L L L L ok N F F F F ok F ok",
    "GET /vorschlaege": "L L L L L L L L L L L L L L L L L L F ok ok ok ok F ok ok",
    "GET /vorschlaege/{proposal_id}": "L L L L L L L L L L L L L L L L L L F N N N N F ok ok",
    "GET /wohnungen": "L L L L L L L L L L L L L L L L L L ok ok ok ok ok ok ok ok",
    "GET /wohnungen/neu": "L L L L L L L L L L L L L L L L L L ok F F F F ok F F",
    "GET /wohnungen/{vacancy_id}": "L L L L L L L L L L L L L L L L L L N ok ok ok ok ok ok ok",
    "GET /wohnungen/{vacancy_id}/bearbeiten": "L L L L L L L L L L L L L L L L L L N F F F F ok F F",
    "GET /wohnungen/{vacancy_id}/haushalte/{household_id}/warum": "L L L L L L L L L L L L L L L L L L F N N N N F ok ok",
    "GET /wohnungen/{vacancy_id}/rangliste": "L L L L L L L L L L L L L L L L L L F ok ok ok ok F ok ok",
    "GET /wohnungen/{vacancy_id}/vorschlagen": "L L L L L L L L L L L L L L L L L L F ok ok ok ok F ok F",
    "GET /wohnungen/{vacancy_id}/vorschlagen/vorschau/{household_id}": "L L L L L L L L L L L L L L L L L L F N N N N F ok F",
    "PATCH /api/v1/cases/{case_id}": "L F F F F F F F ok F F F F F F F N L L L L L L L L L L",
    "PATCH /api/v1/households/{household_id}": "L F F F ok F F F F F F F N F F F F L L L L L L L L L",
    "PATCH /api/v1/vacancies/{vacancy_id}": "L F N F F F F F F F ok F F F F F F L L L L L L L L L",
    "POST /admin/benutzer": "L L L L L L L L L L L L L L L L L L F F F F F F F ok",
    "POST /admin/benutzer/{user_id}": "L L L L L L L L L L L L L L L L L L F F F F F F F ok",
    "POST /admin/benutzer/{user_id}/passwort-link": "L L L L L L L L L L L L L L L L L L F F F F F F F ok",
    "POST /admin/benutzer/{user_id}/status": "L L L L L L L L L L L L L L L L L L F F F F F F F ok",
    "POST /admin/dubletten/{vacancy_id}": "L L L L L L L L L L L L L L L L L L F F F F F F F ok",
    "POST /admin/hilfeangebote": "L L L L L L L L L L L L L L L L L L F F F F F F F ok",
    "POST /admin/hilfeangebote/{service_id}/status": "L L L L L L L L L L L L L L L L L L F F F F F F F ok",
    "POST /admin/mietobergrenzen": "L L L L L L L L L L L L L L L L L L F F F F F F F ok",
    "POST /admin/mietobergrenzen/vorschau/{import_id}/uebernehmen": "L L L L L L L L L L L L L L L L L L F F F F F F F N",
    "POST /admin/mietobergrenzen/vorschau/{import_id}/verwerfen": "L L L L L L L L L L L L L L L L L L F F F F F F F ok",
    "POST /admin/mietobergrenzen/{table_id}/deaktivieren": "L L L L L L L L L L L L L L L L L L F F F F F F F ok",
    "POST /admin/organisationen": "L L L L L L L L L L L L L L L L L L F F F F F F F ok",
    "POST /admin/organisationen/{org_id}/status": "L L L L L L L L L L L L L L L L L L F F F F F F F ok",
    "POST /admin/postausgang/{message_id}/erneut": "L L L L L L L L L L L L L L L L L L F F F F F F F ok",
    "POST /api-schluessel": "L L L L L L L L L L L L L L L L L L F F F F F F F ok",
    "POST /api-schluessel/{key_id}/widerrufen": "L L L L L L L L L L L L L L L L L L F F F F F F F ok",
    "POST /api/v1/cases": "L F F F F F F F ok F F F F F F F F L L L L L L L L L L",
    "POST /api/v1/cases/{case_id}/contacts": "L F F F F F F F ok F F F F F F F N L L L L L L L L L L",
    "POST /api/v1/cases/{case_id}/referrals": "L F F F F F F F ok F F F F F F F N L L L L L L L L L L",
    "PATCH /api/v1/cases/{case_id}/referrals/{referral_id}": "L F F F F F F F ok F F F F F F F N L L L L L L L L L L",
    "POST /api/v1/cases/{case_id}/shares": "L F F F F F F F ok F F F F F F F N L L L L L L L L L L",
    "POST /api/v1/households": "L F F F ok F F F F F F F N F F F F L L L L L L L L L",
    "POST /api/v1/proposals": "L F F F F F ok F F F F F F F F F F L L L L L L L L L",
    "POST /api/v1/proposals/{proposal_id}/transitions": "L F F F F F ok F F F F F F F ok F F L L L L L L L L L",
    "POST /api/v1/vacancies": "L F F F F F F F F F ok F F F F F F L L L L L L L L L",
    "POST /api/v1/vacancies/import": "L F F F F F F F F F ok F F F F F F L L L L L L L L L",
    "POST /faelle": "L L L L L L L L L L L L L L L L L L F ok ok ok ok F ok ok",
    "POST /faelle/{case_id}": "L L L L L L L L L L L L L L L L L L F N F ok N F ok F",
    "POST /faelle/{case_id}/federfuehrung": "L L L L L L L L L L L L L L L L L L F N F F N F ok F",
    "POST /faelle/{case_id}/freigaben": "L L L L L L L L L L L L L L L L L L F N F F N F ok F",
    "POST /faelle/{case_id}/freigaben/{share_id}/beenden": "L L L L L L L L L L L L L L L L L L F N F F N F ok F",
    "POST /faelle/{case_id}/kontakte": "L L L L L L L L L L L L L L L L L L F N F ok N F ok F",
    "POST /faelle/{case_id}/termine": "L L L L L L L L L L L L L L L L L L F N F ok N F ok F",
    "POST /faelle/{case_id}/vermittlungen": "L L L L L L L L L L L L L L L L L L F N F ok N F ok F",
    "POST /faelle/{case_id}/vermittlungen/{referral_id}/stand": "L L L L L L L L L L L L L L L L L L F N F ok N F ok F",
    "POST /haushalte": "L L L L L L L L L L L L L L L L L L F ok ok ok ok F ok ok",
    "POST /haushalte/suche": "L L L L L L L L L L L L L L L L L L F ok ok ok ok F ok ok",
    "POST /haushalte/{household_id}": "L L L L L L L L L L L L L L L L L L F N N N N F ok ok",
    "POST /haushalte/{household_id}/einwilligungen": "L L L L L L L L L L L L L L L L L L F N N N N F ok F",
    "POST /haushalte/{household_id}/einwilligungen/{consent_id}/widerrufen": "L L L L L L L L L L L L L L L L L L F N N N N F ok F",
    "POST /import": "L L L L L L L L L L L L L L L L L L ok F F F F ok F F",
    "POST /import/{job_id}/uebernehmen": "L L L L L L L L L L L L L L L L L L N F F F F ok F F",
    "POST /import/{job_id}/verwerfen": "L L L L L L L L L L L L L L L L L L N F F F F ok F F",
    "POST /konto/passwort": "L L L L L L L L L L L L L L L L L L ok ok ok ok ok ok ok ok",
    "POST /kurzberatungen": "L L L L L L L L L L L L L L L L L L F ok ok ok ok F ok F",
    "POST /login": "ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok",
    "POST /logout": "L L L L L L L L L L L L L L L L L L L L L L L L L L",
    "POST /passwort-neu/{token}": "N N N N N N N N N N N N N N N N N N N N N N N N N N",
    "POST /vermieter/vorschlaege/{proposal_id}/aktion": "L L L L L L L L L L L L L L L L L ok N F F F F ok F ok",
    "POST /vorschlaege/{proposal_id}/aktion": "L L L L L L L L L L L L L L L L L L F N N N N F ok F",
    "POST /wohnungen": "L L L L L L L L L L L L L L L L L L ok F F F F ok F F",
    "POST /wohnungen/{vacancy_id}": "L L L L L L L L L L L L L L L L L L N F F F F ok F F",
    "POST /wohnungen/{vacancy_id}/bestaetigen": "L L L L L L L L L L L L L L L L L L N F F F F ok F F",
    "POST /wohnungen/{vacancy_id}/vorschlagen": "L L L L L L L L L L L L L L L L L L F ok ok ok ok F ok F",
    "POST /wohnungen/{vacancy_id}/vorschlagen/suche": "L L L L L L L L L L L L L L L L L L F ok ok ok ok F ok F",
    "POST /wohnungen/{vacancy_id}/zurueckziehen": "L L L L L L L L L L L L L L L L L L N F F F F ok F F",
    "PUT /api/v1/vacancies/by-external-id/{external_id}": "L F F F F F F F F F ok F F F F F F L L L L L L L L L",
}


def expected(key: str, actor: str) -> str:
    return EXPECTED[key].split()[ACTORS.index(actor)]
