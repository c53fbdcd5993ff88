"""The report pages over HTTP: page, exports (formula-safe), yearly PDF, refusals in German."""

from __future__ import annotations

import io
from typing import Any

import polars as pl
import pytest

from matching.reports.export import table_csv, table_xlsx
from matching.reports.tables import Cell, Table
from tests.conftest import login
from tests.matching.reports.network import HILLE, YEAR, Network, build_network
from tests.support.world import PASSWORD

pytestmark = pytest.mark.anyio


@pytest.fixture
async def net(session: Any) -> Network:
    return await build_network(session)


async def _as(client: Any, net: Network, who: str) -> None:
    response = await login(client, net.world.email(who), PASSWORD)
    assert response.status_code in (200, 302, 303)


async def test_fachstelle_sees_charts_beside_tables(client: Any, net: Network) -> None:
    await _as(client, net, "admin")
    page = await client.get(f"/berichte?zeitraum=jahr&jahr={YEAR}")
    assert page.status_code == 200
    html = page.text
    assert f"Berichte: Jahr {YEAR}" in html
    assert html.count("<svg") >= 10
    assert html.count("<caption") >= html.count("<svg")  # every chart has its table
    assert '<title id="chart-' in html and "<desc id=" in html
    assert "Suchende Haushalte mit KdU-Grenze nach Wunschort und Größe" in html
    assert "geschützt" in html
    assert "/berichte/jahresbericht.pdf?" in html
    assert "luecke-haushalte&amp;format=xlsx" in html


async def test_exports_are_formula_safe_and_keep_the_protection(client: Any, net: Network) -> None:
    await _as(client, net, "admin")
    base = f"/berichte/export?zeitraum=jahr&jahr={YEAR}"
    csv = await client.get(f"{base}&tabelle=luecke-haushalte&format=csv")
    assert csv.status_code == 200
    assert csv.headers["content-type"].startswith("text/csv")
    text = csv.content.decode("utf-8-sig")
    hille = next(line for line in text.splitlines() if line.startswith("Hille"))
    assert hille.split(";")[2] == "geschützt"
    xlsx = await client.get(f"{base}&tabelle=luecke-haushalte&format=xlsx")
    assert xlsx.status_code == 200
    sheet = pl.read_excel(io.BytesIO(xlsx.content), has_header=False)
    cells = [str(v) for row in sheet.iter_rows() for v in row if v is not None]
    assert "geschützt" in cells
    by_landlord = await client.get(f"{base}&tabelle=antwortzeiten&format=csv")
    assert by_landlord.status_code == 200
    unknown = await client.get(f"{base}&tabelle=gibt-es-nicht&format=csv")
    assert unknown.status_code == 404
    bad_format = await client.get(f"{base}&tabelle=luecke&format=pdf")
    assert bad_format.status_code == 422


def test_hostile_labels_never_become_formulas() -> None:
    table = Table(
        "t", "=1+1", "Vermieter", ("Antworten",), (('=HYPERLINK("http://x")', (Cell(7.0),)),)
    )
    assert "'=HYPERLINK" in table_csv(table).decode("utf-8-sig")
    sheet = pl.read_excel(io.BytesIO(table_xlsx(table)), has_header=False)
    assert sheet.row(2)[0] == '\'=HYPERLINK("http://x")'


async def test_bad_period_and_unknown_town_answer_in_german(client: Any, net: Network) -> None:
    await _as(client, net, "admin")
    swapped = await client.get("/berichte?zeitraum=frei&von=2025-05-01&bis=2025-04-01")
    assert swapped.status_code == 422
    assert "Das Ende des Zeitraums liegt vor dem Anfang" in swapped.text
    town = await client.get("/berichte?jahr=2025&kommune=05999999")
    assert town.status_code == 422
    assert "Diese Kommune gibt es nicht" in town.text
    org = await client.get("/berichte?jahr=2025&beratungsstelle=424242")
    assert org.status_code == 422
    assert "Diese Beratungsstelle gibt es nicht" in org.text
    # "²" passes str.isdigit but not int(): it answered 500 on the page, export and PDF
    for url in (
        "/berichte?zeitraum=jahr&jahr=²",
        "/berichte?zeitraum=monat&jahr=2025&monat=¹",
        "/berichte?jahr=2025&vermieter=²",
        "/berichte/export?tabelle=luecke&jahr=²",
        "/berichte/jahresbericht.pdf?jahr=2025&beratungsstelle=²",
    ):
        response = await client.get(url)
        assert response.status_code == 422, (url, response.status_code)


async def test_landlord_sees_the_published_year_not_another_landlord(
    client: Any, net: Network
) -> None:
    await _as(client, net, "landlord_a")
    page = await client.get(f"/berichte?jahr={YEAR}&kommune={HILLE}")
    assert page.status_code == 200
    assert "veröffentlichten Jahresbericht" in page.text
    assert "Vorschläge nach Vermieter" not in page.text
    other = net.world.orgs["landlord_b"].id
    refused = await client.get(f"/berichte?jahr={YEAR}&vermieter={other}")
    assert refused.status_code == 403
    assert "anderen Vermieter" in refused.text
    month = await client.get(f"/berichte?zeitraum=monat&jahr={YEAR}&monat=3")
    assert month.status_code == 403
    export = await client.get(
        f"/berichte/export?jahr={YEAR}&vermieter={other}&tabelle=luecke&format=csv"
    )
    assert export.status_code == 403


async def test_yearly_report_as_pdf(client: Any, net: Network) -> None:
    await _as(client, net, "admin")
    pdf = await client.get(f"/berichte/jahresbericht.pdf?jahr={YEAR}")
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    assert len(pdf.content) > 5_000


@pytest.mark.parametrize(
    ("who", "fairness", "model_card"),
    [("admin", True, True), ("counselor_a", False, True), ("landlord_a", False, False)],
)
async def test_reports_link_the_further_pages_each_reader_may_open(
    client: Any, net: Network, who: str, fairness: bool, model_card: bool
) -> None:
    await _as(client, net, who)
    html = (await client.get(f"/berichte?jahr={YEAR}")).text
    for href, shown in (("/berichte/fairness", fairness), ("/berichte/zusage-chance", model_card)):
        assert (f'href="{href}"' in html) is shown
        assert ((await client.get(href)).status_code == 200) is shown
