"""Proposing from the ranking: the propose page is the vacancy's ranking (paged, searchable,
with consent states), ranking rows offer "Vorschlagen", excluded households link to "Warum
nicht?", checks run in batch, and proposing fails closed without the checker."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine

from matching import clock
from matching.db.models import Household, Proposal
from matching.enums import Urgency
from tests.api.test_proposal_pages import propose_page
from tests.api.test_proposals_api import give_consent
from tests.conftest import csrf_headers, login
from tests.support.world import PASSWORD, household_values

pytestmark = pytest.mark.anyio


async def _office(session: Any, world: Any, n: int = 30) -> list[Household]:
    """``n`` more households of office a: the longest-waiting ones are the least urgent, so a
    cut by waiting time (the old propose page) would miss the best-ranked ones."""
    org = world.orgs["counseling_a"].id
    rows = []
    for i in range(n):
        urgent = i >= n - 3
        rows.append(
            Household(
                **household_values(
                    org,
                    reference_code=f"HH-2026-7{i:04d}",
                    urgency=Urgency.EVICTION_SCHEDULED if urgent else Urgency.NONE,
                    eviction_date=clock.today() + timedelta(days=20) if urgent else None,
                    registered_at=clock.today() - timedelta(days=30 if urgent else 900 - i),
                )
            )
        )
    session.add_all(rows)
    too_big = Household(
        **household_values(org, reference_code="HH-2026-79999", adults=6, children_ages=[1, 2])
    )
    session.add(too_big)
    await session.commit()
    return [*rows, too_big]


class _Statements:
    """Counts SQL statements that read the consents table while active."""

    def __init__(self) -> None:
        self.consent_reads = 0

    def __call__(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if "FROM consents" in statement:
            self.consent_reads += 1


async def test_propose_page_is_the_ranking_paged_with_consents_in_one_query(
    client: Any, world: Any, session: Any
) -> None:
    households = await _office(session, world)
    urgent = households[-4]  # most urgent and newest: rank 1-3
    await give_consent(session, urgent)
    await login(client, world.email("counselor_a"), PASSWORD)
    vid = world.vacancies["a"].id
    counter = _Statements()
    event.listen(Engine, "before_cursor_execute", counter)
    try:
        page = await client.get(f"/wohnungen/{vid}/vorschlagen")
    finally:
        event.remove(Engine, "before_cursor_execute", counter)
    assert page.status_code == 200
    assert counter.consent_reads == 1  # one consent query for the whole page
    text = page.text
    # The three urgent newcomers lead, although 27 others waited longer.
    first_rows = text[text.index("<tbody>") : text.index("</tbody>")]
    for h in households[-4:-1]:
        assert h.reference_code in first_rows
    assert first_rows.index(households[-2].reference_code) < first_rows.index("HH-2026-70000")
    assert "Rang 1–25 von 31" in text and "nächste 25" in text
    assert f'href="/wohnungen/{vid}/vorschlagen/vorschau/{urgent.id}"' in text
    assert "gültig bis" in text and "Einwilligung erfassen" in text
    # The funnel names the excluded household and links it to "Warum nicht?".
    assert "HH-2026-79999" in text
    assert f"/wohnungen/{vid}/haushalte/{households[-1].id}/warum" in text
    second = await client.get(f"/wohnungen/{vid}/vorschlagen", params={"offset": "25"})
    assert "Rang 26–31 von 31" in second.text
    found = await client.get(f"/wohnungen/{vid}/vorschlagen", params={"suche": "7002"})
    rows = found.text[found.text.index("<tbody>") : found.text.index("</tbody>")]
    assert "HH-2026-70020" in rows and "HH-2026-70010" not in rows


async def test_ranking_row_offers_propose_and_preview_then_sends(
    client: Any, world: Any, session: Any
) -> None:
    household = world.households["a"]
    household.landlord_notes = "Bitte vormittags anrufen"
    await session.commit()
    await give_consent(session, household, scope=("landlord_notes",))
    await login(client, world.email("counselor_a"), PASSWORD)
    vid = world.vacancies["a"].id
    ranking = await client.get(f"/wohnungen/{vid}/rangliste")
    preview_url = f"/wohnungen/{vid}/vorschlagen/vorschau/{household.id}"
    assert preview_url in ranking.text and "Einwilligung bis" in ranking.text
    assert f"/wohnungen/{vid}/haushalte/{household.id}/warum" in ranking.text
    preview = await client.get(preview_url)
    assert preview.status_code == 200
    assert "Bitte vormittags anrufen" in preview.text and household.reference_code in preview.text
    assert "Hinweise für Vermieter" in preview.text
    sent = await propose_page(client, world, "a")
    assert sent.status_code == 200 and "Vorschlag gesendet" in sent.text
    assert (await session.scalar(sa.select(sa.func.count()).select_from(Proposal))) == 1


async def test_preview_without_consent_says_what_is_missing(
    client: Any, world: Any, session: Any
) -> None:
    await login(client, world.email("counselor_a"), PASSWORD)
    vid, hid = world.vacancies["a"].id, world.households["a"].id
    preview = await client.get(f"/wohnungen/{vid}/vorschlagen/vorschau/{hid}")
    assert preview.status_code == 409 and "keine Einwilligung erfasst" in preview.text
    other = await client.get(f"/wohnungen/{vid}/vorschlagen/vorschau/{world.households['b'].id}")
    assert other.status_code == 404  # another office's household


async def test_proposing_fails_closed_without_the_checker(
    app: Any, client: Any, world: Any, session: Any
) -> None:
    await give_consent(session, world.households["a"])
    app.state.ranking = None
    await login(client, world.email("counselor_a"), PASSWORD)
    vid = world.vacancies["a"].id
    page = await client.get(f"/wohnungen/{vid}/vorschlagen")
    assert page.status_code == 503 and "nicht verfügbar" in page.text
    refused = await client.post(
        f"/wohnungen/{vid}/vorschlagen",
        data={"household_ids": [str(world.households["a"].id)]},
        headers=csrf_headers(client),
    )
    assert refused.status_code == 503
    assert (await session.scalar(sa.select(sa.func.count()).select_from(Proposal))) == 0


async def test_propose_page_finds_a_household_by_name_sent_in_the_body(
    client: Any, world: Any, session: Any
) -> None:
    household = world.households["a"]
    household.name = "Zofia Wiśniewska-Quandt"
    await session.commit()
    await login(client, world.email("counselor_a"), PASSWORD)
    vid = world.vacancies["a"].id
    found = await client.post(
        f"/wohnungen/{vid}/vorschlagen/suche",
        data={"suche": "quandt"},
        headers=csrf_headers(client),
    )
    assert found.status_code == 200, found.text
    rows = found.text[found.text.index("<tbody>") : found.text.index("</tbody>")]
    assert household.reference_code in rows
    assert "Quandt" not in str(found.url) and "quandt" not in str(found.url)
    nobody = await client.post(
        f"/wohnungen/{vid}/vorschlagen/suche",
        data={"suche": "Niemandsname"},
        headers=csrf_headers(client),
    )
    assert "Kein passender Haushalt mit dieser Kennung oder diesem Namen." in nobody.text
    assert "<tbody>" not in nobody.text
