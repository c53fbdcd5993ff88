"""The prevention journey in a real browser (headless Chromium against the real app).

A counselor opens a prevention case from a court notice → records the served date and sees
the Schonfrist → files the application → shares the case with a second office on the
household's consent, whose counselor adds a contact → the outcome "Wohnung erhalten" closes
it. Screenshots go to ``var/screenshots/``.
"""

from __future__ import annotations

import re
from datetime import date

from matching import clock
from matching.cases.deadlines import schonfrist_end
from tests.browser.test_journey import (  # noqa: F401  (the running app fixture)
    CHROMIUM,
    LAUNCH_ARGS,
    SHOTS,
    Running,
    _login,
    _shot,
    pytestmark,
    running,
)


def test_prevention_case_journey(running: Running) -> None:  # noqa: F811
    from playwright.sync_api import expect, sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    base, world = running.base_url, running.world
    household_id = world.households["a"].id
    today = clock.today()
    served = date.fromordinal(today.toordinal() - 3)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
        try:
            # 1. A court notice arrives: the counselor opens a prevention case.
            counselor = browser.new_context(locale="de-DE").new_page()
            _login(counselor, base, world.email("counselor_a"))
            counselor.goto(f"{base}/haushalte/{household_id}")
            counselor.locator("#faelle a:has-text('Fall anlegen')").click()
            counselor.select_option("#f-kind", "prevention")
            counselor.fill("#f-court_notice_received_on", today.isoformat())
            counselor.fill("#f-arrears", "1.850,00")
            counselor.click("button:has-text('Speichern')")
            counselor.wait_for_url(re.compile(r"/faelle/\d+$"))
            case_url = counselor.url
            expect(counselor.locator(".flash")).to_contain_text("wurde angelegt")
            _shot(counselor, "20_fall_aus_gerichtsmitteilung")

            # 2. The served date gives the Schonfrist.
            counselor.click("a:has-text('Bearbeiten')")
            counselor.fill("#f-suit_served_on", served.isoformat())
            counselor.click("button:has-text('Speichern')")
            expect(counselor.locator("#fristen")).to_contain_text("Ende der Schonfrist")
            expect(counselor.locator("#fristen")).to_contain_text(
                schonfrist_end(served).strftime("%d.%m.%Y")
            )
            _shot(counselor, "21_fall_schonfrist")

            # 3. The application to the Jobcenter is filed.
            counselor.click("a:has-text('Bearbeiten')")
            counselor.select_option("#f-application_authority", "jobcenter")
            counselor.select_option("#f-application_legal_basis", "sgb2_22_8")
            counselor.fill("#f-application_filed_on", today.isoformat())
            counselor.click("button:has-text('Speichern')")
            expect(counselor.locator("#verlauf")).to_contain_text("Antrag auf Übernahme")
            _shot(counselor, "22_fall_antrag")

            # 4. The household consents to sharing the case file with office B.
            counselor.goto(f"{base}/haushalte/{household_id}/einwilligungen")
            counselor.check("#scope-case")
            counselor.check("#rec-named")
            counselor.select_option("#f-recipient_organisation_ids", label="Beratung B")
            counselor.fill("#f-form_reference", "Akte 7/2026, Blatt 2")
            counselor.click("button:has-text('Einwilligung speichern')")
            expect(counselor.locator(".flash")).to_have_text("Einwilligung gespeichert.")
            counselor.goto(case_url)
            counselor.select_option("#f-share-organisation_id", label="Beratung B")
            counselor.select_option("#f-share-level", "cowork")
            counselor.click("button:has-text('Fall teilen')")
            expect(counselor.locator(".flash")).to_contain_text("geteilt")
            _shot(counselor, "23_fall_geteilt")

            # 5. Office B's counselor adds a contact.
            other = browser.new_context(locale="de-DE").new_page()
            _login(other, base, world.email("counselor_b"))
            other.goto(case_url)
            expect(other.locator("body")).to_contain_text("Mitarbeit")
            other.select_option("#f-contact-kind", "accompaniment")
            other.click("button:has-text('Kontakt speichern')")
            expect(other.locator(".flash")).to_have_text("Kontakt eingetragen.")
            expect(other.locator("#verlauf")).to_contain_text("Beratung B")
            _shot(other, "24_fall_zweite_stelle_kontakt")

            # 6. The home is kept: the outcome closes the case.
            counselor.goto(case_url)
            counselor.click("a:has-text('Bearbeiten')")
            counselor.select_option("#f-outcome", "home_kept")
            counselor.fill("#f-closed_on", today.isoformat())
            counselor.click("button:has-text('Speichern')")
            expect(counselor.locator(".flash")).to_contain_text("abgeschlossen")
            expect(counselor.locator("#verlauf")).to_contain_text("Abgeschlossen: Wohnung erhalten")
            expect(counselor.locator("#fristen")).to_contain_text("Keine offenen Fristen")
            _shot(counselor, "25_fall_abgeschlossen")
        finally:
            browser.close()
