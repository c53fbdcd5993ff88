"""Demo casework: prevention cases in every state, a search case per household, written once."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa

from matching.cases.service import CaseService
from matching.db.models import Case, CaseShare, Household, LocalService
from matching.demo.generator import load_demo_data
from matching.enums import CaseKind, CaseOutcome, DeadlineKind

pytestmark = pytest.mark.anyio


async def test_demo_cases_cover_every_state(session: Any) -> None:
    await load_demo_data(session, households=200, vacancies=5, seed=3, today=date(2026, 11, 30))
    await session.commit()
    households = await session.scalar(sa.select(sa.func.count(Household.id)))
    search = await session.scalar(
        sa.select(sa.func.count(Case.id)).where(Case.kind == CaseKind.SEARCH)
    )
    assert search == households
    prevention = (
        await session.scalars(sa.select(Case).where(Case.kind == CaseKind.PREVENTION))
    ).all()
    assert {c.outcome for c in prevention} == {None, *CaseOutcome} - {CaseOutcome.HOUSED}
    service = CaseService(session=session)
    kinds = set()
    warnings = []
    for case in prevention:
        kinds |= {d.kind for d in await service.deadlines_of(case)}
        warnings += await service.warnings_of(case)
    assert kinds == set(DeadlineKind)
    assert warnings, "the two-year rule shows on one demo case"
    assert await session.scalar(sa.select(sa.func.count(CaseShare.id))) == 1
    assert await session.scalar(sa.select(sa.func.count(LocalService.id))) >= 5
    before = len(prevention)
    await load_demo_data(session, households=5, vacancies=1, seed=4, today=date(2026, 11, 30))
    await session.commit()
    again = await session.scalar(
        sa.select(sa.func.count(Case.id)).where(Case.kind == CaseKind.PREVENTION)
    )
    assert again == before
