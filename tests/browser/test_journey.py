"""The proposal journey in a real browser: headless Chromium (Debian's) against the real app.

A landlord lists a flat → a counselor records consent and proposes two households → the
landlord opens the e-mailed link (delivered by the outbox worker to an in-process SMTP
server), arranges a viewing, accepts one and marks it let → the other proposal is withdrawn
and both dashboards show it. Screenshots of every step go to ``var/screenshots/``.
"""

from __future__ import annotations

import asyncio
import re
import threading
import time
import warnings
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from aiosmtpd.controller import Controller
from cryptography.fernet import Fernet

from matching import clock
from matching.config import PROJECT_ROOT, DatabaseSettings, SecuritySettings, Settings
from matching.db.engine import make_engine, make_session_factory
from matching.db.models import Household
from matching.notifications import worker
from matching.notifications.settings import SmtpSettings
from matching.reference.loader import load_reference_data
from matching.security import crypto
from tests.matching.notifications.smtp_fixtures import Recorder, free_port
from tests.support.databases import migrate
from tests.support.world import PASSWORD, World, build_world, household_values

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = PROJECT_ROOT / "var" / "screenshots"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LINK = re.compile(r"(http://127\.0\.0\.1:\d+/l/[A-Za-z0-9_\-]{20,})")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="/usr/bin/chromium fehlt: `apt-get install -y chromium` (wie .ci/run)",
    ),
]


@dataclass
class Running:
    base_url: str
    settings: Settings
    world: World
    third_household_id: int
    smtp: SmtpSettings
    recorder: Recorder


async def _seed(settings: Settings) -> tuple[World, int]:
    engine = make_engine(settings.database)
    async with make_session_factory(engine)() as session:
        await load_reference_data(session)
        await session.commit()
        world = await build_world(session)
        extra = Household(
            **household_values(world.orgs["counseling_a"].id, reference_code="HH-2026-90002")
        )
        session.add(extra)
        await session.commit()
        extra_id = extra.id
    await engine.dispose()
    return world, extra_id


async def _deliver(settings: Settings, smtp: SmtpSettings) -> int:
    engine = make_engine(settings.database)
    report = await worker.deliver_pending(make_session_factory(engine), smtp)
    await engine.dispose()
    return report.sent


@pytest.fixture
def running(tmp_path: Path) -> Iterator[Running]:
    from api.app import create_app

    url = f"sqlite+aiosqlite:///{tmp_path / 'journey.sqlite3'}"
    migrate(url)
    port = free_port()
    key = Fernet.generate_key().decode()
    saved_ring = crypto._ring  # the app configures the process-wide key ring; restored below
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
        scheduler_enabled=False,  # the test runs the outbox worker itself
    )
    world, third = asyncio.run(_seed(settings))
    recorder = Recorder()
    smtp_port = free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    smtp = SmtpSettings(
        host="127.0.0.1",
        port=smtp_port,
        user=None,
        password=None,
        starttls=False,
        tls=False,
        from_address="Türöffner <noreply@tueroeffner.example>",
        timeout_seconds=5,
    )
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
        yield Running(settings.base_url, settings, world, third, smtp, recorder)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        controller.stop()
        crypto._ring = saved_ring


def _login(page: Any, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button:has-text('Anmelden')")
    try:
        page.wait_for_url(f"{base}/uebersicht", timeout=10_000)
    except Exception:
        _shot(page, "login_failed")
        raise AssertionError(page.content()[:3000]) from None


def _shot(page: Any, name: str) -> None:
    """Keep a picture of the step (for people reading the journey, not an assertion).

    Headless Chromium may refuse to capture a page of a context in the background ("Unable
    to capture screenshot") while another context is busy: the page is brought to the front
    first, and a second refusal costs the picture, never the test."""
    from playwright.sync_api import Error as PlaywrightError

    page.bring_to_front()
    for attempt in (1, 2):
        try:
            page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
            return
        except PlaywrightError:
            if attempt == 2:
                warnings.warn(f"no screenshot {name}", stacklevel=2)


def test_proposal_journey(running: Running) -> None:
    from playwright.sync_api import expect, sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    base, world = running.base_url, running.world
    households = [world.households["a"].id, running.third_household_id]
    started = time.perf_counter()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
        try:
            # 1. The landlord lists a flat.
            landlord = browser.new_context(locale="de-DE").new_page()
            landlord.on("dialog", lambda d: d.accept())
            _login(landlord, base, world.email("landlord_a"))
            landlord.goto(f"{base}/wohnungen/neu")
            for field, value in {
                "title": "Helle 2-Zimmer-Wohnung am Weserufer",
                "street": "Weserglacis",
                "house_number": "12",
                "postal_code": "32423",
                "rooms": "2",
                "living_area": "48",
                "floor": "1",
                "net_cold_rent": "300",
                "cold_service_charges": "90",
                "heating_costs": "60",
                "available_from": (clock.today() + timedelta(days=30)).isoformat(),
            }.items():
                landlord.fill(f"#f-{field}", value)
            landlord.click("button:has-text('Speichern')")
            landlord.wait_for_url(re.compile(r"/wohnungen/\d+$"))
            vacancy_id = int(landlord.url.rsplit("/", 1)[1])
            expect(landlord.locator(".flash")).to_contain_text("gespeichert")
            _shot(landlord, "01_vermieter_wohnung_angelegt")

            # 2. The counselor records consent for two households.
            counselor = browser.new_context(locale="de-DE").new_page()
            counselor.on("dialog", lambda d: d.accept())
            _login(counselor, base, world.email("counselor_a"))
            for n, household_id in enumerate(households, start=1):
                counselor.goto(f"{base}/haushalte/{household_id}")
                counselor.locator("#einwilligung").get_by_role("link").first.click()
                counselor.wait_for_url(f"{base}/haushalte/{household_id}/einwilligungen")
                counselor.fill("#f-form_reference", f"Akte {n}/2026, Blatt 1")
                counselor.click("button:has-text('Einwilligung speichern')")
                expect(counselor.locator(".flash")).to_have_text("Einwilligung gespeichert.")
            _shot(counselor, "02_beratung_einwilligung")

            # 3. … sees the ranked households of the flat and proposes two.
            counselor.goto(f"{base}/wohnungen/{vacancy_id}")
            _shot(counselor, "03_beratung_wohnung_rangliste")
            propose_link = counselor.locator("a:has-text('Haushalte vorschlagen')")
            if propose_link.count():  # the ranking's own link
                propose_link.first.click()
                counselor.wait_for_url(f"{base}/wohnungen/{vacancy_id}/vorschlagen")
            else:
                counselor.goto(f"{base}/wohnungen/{vacancy_id}/vorschlagen")
            for household_id in households:
                counselor.check(f"#hh-{household_id}")
            _shot(counselor, "04_beratung_vorschlagen")
            counselor.click("button:has-text('Vorschlagen')")
            expect(counselor.locator(".flash")).to_have_text("2 Vorschläge gesendet.")
            _shot(counselor, "05_beratung_vorschlaege_gesendet")

            # 4. The outbox worker delivers the e-mails; the landlord opens a link on a phone.
            with ThreadPoolExecutor(max_workers=1) as pool:  # Playwright owns this thread's loop
                sent = pool.submit(asyncio.run, _deliver(running.settings, running.smtp)).result()
            assert sent == 2
            mails = running.recorder.received
            assert {tuple(m.rcpt_tos) for m in mails} == {("landlord_a@example.org",)}
            mail = min(mails, key=lambda m: str(m.message["Subject"]))
            match = LINK.search(mail.text)
            assert match is not None, mail.text
            phone = browser.new_context(
                locale="de-DE", viewport={"width": 390, "height": 844}, is_mobile=True
            ).new_page()
            phone.on("dialog", lambda d: d.accept())
            phone.goto(match.group(1))
            phone.wait_for_url(re.compile(r"/vermieter/vorschlaege/\d+$"))
            assert "/l/" not in phone.url
            expect(phone.locator("h1")).to_contain_text("Vorschlag HH-2026-9000")
            expect(phone.locator("body")).not_to_contain_text("Erika")
            _shot(phone, "06_vermieter_link_vorschlag")

            # 5. … arranges a viewing, accepts, marks the flat let.
            phone.fill("#text-viewing", "Donnerstag, 10 Uhr vor Ort")
            phone.click("button:has-text('Besichtigung vereinbaren')")
            expect(phone.locator(".flash")).to_contain_text("Besichtigung vereinbart.")
            _shot(phone, "07_vermieter_besichtigung")
            phone.click("button:has-text('Zusagen')")
            expect(phone.locator(".flash")).to_contain_text("Zusage gespeichert.")
            _shot(phone, "08_vermieter_zusage")
            phone.click("button:has-text('Vermietet')")
            expect(phone.locator(".flash")).to_contain_text("Als vermietet gespeichert.")
            _shot(phone, "09_vermieter_vermietet")

            # 6. The other proposal is withdrawn; both dashboards show it.
            landlord.goto(f"{base}/uebersicht")
            expect(landlord.locator("body")).to_contain_text("vermietet 1")
            expect(landlord.locator("body")).to_contain_text("zurückgezogen 1")
            _shot(landlord, "10_vermieter_uebersicht")
            counselor.goto(f"{base}/uebersicht")
            answers = counselor.locator("section:has(h2:has-text('Neue Antworten'))")
            expect(answers).to_contain_text("vermietet")
            expect(answers).to_contain_text("zurückgezogen")
            _shot(counselor, "11_beratung_uebersicht")
            counselor.goto(f"{base}/vorschlaege?status=withdrawn")
            expect(counselor.locator("table")).to_contain_text("zurückgezogen")
            _shot(counselor, "12_beratung_vorschlaege_zurueckgezogen")
        except Exception:
            for n, ctx in enumerate(browser.contexts):
                for m, open_page in enumerate(ctx.pages):
                    _shot(open_page, f"fehler_{n}_{m}")
            raise
        finally:
            browser.close()
    duration = time.perf_counter() - started
    (SHOTS / "journey_duration.txt").write_text(f"{duration:.1f} s\n", encoding="utf-8")
    print(f"\nbrowser journey: {duration:.1f} s")
