"""Updates: an absent field stays unchanged, ``null`` (or an emptied form field) clears it -
always through the service, always audited, the same for households and vacancies."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from matching import clock
from matching.db.models import AuditEvent, Household, Vacancy
from matching.enums import IncomeBasis, Urgency
from matching.vacancies.schemas import VacancyCreate
from matching.vacancies.upsert import CONTENT_FIELDS
from tests.conftest import csrf_headers, login
from tests.support.forms import submitted_form
from tests.support.world import PASSWORD

pytestmark = pytest.mark.anyio


def _key(world: Any, org: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.keys[f'{org}:all']}"}


async def _fields_audited(session: Any, object_type: str, object_id: int) -> list[str]:
    event = await session.scalar(
        sa.select(AuditEvent)
        .where(
            AuditEvent.object_type == object_type,
            AuditEvent.object_id == str(object_id),
            AuditEvent.action == "update",
        )
        .order_by(AuditEvent.id.desc())
        .limit(1)
    )
    assert event is not None
    return list(event.details["fields"])


async def _household(session: Any, household_id: int) -> Household:
    household = await session.get(Household, household_id)
    assert household is not None
    await session.refresh(household)
    return household


async def _vacancy(session: Any, vacancy_id: int) -> Vacancy:
    vacancy = await session.get(Vacancy, vacancy_id)
    assert vacancy is not None
    await session.refresh(vacancy)
    return vacancy


async def test_household_patch_absent_unchanged_null_clears(
    client: Any, world: Any, session: Any
) -> None:
    hid = world.households["a"].id
    url, headers = f"/api/v1/households/{hid}", _key(world, "counseling_a")
    set_budget = await client.patch(
        url, json={"own_max_rent": 450.5, "max_distance_km": 12.0}, headers=headers
    )
    assert set_budget.status_code == 200, set_budget.text
    other = await client.patch(url, json={"wbs_rooms": 2}, headers=headers)
    assert other.status_code == 200
    household = await _household(session, hid)
    assert household.own_max_rent == Decimal("450.50") and household.max_distance_km == 12.0
    cleared = await client.patch(url, json={"own_max_rent": None}, headers=headers)
    assert cleared.status_code == 200, cleared.text
    assert cleared.json()["own_max_rent"] is None
    household = await _household(session, hid)
    assert household.own_max_rent is None and household.max_distance_km == 12.0
    assert await _fields_audited(session, "household", hid) == ["own_max_rent"]


async def test_household_patch_cannot_clear_a_required_field(client: Any, world: Any) -> None:
    hid = world.households["a"].id
    response = await client.patch(
        f"/api/v1/households/{hid}", json={"adults": None}, headers=_key(world, "counseling_a")
    )
    assert response.status_code == 422
    assert "adults" in response.text


async def test_household_form_clears_an_emptied_field_through_the_service(
    client: Any, world: Any, session: Any
) -> None:
    hid = world.households["a"].id
    await client.patch(
        f"/api/v1/households/{hid}",
        json={"own_max_rent": 480.0},
        headers=_key(world, "counseling_a"),
    )
    await login(client, world.email("counselor_a"), PASSWORD)
    response = await client.post(
        f"/haushalte/{hid}",
        data={
            "name": "Erika Mustermann",
            "adults": "1",
            "children_ages": "",
            "income_basis": "sgb2",
            "urgency": "notice_received",
            "own_max_rent": "",
            "max_distance_km": "12,5",
            "notice_date": "01.10.2026",
            "preferred_ags": ["05770024"],
        },
        headers=csrf_headers(client),
    )
    assert response.status_code in (200, 303), response.text
    household = await _household(session, hid)
    assert household.own_max_rent is None
    assert household.max_distance_km == 12.5  # German number and date read in update forms
    assert household.notice_date is not None and household.notice_date.month == 10
    assert "own_max_rent" in await _fields_audited(session, "household", hid)


async def test_vacancy_patch_and_form_clear_and_keep(client: Any, world: Any, session: Any) -> None:
    vid = world.vacancies["a"].id
    url, headers = f"/api/v1/vacancies/{vid}", _key(world, "landlord_a")
    kept = await client.patch(url, json={"title": "Neu"}, headers=headers)
    assert kept.status_code == 200, kept.text
    cleared = await client.patch(url, json={"heating_costs": None}, headers=headers)
    assert cleared.status_code == 200, cleared.text
    vacancy = await _vacancy(session, vid)
    assert vacancy.heating_costs is None and vacancy.title == "Neu"
    assert vacancy.net_cold_rent == Decimal("330")
    assert await _fields_audited(session, "vacancy", vid) == ["heating_costs"]
    refused = await client.patch(url, json={"floor": None}, headers=headers)
    assert refused.status_code == 422 and "floor" in refused.text
    await login(client, world.email("landlord_a"), PASSWORD)
    form = await client.post(
        f"/wohnungen/{vid}",
        data={"title": "", "description": ""},
        headers=csrf_headers(client),
    )
    assert form.status_code in (200, 303), form.text
    vacancy = await _vacancy(session, vid)
    assert vacancy.title is None
    assert vacancy.floor == 1  # not in the form: unchanged


# --- updates check the vacancy and household they would leave (issue 10) --------------------


def _problem_fields(response: Any) -> dict[str, str]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["code"] == "validation"
    return {e["field"]: e["message"] for e in body["errors"]}


def _field_error(html: str, name: str) -> str:
    match = re.search(rf'<p class="field-error" id="e-{name}">([^<]*)</p>', html)
    assert match, f"kein Fehler am Feld {name}"
    return match.group(1)


async def _content(session: Any, vacancy_id: int) -> dict[str, Any]:
    vacancy = await _vacancy(session, vacancy_id)
    return {f: getattr(vacancy, f) for f in (*CONTENT_FIELDS, "version")}


async def test_vacancy_patch_refuses_an_implausible_result(
    client: Any, world: Any, session: Any
) -> None:
    vid = world.vacancies["a"].id
    url, headers = f"/api/v1/vacancies/{vid}", _key(world, "landlord_a")
    before = await _content(session, vid)
    errors = _problem_fields(
        await client.patch(url, json={"available_from": "2999-01-01"}, headers=headers)
    )
    assert list(errors) == ["available_from"] and "Bezugsdatum" in errors["available_from"]
    errors = _problem_fields(await client.patch(url, json={"min_persons": 5}, headers=headers))
    assert list(errors) == ["min_persons"] and "Zimmer" in errors["min_persons"]
    assert await _content(session, vid) == before  # nothing stored
    # the merged offer counts: 3 persons fit 2 rooms, but not the 1 room sent later
    assert (await client.patch(url, json={"min_persons": 3}, headers=headers)).status_code == 200
    errors = _problem_fields(await client.patch(url, json={"rooms": 1}, headers=headers))
    assert list(errors) == ["min_persons"]
    assert (await _vacancy(session, vid)).rooms == Decimal("2")


async def test_vacancy_put_update_refuses_an_implausible_offer(
    client: Any, world: Any, session: Any
) -> None:
    vid = world.vacancies["a"].id
    url = "/api/v1/vacancies/by-external-id/EXT-a"
    headers = _key(world, "landlord_a")
    current = (await client.get(url, headers=headers)).json()
    before = await _content(session, vid)
    body = {k: v for k, v in current.items() if k in VacancyCreate.__struct_fields__}
    body = {k: v for k, v in body.items() if v is not None}
    errors = _problem_fields(
        await client.put(url, json={**body, "available_from": "2999-01-01"}, headers=headers)
    )
    assert "available_from" in errors
    assert await _content(session, vid) == before


async def test_vacancy_form_refuses_an_implausible_edit_at_the_field(
    client: Any, world: Any, session: Any
) -> None:
    vid = world.vacancies["a"].id
    await login(client, world.email("landlord_a"), PASSWORD)
    page = await client.get(f"/wohnungen/{vid}/bearbeiten")
    form = submitted_form(page.text, f"/wohnungen/{vid}")
    before = await _content(session, vid)
    for changes, field in (
        ({"available_from": "01.01.2999"}, "available_from"),
        ({"min_persons": "3", "living_area": "25"}, "min_persons"),
    ):
        response = await client.post(
            f"/wohnungen/{vid}", data={**form, **changes}, headers=csrf_headers(client)
        )
        assert response.status_code == 422, response.text
        assert _field_error(response.text, field)
    assert await _content(session, vid) == before


async def test_an_old_flat_is_edited_through_the_form_without_a_new_date(
    client: Any, world: Any, session: Any
) -> None:
    """The edit form sends the stored date again: no change, so no window; a new one is."""
    vid = world.vacancies["a"].id
    old = clock.today() - timedelta(days=396)
    await session.execute(sa.update(Vacancy).where(Vacancy.id == vid).values(available_from=old))
    await session.commit()
    await login(client, world.email("landlord_a"), PASSWORD)
    page = await client.get(f"/wohnungen/{vid}/bearbeiten")
    form = submitted_form(page.text, f"/wohnungen/{vid}")
    saved = await client.post(
        f"/wohnungen/{vid}", data={**form, "title": "Ruhige Lage"}, headers=csrf_headers(client)
    )
    assert saved.status_code in (200, 303), saved.text
    vacancy = await _vacancy(session, vid)
    assert (vacancy.title, vacancy.available_from) == ("Ruhige Lage", old)
    form["version"] = str(vacancy.version)
    moved = old + timedelta(days=1)
    refused = await client.post(
        f"/wohnungen/{vid}",
        data={**form, "available_from": moved.isoformat()},
        headers=csrf_headers(client),
    )
    assert refused.status_code == 422
    assert "Bezugsdatum" in _field_error(refused.text, "available_from")


async def test_household_patch_and_form_refuse_what_creation_refuses(
    client: Any, world: Any, session: Any
) -> None:
    hid = world.households["a"].id
    url, headers = f"/api/v1/households/{hid}", _key(world, "counseling_a")
    errors = _problem_fields(
        await client.patch(url, json={"urgency": "eviction_scheduled"}, headers=headers)
    )
    assert list(errors) == ["eviction_date"]
    await login(client, world.email("counselor_a"), PASSWORD)
    page = await client.get(f"/haushalte/{hid}/bearbeiten")
    form = submitted_form(page.text, f"/haushalte/{hid}")
    response = await client.post(
        f"/haushalte/{hid}",
        data={**form, "income_basis": "own_income", "own_max_rent": ""},
        headers=csrf_headers(client),
    )
    assert response.status_code == 422, response.text
    assert _field_error(response.text, "own_max_rent")
    household = await _household(session, hid)
    assert (household.urgency, household.income_basis) == (
        Urgency.NOTICE_RECEIVED,
        IncomeBasis.SGB2,
    )
