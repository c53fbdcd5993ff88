"""Hostile strings in every text field are shown inert on every page (autoescaping).

Stores script tags, attribute breakouts and template syntax in every free-text field the
app keeps, then renders every GET page of the route table as each role and checks that
none of it arrives as markup and no template expression was evaluated.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
from litestar.testing import AsyncTestClient

from matching.config import DatabaseSettings
from matching.db.engine import make_engine, make_session_factory
from matching.db.models import Consent, Household, ImportJob, Organisation, Proposal, User, Vacancy
from tests.support.apps import sqlite_app_settings
from tests.support.routes import route_cases
from tests.support.scene import build_scene
from tests.support.world import PASSWORD

SCRIPT = '<script>alert("xss")</script>'
BREAKOUT = '"><img src=x onerror=alert(1)>'
TEMPLATE = "{{7*7}}{% print 7*7 %}"
HOSTILE = f"Canary {SCRIPT} {BREAKOUT} {TEMPLATE}"
RAW_MARKERS = ("<script>alert", "<img src=x", "onerror=alert(1)>")


async def _poison(url: str) -> None:
    engine = make_engine(DatabaseSettings(url=url))
    async with make_session_factory(engine)() as session:
        for household in (await session.scalars(sa.select(Household))).all():
            household.name = HOSTILE
            household.phone = HOSTILE[:50]
            household.email = HOSTILE
            household.notes = HOSTILE
        for vacancy in (await session.scalars(sa.select(Vacancy))).all():
            vacancy.title = HOSTILE[:200]
            vacancy.street = HOSTILE[:200]
            vacancy.house_number = "5<b>"
            vacancy.description = HOSTILE
        for org in (await session.scalars(sa.select(Organisation))).all():
            org.name = f"{org.name} {SCRIPT}"[:200]
        for user in (await session.scalars(sa.select(User))).all():
            user.name = HOSTILE[:200]
        for consent in (await session.scalars(sa.select(Consent))).all():
            consent.form_reference = HOSTILE[:200]
        for proposal in (await session.scalars(sa.select(Proposal))).all():
            proposal.decline_text = HOSTILE
        for job in (await session.scalars(sa.select(ImportJob))).all():
            job.filename = HOSTILE[:255]
        await session.commit()
    await engine.dispose()


async def _render_all(app: Any, url: str) -> dict[str, str]:
    scene = await build_scene(url)
    await _poison(url)
    pages: dict[str, str] = {}
    cases = [
        c
        for c in route_cases(app)
        if c.method == "GET" and not c.template.startswith(("/api/", "/static", "/schema", "/l/"))
    ]
    async with AsyncTestClient(app=app):
        for who in ("counselor_a", "landlord_a", "admin"):
            async with httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://testserver.local"
            ) as client:
                await client.get("/login")
                await client.post(
                    "/login",
                    data={"email": f"{who.replace('_', '.')}@example.org", "password": PASSWORD},
                    headers={"x-csrftoken": client.cookies.get("tueroeffner_csrf") or ""},
                )
                for case in cases:
                    response = await client.get(case.fill(scene.values), follow_redirects=True)
                    if response.headers.get("content-type", "").startswith("text/html"):
                        pages[f"{who} {case.key}"] = response.text
    return pages


def test_hostile_strings_are_inert_on_every_page(tmp_path: Path) -> None:
    url, _db_file, settings = sqlite_app_settings(tmp_path, "hostile")
    from api.app import create_app

    app = create_app(settings)
    pages = asyncio.run(_render_all(app, url))
    assert len(pages) > 30
    shown = [key for key, html in pages.items() if "Canary" in html]
    print(f"\nhostile input: {len(pages)} pages rendered, {len(shown)} show the hostile values")
    assert len(shown) > 10, "the hostile values should appear (escaped) on many pages"
    for key, html in pages.items():
        for marker in RAW_MARKERS:
            assert marker not in html, f"{key}: unescaped {marker!r}"
        if "Canary" in html:
            assert "{{7*7}}" in html or "{{7*7}}".replace("{", "&#123;") in html, key
            assert "Canary &lt;script&gt;" in html or "Canary" not in html, key
    escaped = [key for key, html in pages.items() if "&lt;script&gt;alert" in html]
    assert escaped
