"""Vacancy intake through the JSON API: idempotent upsert, withdrawal, bulk import (both DBs)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import msgspec
import pytest
import sqlalchemy as sa

from matching import clock
from matching.db.models import ImportJob, Proposal, ProposalEvent, Vacancy
from matching.enums import ProposalStatus, VacancySource, VacancyStatus
from matching.intake import export_vacancies_csv, export_vacancies_xlsx
from matching.intake.export import EXAMPLE_RECORD
from matching.intake.records import VacancyRecord

pytestmark = pytest.mark.anyio

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests/matching/intake/fixtures"
SAMPLES = ROOT.parent / "shared" / "samples" / "openimmo"
WRITE = "landlord_a:vacancies:write"
AVAILABLE = (clock.today() + timedelta(days=30)).isoformat()


def bearer(world: Any, key: str = WRITE) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.keys[key]}"}


def body(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "title": "3-Zimmer-Wohnung",
        "street": "Marienstraße",
        "house_number": "40",
        "postal_code": "32423",
        "rooms": 3,
        "living_area": 71.5,
        "floor": 2,
        "net_cold_rent": 480,
        "cold_service_charges": 150,
        "available_from": AVAILABLE,
    }
    values.update(overrides)
    return values


def record(n: int, **overrides: Any) -> VacancyRecord:
    values: dict[str, Any] = {
        "external_id": f"WHG-{n:04d}",
        "street": "Bäckerstraße",
        "house_number": str(n),
        "available_from": clock.today() + timedelta(days=20),
    }
    values.update(overrides)
    return msgspec.structs.replace(EXAMPLE_RECORD, **values)


async def fresh(session: Any) -> Any:
    """End the test session's read snapshot so it sees what the app committed."""
    await session.rollback()
    return session


async def vacancies_of(session: Any, org_id: int) -> dict[str, Vacancy]:
    await fresh(session)
    rows = await session.scalars(
        sa.select(Vacancy)
        .where(Vacancy.organisation_id == org_id)
        .execution_options(populate_existing=True)
    )
    return {str(v.external_id): v for v in rows}


async def upload(
    client: Any,
    world: Any,
    data: bytes,
    filename: str,
    *,
    key: str = WRITE,
    **params: str,
) -> Any:
    return await client.post(
        "/api/v1/vacancies/import",
        params=params,
        files={"file": (filename, data, "application/octet-stream")},
        headers=bearer(world, key),
    )


# -- upsert -------------------------------------------------------------------------------
async def test_same_body_twice_is_one_vacancy_and_unchanged(
    client: Any, world: Any, session: Any
) -> None:
    url = "/api/v1/vacancies/by-external-id/W-77"
    first = await client.put(url, json=body(), headers=bearer(world))
    assert first.status_code == 201, first.text
    assert first.json()["result"] == "created"
    second = await client.put(url, json=body(), headers=bearer(world))
    assert second.status_code == 200, second.text
    assert second.json()["result"] == "unchanged"
    assert second.headers["etag"] == first.headers["etag"]
    assert second.json()["vacancy"]["version"] == 1
    rows = await vacancies_of(session, world.orgs["landlord_a"].id)
    assert set(rows) == {"EXT-a", "W-77"}
    assert rows["W-77"].confirmed_at is not None
    assert rows["W-77"].source == VacancySource.API
    got = await client.get(url, headers=bearer(world, "landlord_a:vacancies:read"))
    assert got.status_code == 200
    assert got.headers["etag"] == first.headers["etag"]
    by_id = await client.get(
        f"/api/v1/vacancies/{rows['W-77'].id}", headers=bearer(world, "landlord_a:vacancies:read")
    )
    assert by_id.headers["etag"] == first.headers["etag"]


async def test_changed_body_bumps_version_and_stale_if_match_is_412(
    client: Any, world: Any, session: Any
) -> None:
    url = "/api/v1/vacancies/by-external-id/W-78"
    first = await client.put(url, json=body(), headers=bearer(world))
    old_tag = first.headers["etag"]
    changed = await client.put(
        url, json=body(net_cold_rent=499), headers=bearer(world) | {"If-Match": old_tag}
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["result"] == "updated"
    assert changed.json()["vacancy"]["version"] == 2
    assert changed.headers["etag"] != old_tag
    stale = await client.put(
        url, json=body(net_cold_rent=510), headers=bearer(world) | {"If-Match": old_tag}
    )
    assert stale.status_code == 412
    assert stale.headers["content-type"].startswith("application/problem+json")
    assert stale.json()["code"] == "precondition-failed"
    assert stale.headers["etag"] == changed.headers["etag"]
    rows = await vacancies_of(session, world.orgs["landlord_a"].id)
    assert float(rows["W-78"].net_cold_rent) == 499
    assert rows["W-78"].version == 2


async def test_upsert_validates_and_keeps_organisations_apart(client: Any, world: Any) -> None:
    url = "/api/v1/vacancies/by-external-id/EXT-a"
    bad = await client.put(url, json=body(rooms=2.3, postal_code="97084"), headers=bearer(world))
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} >= {"rooms"}
    # Landlord B's "EXT-a" is its own vacancy, not landlord A's.
    other = await client.put(url, json=body(), headers=bearer(world, "landlord_b:vacancies:write"))
    assert other.status_code == 201
    assert other.json()["vacancy"]["organisation_id"] == world.orgs["landlord_b"].id
    counselor = await client.put(
        url, json=body(), headers=bearer(world, "counseling_a:vacancies:write")
    )
    assert counselor.status_code == 403
    read_only = await client.put(
        url, json=body(), headers=bearer(world, "landlord_a:vacancies:read")
    )
    assert read_only.status_code == 403


async def test_delete_withdraws_keeps_the_vacancy_and_withdraws_proposals(
    client: Any, world: Any, session: Any
) -> None:
    vacancy = world.vacancies["a"]
    proposal = Proposal(
        vacancy_id=vacancy.id,
        household_id=world.households["a"].id,
        landlord_organisation_id=world.orgs["landlord_a"].id,
        counseling_organisation_id=world.orgs["counseling_a"].id,
        status=ProposalStatus.SENT,
    )
    session.add(proposal)
    await session.commit()
    url = "/api/v1/vacancies/by-external-id/EXT-a"
    first = await client.delete(url, headers=bearer(world))
    assert first.status_code == 200, first.text
    assert first.json()["result"] == "withdrawn"
    assert first.json()["vacancy"]["status"] == "withdrawn"
    again = await client.delete(url, headers=bearer(world))
    assert again.status_code == 200
    assert again.json()["result"] == "unchanged"
    by_id = await client.delete(f"/api/v1/vacancies/{vacancy.id}", headers=bearer(world))
    assert by_id.json()["result"] == "unchanged"
    await fresh(session)
    stored = await session.get(Vacancy, vacancy.id, populate_existing=True)
    assert stored.status == VacancyStatus.WITHDRAWN
    p = await session.get(Proposal, proposal.id, populate_existing=True)
    assert p.status == ProposalStatus.WITHDRAWN
    assert p.decline_reason_code == "S_VACANCY_WITHDRAWN"
    events = (
        await session.scalars(sa.select(ProposalEvent).where(ProposalEvent.proposal_id == p.id))
    ).all()
    assert [e.to_status for e in events] == ["withdrawn"]
    other = await client.delete(
        f"/api/v1/vacancies/{world.vacancies['b'].id}", headers=bearer(world)
    )
    assert other.status_code == 404


async def test_put_after_withdrawal_offers_the_flat_again(client: Any, world: Any) -> None:
    url = "/api/v1/vacancies/by-external-id/W-79"
    await client.put(url, json=body(), headers=bearer(world))
    await client.delete(url, headers=bearer(world))
    again = await client.put(url, json=body(), headers=bearer(world))
    assert again.json()["result"] == "updated"
    assert again.json()["vacancy"]["status"] == "open"


# -- import -------------------------------------------------------------------------------
async def test_csv_import_creates_then_confirms_then_updates(
    client: Any, world: Any, session: Any
) -> None:
    records = [record(1), record(2), record(3)]
    first = await upload(client, world, export_vacancies_csv(records), "bestand.csv")
    assert first.status_code == 200, first.text
    report = first.json()
    assert report["committed"] is True
    assert report["counts"] == {
        "created": 3,
        "updated": 0,
        "unchanged": 0,
        "withdrawn": 0,
        "rejected": 0,
    }
    assert all(r["vacancy_id"] for r in report["rows"])
    second = await upload(client, world, export_vacancies_csv(records), "bestand.csv")
    assert second.json()["counts"]["unchanged"] == 3
    records[1] = record(2, net_cold_rent=401.0)
    third = await upload(client, world, export_vacancies_csv(records), "bestand.csv")
    assert third.json()["counts"]["updated"] == 1
    assert third.json()["counts"]["unchanged"] == 2
    rows = await vacancies_of(session, world.orgs["landlord_a"].id)
    assert rows["WHG-0002"].version == 2
    assert rows["WHG-0001"].version == 1
    assert rows["WHG-0001"].source == VacancySource.CSV
    assert rows["WHG-0001"].address_key == "bäckerstraße|1"
    jobs = (await session.scalars(sa.select(ImportJob).order_by(ImportJob.id))).all()
    assert [j.counts["created"] for j in jobs] == [3, 0, 0]
    assert jobs[0].filename == "bestand.csv"


async def test_xlsx_import_end_to_end(client: Any, world: Any, session: Any) -> None:
    data = export_vacancies_xlsx([record(11), record(12, rooms=1.5, living_area=38.0)])
    response = await upload(client, world, data, "bestand.xlsx")
    assert response.status_code == 200, response.text
    assert response.json()["counts"]["created"] == 2
    assert response.json()["format"] == "xlsx"
    rows = await vacancies_of(session, world.orgs["landlord_a"].id)
    assert float(rows["WHG-0012"].living_area) == 38.0
    assert rows["WHG-0012"].source == VacancySource.XLSX


async def test_openimmo_full_transfer_withdraws_what_is_missing(
    client: Any, world: Any, session: Any
) -> None:
    await client.put("/api/v1/vacancies/by-external-id/OLD-1", json=body(), headers=bearer(world))
    data = (FIXTURES / "openimmo_voll.xml").read_bytes()
    response = await upload(client, world, data, "voll.xml")
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["scope"] == "VOLL"
    assert report["counts"]["created"] == 2
    assert report["counts"]["withdrawn"] == 2  # OLD-1 and EXT-a are not in the full stock
    assert report["counts"]["unchanged"] == 1  # DELETE of a flat we never had
    rows = await vacancies_of(session, world.orgs["landlord_a"].id)
    assert rows["OLD-1"].status == VacancyStatus.WITHDRAWN
    assert rows["EXT-a"].status == VacancyStatus.WITHDRAWN
    assert rows["TESTANID01_M-1001_1001"].status == VacancyStatus.OPEN
    assert rows["TESTANID01_M-1001_1001"].source == VacancySource.OPENIMMO
    # Landlord B's stock is untouched by landlord A's full transfer.
    other = await vacancies_of(session, world.orgs["landlord_b"].id)
    assert other["EXT-b"].status == VacancyStatus.OPEN


async def test_full_transfer_never_withdraws_a_flat_whose_row_was_rejected(
    client: Any, world: Any, session: Any
) -> None:
    xml = (FIXTURES / "openimmo_voll.xml").read_text(encoding="utf-8")
    broken = xml.replace("<wohnflaeche>58.4</wohnflaeche>", "<wohnflaeche>viel</wohnflaeche>")
    first = await upload(client, world, xml.encode(), "voll.xml")
    assert first.json()["counts"]["created"] == 2
    second = await upload(client, world, broken.encode(), "voll.xml", mode="valid_only")
    assert second.json()["counts"]["rejected"] == 1
    rows = await vacancies_of(session, world.orgs["landlord_a"].id)
    assert rows["TESTANID01_M-1001_1001"].status == VacancyStatus.OPEN


async def test_dry_run_writes_nothing(client: Any, world: Any, session: Any) -> None:
    data = export_vacancies_csv([record(1), record(2)])
    response = await upload(client, world, data, "a.csv", dry_run="true")
    assert response.status_code == 200
    report = response.json()
    assert report["dry_run"] is True
    assert report["committed"] is False
    assert report["counts"]["created"] == 2
    assert "Vorschau" in report["message"]
    rows = await vacancies_of(session, world.orgs["landlord_a"].id)
    assert set(rows) == {"EXT-a"}
    assert (await session.scalar(sa.select(sa.func.count()).select_from(ImportJob))) == 0


async def test_all_or_nothing_with_one_bad_row_writes_nothing_valid_only_writes_the_rest(
    client: Any, world: Any, session: Any
) -> None:
    data = export_vacancies_csv([record(1), record(2), record(3)])
    text = data.decode("utf-8-sig").replace("Bäckerstraße;2;32423", "Bäckerstraße;2;97084")
    bad = text.encode("utf-8")
    refused = await upload(client, world, bad, "a.csv", mode="all_or_nothing")
    assert refused.status_code == 200
    report = refused.json()
    assert report["committed"] is False
    assert report["counts"]["rejected"] == 1
    [rejected] = [r for r in report["rows"] if r["result"] == "rejected"]
    assert rejected["row"] == 3
    assert rejected["issues"][0]["field"] == "PLZ"
    assert "liegt nicht im Kreis" in rejected["issues"][0]["message"]
    assert set(await vacancies_of(session, world.orgs["landlord_a"].id)) == {"EXT-a"}
    partial = await upload(client, world, bad, "a.csv", mode="valid_only")
    assert partial.json()["committed"] is True
    assert partial.json()["counts"]["created"] == 2
    rows = await vacancies_of(session, world.orgs["landlord_a"].id)
    assert set(rows) == {"EXT-a", "WHG-0001", "WHG-0003"}


async def test_file_over_the_limit_is_413_naming_it(
    client: Any, world: Any, session: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import api.controllers.intake as intake_api

    monkeypatch.setattr(intake_api, "UPLOAD_LIMIT", 2 * 1024 * 1024)
    data = b"Externe ID;PLZ\r\n" + b"x" * (3 * 1024 * 1024)
    response = await upload(client, world, data, "gross.csv")
    assert response.status_code == 413
    problem = response.json()
    assert problem["code"] == "too-large"
    assert "höchstens 2 MB" in problem["detail"]
    # Content-Length within the slack, file itself over the limit: caught after reading.
    monkeypatch.setattr(intake_api, "MULTIPART_SLACK", 10 * 1024 * 1024)
    again = await upload(client, world, data, "gross.csv")
    assert again.status_code == 413
    assert set(await vacancies_of(session, world.orgs["landlord_a"].id)) == {"EXT-a"}


@pytest.mark.parametrize("name", ["billion_laughs.xml", "external_entity.xml", "external_dtd.xml"])
async def test_hostile_xml_is_rejected_cleanly_and_nothing_written(
    client: Any, world: Any, session: Any, name: str
) -> None:
    response = await upload(client, world, (FIXTURES / name).read_bytes(), name)
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "file-rejected"
    assert response.json()["errors"][0]["field"] == "file"
    assert set(await vacancies_of(session, world.orgs["landlord_a"].id)) == {"EXT-a"}


async def test_failure_in_the_middle_leaves_the_database_as_before(
    client: Any, world: Any, session: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from matching.intake import importer

    first = await upload(client, world, export_vacancies_csv([record(1)]), "a.csv")
    assert first.json()["counts"]["created"] == 1

    async def explode(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("injected failure after the inserts")

    monkeypatch.setattr(importer, "_write_updates", explode)
    data = export_vacancies_csv([record(1, net_cold_rent=999.0), record(2), record(3)])
    response = await upload(client, world, data, "a.csv")
    assert response.status_code == 500
    rows = await vacancies_of(session, world.orgs["landlord_a"].id)
    assert set(rows) == {"EXT-a", "WHG-0001"}  # the two inserted rows were rolled back
    assert float(rows["WHG-0001"].net_cold_rent) == 385.0
    jobs = (await session.scalars(sa.select(ImportJob))).all()
    assert len(jobs) == 1


async def test_import_needs_a_landlord_key_with_write_scope(client: Any, world: Any) -> None:
    data = export_vacancies_csv([record(1)])
    assert (
        await upload(client, world, data, "a.csv", key="landlord_a:vacancies:read")
    ).status_code == 403
    assert (
        await upload(client, world, data, "a.csv", key="counseling_a:vacancies:write")
    ).status_code == 403
    missing = await client.post(
        "/api/v1/vacancies/import", data={"mode": "valid_only"}, headers=bearer(world)
    )
    assert missing.status_code == 422


async def test_duplicate_across_organisations_is_flagged_not_merged(
    client: Any, world: Any, session: Any
) -> None:
    url = "/api/v1/vacancies/by-external-id/"
    a = await client.put(url + "A-1", json=body(), headers=bearer(world))
    b = await client.put(
        url + "B-1",
        json=body(living_area=72.9, house_number="40 "),
        headers=bearer(world, "landlord_b:vacancies:write"),
    )
    assert b.status_code == 201
    await fresh(session)
    newer = await session.get(Vacancy, b.json()["vacancy"]["id"], populate_existing=True)
    assert newer.duplicate_of_id == a.json()["vacancy"]["id"]
    assert newer.status == VacancyStatus.OPEN


@pytest.mark.skipif(not SAMPLES.is_dir(), reason=f"{SAMPLES} not present")
async def test_real_world_openimmo_samples_through_the_import_api(
    client: Any, world: Any, session: Any
) -> None:
    wuerzburg = (SAMPLES / "rental-flat-wuerzburg_laravel-openimmo_example.xml").read_bytes()
    response = await upload(client, world, wuerzburg, "wuerzburg.xml", mode="valid_only")
    assert response.status_code == 200, response.text
    [row] = response.json()["rows"]
    assert row["result"] == "rejected"
    assert row["external_id"] == "8333"
    errors = [i for i in row["issues"] if i["severity"] == "error"]
    assert errors == [
        {
            "field": "geo/plz",
            "message": "PLZ 97084 liegt nicht im Kreis Minden-Lübbecke",
            "severity": "error",
        }
    ]
    skeleton = (SAMPLES / "minimal-skeleton_csv_to_openimmo_MinimalOpenImmo.xml").read_bytes()
    response = await upload(client, world, skeleton, "min.xml", mode="valid_only")
    assert response.status_code == 200
    assert response.json()["counts"]["rejected"] == 1
    assert response.json()["counts"]["withdrawn"] == 0  # VOLL, but the row has no id
    header = (SAMPLES / "uebertragung-header-teil-realworld_laravel-openimmo.xml").read_bytes()
    response = await upload(client, world, header, "kopf.xml")
    assert response.status_code == 422
    assert "Übertragungskopf" in response.json()["errors"][0]["message"]
    rows = await vacancies_of(session, world.orgs["landlord_a"].id)
    assert rows["EXT-a"].status == VacancyStatus.OPEN
    assert set(rows) == {"EXT-a"}


async def test_unchanged_import_sets_confirmed_at(client: Any, world: Any, session: Any) -> None:
    data = export_vacancies_csv([record(1)])
    await upload(client, world, data, "a.csv")
    rows = await vacancies_of(session, world.orgs["landlord_a"].id)
    before = rows["WHG-0001"].confirmed_at
    assert before is not None
    await upload(client, world, data, "a.csv")
    rows = await vacancies_of(session, world.orgs["landlord_a"].id)
    after = rows["WHG-0001"].confirmed_at
    assert after is not None
    assert after >= before
    assert after > datetime.now(UTC) - timedelta(minutes=5)
