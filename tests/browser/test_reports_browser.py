"""The yearly report in a real browser: charts beside their tables, and its PDF.

Headless Chromium (Debian's) against the real app on a constructed network; screenshots go to
``var/screenshots/``.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
import uvicorn
from cryptography.fernet import Fernet

from matching.config import DatabaseSettings, SecuritySettings, Settings
from matching.db.engine import make_engine, make_session_factory
from matching.reference.loader import load_reference_data
from matching.security import crypto
from tests.browser.test_journey import CHROMIUM, LAUNCH_ARGS, SHOTS, _login, _shot
from tests.matching.notifications.smtp_fixtures import free_port
from tests.matching.reports.network import YEAR, Network, build_network
from tests.support.databases import migrate

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="/usr/bin/chromium fehlt: `apt-get install -y chromium` (wie .ci/run)",
    ),
]


async def _seed(settings: Settings) -> Network:
    engine = make_engine(settings.database)
    async with make_session_factory(engine)() as session:
        await load_reference_data(session)
        await session.commit()
        network = await build_network(session)
    await engine.dispose()
    return network


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Network]]:
    from api.app import create_app

    url = f"sqlite+aiosqlite:///{tmp_path / 'reports.sqlite3'}"
    migrate(url)
    port = free_port()
    key = Fernet.generate_key().decode()
    saved_ring = crypto._ring
    crypto.configure([key])
    settings = replace(
        Settings(),
        database=DatabaseSettings(url=url, pool_size=5),
        security=SecuritySettings(
            secret_key="browser-test-secret-key-with-enough-entropy-42",
            encryption_keys=(key,),
            session_store="memory",
        ),
        base_url=f"http://127.0.0.1:{port}",
        var_dir=tmp_path,
        scheduler_enabled=False,
    )
    network = asyncio.run(_seed(settings))
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield settings.base_url, network
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        crypto._ring = saved_ring


def test_yearly_report_and_its_pdf(served: tuple[str, Network]) -> None:
    from playwright.sync_api import expect, sync_playwright

    base, network = served
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
        try:
            page = browser.new_context(locale="de-DE").new_page()
            _login(page, base, network.world.email("admin"))
            page.get_by_role("link", name="Berichte").first.click()
            page.wait_for_url(f"{base}/berichte")
            page.select_option("#f-zeitraum", "jahr")
            page.select_option("#f-jahr", str(YEAR))
            page.click("button:has-text('Bericht anzeigen')")
            expect(page.get_by_role("heading", level=1)).to_have_text(f"Berichte: Jahr {YEAR}")
            # Every chart is an image with a name, and its table stands beside it.
            charts = page.locator("svg[role='img']")
            assert charts.count() >= 10
            first = page.locator("#t-haushalte-groesse")
            expect(first.locator("svg title")).to_have_text("Suchende Haushalte nach Größe")
            expect(first.locator("table caption")).to_have_text("Suchende Haushalte nach Größe")
            gap = page.locator("#t-luecke-haushalte table")
            expect(gap.locator("tr", has_text="Hille")).to_contain_text("geschützt")
            _shot(page, "20_berichte_jahresbericht")
            link = page.get_by_role("link", name="Jahresbericht als PDF")
            href = link.get_attribute("href")
            assert href is not None
            pdf = page.context.request.get(f"{base}{href}", timeout=120_000)
            assert pdf.ok
            assert pdf.headers["content-type"] == "application/pdf"
            assert pdf.body().startswith(b"%PDF-")
            (SHOTS / "20_jahresbericht.pdf").write_bytes(pdf.body())
            # The export of a table downloads as a file.
            with page.expect_download() as download:
                first.get_by_role("link", name="CSV").click()
            assert download.value.suggested_filename.startswith("haushalte-groesse-")
        finally:
            browser.close()
