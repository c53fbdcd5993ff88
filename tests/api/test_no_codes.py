"""Every page for every role speaks German: no code, enum value, id literal or raw timestamp
(and no element id twice on a page, so every label and error link reaches its field).

The walk starts at each role's start page and at every known GET route (filled with the
scene's objects), follows the links it finds and reads the visible text of each HTML page.
Pages of the same shape (ids replaced) are read at most twice, so the walk stays quick.
"""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
from litestar.testing import AsyncTestClient

from matching.config import Settings
from tests.support.apps import sqlite_app_settings
from tests.support.crawl import code_like, duplicate_ids, read_page, same_site
from tests.support.routes import route_cases
from tests.support.scene import Scene, build_scene
from tests.support.world import PASSWORD

ROLES = ("admin", "counselor_a", "counselor_b", "landlord_a", "landlord_b", "link")
BASE = "http://testserver.local"
MAX_PAGES = 400


async def _client(app: Any, role: str, scene: Scene) -> httpx.AsyncClient:
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE)
    await client.get("/login")
    if role == "link":
        response = await client.get(f"/l/{scene.token}", follow_redirects=True)
    else:
        response = await client.post(
            "/login",
            data={"email": f"{role.replace('_', '.')}@example.org", "password": PASSWORD},
            headers={"x-csrftoken": client.cookies.get("tueroeffner_csrf") or ""},
            follow_redirects=True,
        )
    assert response.status_code == 200, (role, response.status_code)
    return client


def _shape(path: str) -> str:
    return re.sub(r"\d+", "N", path)


async def _walk(client: httpx.AsyncClient, starts: list[str]) -> dict[str, list[str]]:
    """Path -> code-looking pieces of its visible text, for every page reached."""
    findings: dict[str, list[str]] = {}
    queue = list(starts)
    seen: set[str] = set()
    shapes: Counter[str] = Counter()
    while queue and len(seen) < MAX_PAGES:
        path = queue.pop(0)
        if path in seen or shapes[_shape(path)] >= 2:
            continue
        seen.add(path)
        shapes[_shape(path)] += 1
        response = await client.get(path, follow_redirects=True)
        if response.status_code >= 500:
            findings[path] = [f"Serverfehler {response.status_code}"]
            continue
        if "text/html" not in response.headers.get("content-type", ""):
            continue
        text, links = read_page(response.text)
        codes = [c for piece in text for c in code_like(piece)]
        codes += [f"doppelte id {i}" for i in duplicate_ids(response.text)]
        if codes:
            findings[path] = codes
        queue.extend(t for href in links if (t := same_site(BASE + path, href)) not in seen and t)
    return findings


async def _run(settings: Settings, url: str) -> dict[str, dict[str, list[str]]]:
    from api.app import create_app

    app = create_app(settings)
    known = [
        c
        for c in route_cases(app)
        if c.method == "GET" and same_site(BASE, c.template) and not c.template.startswith("/l/")
    ]
    async with AsyncTestClient(app=app):
        scene = await build_scene(url)
        result: dict[str, dict[str, list[str]]] = {}
        for role in ROLES:
            client = await _client(app, role, scene)
            starts = ["/", *(c.fill(scene.values) for c in known)]
            if role == "link":
                starts = [f"/vermieter/vorschlaege/{scene.values['proposal_id']}"]
            result[role] = await _walk(client, starts)
            await client.aclose()
    return result


def test_no_page_shows_a_code(tmp_path: Path) -> None:
    url, _db_file, settings = sqlite_app_settings(tmp_path, "walk")
    findings = asyncio.run(_run(settings, url))
    problems = [
        f"{role} {path}: {sorted(set(codes))}"
        for role, pages in findings.items()
        for path, codes in pages.items()
    ]
    assert not problems, "code-looking text on pages:\n" + "\n".join(problems)


def test_the_filter_catches_codes_and_spares_german() -> None:
    assert code_like("Grund: RENT_ABOVE_LIMIT") == ["RENT_ABOVE_LIMIT"]
    assert code_like("reason_code: None; has_text: False") != []
    assert code_like("Stand 2026-11-30T23:40:23") != []
    assert code_like("Gewichtung dringlichkeit (Standard)") == ["dringlichkeit"]
    assert code_like("proposal.send") == ["proposal.send"]
    assert code_like("Status: Entwurf → gesendet, am 30.11.2026 um 12:00") == []
    assert code_like("Kontakt: vermietung@mindener-wohnungsbau.example") == []
