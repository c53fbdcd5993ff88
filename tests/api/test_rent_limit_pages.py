"""Mietobergrenzen through the admin page: import with preview and "Übernehmen", problems per
line with nothing stored, overlaps refused, gaps listed, deactivation, audit, and the
hand-computed cases ranked against the page-entered limits; the JSON API and the CLI."""

from __future__ import annotations

import asyncio
import re
from datetime import date
from decimal import Decimal
from importlib import resources
from typing import Any

import pytest
import sqlalchemy as sa

from matching.db.models import AuditEvent, RentLimitImport, RentLimitTable
from matching.enums import IncomeBasis
from matching.ranking import RankingService
from tests.conftest import csrf_headers, login
from tests.matching.ranking.ranking_support import actor, add_household, add_vacancy
from tests.security.conftest import run_cli
from tests.support.world import PASSWORD

pytestmark = pytest.mark.anyio

BASE = "/admin/mietobergrenzen"
MINDEN, HUELLHORST = "05770024", "05770016"


def shipped(name: str) -> bytes:
    return resources.files("matching.reference").joinpath(name).read_bytes()


async def upload(client: Any, data: bytes, **fields: str) -> Any:
    return await client.post(
        BASE,
        files={"file": ("grenzen.csv", data, "text/csv")},
        data={"legal_source": "Test-Quelle", **fields},
        headers=csrf_headers(client),
    )


def pending_id(page: str) -> int:
    found = re.search(r"/vorschau/(\d+)/uebernehmen", page)
    assert found, "no Übernehmen button"
    return int(found.group(1))


async def table_count(session: Any) -> int:
    return int(await session.scalar(sa.select(sa.func.count(RentLimitTable.id))) or 0)


async def deactivate_shipped(client: Any, session: Any) -> None:
    for table in (await session.scalars(sa.select(RentLimitTable))).all():
        response = await client.post(
            f"{BASE}/{table.id}/deaktivieren", headers=csrf_headers(client)
        )
        assert response.status_code == 200 and "deaktiviert" in response.text


async def import_through_page(client: Any, data: bytes, **fields: str) -> str:
    preview = await upload(client, data, **fields)
    assert preview.status_code == 200, preview.text
    confirmed = await client.post(
        f"{BASE}/vorschau/{pending_id(preview.text)}/uebernehmen", headers=csrf_headers(client)
    )
    assert confirmed.status_code == 200 and "übernommen" in confirmed.text
    return confirmed.text


async def test_list_shows_validity_status_and_the_gap(client: Any, world: Any) -> None:
    await login(client, world.email("admin"), PASSWORD)
    page = await client.get(BASE)
    assert page.status_code == 200
    assert "Beispielwerte" in page.text and "amtlich" in page.text
    assert "Lücke" in page.text and "01.01.2017" in page.text and "31.12.2024" in page.text
    await login(client, world.email("counselor_a"), PASSWORD)
    assert (await client.get(BASE)).status_code in (403, 404)


async def test_page_entered_tables_give_the_hand_computed_results(
    client: Any, world: Any, session: Any
) -> None:
    await login(client, world.email("admin"), PASSWORD)
    await deactivate_shipped(client, session)
    preview = await upload(client, shipped("rent_limits_2013_official.csv"), name="KdU 2013")
    assert preview.status_code == 200
    assert "Hüllhorst" in preview.text and "405,00 €" in preview.text  # every value shown
    assert await table_count(session) == 2  # nothing stored before "Übernehmen"
    await client.post(
        f"{BASE}/vorschau/{pending_id(preview.text)}/uebernehmen", headers=csrf_headers(client)
    )
    detail = await import_through_page(
        client, shipped("rent_limits_example.csv"), name="Beispiel", example="1"
    )
    assert "Beispielwerte" in detail and "Minden" in detail
    tables = (
        await session.scalars(sa.select(RentLimitTable).where(RentLimitTable.is_active))
    ).all()
    assert {(t.name, t.status.value) for t in tables} == {
        ("KdU 2013", "official"),
        ("Beispiel", "example"),
    }
    actions = (await session.scalars(sa.select(AuditEvent.action))).all()
    assert actions.count("rent_limits.import") == 2 and actions.count("rent_limits.deactivate") == 2

    org = world.orgs["counseling_a"].id
    two = await add_household(
        session, org, "HH-2026-77001", adults=2, income_basis=IncomeBasis.SGB2
    )
    service, landlord = RankingService(), world.orgs["landlord_a"].id

    async def verdict(ags: str, gross: str, available: date) -> set[str]:
        net = Decimal(gross) - Decimal("100.00")
        vacancy = await add_vacancy(
            session,
            landlord,
            municipality_ags=ags,
            net_cold_rent=net,
            cold_service_charges=Decimal("100.00"),
            available_from=available,
            living_area=Decimal("60"),
        )
        result = await service.evaluate(session, vacancy.id, two.id)
        return {code for code, _ in result.exclusions}

    assert "RENT_ABOVE_LIMIT" not in await verdict(MINDEN, "401.00", date(2014, 3, 1))
    assert "RENT_ABOVE_LIMIT" in await verdict(MINDEN, "401.01", date(2014, 3, 1))
    assert "RENT_ABOVE_LIMIT" not in await verdict(HUELLHORST, "405.00", date(2014, 3, 1))
    assert "RENT_LIMIT_UNKNOWN" in await verdict(MINDEN, "300.00", date(2020, 6, 1))

    # the banner: only where no official table covers the date
    counselor = await actor(session, world, "counselor_a")
    old = await add_vacancy(session, landlord, available_from=date(2014, 3, 1))
    new = await add_vacancy(session, landlord, available_from=date(2026, 3, 1))
    codes_old = {
        w.code for w in (await service.vacancy_matches(session, counselor, old.id)).warnings
    }
    codes_new = {
        w.code for w in (await service.vacancy_matches(session, counselor, new.id)).warnings
    }
    assert "RENT_LIMITS_EXAMPLE" not in codes_old and "RENT_LIMITS_EXAMPLE" in codes_new


BAD = (
    "area,municipalities,persons,max_gross_cold_rent_eur,valid_from,valid_to\n"
    "A,Minden;Atlantis,1,400,2030-01-01,2030-12-31\n"  # line 2: unknown town
    "A,Minden;Atlantis,3,-5,2030-01-01,2030-12-31\n"  # line 3: negative; size 2 missing
    "B,Hille,1,5000.01,2030-01-01,2030-12-31\n"  # line 4: absurd amount
    "C,Rahden,1,400,2031-01-01,2030-12-31\n"  # line 5: dates in the wrong order
)


async def test_preview_names_every_problem_on_its_line_and_stores_nothing(
    client: Any, world: Any, session: Any
) -> None:
    await login(client, world.email("admin"), PASSWORD)
    response = await upload(client, BAD.encode())
    assert response.status_code == 422
    text = response.text
    assert "nichts wurde gespeichert" in text and "Übernehmen" not in text
    assert "Zeile 2: Kommune „Atlantis“ gibt es im Kreis nicht." in text.replace("&#34;", '"')
    assert re.search(r"Zeile 3: .*negativ", text)
    assert re.search(r"Zeile 2: Gebiet .*A.*: der Wert für 2 Person\(en\) fehlt", text)
    assert re.search(r"Zeile 4: .*unplausibel hoch", text)
    assert re.search(r"Zeile 5: „gültig bis“ \(31.12.2030\) liegt vor „gültig ab“", text)
    assert await table_count(session) == 2
    assert await session.scalar(sa.select(sa.func.count(RentLimitImport.id))) == 0


async def test_overlap_with_an_active_table_is_refused_naming_it(
    client: Any, world: Any, session: Any
) -> None:
    await login(client, world.email("admin"), PASSWORD)
    response = await upload(client, shipped("rent_limits_2013_official.csv"))
    assert response.status_code == 422
    assert "überschneidet sich mit der aktiven Tabelle" in response.text
    assert "Mietrichtwerte des Kreises Minden-Lübbecke 2013" in response.text
    assert await table_count(session) == 2


async def test_confirm_only_the_own_pending_upload(client: Any, world: Any, session: Any) -> None:
    await login(client, world.email("admin"), PASSWORD)
    data = BAD.splitlines()[0] + "\nX,Minden,1,400,2031-01-01,\n"
    preview = await upload(client, data.encode())
    assert preview.status_code == 200, preview.text
    pending = pending_id(preview.text)
    row = await session.get(RentLimitImport, pending)
    assert row is not None and row.payload["draft"]["valid_from"] == "2031-01-01"
    other = await client.post(
        f"{BASE}/vorschau/{pending + 1}/uebernehmen", headers=csrf_headers(client)
    )
    assert other.status_code == 404
    discarded = await client.post(
        f"{BASE}/vorschau/{pending}/verwerfen", headers=csrf_headers(client)
    )
    assert "nichts wurde gespeichert" in discarded.text
    assert await table_count(session) == 2


async def test_detail_matrix_and_json_api(client: Any, world: Any, session: Any) -> None:
    await login(client, world.email("admin"), PASSWORD)
    official = await session.scalar(
        sa.select(RentLimitTable).where(RentLimitTable.status == "official")
    )
    page = await client.get(f"{BASE}/{official.id}")
    assert page.status_code == 200
    row = re.search(r"<tr><td>Hüllhorst</td><td>2</td>(.*?)</tr>", page.text, re.S)
    assert row and "405,00 €" in row.group(1) and "+ 60,00 €" in row.group(1)

    key = {"Authorization": f"Bearer {world.keys['counseling_a:households:read']}"}
    listing = await client.get("/api/v1/rent-limit-tables", headers=key)
    assert listing.status_code == 200
    body = listing.json()
    assert {t["status"] for t in body["items"]} == {"example", "official"}
    assert body["gaps"] == [{"start": "2017-01-01", "end": "2024-12-31"}]
    one = (await client.get(f"/api/v1/rent-limit-tables/{official.id}", headers=key)).json()
    group2 = next(a for a in one["areas"] if a["name"] == "2")
    assert {"ags": HUELLHORST, "name": "Hüllhorst"} in group2["municipalities"]
    assert {"persons": 2, "max_gross_cold_rent": "405.00", "max_heating_cost": None} in group2[
        "amounts"
    ]
    missing = await client.get("/api/v1/rent-limit-tables/999999", headers=key)
    assert missing.status_code == 404 and missing.headers["content-type"].startswith(
        "application/problem+json"
    )
    assert (await client.get("/api/v1/rent-limit-tables")).status_code == 401


async def test_cli_loads_a_table_or_names_the_problems(
    settings: Any, monkeypatch: Any, tmp_path: Any, session: Any
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(BAD, encoding="utf-8")
    result = await asyncio.to_thread(run_cli, settings, monkeypatch, "load-rent-limits", str(bad))
    assert result.exit_code == 1
    assert "Zeile 2: Kommune „Atlantis“ gibt es im Kreis nicht." in result.output
    good = tmp_path / "good.csv"
    good.write_text(
        "area,municipalities,persons,max_gross_cold_rent_eur,valid_from,valid_to\n"
        'Nord,Rahden;Stemwede,1,"412,50",01.01.2031,\n'
        "Nord,Rahden;Stemwede,+1,80,01.01.2031,\n",
        encoding="utf-8",
    )
    result = await asyncio.to_thread(
        run_cli, settings, monkeypatch, "load-rent-limits", str(good), "--name", "Nord 2031"
    )
    assert result.exit_code == 0, result.output
    table = await session.scalar(
        sa.select(RentLimitTable).where(RentLimitTable.name == "Nord 2031")
    )
    assert table is not None and table.areas[0].amounts[0].max_gross_cold_rent == Decimal("412.50")
    assert await session.scalar(
        sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.action == "rent_limits.import")
    )


async def test_the_csv_template_imports_as_it_is(client: Any, world: Any) -> None:
    await login(client, world.email("admin"), PASSWORD)
    template = await client.get(f"{BASE}/vorlage.csv")
    assert template.status_code == 200 and template.headers["content-type"].startswith("text/csv")
    preview = await upload(client, template.content)
    assert preview.status_code == 200, preview.text
    assert "480,50 €" in preview.text and "Übernehmen" in preview.text
