"""Pages render for each role; forms keep the input and show German errors beside the field."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from matching.db.models import Household, Vacancy
from tests.conftest import csrf_headers, login
from tests.support.world import PASSWORD

pytestmark = pytest.mark.anyio


async def test_counselor_creates_a_household_through_the_form(
    client: Any, world: Any, session: Any
) -> None:
    await login(client, world.email("counselor_a"), PASSWORD)
    form = await client.get("/haushalte/neu")
    assert form.status_code == 200 and 'name="adults"' in form.text
    response = await client.post(
        "/haushalte/",
        data={
            "name": "Familie Canary",
            "adults": "2",
            "children_ages": "3, 7",
            "income_basis": "sgb2",
            "urgency": "homeless",
            "homeless_since": "01.03.2026",
            "preferred_ags": ["05770024", "05770020"],
            "needs_barrier_free": "on",
        },
        headers=csrf_headers(client),
    )
    assert response.status_code == 200
    assert "wurde angelegt" in response.text
    assert "Familie Canary" in response.text and "01.03.2026" in response.text
    household = await session.scalar(sa.select(Household).order_by(Household.id.desc()).limit(1))
    assert household.persons == 4 and household.needs_barrier_free
    assert household.preferred_ags == ["05770024", "05770020"]


async def test_form_errors_are_shown_beside_the_field_with_input_kept(
    client: Any, world: Any, session: Any
) -> None:
    await login(client, world.email("counselor_a"), PASSWORD)
    before = await session.scalar(sa.select(sa.func.count(Household.id)))
    response = await client.post(
        "/haushalte/",
        data={
            "name": "Behalten Bitte",
            "adults": "0",
            "children_ages": "drei",
            "income_basis": "",
            "urgency": "homeless",
            "homeless_since": "31.02.2026",
        },
        headers=csrf_headers(client),
    )
    assert response.status_code == 422
    text = response.text
    assert 'id="e-adults"' in text and "mindestens 1" in text
    assert "Dieses Feld ist erforderlich." in text  # income basis
    assert 'value="Behalten Bitte"' in text
    assert await session.scalar(sa.select(sa.func.count(Household.id))) == before


async def test_landlord_creates_and_edits_a_vacancy(client: Any, world: Any, session: Any) -> None:
    await login(client, world.email("landlord_a"), PASSWORD)
    bad = await client.post(
        "/wohnungen/",
        data={
            "postal_code": "97084",
            "rooms": "0",
            "living_area": "54,5",
            "net_cold_rent": "-1",
            "cold_service_charges": "80",
            "available_from": "01.12.2026",
        },
        headers=csrf_headers(client),
    )
    assert bad.status_code == 422
    assert 'id="e-rooms"' in bad.text and 'id="e-net_cold_rent"' in bad.text
    good = await client.post(
        "/wohnungen/",
        data={
            "title": "Helle 2-Zimmer-Wohnung",
            "postal_code": "32423",
            "rooms": "2",
            "living_area": "54,5",
            "floor": "0",
            "net_cold_rent": "389,50",
            "cold_service_charges": "95",
            "available_from": "01.12.2026",
            "pets": "no",
            "lift": "on",
        },
        headers=csrf_headers(client),
    )
    assert good.status_code == 200 and "Helle 2-Zimmer-Wohnung" in good.text
    assert "484,50 €" in good.text and "54,5 m²" in good.text and "01.12.2026" in good.text
    vacancy = await session.scalar(sa.select(Vacancy).where(Vacancy.title.like("Helle%")))
    assert vacancy.municipality_ags == "05770024" and vacancy.lift
    listing = await client.get("/wohnungen")
    assert "Helle 2-Zimmer-Wohnung" in listing.text and "EXT-b" not in listing.text


async def test_outside_postal_code_is_explained_on_the_form(client: Any, world: Any) -> None:
    await login(client, world.email("landlord_a"), PASSWORD)
    response = await client.post(
        "/wohnungen/",
        data={
            "postal_code": "97084",
            "rooms": "2",
            "living_area": "50",
            "floor": "2",
            "net_cold_rent": "300",
            "cold_service_charges": "80",
            "available_from": "2026-12-01",
        },
        headers=csrf_headers(client),
    )
    assert response.status_code == 422
    assert "PLZ 97084 liegt nicht im Kreis Minden-Lübbecke." in response.text


async def test_admin_creates_organisation_and_user_and_deactivates(client: Any, world: Any) -> None:
    await login(client, world.email("admin"), PASSWORD)
    r = await client.post(
        "/admin/organisationen",
        data={"name": "Neue Genossenschaft", "kind": "landlord"},
        headers=csrf_headers(client),
    )
    assert r.status_code == 200 and "Neue Genossenschaft" in r.text
    weak = await client.post(
        "/admin/benutzer",
        data={
            "email": "neu@example.org",
            "name": "Neu",
            "organisation_id": str(world.orgs["landlord_a"].id),
            "password": "kurz",
        },
        headers=csrf_headers(client),
    )
    assert weak.status_code == 422 and "mindestens 12 Zeichen" in weak.text
    common = await client.post(
        "/admin/benutzer",
        data={
            "email": "neu@example.org",
            "name": "Neu",
            "organisation_id": str(world.orgs["landlord_a"].id),
            "password": "passwort1234",
        },
        headers=csrf_headers(client),
    )
    assert common.status_code == 422 and "zu verbreitet" in common.text
    ok = await client.post(
        "/admin/benutzer",
        data={
            "email": "Neu@Example.org",
            "name": "Neu",
            "organisation_id": str(world.orgs["landlord_a"].id),
            "password": "ein-gutes-langes-Passwort",
        },
        headers=csrf_headers(client),
    )
    assert ok.status_code == 200 and "neu@example.org" in ok.text
    duplicate = await client.post(
        "/admin/benutzer",
        data={
            "email": "NEU@example.org",
            "name": "Neu",
            "organisation_id": str(world.orgs["landlord_a"].id),
            "password": "ein-gutes-langes-Passwort",
        },
        headers=csrf_headers(client),
    )
    assert duplicate.status_code == 422 and "bereits vergeben" in duplicate.text


@pytest.mark.parametrize("who", ["admin", "counselor_a", "landlord_a"])
async def test_navigation_by_role(client: Any, world: Any, who: str) -> None:
    await login(client, world.email(who), PASSWORD)
    page = await client.get("/uebersicht")
    assert page.status_code == 200
    assert ("Haushalte" in page.text) == (who != "landlord_a")
    assert ("Organisationen &amp; Konten" in page.text) == (who == "admin")
    assert '<html lang="de">' in page.text and "/static/htmx.min.js" in page.text


async def test_static_assets_are_served_locally(client: Any) -> None:
    for path in ("/static/htmx.min.js", "/static/app.css", "/static/app.js"):
        assert (await client.get(path)).status_code == 200
