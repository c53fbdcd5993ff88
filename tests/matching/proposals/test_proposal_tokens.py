"""Secure links: random, hashed, expiring, revocable; a guessed token is just unknown."""

from __future__ import annotations

import hashlib

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from matching.db.models import OutboxMessage, ProposalToken
from matching.proposals import service, tokens
from matching.proposals.checker import PassAllChecker
from matching.proposals.tokens import TokenProblem
from tests.matching.proposals.factories import NOW, TEST_SETTINGS, World, later

pytestmark = pytest.mark.anyio


async def _sent(session: AsyncSession, world: World) -> tuple[int, str]:
    [outcome] = await service.propose(
        session,
        world.counselor,
        world.vacancies[0].id,
        [world.households[0].id],
        checker=PassAllChecker(),
        now=NOW,
        settings=TEST_SETTINGS,
    )
    await session.commit()
    assert outcome.proposal_id is not None
    body = await session.scalar(sa.select(OutboxMessage.body_text))
    assert body is not None
    raw = body.split("https://tueroeffner.example/l/")[1].split()[0]
    return outcome.proposal_id, raw


async def test_token_is_random_hashed_and_redeemable_once_recorded(
    session: AsyncSession, world: World
) -> None:
    proposal_id, raw = await _sent(session, world)
    assert len(raw) >= 43  # 32 random bytes, URL-safe base64
    stored = (await session.scalars(sa.select(ProposalToken))).one()
    assert stored.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in stored.token_hash
    first = await tokens.redeem(session, raw, later(1))
    assert (first.proposal_id, first.first_use, first.problem) == (proposal_id, True, None)
    second = await tokens.redeem(session, raw, later(2))
    assert second.proposal_id == proposal_id and not second.first_use
    await session.commit()
    refreshed = await session.get(ProposalToken, stored.id, populate_existing=True)
    assert refreshed is not None and refreshed.first_used_at is not None


async def test_expired_revoked_unknown_and_tampered(session: AsyncSession, world: World) -> None:
    proposal_id, raw = await _sent(session, world)
    # respond_by is 30.11.2026 end of day; the link lives seven days longer.
    assert (await tokens.redeem(session, raw, later(13))).proposal_id == proposal_id
    expired = await tokens.redeem(session, raw, later(15))
    assert expired.problem == TokenProblem.EXPIRED and expired.proposal_id is None
    assert expired.message_de is not None and "abgelaufen" in expired.message_de
    tampered = raw[:-1] + ("A" if raw[-1] != "A" else "B")
    for bad in (tampered, "guess", "", "x" * 500):
        result = await tokens.redeem(session, bad, later(1))
        assert result.problem == TokenProblem.UNKNOWN and result.proposal_id is None
    assert await tokens.revoke_for_proposal(session, proposal_id, later(1)) == 1
    revoked = await tokens.redeem(session, raw, later(1))
    assert revoked.problem == TokenProblem.REVOKED
    assert revoked.message_de is not None and "Beratungsstelle" in revoked.message_de
