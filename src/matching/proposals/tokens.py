"""Secure links for landlords: a random token per e-mail, stored only as its SHA-256.

Why a hash: a copy of the database (backup, log) must not open any proposal. The raw token
exists only in the e-mail (and in the outbox row until it is delivered, see the worker).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from matching.db.models import Proposal, ProposalToken
from matching.enums import ProposalStatus
from matching.proposals.timeutil import as_utc, utcnow

TOKEN_BYTES = 32  # 256 bits of randomness
GRACE_AFTER_RESPOND_BY = timedelta(days=7)


class TokenProblem(StrEnum):
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    REVOKED = "revoked"


TOKEN_PROBLEM_DE: dict[TokenProblem, str] = {
    TokenProblem.UNKNOWN: (
        "Dieser Link ist ungültig. Bitte prüfen Sie, ob er vollständig kopiert wurde, oder "
        "wenden Sie sich an die im Vorschlag genannte Beratungsstelle."
    ),
    TokenProblem.EXPIRED: (
        "Dieser Link ist abgelaufen. Bitte melden Sie sich im Vermieterportal an oder wenden "
        "Sie sich an die im Vorschlag genannte Beratungsstelle."
    ),
    TokenProblem.REVOKED: (
        "Dieser Link wurde zurückgezogen, der Vorschlag ist nicht mehr aktuell. Bei Fragen "
        "wenden Sie sich bitte an die im Vorschlag genannte Beratungsstelle."
    ),
}


@dataclass(frozen=True)
class Redemption:
    """Either ``proposal_id`` (valid link) or ``problem`` (what to tell the visitor)."""

    proposal_id: int | None = None
    problem: TokenProblem | None = None
    first_use: bool = False

    @property
    def message_de(self) -> str | None:
        return None if self.problem is None else TOKEN_PROBLEM_DE[self.problem]


def hash_token(raw_token: str) -> str:
    return hashlib.sha256(raw_token.encode("utf-8")).hexdigest()


async def issue(
    session: AsyncSession, proposal_id: int, recipient_email: str, respond_by: datetime
) -> str:
    """Create a token for one proposal and recipient; returns the raw token (shown once)."""
    raw = secrets.token_urlsafe(TOKEN_BYTES)
    session.add(
        ProposalToken(
            proposal_id=proposal_id,
            recipient_email=recipient_email,
            token_hash=hash_token(raw),
            expires_at=as_utc(respond_by) + GRACE_AFTER_RESPOND_BY,
        )
    )
    await session.flush()
    return raw


async def redeem(session: AsyncSession, raw_token: str, now: datetime | None = None) -> Redemption:
    """Check a token; the first successful use is recorded (first_used_at).

    A tampered or guessed token is looked up by its hash like any other and simply is not
    found: it cannot be told apart from an unknown one.
    """
    moment = now or utcnow()
    if not raw_token or len(raw_token) > 200:
        return Redemption(problem=TokenProblem.UNKNOWN)
    token = await session.scalar(
        sa.select(ProposalToken).where(ProposalToken.token_hash == hash_token(raw_token))
    )
    if token is None:
        return Redemption(problem=TokenProblem.UNKNOWN)
    if token.revoked_at is not None:
        return Redemption(problem=TokenProblem.REVOKED)
    if as_utc(token.expires_at) <= moment:
        return Redemption(problem=TokenProblem.EXPIRED)
    first_use = token.first_used_at is None
    if first_use:
        token.first_used_at = moment
        await session.flush()
    return Redemption(proposal_id=token.proposal_id, first_use=first_use)


async def expires_at(session: AsyncSession, raw_token: str) -> datetime | None:
    """When the token stops working (UTC), None for an unknown token."""
    expiry = await session.scalar(
        sa.select(ProposalToken.expires_at).where(ProposalToken.token_hash == hash_token(raw_token))
    )
    return None if expiry is None else as_utc(expiry)


async def revoke_for_proposal(
    session: AsyncSession, proposal_id: int, now: datetime | None = None
) -> int:
    """Revoke every still-valid link of a proposal; returns how many."""
    result = await session.execute(
        sa.update(ProposalToken)
        .where(ProposalToken.proposal_id == proposal_id, ProposalToken.revoked_at.is_(None))
        .values(revoked_at=now or utcnow())
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


async def link_session_valid(
    session: AsyncSession, token_hash: str, proposal_id: int, now: datetime | None = None
) -> bool:
    """A session opened by a link still stands: the link is neither revoked nor expired and
    its proposal is not withdrawn or expired."""
    if not token_hash:
        return False
    row = (
        await session.execute(
            sa.select(ProposalToken.revoked_at, ProposalToken.expires_at, Proposal.status)
            .join(Proposal, Proposal.id == ProposalToken.proposal_id)
            .where(ProposalToken.token_hash == token_hash, ProposalToken.proposal_id == proposal_id)
        )
    ).one_or_none()
    if row is None or row.revoked_at is not None:
        return False
    if as_utc(row.expires_at) <= (now or utcnow()):
        return False
    return row.status not in (ProposalStatus.WITHDRAWN, ProposalStatus.EXPIRED)
