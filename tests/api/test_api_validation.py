"""Bad input to the JSON API: 422 problem details naming every field, nothing stored."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from matching.db.models import Household, Vacancy

pytestmark = pytest.mark.anyio


def bearer(world: Any, key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.keys[key]}"}


GOOD_VACANCY = {
    "postal_code": "32423",
    "rooms": 2,
    "living_area": 54.5,
    "floor": 1,
    "net_cold_rent": 330,
    "cold_service_charges": 110,
    "available_from": "2026-12-01",
}


async def test_valid_vacancy_is_created_with_location_from_postal_code(
    client: Any, world: Any
) -> None:
    response = await client.post(
        "/api/v1/vacancies", json=GOOD_VACANCY, headers=bearer(world, "landlord_a:all")
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["municipality_ags"] == "05770024"
    assert body["lat"] == pytest.approx(52.2883)
    assert body["organisation_id"] == world.orgs["landlord_a"].id


@pytest.mark.parametrize(
    ("patch", "fields"),
    [
        ({"net_cold_rent": -5, "rooms": 0}, {"net_cold_rent", "rooms"}),
        (
            {"available_from": "31.02.2026", "living_area": "viel"},
            {"available_from", "living_area"},
        ),
        ({"postal_code": "97084"}, {"postal_code"}),
        ({"title": "x" * 201, "description": "y" * 5001}, {"title", "description"}),
        ({"rooms": 2.3}, {"rooms"}),
        ({"min_persons": 4, "max_persons": 2}, {"max_persons"}),
        ({"municipality_ags": "05770004"}, {"municipality_ags"}),
        ({"unknown_field": 1}, {"unknown_field"}),
    ],
)
async def test_bad_vacancy_is_rejected_naming_each_field(
    client: Any, world: Any, session: Any, patch: dict[str, Any], fields: set[str]
) -> None:
    before = await session.scalar(sa.select(sa.func.count(Vacancy.id)))
    response = await client.post(
        "/api/v1/vacancies", json={**GOOD_VACANCY, **patch}, headers=bearer(world, "landlord_a:all")
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["status"] == 422 and problem["code"] == "validation"
    assert {e["field"] for e in problem["errors"]} >= fields
    assert all(e["message"] for e in problem["errors"])
    assert await session.scalar(sa.select(sa.func.count(Vacancy.id))) == before


async def test_missing_required_fields_are_all_named(client: Any, world: Any) -> None:
    response = await client.post(
        "/api/v1/vacancies", json={"title": "leer"}, headers=bearer(world, "landlord_a:all")
    )
    assert response.status_code == 422
    named = {e["field"] for e in response.json()["errors"]}
    assert named >= {"postal_code", "rooms", "living_area", "net_cold_rent", "available_from"}


async def test_body_that_is_not_json_is_a_clean_422(client: Any, world: Any) -> None:
    response = await client.post(
        "/api/v1/vacancies",
        content=b"{nicht json",
        headers={**bearer(world, "landlord_a:all"), "content-type": "application/json"},
    )
    assert response.status_code in (400, 422)
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_household_validation_and_creation(client: Any, world: Any, session: Any) -> None:
    headers = bearer(world, "counseling_a:all")
    bad = await client.post(
        "/api/v1/households",
        json={
            "adults": 0,
            "income_basis": "lottery",
            "urgency": "eviction_scheduled",
            "preferred_ags": ["05779999"],
            "children_ages": [3, 40],
        },
        headers=headers,
    )
    assert bad.status_code == 422
    named = {e["field"] for e in bad.json()["errors"]}
    assert named >= {"adults", "income_basis", "children_ages"}
    unknown_town = await client.post(
        "/api/v1/households",
        json={
            "adults": 1,
            "income_basis": "sgb2",
            "urgency": "homeless",
            "preferred_ags": ["05779999"],
        },
        headers=headers,
    )
    assert unknown_town.status_code == 422
    assert unknown_town.json()["errors"][0]["field"] == "preferred_ags"
    no_eviction_date = await client.post(
        "/api/v1/households",
        json={"adults": 1, "income_basis": "sgb2", "urgency": "eviction_scheduled"},
        headers=headers,
    )
    assert no_eviction_date.status_code == 422
    assert no_eviction_date.json()["errors"][0]["field"] == "eviction_date"
    count = await session.scalar(sa.select(sa.func.count(Household.id)))
    good = await client.post(
        "/api/v1/households",
        json={
            "adults": 2,
            "children_ages": [4, 9],
            "income_basis": "sgb2",
            "urgency": "homeless",
            "homeless_since": "2026-03-01",
            "preferred_ags": ["05770024"],
            "name": "Familie K.",
        },
        headers=headers,
    )
    assert good.status_code == 201, good.text
    body = good.json()
    assert body["persons"] == 4 and body["reference_code"].startswith("HH-")
    assert await session.scalar(sa.select(sa.func.count(Household.id))) == count + 1


async def test_patch_with_stale_version_is_a_conflict(client: Any, world: Any) -> None:
    hid = world.households["a"].id
    headers = bearer(world, "counseling_a:all")
    ok = await client.patch(
        f"/api/v1/households/{hid}", json={"version": 1, "adults": 2}, headers=headers
    )
    assert ok.status_code == 200 and ok.json()["version"] == 2
    stale = await client.patch(
        f"/api/v1/households/{hid}", json={"version": 1, "adults": 3}, headers=headers
    )
    assert stale.status_code == 409


async def test_pagination_and_filters(client: Any, world: Any) -> None:
    headers = bearer(world, "landlord_a:all")
    for i in range(3):
        await client.post(
            "/api/v1/vacancies", json={**GOOD_VACANCY, "external_id": f"P{i}"}, headers=headers
        )
    page = await client.get("/api/v1/vacancies?limit=2&offset=0", headers=headers)
    assert page.status_code == 200
    body = page.json()
    assert body["total"] == 4 and len(body["items"]) == 2
    bad = await client.get("/api/v1/vacancies?limit=0", headers=headers)
    assert bad.status_code in (400, 422)


async def test_household_created_closed_and_codes_never_reused(
    client: Any, world: Any, session: Any
) -> None:
    """Found by schemathesis: a household sent with a status crashed the create."""
    headers = bearer(world, "counseling_a:all")
    body = {"adults": 1, "income_basis": "sgb12", "urgency": "none", "status": "closed"}
    first = await client.post("/api/v1/households", json=body, headers=headers)
    assert first.status_code == 201, first.text
    assert first.json()["status"] == "closed"
    # An anonymised household gives up its code: the next one must still be new.
    await session.execute(
        sa.update(Household)
        .where(Household.id == first.json()["id"])
        .values(reference_code=f"ANON-{first.json()['id']}")
    )
    await session.commit()
    second = await client.post("/api/v1/households", json=body, headers=headers)
    third = await client.post("/api/v1/households", json=body, headers=headers)
    assert second.status_code == 201
    assert third.status_code == 201
    assert second.json()["reference_code"] != third.json()["reference_code"]
