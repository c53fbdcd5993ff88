"""The demo's year of proposal history: consistent workflow states and the documented rule."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from matching.db.models import Household, Proposal, Vacancy
from matching.demo.generator import load_demo_data
from matching.enums import LIVE_PROPOSAL_STATUSES

pytestmark = pytest.mark.anyio


async def test_history_is_a_consistent_closed_year(session: Any) -> None:
    counts = await load_demo_data(session, households=1200, vacancies=30, seed=3, journeys=False)
    await session.commit()
    rows = (
        await session.execute(
            sa.select(
                Proposal.status,
                Proposal.sent_at,
                Proposal.answered_at,
                Proposal.closed_at,
                Proposal.vacancy_id,
                Proposal.household_id,
                Proposal.decline_reason_code,
            )
        )
    ).all()
    assert len(rows) == counts["history_proposals"] >= 200
    statuses = Counter(r.status for r in rows)
    assert statuses["let"] > 20 and statuses["declined"] > 20 and statuses["expired"] > 0
    assert not any(r.status in LIVE_PROPOSAL_STATUSES for r in rows)
    now = datetime.now(UTC)
    for r in rows:
        sent = r.sent_at.replace(tzinfo=UTC) if r.sent_at.tzinfo is None else r.sent_at
        assert now - timedelta(days=366) <= sent <= now
        if r.status in ("let", "declined"):
            assert r.answered_at is not None and r.answered_at >= r.sent_at
        if r.status == "declined":
            assert r.decline_reason_code.startswith("L_")
    # one let per vacancy and per household; the flat is let, the household housed
    let = [r for r in rows if r.status == "let"]
    assert len({r.vacancy_id for r in let}) == len(let) == len({r.household_id for r in let})
    vac_status = dict((await session.execute(sa.select(Vacancy.id, Vacancy.status))).all())
    hh_status = dict((await session.execute(sa.select(Household.id, Household.status))).all())
    assert all(vac_status[r.vacancy_id] == "let" for r in let)
    assert all(hh_status[r.household_id] == "housed" for r in let)
