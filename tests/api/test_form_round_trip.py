"""Edit forms show stored numbers in German notation, and the strict parser reads them back
unchanged (issue 10, "German input rules in forms ... never silently read"): render the edit
form, submit it unchanged, and every stored value is what it was - money with cents, an area
with decimals, 2,5 rooms, a case's arrears."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from api.form_fields import CONTRACT, input_value
from matching.cases.service import euro_values
from matching.db.models import Case, Household, Vacancy
from matching.households.schemas import HouseholdFields
from matching.vacancies.upsert import CONTENT_FIELDS
from tests.api.test_contract_forms import _parse
from tests.conftest import csrf_headers, login
from tests.support.forms import submitted_form
from tests.support.world import PASSWORD

V, H = CONTRACT["vacancy"], CONTRACT["household"]


@pytest.mark.parametrize(
    ("field", "value", "shown"),
    [
        (V["net_cold_rent"], Decimal("1200.50"), "1.200,50"),
        (V["net_cold_rent"], Decimal("389.5"), "389,50"),
        (V["deposit"], 20000, "20.000,00"),
        (V["cold_service_charges"], 0.1, "0,10"),
        (V["living_area"], Decimal("54.50"), "54,5"),
        (V["living_area"], 1000.0, "1.000"),
        (V["rooms"], Decimal("2.5"), "2,5"),
        (V["rooms"], Decimal("3.0"), "3"),
        (V["floor"], -2, "-2"),
        (V["min_persons"], 3, "3"),
        (H["own_max_rent"], Decimal("650"), "650,00"),
        (H["max_distance_km"], 12.5, "12,5"),
        (V["net_cold_rent"], "389.5", "389.5"),  # typed text is shown back as typed
        (V["net_cold_rent"], None, None),
    ],
)
def test_a_contract_field_shows_its_value_as_typed(field: Any, value: Any, shown: Any) -> None:
    assert field.form_value(value) == shown


@pytest.mark.parametrize(
    ("value", "input_type", "shown"),
    [
        (Decimal("1200.50"), "text", "1.200,50"),  # a Decimal keeps its cents
        (Decimal("480.00"), "text", "480,00"),
        (54.5, "text", "54,5"),
        (2026, "text", 2026),  # a whole number is not grouped: never "2.026"
        (Decimal("2.5"), "number", "2.5"),  # the browser's number input reads points
        (True, "text", True),
        ("1.200,50", "text", "1.200,50"),
    ],
)
def test_every_form_field_shows_numbers_in_german(value: Any, input_type: str, shown: Any) -> None:
    assert input_value(value, input_type) == shown


pytestmark = pytest.mark.anyio


async def _row(session: Any, model: Any, row_id: int, fields: tuple[str, ...]) -> dict[str, Any]:
    """The row as stored (this expires the world: read its ids and e-mails before)."""
    session.expire_all()
    row = await session.get(model, row_id)
    assert row is not None
    return {f: getattr(row, f) for f in fields}


async def _submit_unchanged(client: Any, edit_url: str, action: str) -> dict[str, Any]:
    page = await client.get(edit_url)
    assert page.status_code == 200
    form = submitted_form(page.text, action)
    response = await client.post(
        action, data=form, headers=csrf_headers(client), follow_redirects=False
    )
    assert response.status_code in (302, 303), response.text
    return form


async def test_vacancy_edit_form_round_trip(client: Any, world: Any, session: Any) -> None:
    vid, email = world.vacancies["a"].id, world.email("landlord_a")
    await session.execute(
        sa.update(Vacancy)
        .where(Vacancy.id == vid)
        .values(
            rooms=Decimal("2.5"),
            living_area=Decimal("54.5"),
            net_cold_rent=Decimal("1200.50"),
            cold_service_charges=Decimal("389.5"),
            heating_costs=Decimal("70.05"),
            deposit=Decimal("2401"),
            min_persons=2,
            max_persons=4,
        )
    )
    await session.commit()
    before = await _row(session, Vacancy, vid, CONTENT_FIELDS)
    await login(client, email, PASSWORD)
    url = f"/wohnungen/{vid}/bearbeiten"
    inputs = _parse((await client.get(url)).text).inputs
    shown = {n: inputs[f"f-{n}"]["value"] for n in V}
    assert shown == {
        "rooms": "2,5",
        "living_area": "54,5",
        "floor": "1",
        "net_cold_rent": "1.200,50",
        "cold_service_charges": "389,50",
        "heating_costs": "70,05",
        "deposit": "2.401,00",
        "min_persons": "2",
        "max_persons": "4",
    }
    await _submit_unchanged(client, url, f"/wohnungen/{vid}")
    assert await _row(session, Vacancy, vid, CONTENT_FIELDS) == before


async def test_household_edit_form_round_trip(client: Any, world: Any, session: Any) -> None:
    hid, email = world.households["a"].id, world.email("counselor_a")
    await session.execute(
        sa.update(Household)
        .where(Household.id == hid)
        .values(own_max_rent=Decimal("1234.56"), max_distance_km=12.5, max_floor_without_lift=2)
    )
    await session.commit()
    fields = HouseholdFields.__struct_fields__
    before = await _row(session, Household, hid, fields)
    await login(client, email, PASSWORD)
    url = f"/haushalte/{hid}/bearbeiten"
    inputs = _parse((await client.get(url)).text).inputs
    assert {n: inputs[f"f-{n}"]["value"] for n in H} == {
        "own_max_rent": "1.234,56",
        "max_floor_without_lift": "2",
        "max_distance_km": "12,5",
    }
    await _submit_unchanged(client, url, f"/haushalte/{hid}")
    assert await _row(session, Household, hid, fields) == before


async def test_case_edit_form_round_trip(client: Any, world: Any, session: Any) -> None:
    await login(client, world.email("counselor_a"), PASSWORD)
    created = await client.post(
        "/faelle/",
        data={
            "household_id": str(world.households["a"].id),
            "kind": "prevention",
            "monthly_rent": "480,5",
            "arrears": "1.200,50",
            "arrears_months": "3",
            "application_amount": "1.200",
            "agreement_instalments": "on",
            "instalment": "50,05",
        },
        headers=csrf_headers(client),
        follow_redirects=False,
    )
    assert created.status_code in (302, 303), created.text
    case_id = int(created.headers["location"].rsplit("/", 1)[1])
    case = await session.get(Case, case_id)
    assert case is not None
    before = euro_values(case)
    assert (before["arrears"], before["monthly_rent"]) == (Decimal("1200.50"), Decimal("480.50"))
    url = f"/faelle/{case_id}/bearbeiten"
    inputs = _parse((await client.get(url)).text).inputs
    shown = {n: inputs[f"f-{n}"]["value"] for n in ("monthly_rent", "arrears", "instalment")}
    assert shown == {"monthly_rent": "480,50", "arrears": "1.200,50", "instalment": "50,05"}
    assert inputs["f-application_amount"]["value"] == "1.200,00"
    assert inputs["f-arrears_months"]["value"] == "3"
    await _submit_unchanged(client, url, f"/faelle/{case_id}")
    session.expire_all()
    case = await session.get(Case, case_id)
    assert case is not None
    assert euro_values(case) == before
