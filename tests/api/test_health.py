from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from api.app import create_app
from matching.config import DatabaseSettings, Settings

pytestmark = pytest.mark.anyio


async def test_health_and_ready(client: Any) -> None:
    assert (await client.get("/health")).json() == {"status": "ok"}
    assert (await client.get("/ready")).json() == {"status": "ready"}


async def test_ready_answers_503_when_the_database_is_unreachable(settings: Settings) -> None:
    broken = replace(
        settings,
        database=DatabaseSettings(url="postgresql+asyncpg://nobody@127.0.0.1:1/none"),
    )
    async with AsyncTestClient(app=create_app(broken)) as client:
        response = await client.get("/ready")
    assert response.status_code == 503
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_openapi_schema_is_served(client: Any) -> None:
    response = await client.get("/schema")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/households" in paths and "/api/v1/vacancies/{vacancy_id}" in paths


async def test_security_headers_on_every_response(client: Any) -> None:
    for path in ("/login", "/health", "/api/v1/vacancies", "/gibt-es-nicht"):
        response = await client.get(path)
        assert "script-src 'self'" in response.headers["content-security-policy"]
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"
