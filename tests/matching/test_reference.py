from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from matching.db.models import DeclineReason, Municipality, RentLimitTable
from matching.enums import RentLimitStatus
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
    tables = (await session.scalars(sa.select(RentLimitTable).order_by(RentLimitTable.id))).all()
    example, official = tables
    assert example.status == RentLimitStatus.EXAMPLE and "Beispielwerte" in example.legal_source
    assert [a.name for a in example.areas] == ["I", "II", "III", "IV"]
    iv = example.areas[3]
    assert [t.municipality_ags for t in iv.towns] == ["05770024"]  # Minden
    assert len(iv.amounts) == 6 and iv.amounts[-1].is_increment
    assert official.status == RentLimitStatus.OFFICIAL
    assert (official.valid_from.isoformat(), str(official.valid_to)) == ("2013-01-01", "2016-12-31")
    group2 = next(a for a in official.areas if a.name == "2")
    assert "05770016" in {t.municipality_ags for t in group2.towns}  # Hüllhorst in 2013
    reasons = (await session.scalars(sa.select(DeclineReason))).all()
    assert {r.code for r in reasons} >= {"L_OTHER", "S_VACANCY_LET", "H_FOUND_OTHER"}


def test_every_postal_code_belongs_to_exactly_one_town() -> None:
    codes = [c for m in municipalities() for c in m.postal_codes]
    assert len(codes) == len(set(codes))


async def test_shipped_tables_load_once_each_and_never_over_an_admin_table(session: Any) -> None:
    # An installation whose 2013 table the admin entered under another name: the shipped one
    # would overlap it, so nothing is added (and nothing fails).
    official = await session.scalar(
        sa.select(RentLimitTable).where(RentLimitTable.status == RentLimitStatus.OFFICIAL)
    )
    shipped_name = official.name
    official.name = "Eigene Tabelle 2013"
    await session.commit()
    try:
        assert (await load_reference_data(session))["rent_limits"] == 0
        count = await session.scalar(sa.select(sa.func.count(RentLimitTable.id)))
        assert count == 2
    finally:
        await session.rollback()
        official.name = shipped_name
        await session.commit()
