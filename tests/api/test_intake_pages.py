"""Landlord portal import pages: upload → preview (nothing written) → commit, progress polling,
history, templates, report download; withdraw button; the admin's duplicate review."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import msgspec
import pytest
import sqlalchemy as sa

from matching import clock
from matching.db.models import ImportJob, Proposal, Vacancy
from matching.enums import ImportStatus, ProposalStatus, VacancyStatus
from matching.intake import export_vacancies_csv
from matching.intake.export import EXAMPLE_RECORD
from matching.intake.records import VacancyRecord
from tests.conftest import csrf_headers, login
from tests.support.world import PASSWORD

pytestmark = pytest.mark.anyio


def record(n: int, **overrides: Any) -> VacancyRecord:
    values: dict[str, Any] = {
        "external_id": f"P-{n}",
        "street": "Kampstraße",
        "house_number": str(n),
        "available_from": clock.today() + timedelta(days=20),
    }
    values.update(overrides)
    return msgspec.structs.replace(EXAMPLE_RECORD, **values)


async def own_vacancies(session: Any, world: Any) -> dict[str, Vacancy]:
    org_id = world.orgs["landlord_a"].id  # read before the rollback expires it
    await session.rollback()
    rows = await session.scalars(
        sa.select(Vacancy)
        .where(Vacancy.organisation_id == org_id)
        .execution_options(populate_existing=True)
    )
    return {str(v.external_id): v for v in rows}


async def upload_page(client: Any, data: bytes, filename: str = "bestand.csv") -> int:
    response = await client.post(
        "/import",
        files={"file": (filename, data, "text/csv")},
        headers=csrf_headers(client),
        follow_redirects=False,
    )
    assert response.status_code in (302, 303), response.text
    match = re.fullmatch(r"/import/(\d+)", response.headers["location"])
    assert match, response.headers["location"]
    return int(match.group(1))


async def test_upload_preview_then_commit_valid_rows(client: Any, world: Any, session: Any) -> None:
    await login(client, world.email("landlord_a"), PASSWORD)
    page = await client.get("/import")
    assert page.status_code == 200
    assert "20 MB" in page.text
    assert "50.000 Zeilen" in page.text
    assert "Noch keine Importe." in page.text
    bad = record(3, external_id="=1+2", postal_code="97084")
    job_id = await upload_page(client, export_vacancies_csv([record(1), record(2), bad]))
    preview = await client.get(f"/import/{job_id}")
    assert preview.status_code == 200
    assert "Vorschau – noch nichts gespeichert" in preview.text
    assert "PLZ 97084 liegt nicht im Kreis" in preview.text
    assert "Import übernehmen" in preview.text
    assert set(await own_vacancies(session, world)) == {"EXT-a"}
    job = await session.get(ImportJob, job_id, populate_existing=True)
    assert job.status == ImportStatus.PREVIEW
    assert job.counts["created"] == 2
    assert job.counts["rejected"] == 1
    # The report download neutralises formulas.
    report = await client.get(f"/import/{job_id}/bericht.csv")
    assert report.status_code == 200
    assert "'=1+2" in report.text
    assert ";=1+2" not in report.text
    # Finished jobs tell the polling partial to load the whole page.
    partial = await client.get(f"/import/{job_id}/fortschritt")
    assert partial.headers.get("hx-redirect") == f"/import/{job_id}"
    done = await client.post(
        f"/import/{job_id}/uebernehmen",
        data={"mode": "valid_only"},
        headers=csrf_headers(client),
        follow_redirects=False,
    )
    assert done.status_code in (302, 303)
    result = await client.get(f"/import/{job_id}")
    assert "Import abgeschlossen" in result.text
    assert set(await own_vacancies(session, world)) == {"EXT-a", "P-1", "P-2"}
    history = await client.get("/import")
    assert "bestand.csv" in history.text
    assert "übernommen" in history.text
    # A second commit of the same preview is refused.
    again = await client.post(
        f"/import/{job_id}/uebernehmen", data={"mode": "valid_only"}, headers=csrf_headers(client)
    )
    assert "nicht mehr übernommen" in again.text


async def test_all_or_nothing_commit_with_a_bad_row_writes_nothing(
    client: Any, world: Any, session: Any
) -> None:
    await login(client, world.email("landlord_a"), PASSWORD)
    data = export_vacancies_csv([record(1), record(2, rooms=0.0)])
    job_id = await upload_page(client, data)
    await client.post(
        f"/import/{job_id}/uebernehmen",
        data={"mode": "all_or_nothing"},
        headers=csrf_headers(client),
    )
    page = await client.get(f"/import/{job_id}")
    assert "Nichts gespeichert" in page.text
    assert set(await own_vacancies(session, world)) == {"EXT-a"}


async def test_progress_partial_polls_while_running(client: Any, world: Any, session: Any) -> None:
    job = ImportJob(
        organisation_id=world.orgs["landlord_a"].id,
        filename="gross.csv",
        file_format="csv",
        status=ImportStatus.COMMITTING,
    )
    session.add(job)
    await session.commit()
    await login(client, world.email("landlord_a"), PASSWORD)
    partial = await client.get(f"/import/{job.id}/fortschritt")
    assert partial.status_code == 200
    assert 'hx-trigger="every 1s"' in partial.text
    assert f'hx-get="/import/{job.id}/fortschritt"' in partial.text
    page = await client.get(f"/import/{job.id}")
    assert "Speichere" in page.text
    await login(client, world.email("landlord_b"), PASSWORD)
    assert (await client.get(f"/import/{job.id}")).status_code == 404
    assert (await client.get(f"/import/{job.id}/bericht.csv")).status_code == 404


async def test_templates_download_and_access(client: Any, world: Any) -> None:
    await login(client, world.email("landlord_a"), PASSWORD)
    csv_file = await client.get("/import/vorlage.csv")
    assert csv_file.status_code == 200
    assert "Externe ID" in csv_file.content.decode("utf-8-sig")
    assert "attachment" in csv_file.headers["content-disposition"]
    xlsx = await client.get("/import/vorlage.xlsx")
    assert xlsx.content.startswith(b"PK")
    await login(client, world.email("counselor_a"), PASSWORD)
    assert (await client.get("/import", follow_redirects=False)).status_code == 403


async def test_upload_over_the_limit_is_refused_with_the_limit_named(
    client: Any, world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import api.controllers.intake as intake_api

    monkeypatch.setattr(intake_api, "UPLOAD_LIMIT", 1024 * 1024)
    await login(client, world.email("landlord_a"), PASSWORD)
    response = await client.post(
        "/import",
        files={"file": ("gross.csv", b"x" * (2 * 1024 * 1024), "text/csv")},
        headers=csrf_headers(client),
    )
    assert response.status_code == 413
    assert "höchstens 1 MB" in response.text


async def test_my_vacancies_show_proposals_and_withdraw(
    client: Any, world: Any, session: Any
) -> None:
    vacancy = world.vacancies["a"]
    session.add(
        Proposal(
            vacancy_id=vacancy.id,
            household_id=world.households["a"].id,
            landlord_organisation_id=world.orgs["landlord_a"].id,
            counseling_organisation_id=world.orgs["counseling_a"].id,
            status=ProposalStatus.SENT,
        )
    )
    await session.commit()
    await login(client, world.email("landlord_a"), PASSWORD)
    page = await client.get("/wohnungen")
    assert "Vorschläge" in page.text
    assert 'class="num">1</td>' in page.text
    assert f"/wohnungen/{vacancy.id}/zurueckziehen" in page.text
    confirmed = await client.post(
        f"/wohnungen/{vacancy.id}/bestaetigen", headers=csrf_headers(client)
    )
    assert "weiterhin verfügbar" in confirmed.text
    response = await client.post(
        f"/wohnungen/{vacancy.id}/zurueckziehen", headers=csrf_headers(client)
    )
    assert response.status_code == 200
    assert "zurückgezogen" in response.text
    rows = await own_vacancies(session, world)
    assert rows["EXT-a"].status == VacancyStatus.WITHDRAWN
    assert rows["EXT-a"].confirmed_at is not None
    other = await client.post(
        f"/wohnungen/{world.vacancies['b'].id}/zurueckziehen", headers=csrf_headers(client)
    )
    assert other.status_code == 404


async def test_admin_reviews_duplicates(client: Any, world: Any, session: Any) -> None:
    twin = Vacancy(
        organisation_id=world.orgs["landlord_b"].id,
        external_id="TWIN",
        street="Bahnhofstr.",
        house_number="5",
        postal_code="32423",
        municipality_ags="05770024",
        rooms=2,
        living_area=56,
        floor=1,
        net_cold_rent=330,
        cold_service_charges=110,
        available_from=clock.today(),
        address_key="bahnhofstraße|5",
        duplicate_of_id=world.vacancies["a"].id,
    )
    session.add(twin)
    await session.commit()
    await login(client, world.email("admin"), PASSWORD)
    page = await client.get("/admin/dubletten")
    assert page.status_code == 200
    assert "TWIN" in page.text
    decided = await client.post(
        f"/admin/dubletten/{twin.id}",
        data={"verdict": "dismissed"},
        headers=csrf_headers(client),
    )
    assert "kein Duplikat" in decided.text
    await session.rollback()
    stored = await session.get(Vacancy, twin.id, populate_existing=True)
    assert stored.duplicate_review == "dismissed"
    assert stored.duplicate_of_id == world.vacancies["a"].id  # kept for history
    await login(client, world.email("landlord_a"), PASSWORD)
    assert (await client.get("/admin/dubletten", follow_redirects=False)).status_code == 403


async def test_browser_upload_with_the_token_in_the_form(client: Any, world: Any) -> None:
    """A browser sends the CSRF token as a multipart field, not as a header."""
    await login(client, world.email("landlord_a"), PASSWORD)
    response = await client.post(
        "/import",
        files={"file": ("b.csv", export_vacancies_csv([record(1)]), "text/csv")},
        data={"_csrf_token": client.cookies.get("tueroeffner_csrf")},
        follow_redirects=False,
    )
    assert response.status_code in (302, 303), response.text
    page = await client.get(response.headers["location"])
    assert "1 neu angelegt" in page.text
