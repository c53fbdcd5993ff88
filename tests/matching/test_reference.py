from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from matching.db.models import DeclineReason, Municipality, RentLimit
from matching.reference.loader import load_reference_data, municipalities

pytestmark = pytest.mark.anyio


async def test_reference_data_is_complete_and_loading_is_idempotent(session: Any) -> None:
    # The session fixture's database already holds the reference data once.
    again = await load_reference_data(session)
    await session.commit()
    assert again == {"municipalities": 0, "decline_reasons": 0, "rent_limits": 0}
    towns = (await session.scalars(sa.select(Municipality))).all()
    assert len(towns) == 11
    minden = next(t for t in towns if t.name == "Minden")
    assert minden.ags == "05770024"
    assert "32423" in minden.postal_codes
    assert minden.rent_limit_area == "IV"
    limits = (await session.scalars(sa.select(RentLimit))).all()
    assert len(limits) == 24
    assert all(limit.is_example and "Beispielwerte" in limit.source for limit in limits)
    reasons = (await session.scalars(sa.select(DeclineReason))).all()
    assert {r.code for r in reasons} >= {"L_OTHER", "S_VACANCY_LET", "H_FOUND_OTHER"}


def test_every_postal_code_belongs_to_exactly_one_town() -> None:
    codes = [c for m in municipalities() for c in m.postal_codes]
    assert len(codes) == len(set(codes))
