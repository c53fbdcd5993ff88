"""The fairness monitor on constructed data: one group triggers the four-fifths alarm."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from matching import clock
from matching.db import versioning
from matching.db.models import Household, Proposal
from matching.reference.loader import load_reference_data
from tests.conftest import login
from tests.support.world import PASSWORD, household_values

pytestmark = pytest.mark.anyio


async def _constructed(session: Any, world: Any) -> None:
    """60 households without children (40 accepted), 60 with children (10 accepted), and
    three single-person households with a rare income basis (too few to show)."""
    await load_reference_data(session)
    sent = datetime.now(UTC) - timedelta(days=30)
    org = world.orgs["counseling_a"].id
    landlord = world.orgs["landlord_a"].id
    vacancy = world.vacancies["a"].id
    plan = [([], 60, 40), ([4, 7], 60, 10)]
    number = 0
    for children, n, accepted in plan:
        for i in range(n):
            number += 1
            values = household_values(
                org, reference_code=f"HH-2026-7{number:04d}", children_ages=children, adults=1
            )
            hid = (
                await session.execute(sa.insert(Household).values(**values))
            ).inserted_primary_key[0]
            ok = i < accepted
            await session.execute(
                sa.insert(Proposal).values(
                    vacancy_id=vacancy,
                    household_id=hid,
                    landlord_organisation_id=landlord,
                    counseling_organisation_id=org,
                    status="accepted" if ok else "declined",
                    decline_reason_code=None if ok else "L_OTHER_APPLICANT",
                    sent_at=sent,
                    answered_at=sent + timedelta(days=2),
                    explanation={},
                    shared_profile={"scope": ["composition"]},
                )
            )
    for i in range(3):
        values = household_values(org, reference_code=f"HH-2026-8{i:04d}", income_basis="asylblg")
        await session.execute(sa.insert(Household).values(**values))
    await versioning.bump(session, versioning.HOUSEHOLDS)
    await session.commit()


async def test_underserved_group_raises_the_alarm(client: Any, world: Any, session: Any) -> None:
    await _constructed(session, world)
    await login(client, world.email("admin"), PASSWORD)
    start = (clock.today() - timedelta(days=90)).isoformat()
    page = await client.get(f"/berichte/fairness?von={start}&bis={clock.today().isoformat()}")
    assert page.status_code == 200, page.text
    text = page.text
    alarms = text.split('id="auffaellig"')[1].split("</section>")[0]
    assert "Kinder – mit Kindern" in alarms and "Zusage des Vermieters" in alarms
    assert "ohne Kinder" not in alarms
    assert "0,25" in alarms  # 10/60 against 40/60
    assert "Auffällig" in text and "Vier-Fünftel-Regel" in text and "§ 19 AGG" in text
    # three AsylbLG households: their group is never shown with a number
    income = text.split('id="dim-income"')[1].split("</section>")[0]
    row = income.split("AsylbLG")[1].split("</tr>")[0]
    assert "geschützt" in row and ">3 " not in row
    assert "Erika" not in text


async def test_fairness_is_for_the_fachstelle_only(client: Any, world: Any) -> None:
    await login(client, world.email("counselor_a"), PASSWORD)
    response = await client.get("/berichte/fairness")
    assert response.status_code in (403, 404)


async def test_period_ending_before_it_starts_is_refused(client: Any, world: Any) -> None:
    await login(client, world.email("admin"), PASSWORD)
    response = await client.get("/berichte/fairness?von=2026-06-01&bis=2026-01-01")
    assert response.status_code == 422
    assert "Ende des Zeitraums liegt vor dem Anfang" in response.text
    bad = await client.get("/berichte/fairness?von=gestern")
    assert bad.status_code == 422 and "Datum" in bad.text
    # the reports' period rule: year 1 … 9999 answered 500 (timestamp overflow), a far-off
    # future counted every household as "registered in the period"
    for query in (
        "von=0001-01-01&bis=9999-12-31",
        f"von={clock.today().year + 2}-01-01&bis={clock.today().year + 2}-12-31",
    ):
        far = await client.get(f"/berichte/fairness?{query}")
        assert far.status_code == 422 and "Berichte gibt es für 2000 bis" in far.text
    # next year is a report period (planning), but nothing has happened in it yet
    tomorrow = clock.today() + timedelta(days=1)
    ahead = await client.get(
        f"/berichte/fairness?von={tomorrow.isoformat()}&bis={tomorrow.isoformat()}"
    )
    assert ahead.status_code == 422 and "beginnt in der Zukunft" in ahead.text
