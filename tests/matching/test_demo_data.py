from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa

from matching.db.models import (
    Consent,
    Household,
    Organisation,
    OutboxMessage,
    Proposal,
    User,
    Vacancy,
)
from matching.demo.accounts import DEMO_LOGINS, LANDLORD_A, LANDLORD_B
from matching.demo.generator import (
    demo_context,
    ensure_demo_accounts,
    household_rows,
    load_demo_data,
)

pytestmark = pytest.mark.anyio


async def test_demo_data_is_deterministic_and_realistic(session: Any) -> None:
    await ensure_demo_accounts(session)
    ctx = await demo_context(session)
    first = household_rows(4000, 7, ctx, date(2026, 11, 1), 1)
    second = household_rows(4000, 7, ctx, date(2026, 11, 1), 1)
    assert first == second
    sizes = Counter(min(r["persons"], 5) for r in first)
    assert abs(sizes[1] / 4000 - 0.55) < 0.03
    assert abs(sizes[5] / 4000 - 0.08) < 0.02
    assert {r["urgency"] for r in first} == {
        "eviction_scheduled",
        "homeless",
        "notice_received",
        "inadequate_housing",
        "threatened",
        "none",
    }
    assert Counter(r["income_basis"] for r in first).most_common(1)[0][0] == "sgb2"
    assert all(r["eviction_date"] for r in first if r["urgency"] == "eviction_scheduled")


async def test_load_demo_data_writes_accounts_households_and_vacancies(session: Any) -> None:
    counts = await load_demo_data(session, households=300, vacancies=40, seed=1, journeys=False)
    await session.commit()
    assert counts["households"] == 300 and counts["vacancies"] == 40
    assert counts["history_proposals"] > 100
    assert counts["cases"] == 11
    assert await session.scalar(sa.select(sa.func.count(Household.id))) == 300
    open_count = sa.select(sa.func.count(Vacancy.id)).where(Vacancy.status == "open")
    assert await session.scalar(open_count) == 40
    emails = set((await session.scalars(sa.select(User.email))).all())
    assert {login.email for login in DEMO_LOGINS} <= emails
    codes = (await session.scalars(sa.select(Household.reference_code))).all()
    assert len(set(codes)) == 300
    # A second run adds more without clashing reference codes.
    await load_demo_data(session, households=10, vacancies=1, seed=1, journeys=False)
    await session.commit()
    assert (
        await session.scalar(sa.select(sa.func.count(sa.distinct(Household.reference_code)))) == 310
    )


async def test_demo_journeys_give_every_landlord_proposals_in_every_state(session: Any) -> None:
    counts = await load_demo_data(session, households=2000, vacancies=150, seed=3)
    await session.commit()
    households = await session.scalar(sa.select(sa.func.count(Household.id)))
    consents = await session.scalar(sa.select(sa.func.count(Consent.id)))
    assert counts["consents"] == consents and consents > 0.8 * households
    wanted = {"sent", "viewed", "viewing_arranged", "accepted", "let", "declined", "expired"}
    for name in (LANDLORD_A, LANDLORD_B):
        org = await session.scalar(sa.select(Organisation.id).where(Organisation.name == name))
        rows = (
            await session.execute(
                sa.select(Proposal.status, Proposal.decline_reason_code).where(
                    Proposal.landlord_organisation_id == org
                )
            )
        ).all()
        assert wanted <= {s.value for s, _ in rows}, name  # plus the history's withdrawn
        reasons = {r for s, r in rows if s.value == "declined"}
        assert {"L_OTHER_APPLICANT", "H_LOCATION"} <= reasons  # both sides, with reasons
    # The e-mails wait in the outbox (the admin's "Postausgang") with links to the app.
    mails = (await session.scalars(sa.select(OutboxMessage.body_text))).all()
    assert any("/l/" in body for body in mails)
