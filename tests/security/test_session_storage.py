"""Sessions are stored only when they hold data, expire from the store, and are bound to
their CSRF token; a link session ends the moment its link or proposal does (issue 12)."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from litestar.stores.file import FileStore
from litestar.testing import AsyncTestClient

from api.app import create_app
from api.auth import sweep_expired_sessions
from matching.db.models import ProposalToken
from tests.conftest import csrf_headers, login
from tests.support.world import PASSWORD

pytestmark = pytest.mark.anyio


def _stored(directory: Path) -> list[Path]:
    return [p for p in directory.rglob("*") if p.is_file()] if directory.exists() else []


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
async def test_anonymous_requests_store_no_session(settings: Any, world: Any) -> None:
    file_settings = replace(settings, security=replace(settings.security, session_store="file"))
    app = create_app(file_settings)
    directory = Path(file_settings.var_dir) / "sessions"
    paths = ["/health", "/static/app.css", "/api/v1/vacancies", "/login", "/l/x", "/nirgends"]
    async with AsyncTestClient(app=app, base_url="http://testserver.local") as client:
        for i in range(1000):
            client.cookies.clear()
            answer = await client.get(paths[i % len(paths)])
            assert answer.status_code < 500
            assert "tueroeffner_session" not in answer.headers.get("set-cookie", "")
        assert _stored(directory) == []
        await login(client, world.email("counselor_a"), PASSWORD)
        assert len(_stored(directory)) == 1  # a login holds data: stored
        await client.post("/logout", headers=csrf_headers(client))
        assert _stored(directory) == []  # and removed again at logout


async def test_expired_sessions_are_swept(tmp_path: Path) -> None:
    store = FileStore(tmp_path / "sessions", create_directories=True)
    await store.set("old", b"{}", expires_in=1)
    await store.set("fresh", b"{}", expires_in=3600)
    await asyncio.sleep(1.1)
    await sweep_expired_sessions(store)
    assert await store.exists("fresh") and not (tmp_path / "sessions" / "old").exists()
    assert len(_stored(tmp_path / "sessions")) == 1


async def test_csrf_token_of_an_anonymous_visit_is_refused_after_login(
    client: Any, world: Any
) -> None:
    await client.get("/login")
    planted = client.cookies.get("tueroeffner_csrf")
    await login(client, world.email("counselor_a"), PASSWORD)
    own = client.cookies.get("tueroeffner_csrf")
    assert own and own != planted
    client.cookies.set("tueroeffner_csrf", planted)
    refused = await client.post("/logout", headers={"x-csrftoken": planted})
    assert refused.status_code == 403
    client.cookies.set("tueroeffner_csrf", own)
    assert (await client.get("/haushalte/")).status_code == 200  # still signed in
    done = await client.post("/logout", headers={"x-csrftoken": own}, follow_redirects=False)
    assert done.status_code in (302, 303)


async def test_link_session_ends_when_the_link_is_revoked(settings: Any, session: Any) -> None:
    from tests.support.scene import build_scene

    scene = await build_scene(settings.database.url)
    app = create_app(settings)
    proposal_id = scene.values["proposal_id"]
    async with AsyncTestClient(app=app, base_url="http://testserver.local") as client:
        opened = await client.get(f"/l/{scene.token}", follow_redirects=True)
        assert opened.status_code == 200
        page = f"/vermieter/vorschlaege/{proposal_id}"
        assert (await client.get(page)).status_code == 200
        await session.execute(sa.update(ProposalToken).values(revoked_at=sa.func.now()))
        await session.commit()
        again = await client.get(page, follow_redirects=False)
        assert again.status_code in (302, 303, 401, 404), again.status_code
