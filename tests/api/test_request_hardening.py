"""Hostile request shapes: ids beyond 64 bits, broken JSON, no-store and unmatched paths.

Route-wide checks enumerate Litestar's route table, so a route added later is covered too.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from matching import clock
from tests.conftest import csrf_headers, login
from tests.support.routes import route_cases
from tests.support.world import PASSWORD

pytestmark = pytest.mark.anyio

HUGE_IDS = (2**63, 2**64 + 7, 10**30)


def bearer(world: Any, key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.keys[key]}"}


async def _as_every_kind(client: Any, world: Any, method: str, path: str) -> list[int]:
    """The statuses for an admin session and landlord/counselling keys with every scope."""
    statuses = []
    for key in ("landlord_a:all", "counseling_a:all"):
        if path.startswith("/api/"):
            answer = await client.request(method, path, headers=bearer(world, key), json={})
            statuses.append(answer.status_code)
    headers = csrf_headers(client)
    answer = await client.request(method, path, headers=headers, data={})
    statuses.append(answer.status_code)
    return statuses


def _int_params(app: Any) -> dict[str, set[str]]:
    """Template -> names of its integer path parameters, from Litestar's route table."""
    import re

    from litestar.routes import HTTPRoute

    found: dict[str, set[str]] = {}
    for route in app.routes:
        if isinstance(route, HTTPRoute):
            template = re.sub(r"\{(\w+):[^}]*\}", r"{\1}", route.path_format)
            found[template] = set(re.findall(r"\{(\w+):int\}", route.path))
    return found


async def test_ids_beyond_64_bits_never_fail_on_any_route(
    app: Any, client: Any, world: Any
) -> None:
    await login(client, "admin@example.org", PASSWORD)
    int_params = _int_params(app)
    checked = 0
    for case in route_cases(app):
        ints = int_params.get(case.template, set())
        if not ints:
            continue
        for huge in HUGE_IDS:
            values = {**dict.fromkeys(case.params(), "x"), **dict.fromkeys(ints, huge)}
            path = case.fill(values)
            for status in await _as_every_kind(client, world, case.method, path):
                assert status in (400, 404, 422), (case.key, huge, status)
            checked += 1
    assert checked >= 3 * 40  # every id route of the app, not a handful


async def test_malformed_json_answers_400_in_german(client: Any, world: Any) -> None:
    bodies = {
        "truncated": b'{"title": ',
        "nested": b"[" * 10_000 + b"]" * 10_000,
        "nested objects": b'{"a":' * 5_000 + b"1" + b"}" * 5_000,
        "invalid utf-8": b'{"title": "\xff\xfe\xc3"}',
        "nul": b'{"title": "a\x00b"',
    }
    headers = {**bearer(world, "landlord_a:all"), "Content-Type": "application/json"}
    for name, body in bodies.items():
        for method, path in (
            ("POST", "/api/v1/vacancies"),
            ("PATCH", f"/api/v1/vacancies/{world.vacancies['a'].id}"),
            ("PUT", "/api/v1/vacancies/by-external-id/EXT-a"),
        ):
            answer = await client.request(method, path, content=body, headers=headers)
            assert answer.status_code == 400, (name, path, answer.status_code, answer.text)
            assert answer.headers["content-type"].startswith("application/problem+json")
            problem = answer.json()
            assert problem["status"] == 400
            assert "JSON" in problem["detail"] and "malformed" not in problem["detail"]
            assert problem["title"] == "Ungültige Anfrage"


async def test_every_non_static_response_is_no_store(app: Any, client: Any, world: Any) -> None:
    await login(client, "admin@example.org", PASSWORD)
    values = {
        "household_id": world.households["a"].id,
        "vacancy_id": world.vacancies["a"].id,
        "external_id": "EXT-a",
        "token": "x",
        "path": "openapi.json",
        "file_path": "app.css",
    }
    for case in route_cases(app):
        if case.method != "GET":
            continue
        path = case.fill(
            {
                **values,
                **dict.fromkeys(case.params(), 1),
                **{k: v for k, v in values.items() if k in case.params()},
            }
        )
        for headers in ({}, bearer(world, "counseling_a:all")):
            answer = await client.get(path, headers=headers)
            cache = answer.headers.get("cache-control", "")
            if case.template.startswith("/static/"):
                assert "no-store" not in cache
            else:
                assert cache == "no-store", (case.key, answer.status_code, cache)
    unknown = await client.get("/haushalte/1/Max%20Mustermann")
    assert unknown.headers["cache-control"] == "no-store"


async def test_unmatched_paths_are_logged_redacted(
    client: Any, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="api.request"):
        for path in ("/l/geheimes-token-123/x", "/haushalte/2001/Max%20Mustermann", "/x?y=z"):
            answer = await client.get(path)
            assert answer.status_code == 404
    logged = [getattr(r, "path", "") for r in caplog.records if r.name == "api.request"]
    assert logged
    text = json.dumps(logged)
    for secret in ("geheimes-token", "Mustermann", "2001", "y=z"):
        assert secret not in text, logged


async def test_header_text_is_validated_at_input(client: Any, world: Any) -> None:
    """CR/LF, NUL and query tricks never get stored in e-mail or header fields."""
    headers = bearer(world, "counseling_a:all")
    base = {"adults": 1, "income_basis": "sgb2", "urgency": "homeless"}
    for field, value in (
        ("email", "a@b.example\r\nBcc: x@evil.example"),
        ("email", "x@y.example?bcc=v@example.net&body=x"),
        ("email", "not-an-email"),
        ("email", "a\x00@b.example"),
        ("phone", "0571\r\n123"),
        ("name", "Max\r\nBcc: x@evil.example"),
    ):
        created = await client.post(
            "/api/v1/households", json={**base, field: value}, headers=headers
        )
        assert created.status_code == 422, (field, value, created.text)
        assert [e["field"] for e in created.json()["errors"]] == [field]
        patched = await client.patch(
            f"/api/v1/households/{world.households['a'].id}", json={field: value}, headers=headers
        )
        assert patched.status_code == 422, (field, value, patched.text)
    landlord = bearer(world, "landlord_a:all")
    vacancy = {
        "postal_code": "32423",
        "rooms": 2,
        "living_area": 54.5,
        "net_cold_rent": 330,
        "cold_service_charges": 110,
        "floor": 1,
        "available_from": clock.today().isoformat(),
        "title": "Wohnung\r\nBcc: x@evil.example",
    }
    put = await client.put("/api/v1/vacancies/by-external-id/T-1", json=vacancy, headers=landlord)
    assert put.status_code == 422 and put.json()["errors"][0]["field"] == "title"
    patch = await client.patch(
        f"/api/v1/vacancies/{world.vacancies['a'].id}",
        json={"title": "A\nB"},
        headers=landlord,
    )
    assert patch.status_code == 422 and patch.json()["errors"][0]["field"] == "title"


async def test_duplicate_external_id_on_patch_is_a_named_conflict(client: Any, world: Any) -> None:
    headers = bearer(world, "landlord_a:all")
    other = await client.post(
        "/api/v1/vacancies",
        json={
            "postal_code": "32423",
            "rooms": 2,
            "living_area": 54.5,
            "net_cold_rent": 330,
            "cold_service_charges": 110,
            "floor": 1,
            "available_from": clock.today().isoformat(),
            "external_id": "EXT-other",
        },
        headers=headers,
    )
    assert other.status_code == 201, other.text
    answer = await client.patch(
        f"/api/v1/vacancies/{other.json()['id']}", json={"external_id": "EXT-a"}, headers=headers
    )
    assert answer.status_code in (409, 422), answer.text
    assert "retry-after" not in answer.headers
    assert [e["field"] for e in answer.json()["errors"]] == ["external_id"]


def test_integrity_errors_are_conflicts_naming_the_field_never_outages() -> None:
    from sqlalchemy.exc import IntegrityError

    from api.errors import _classify

    sqlite = IntegrityError(
        "UPDATE vacancies", {}, Exception("UNIQUE constraint failed: vacancies.external_id")
    )
    for exc in (sqlite, IntegrityError("x", {}, Exception("something else"))):
        problem = _classify(None, exc)  # type: ignore[arg-type]
        assert problem.status_code == 409
        assert problem.headers is None or "Retry-After" not in problem.headers
    assert _classify(None, sqlite).extra["errors"][0]["field"] == "external_id"  # type: ignore[arg-type,index]


def test_policy_enum_matches_the_shipped_policies() -> None:
    from api.controllers.matches import PolicyName
    from scoring.policy import available_policies

    assert sorted(p.value for p in PolicyName) == sorted(available_policies())


async def test_null_is_no_filter_value_on_any_list(app: Any, client: Any, world: Any) -> None:
    """``?status=null`` listed everything as if unfiltered (Litestar reads the text "null" as
    no value): every non-text query parameter of every JSON list refuses it, naming it."""
    document = app.openapi_schema.to_schema()
    checked = 0
    for path, operations in document["paths"].items():
        get = operations.get("get")
        if not path.startswith("/api/") or "{" in path or get is None:
            continue
        for parameter in get.get("parameters", []):
            if parameter["in"] != "query":
                continue
            schema = parameter["schema"]
            types = [schema.get("type")] + [b.get("type") for b in schema.get("oneOf", [])]
            response = await client.get(
                f"{path}?{parameter['name']}=null", headers=bearer(world, "counseling_a:all")
            )
            if "string" in types and not schema.get("format"):
                assert response.status_code != 500, (path, parameter["name"])
                continue  # plain text: "null" is a text like any other
            assert response.status_code == 422, (path, parameter["name"], response.text)
            fields = [e["field"] for e in response.json()["errors"]]
            assert fields == [parameter["name"]], (path, fields)
            checked += 1
    assert checked >= 10  # statuses, kinds, urgencies, numbers, dates, limits and offsets
