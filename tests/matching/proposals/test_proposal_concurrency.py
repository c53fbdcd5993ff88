"""Limits and the one-live-proposal rule under parallel requests (separate connections)."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from matching.actors import Actor
from matching.audit.service import verify_chain
from matching.db.models import Proposal
from matching.enums import LIVE_PROPOSAL_STATUSES, OrganisationKind
from matching.proposals import service
from matching.proposals.checker import PassAllChecker
from tests.matching.proposals.factories import (
    NOW,
    TEST_SETTINGS,
    Db,
    World,
    make_consent,
    make_household,
    make_vacancy,
)

pytestmark = pytest.mark.anyio
CLEAN = {"limit_household", "limit_vacancy", "already_proposed"}


async def _propose(db: Db, actor: Actor, vacancy_id: int, household_id: int) -> str:
    async with db.sessions() as session:
        [outcome] = await service.propose(
            session,
            actor,
            vacancy_id,
            [household_id],
            checker=PassAllChecker(),
            now=NOW,
            settings=TEST_SETTINGS,
        )
        await session.commit()
        assert outcome.message  # every outcome explains itself in German
        return outcome.code


def _calls(db: Db) -> int:
    return 50 if db.dialect == "postgres" else 12


async def _live(session: AsyncSession, column: Any, value: int) -> int:
    count = await session.scalar(
        sa.select(sa.func.count())
        .select_from(Proposal)
        .where(column == value, Proposal.status.in_(LIVE_PROPOSAL_STATUSES))
    )
    return int(count or 0)


async def test_parallel_proposals_for_one_household_respect_its_limit(
    db: Db, session: AsyncSession, world: World
) -> None:
    for _ in range(3):
        world.vacancies.append(await make_vacancy(session, world.landlord))
    await session.commit()
    household_id = world.households[0].id
    vacancy_ids = [v.id for v in world.vacancies]
    codes = await asyncio.gather(
        *(
            _propose(db, world.counselor, vacancy_ids[i % len(vacancy_ids)], household_id)
            for i in range(_calls(db))
        )
    )
    counts = Counter(codes)
    assert counts["sent"] == TEST_SETTINGS.matching.max_proposals_per_household
    assert set(counts) - {"sent"} <= CLEAN
    assert counts["limit_household"] > 0
    assert await _live(session, Proposal.household_id, household_id) == 2
    assert (await verify_chain(session)).ok


async def test_parallel_double_proposals_of_one_pair_give_one(
    db: Db, session: AsyncSession, world: World
) -> None:
    pair = (world.vacancies[0].id, world.households[0].id)
    codes = await asyncio.gather(*(_propose(db, world.counselor, *pair) for _ in range(_calls(db))))
    assert Counter(codes) == {"sent": 1, "already_proposed": _calls(db) - 1}


async def test_parallel_proposals_for_one_vacancy_respect_its_limit(
    db: Db, session: AsyncSession, world: World
) -> None:
    households = []
    for _ in range(_calls(db) - len(world.households)):
        household = await make_household(session, world.counseling, world.counselor_user)
        await make_consent(session, household)
        households.append(household)
    await session.commit()
    ids = [h.id for h in world.households + households]
    vacancy_id = world.vacancies[0].id
    codes = await asyncio.gather(*(_propose(db, world.counselor, vacancy_id, h) for h in ids))
    counts = Counter(codes)
    assert counts == {"sent": 3, "limit_vacancy": len(ids) - 3}
    assert await _live(session, Proposal.vacancy_id, vacancy_id) == 3
    assert world.landlord.kind == OrganisationKind.LANDLORD
