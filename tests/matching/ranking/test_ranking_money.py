"""Money through the database (SQLite and PostgreSQL): amounts stored as NUMERIC reach the
engine as exact cents, so a flat costing exactly the budget passes and one cent more fails."""

from __future__ import annotations

import itertools
import random
from decimal import Decimal
from typing import Any

import pytest

from matching.enums import IncomeBasis
from matching.ranking import RankingService
from tests.matching.ranking.ranking_support import actor, add_household, add_vacancy

pytestmark = pytest.mark.anyio


def _split(total: int, rng: random.Random, parts: int) -> list[Decimal]:
    """``total`` cents cut at random into ``parts`` amounts summing exactly to it."""
    cuts = sorted(rng.randint(0, total) for _ in range(parts - 1))
    bounds = [0, *cuts, total]
    return [Decimal(b - a) / 100 for a, b in itertools.pairwise(bounds)]


async def _flat(session: Any, landlord: int, amounts: list[Decimal], key: str) -> int:
    heating = amounts[2] if len(amounts) == 3 else None
    vacancy = await add_vacancy(
        session,
        landlord,
        external_id=key,
        net_cold_rent=amounts[0],
        cold_service_charges=amounts[1],
        heating_costs=heating,
    )
    return int(vacancy.id)


@pytest.mark.parametrize("budget_cents", [50_000, 61_237])
async def test_split_of_the_budget_passes_one_cent_more_fails(
    session: Any, world: Any, budget_cents: int
) -> None:
    rng = random.Random(budget_cents)
    landlord = world.orgs["landlord_a"].id
    household = await add_household(
        session,
        world.orgs["counseling_a"].id,
        "HH-2026-30001",
        income_basis=IncomeBasis.OWN_INCOME,
        own_max_rent=Decimal(budget_cents) / 100,
    )
    exact, over = set(), set()
    for k in range(6):
        amounts = _split(budget_cents, rng, 2 + k % 2)
        exact.add(await _flat(session, landlord, amounts, f"EXACT-{k}"))
        amounts[0] += Decimal("0.01")
        over.add(await _flat(session, landlord, amounts, f"OVER-{k}"))
    if budget_cents == 50_000:  # the case of the issue: 300,00 + 128,83 + 71,17
        exact.add(
            await _flat(
                session,
                landlord,
                [Decimal("300.00"), Decimal("128.83"), Decimal("71.17")],
                "ISSUE",
            )
        )
    service = RankingService()
    counselor = await actor(session, world, "counselor_a")
    result = await service.household_matches(session, counselor, household.id, limit=100)
    ranked = {r.vacancy_id for r in result.rows}
    assert exact <= ranked
    assert not over & ranked
    assert result.funnel.counts()["RENT_ABOVE_BUDGET"] >= len(over)
    for vacancy_id in over:
        pair = await service.explain(session, counselor, vacancy_id, household.id)
        assert [x.code for x in pair.explanation.exclusions] == ["RENT_ABOVE_BUDGET"]
        assert "über dem eigenen Budget" in pair.explanation.exclusions[0].text
