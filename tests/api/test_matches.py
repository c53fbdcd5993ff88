"""Ranking API and pages: shapes, access by role and key, 422s, allocation, start-up check."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from scoring import PolicyError
from tests.conftest import login
from tests.matching.ranking.ranking_support import add_household, add_vacancy
from tests.support.world import PASSWORD

pytestmark = pytest.mark.anyio


def _key(world: Any, name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.keys[name]}"}


async def test_vacancy_matches_shape(client: Any, world: Any, session: Any) -> None:
    await add_household(session, world.orgs["counseling_a"].id, "HH-2026-30001", adults=6)
    response = await client.get(
        f"/api/v1/vacancies/{world.vacancies['a'].id}/matches",
        headers=_key(world, "counseling_a:households:read"),
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {
        "vacancy_id",
        "policy",
        "reference_date",
        "scope",
        "eligible_count",
        "limit",
        "offset",
        "items",
        "funnel",
        "warnings",
        "acceptance_note",
    }
    assert body["policy"]["name"] == "dringlichkeit" and body["policy"]["version"]
    # no model trained yet: the chance is null, with the reason
    assert body["acceptance_note"].startswith("noch zu wenig Erfahrung")
    assert all(i["acceptance"] is None for i in body["items"])
    assert body["scope"] == "organisation"
    assert [i["reference_code"] for i in body["items"]] == [world.households["a"].reference_code]
    item = body["items"][0]
    assert item["household_id"] == world.households["a"].id
    assert round(sum(c["points"] for c in item["components"]), 2) == item["total"]
    assert {c["component"] for c in item["components"]} == {
        "urgency",
        "waiting",
        "size_fit",
        "location",
        "affordability",
    }
    assert all(c["reason"] for c in item["components"])
    funnel = body["funnel"]
    assert (funnel["total"], funnel["eligible"], funnel["excluded"]) == (2, 1, 1)
    steps = {s["rule"]: s["excluded"] for s in funnel["steps"]}
    assert steps["HOUSEHOLD_TOO_LARGE"] == 1
    assert funnel["summary"].startswith("1 Haushalt ausgeschlossen")
    assert body["warnings"][0]["code"] == "RENT_LIMITS_EXAMPLE"
    assert "Erika" not in response.text  # no personal data in rankings


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("counseling_b:households:read", 200),
        ("counseling_a:vacancies:read", 403),
        ("landlord_a:households:read", 404),
        ("landlord_a:all", 404),
        (None, 401),
    ],
)
async def test_vacancy_matches_access(
    client: Any, world: Any, key: str | None, expected: int
) -> None:
    headers = _key(world, key) if key else {}
    response = await client.get(
        f"/api/v1/vacancies/{world.vacancies['a'].id}/matches", headers=headers
    )
    assert response.status_code == expected, response.text
    if expected == 200:
        codes = [i["reference_code"] for i in response.json()["items"]]
        assert codes == [world.households["b"].reference_code]


@pytest.mark.parametrize(
    ("query", "field"),
    [("limit=0", "limit"), ("limit=201", "limit"), ("offset=-1", "offset")],
)
async def test_bad_paging_answers_422(client: Any, world: Any, query: str, field: str) -> None:
    response = await client.get(
        f"/api/v1/vacancies/{world.vacancies['a'].id}/matches?{query}",
        headers=_key(world, "counseling_a:households:read"),
    )
    assert response.status_code == 422
    assert field in [e["field"] for e in response.json()["errors"]]


async def test_unknown_policy_answers_422_listing_the_available(client: Any, world: Any) -> None:
    response = await client.get(
        f"/api/v1/vacancies/{world.vacancies['a'].id}/matches?policy=gibtsnicht",
        headers=_key(world, "counseling_a:households:read"),
    )
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    error = response.json()["errors"][0]
    assert error["field"] == "policy"
    for name in ("dringlichkeit", "wartezeit", "passgenauigkeit"):
        assert name in error["message"]


async def test_other_policy_is_recorded(client: Any, world: Any) -> None:
    response = await client.get(
        f"/api/v1/vacancies/{world.vacancies['a'].id}/matches?policy=wartezeit&limit=1",
        headers=_key(world, "counseling_a:households:read"),
    )
    assert response.status_code == 200
    assert response.json()["policy"]["name"] == "wartezeit"
    assert response.json()["limit"] == 1


async def test_vacancy_without_floor_answers_422(client: Any, world: Any, session: Any) -> None:
    vacancy = await add_vacancy(session, world.orgs["landlord_a"].id, floor=None, external_id="NF")
    response = await client.get(
        f"/api/v1/vacancies/{vacancy.id}/matches",
        headers=_key(world, "counseling_a:households:read"),
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["floor"]


async def test_household_matches_and_pair(client: Any, world: Any, session: Any) -> None:
    large = await add_household(session, world.orgs["counseling_a"].id, "HH-2026-30002", adults=6)
    headers = _key(world, "counseling_a:households:read")
    response = await client.get(
        f"/api/v1/households/{world.households['a'].id}/matches", headers=headers
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["reference_code"] == world.households["a"].reference_code
    assert {i["vacancy_id"] for i in body["items"]} == {v.id for v in world.vacancies.values()}
    assert body["items"][0]["town"] == "Minden"
    other = await client.get(
        f"/api/v1/households/{world.households['b'].id}/matches", headers=headers
    )
    assert other.status_code == 404
    pair = await client.get(
        f"/api/v1/vacancies/{world.vacancies['a'].id}/matches/{large.id}", headers=headers
    )
    assert pair.status_code == 200
    explained = pair.json()
    assert explained["eligible"] is False and explained["total"] is None
    assert explained["exclusions"][0]["code"] == "HOUSEHOLD_TOO_LARGE"
    assert "6 Personen" in explained["exclusions"][0]["text"]
    assert explained["policy"]["name"] == "dringlichkeit"
    foreign = await client.get(
        f"/api/v1/vacancies/{world.vacancies['a'].id}/matches/{world.households['b'].id}",
        headers=headers,
    )
    assert foreign.status_code == 404


async def test_a_change_shows_in_the_next_ranking(client: Any, world: Any) -> None:
    headers = _key(world, "counseling_a:households:write")
    read = _key(world, "counseling_a:households:read")
    url = f"/api/v1/vacancies/{world.vacancies['a'].id}/matches"
    before = (await client.get(url, headers=read)).json()["items"][0]
    household = (
        await client.get(
            f"/api/v1/households/{world.households['a'].id}",
            headers=_key(world, "counseling_a:households:read"),
        )
    ).json()
    changed = await client.patch(
        f"/api/v1/households/{world.households['a'].id}",
        json={
            "urgency": "homeless",
            "homeless_since": "2025-01-01",
            "version": household["version"],
        },
        headers=headers,
    )
    assert changed.status_code == 200, changed.text
    after = (await client.get(url, headers=read)).json()["items"][0]
    assert after["urgency"] == "homeless" and after["total"] > before["total"]


# ------------------------------------------------------------------------------- pages


async def test_vacancy_page_shows_the_ranking(client: Any, world: Any, session: Any) -> None:
    await add_household(session, world.orgs["counseling_a"].id, "HH-2026-30003", adults=6)
    await login(client, world.email("counselor_a"), PASSWORD)
    response = await client.get(f"/wohnungen/{world.vacancies['a'].id}")
    assert response.status_code == 200
    page = response.text
    assert "Passende Haushalte" in page
    assert world.households["a"].reference_code in page
    assert world.households["b"].reference_code not in page
    assert "1 Haushalt ausgeschlossen: 1 Haushalt zu groß für die Wohnung" in page
    assert "Warum?" in page and 'class="stack"' in page  # one stacked bar per row
    assert "Beispielwerte – nicht amtlich" in page
    assert f'href="/haushalte/{world.households["a"].id}"' in page
    partial = await client.get(
        f"/wohnungen/{world.vacancies['a'].id}/rangliste?policy=passgenauigkeit",
        headers={"HX-Request": "true"},
    )
    assert partial.status_code == 200
    assert "<html" not in partial.text and "passgenauigkeit" in partial.text


async def test_vacancy_page_names_the_missing_field(client: Any, world: Any, session: Any) -> None:
    vacancy = await add_vacancy(session, world.orgs["landlord_a"].id, floor=None, external_id="NF")
    await login(client, world.email("counselor_a"), PASSWORD)
    response = await client.get(f"/wohnungen/{vacancy.id}")
    assert response.status_code == 200
    assert "Stockwerk: Das Stockwerk fehlt" in response.text
    partial = await client.get(f"/wohnungen/{vacancy.id}/rangliste")
    assert partial.status_code == 422


@pytest.mark.parametrize(
    ("who", "path", "expected"),
    [
        ("counselor_a", "/haushalte/{ha}/wohnungen", 200),
        ("counselor_a", "/haushalte/{hb}/wohnungen", 404),
        ("admin", "/haushalte/{hb}/wohnungen", 200),
        ("landlord_a", "/haushalte/{ha}/wohnungen", 403),
        ("counselor_a", "/wohnungen/{va}/haushalte/{ha}/warum", 200),
        ("counselor_a", "/wohnungen/{va}/haushalte/{hb}/warum", 404),
        ("landlord_a", "/wohnungen/{va}/haushalte/{ha}/warum", 403),
        ("landlord_a", "/wohnungen/{va}/rangliste", 403),
        ("counselor_a", "/admin/zuteilung", 403),
        ("admin", "/admin/zuteilung", 200),
        ("admin", "/admin/zuteilung/berechnen", 200),
    ],
)
async def test_page_access(client: Any, world: Any, who: str, path: str, expected: int) -> None:
    await login(client, world.email(who), PASSWORD)
    url = path.format(
        ha=world.households["a"].id,
        hb=world.households["b"].id,
        va=world.vacancies["a"].id,
    )
    response = await client.get(url, follow_redirects=False)
    assert response.status_code == expected, (who, url, response.status_code)
    assert "Erika Mustermann" not in response.text


async def test_household_page_and_pair_page(client: Any, world: Any, session: Any) -> None:
    large = await add_household(session, world.orgs["counseling_a"].id, "HH-2026-30004", adults=6)
    await login(client, world.email("counselor_a"), PASSWORD)
    page = await client.get(f"/haushalte/{world.households['a'].id}/wohnungen")
    assert "Passende Wohnungen" in page.text and "2-Zimmer-Wohnung" in page.text
    assert "Minden" in page.text
    why_not = await client.get(f"/wohnungen/{world.vacancies['a'].id}/haushalte/{large.id}/warum")
    assert why_not.status_code == 200
    assert "Warum passt HH-2026-30004 nicht zu" in why_not.text  # German word order
    assert "Haushalt zu groß" in why_not.text
    assert "6 Personen" in why_not.text
    why = await client.get(
        f"/wohnungen/{world.vacancies['a'].id}/haushalte/{world.households['a'].id}/warum"
    )
    assert "von 100 Punkten" in why.text and "Dringlichkeit" in why.text
    detail = await client.get(f"/haushalte/{world.households['a'].id}")
    assert f"/haushalte/{world.households['a'].id}/wohnungen" in detail.text


async def test_allocation_page_renders(client: Any, world: Any, session: Any) -> None:
    await add_vacancy(
        session,
        world.orgs["landlord_b"].id,
        living_area=Decimal("120"),
        rooms=Decimal("5"),
        net_cold_rent=Decimal("900"),
        external_id="BIG",
    )
    await login(client, world.email("admin"), PASSWORD)
    page = await client.get("/admin/zuteilung")
    assert page.status_code == 200
    assert "Zuteilung berechnen" in page.text and 'hx-get="/admin/zuteilung/berechnen"' in page.text
    assert 'href="/admin/zuteilung"' in page.text  # the navigation link
    running = await client.get("/admin/zuteilung/berechnen?policy=dringlichkeit")
    assert "<progress" in running.text and 'hx-trigger="load"' in running.text
    result = await client.get("/admin/zuteilung/ergebnis", headers={"HX-Request": "true"})
    assert result.status_code == 200
    assert "kein passender Haushalt" in result.text  # the big flat: too dear for everyone
    assert world.households["a"].reference_code in result.text
    full = await client.get("/admin/zuteilung?berechnen=1&policy=wartezeit")
    assert full.status_code == 200 and "wartezeit" in full.text and "zugeordnet" in full.text


async def test_broken_policy_stops_the_app(settings: Any, tmp_path: Path) -> None:
    from api.app import create_app

    source = Path(__file__).parents[2] / "scoring" / "policies" / "dringlichkeit.toml"
    broken = tmp_path / "kaputt.toml"
    broken.write_text(
        source.read_text("utf-8").replace("decay_km = 10.0", "decay_km = -1"), "utf-8"
    )
    bad = replace(settings, matching=replace(settings.matching, default_policy=str(broken)))
    with pytest.raises(PolicyError, match=r"location\.decay_km"):
        create_app(bad)
    unknown = replace(settings, matching=replace(settings.matching, default_policy="gibtsnicht"))
    with pytest.raises(PolicyError, match="dringlichkeit"):
        create_app(unknown)
