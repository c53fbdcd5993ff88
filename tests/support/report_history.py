"""Proposal history in bulk for report tests and the report benchmark.

Deterministic (seeded): proposals between existing households and open vacancies, sent in
one year, in every outcome, with answer times and decline reasons. Written with Core bulk
inserts so 200,000 rows take seconds.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from matching.db.models import DeclineReason, Household, Proposal, Vacancy

OUTCOMES = (
    ("sent", 0.10),
    ("viewed", 0.08),
    ("viewing_arranged", 0.05),
    ("declined", 0.32),
    ("accepted", 0.05),
    ("let", 0.10),
    ("expired", 0.15),
    ("withdrawn", 0.15),
)
ANSWERED = {"viewing_arranged", "declined", "accepted", "let"}
CLOSED = {"declined", "let", "expired", "withdrawn"}


async def add_proposal_history(
    session: AsyncSession, count: int, year: int, *, seed: int = 7, chunk: int = 10_000
) -> int:
    """Insert ``count`` proposals sent in ``year``; returns how many were written."""
    rng = np.random.default_rng(seed)
    h = (
        await session.execute(
            sa.select(Household.id, Household.organisation_id, Household.registered_at)
        )
    ).all()
    v = (await session.execute(sa.select(Vacancy.id, Vacancy.organisation_id))).all()
    reasons = (
        await session.scalars(sa.select(DeclineReason.code).where(DeclineReason.side == "landlord"))
    ).all()
    hi = rng.integers(0, len(h), count)
    vi = rng.integers(0, len(v), count)
    _, first = np.unique(hi.astype(np.int64) * len(v) + vi, return_index=True)
    hi, vi = hi[first], vi[first]
    names = [o for o, _ in OUTCOMES]
    weights = np.array([w for _, w in OUTCOMES])
    status = rng.choice(len(names), size=hi.size, p=weights / weights.sum())
    year_start = dt.datetime(year, 1, 1, 8, tzinfo=dt.UTC)
    offsets = rng.integers(0, 330 * 24 * 3600, hi.size)
    answer = rng.gamma(2.0, 40.0, hi.size) * 3600  # hours → seconds, median about 3 days
    close = answer + rng.integers(3600, 20 * 24 * 3600, hi.size)
    reason_idx = rng.integers(0, max(len(reasons), 1), hi.size)
    now = dt.datetime.now(dt.UTC)
    rows: list[dict[str, Any]] = []
    written = 0
    for k in range(hi.size):
        household_id, counseling_id, registered = h[int(hi[k])]
        vacancy_id, landlord_id = v[int(vi[k])]
        start = max(year_start, dt.datetime.combine(registered, dt.time(8), tzinfo=dt.UTC))
        sent = start + dt.timedelta(seconds=int(offsets[k]))
        outcome = names[int(status[k])]
        rows.append(
            {
                "vacancy_id": vacancy_id,
                "household_id": household_id,
                "landlord_organisation_id": landlord_id,
                "counseling_organisation_id": counseling_id,
                "status": outcome,
                "sent_at": sent,
                "respond_by": sent + dt.timedelta(days=7),
                "answered_at": sent + dt.timedelta(seconds=float(answer[k]))
                if outcome in ANSWERED
                else None,
                "closed_at": sent + dt.timedelta(seconds=float(close[k]))
                if outcome in CLOSED
                else None,
                "decline_reason_code": reasons[int(reason_idx[k])]
                if outcome == "declined" and reasons
                else None,
                "explanation": {},
                "shared_profile": {},
                "version": 1,
                "created_at": now,
                "updated_at": now,
            }
        )
        if len(rows) >= chunk:
            await session.execute(sa.insert(Proposal.__table__), rows)
            written += len(rows)
            rows = []
    if rows:
        await session.execute(sa.insert(Proposal.__table__), rows)
        written += len(rows)
    return written
