"""Forms and tables people can use, in a real browser: a compact ranking row (one stacked
bar, explanation on demand), an error summary that takes focus and links to the fields,
radio buttons beside their labels, table values that keep their labels on a 375 px screen."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.test_journey import (
    CHROMIUM,
    LAUNCH_ARGS,
    SHOTS,
    Running,
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
ROW_MAX_PX = 120


def _counselor(browser: Any, base: str, email: str, width: int = 1280) -> Any:
    page = browser.new_context(locale="de-DE", viewport={"width": width, "height": 900}).new_page()
    _login(page, base, email)
    return page


def test_ranking_rows_are_compact_and_explain_on_demand(running: Running) -> None:  # noqa: F811
    from playwright.sync_api import expect, sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    base, world = running.base_url, running.world
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
        try:
            page = _counselor(browser, base, world.email("counselor_a"))
            page.goto(f"{base}/wohnungen/{world.vacancies['a'].id}")
            rows = page.locator("#rangliste table.ranking tbody tr")
            expect(rows.first).to_be_visible()
            _shot(page, "i11_ui_rangliste_kompakt")
            for i in range(rows.count()):
                box = rows.nth(i).bounding_box()
                assert box is not None and box["height"] <= ROW_MAX_PX, box
            first = rows.first
            assert first.locator("svg.stack rect").count() == 5  # one bar, five components
            expect(page.locator("ul.legend li")).to_have_count(5)
            why = first.locator("details.why")
            expect(why.locator("ul")).to_be_hidden()  # the explanation only on demand
            why.locator("summary").click()
            expect(why.locator("ul")).to_be_visible()
            expect(why).to_contain_text("Punkten")
        finally:
            browser.close()


def test_error_summary_focus_radios_and_small_screen_labels(running: Running) -> None:  # noqa: F811
    from playwright.sync_api import expect, sync_playwright

    base, world = running.base_url, running.world
    household = world.households["a"]
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
        try:
            page = _counselor(browser, base, world.email("counselor_a"))
            page.goto(f"{base}/haushalte/neu")
            assert page.locator("#f-eviction_date").get_attribute("type") == "date"
            page.fill("#f-adults", "0")
            page.click("button:has-text('Speichern')")
            summary = page.locator("[data-error-summary]")
            expect(summary).to_be_visible()
            expect(summary).to_be_focused()
            summary.locator("a[href='#f-adults']").click()
            expect(page.locator("#f-adults")).to_be_focused()
            _shot(page, "i11_ui_fehlerliste")

            page.goto(f"{base}/haushalte/{household.id}/einwilligungen")
            for radio_id in ("rec-network", "rec-named"):
                radio = page.locator(f"#{radio_id}").bounding_box()
                label = page.locator(f"label[for={radio_id}]").bounding_box()
                assert radio and label
                assert 0 <= label["x"] - (radio["x"] + radio["width"]) <= 24, (radio, label)
                assert (
                    abs((label["y"] + label["height"] / 2) - (radio["y"] + radio["height"] / 2))
                    < 12
                )

            phone = _counselor(browser, base, world.email("counselor_a"), width=375)
            phone.goto(f"{base}/haushalte")
            cell = phone.locator("table tbody tr td").nth(2)
            before = cell.evaluate("c => getComputedStyle(c, '::before').content")
            assert before.strip('"') == cell.get_attribute("data-label") == "Personen"
            _shot(phone, "i11_ui_haushalte_375px")
        finally:
            browser.close()
