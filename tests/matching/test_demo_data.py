from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa

from matching.db.models import Household, User, Vacancy
from matching.demo.accounts import DEMO_LOGINS
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
    counts = await load_demo_data(session, households=300, vacancies=40, seed=1)
    await session.commit()
    assert counts == {"households": 300, "vacancies": 40}
    assert await session.scalar(sa.select(sa.func.count(Household.id))) == 300
    assert await session.scalar(sa.select(sa.func.count(Vacancy.id))) == 40
    emails = set((await session.scalars(sa.select(User.email))).all())
    assert {login.email for login in DEMO_LOGINS} <= emails
    codes = (await session.scalars(sa.select(Household.reference_code))).all()
    assert len(set(codes)) == 300
    # A second run adds more without clashing reference codes.
    await load_demo_data(session, households=10, vacancies=1, seed=1)
    await session.commit()
    assert (
        await session.scalar(sa.select(sa.func.count(sa.distinct(Household.reference_code)))) == 310
    )
