"""Issue 11's journey in a real browser: propose straight from the ranking, preview the
landlord's view, and an internal note that never reaches the landlord.

A landlord lists a flat → the counselor writes an internal note (a canary) and notes for
landlords, records a consent naming every shareable field, opens the flat's ranking, proposes
rank 1 from its row, sees the preview of exactly what the landlord will see → the landlord
answers in the portal (viewing, acceptance); the canary appears on no landlord page, print
sheet, e-mail or secure-link page. Screenshots go to ``var/screenshots/``.
"""

from __future__ import annotations

import asyncio
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest

from matching import clock
from tests.browser.test_journey import (
    CHROMIUM,
    LAUNCH_ARGS,
    LINK,
    SHOTS,
    Running,
    _deliver,
    _login,
    _shot,
    running,  # noqa: F401  # the fixture: app, SMTP server and world
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="/usr/bin/chromium fehlt: `apt-get install -y chromium` (wie .ci/run)",
    ),
]
CANARY = "Zqkanarie Mietschulden 2.300 EUR, Suchtberatung"
FOR_LANDLORD = "Ruhiger Haushalt, Nichtraucher, gut erreichbar"


def _list_flat(page: Any, base: str) -> int:
    page.goto(f"{base}/wohnungen/neu")
    for field, value in {
        "title": "Helle 2-Zimmer-Wohnung an der Bastau",
        "street": "Bastaustraße",
        "house_number": "7",
        "postal_code": "32423",
        "rooms": "2",
        "living_area": "50",
        "floor": "1",
        "net_cold_rent": "300",
        "cold_service_charges": "90",
        "heating_costs": "60",
        "available_from": (clock.today() + timedelta(days=30)).isoformat(),
    }.items():
        page.fill(f"#f-{field}", value)
    page.click("button:has-text('Speichern')")
    page.wait_for_url(re.compile(r"/wohnungen/\d+$"))
    return int(page.url.rsplit("/", 1)[1])


def _prepare_household(page: Any, base: str, household_id: int) -> None:
    """Internal note (the canary), notes for landlords, a consent naming every field."""
    from playwright.sync_api import expect

    page.goto(f"{base}/haushalte/{household_id}/bearbeiten")
    page.fill("#f-notes", CANARY)
    page.fill("#f-landlord_notes", FOR_LANDLORD)
    page.click("button:has-text('Speichern')")
    expect(page.locator(".flash")).to_contain_text("gespeichert")
    page.goto(f"{base}/haushalte/{household_id}/einwilligungen")
    for box in page.locator("input[name=scope]").all():
        box.check()
    page.fill("#f-form_reference", "Akte 7/2026, Blatt 2")
    page.click("button:has-text('Einwilligung speichern')")
    expect(page.locator(".flash")).to_have_text("Einwilligung gespeichert.")


def test_propose_from_the_ranking_with_preview_and_no_internal_note(running: Running) -> None:  # noqa: F811
    from playwright.sync_api import expect, sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    base, world = running.base_url, running.world
    household = world.households["a"]
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
        try:
            landlord = browser.new_context(locale="de-DE").new_page()
            landlord.on("dialog", lambda d: d.accept())
            _login(landlord, base, world.email("landlord_a"))
            vacancy_id = _list_flat(landlord, base)

            counselor = browser.new_context(locale="de-DE").new_page()
            counselor.on("dialog", lambda d: d.accept())
            _login(counselor, base, world.email("counselor_a"))
            _prepare_household(counselor, base, household.id)

            # The ranking: rank 1 is the household, its row offers "Vorschlagen".
            counselor.goto(f"{base}/wohnungen/{vacancy_id}")
            first = counselor.locator("#rangliste tbody tr").first
            expect(first.locator("td").first).to_have_text("1")
            expect(first).to_contain_text(household.reference_code)
            expect(first).to_contain_text("Einwilligung bis")
            _shot(counselor, "i11_01_rangliste_vorschlagen")
            first.get_by_role("link", name=f"{household.reference_code} vorschlagen").click()

            # The preview: exactly what the landlord will see, without the internal note.
            counselor.wait_for_url(
                f"{base}/wohnungen/{vacancy_id}/vorschlagen/vorschau/{household.id}"
            )
            preview = counselor.locator(".landlord-view")
            expect(preview).to_contain_text(FOR_LANDLORD)
            expect(preview).to_contain_text(household.reference_code)
            expect(counselor.locator("body")).not_to_contain_text("Zqkanarie")
            _shot(counselor, "i11_02_vorschau_vermieteransicht")
            counselor.click("button:has-text('Jetzt vorschlagen')")
            expect(counselor.locator(".flash")).to_have_text("Vorschlag gesendet.")

            # The landlord answers in the portal; nothing internal on any of his pages.
            landlord.goto(f"{base}/vermieter/vorschlaege")
            landlord.locator(f"a:has-text('{household.reference_code}')").first.click()
            landlord.wait_for_url(re.compile(r"/vermieter/vorschlaege/\d+$"))
            proposal_url = landlord.url
            expect(landlord.locator("body")).to_contain_text(FOR_LANDLORD)
            expect(landlord.locator("body")).not_to_contain_text("Zqkanarie")
            landlord.fill("#text-viewing", "Dienstag, 16 Uhr vor Ort")
            landlord.click("button:has-text('Besichtigung vereinbaren')")
            expect(landlord.locator(".flash")).to_contain_text("Besichtigung vereinbart.")
            landlord.click("button:has-text('Zusagen')")
            expect(landlord.locator(".flash")).to_contain_text("Zusage gespeichert.")
            _shot(landlord, "i11_03_vermieter_zusage")
            landlord.goto(f"{proposal_url}/druck")
            expect(landlord.locator("body")).to_contain_text(FOR_LANDLORD)
            expect(landlord.locator("body")).not_to_contain_text("Zqkanarie")

            # The e-mail and the page its secure link opens carry no internal note either.
            with ThreadPoolExecutor(max_workers=1) as pool:
                pool.submit(asyncio.run, _deliver(running.settings, running.smtp)).result()
            mails = [m for m in running.recorder.received if "landlord_a" in m.rcpt_tos[0]]
            assert mails and all("Zqkanarie" not in m.text for m in mails)
            match = LINK.search(mails[0].text)
            assert match is not None
            phone = browser.new_context(locale="de-DE").new_page()
            phone.goto(match.group(1))
            expect(phone.locator("body")).not_to_contain_text("Zqkanarie")
            counselor.goto(f"{base}/vorschlaege")
            expect(counselor.locator("body")).to_contain_text("zugesagt")
            _shot(counselor, "i11_04_beratung_vorschlaege")
        except Exception:
            for n, ctx in enumerate(browser.contexts):
                for m, open_page in enumerate(ctx.pages):
                    _shot(open_page, f"i11_fehler_{n}_{m}")
            raise
        finally:
            browser.close()
