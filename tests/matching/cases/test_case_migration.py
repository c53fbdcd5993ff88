"""Existing households get one search case when the casework migration runs."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from pathlib import Path

import sqlalchemy as sa

from matching.config import DatabaseSettings
from matching.db.engine import make_engine
from matching.db.models import Household, Organisation
from tests.conftest import Database
from tests.support.databases import migrate, temporary_postgres_database

BEFORE = "7c3d9e1f2a6b"  # the revision before the casework tables


async def _seed(url: str) -> None:
    engine = make_engine(DatabaseSettings(url=url))
    now = datetime(2026, 11, 1, tzinfo=UTC)
    stamps = {"created_at": now, "updated_at": now}
    async with engine.begin() as conn:
        org = await conn.execute(
            sa.insert(Organisation.__table__).values(
                name="Beratung", kind="counseling", contact_email="b@example.org", **stamps
            )
        )
        org_id = org.inserted_primary_key[0]
        base = {
            "organisation_id": org_id,
            "adults": 1,
            "children_ages": [],
            "persons": 1,
            "income_basis": "sgb2",
            "urgency": "threatened",
            "registered_at": date(2026, 3, 1),
            "preferred_ags": [],
            **stamps,
        }
        await conn.execute(
            sa.insert(Household.__table__),
            [
                {**base, "reference_code": "HH-2026-00001", "status": "active", "closed_at": None},
                {
                    **base,
                    "reference_code": "HH-2026-00002",
                    "status": "housed",
                    "closed_at": date(2026, 9, 1),
                },
            ],
        )
    await engine.dispose()


async def _read(url: str) -> list[tuple[object, ...]]:
    engine = make_engine(DatabaseSettings(url=url))
    async with engine.connect() as conn:
        rows = await conn.execute(
            sa.text(
                "SELECT h.reference_code, c.kind, c.status, c.opened_on, c.closed_on, c.outcome, "
                "c.lead_organisation_id = h.organisation_id, c.version FROM cases c "
                "JOIN households h ON h.id = c.household_id ORDER BY h.reference_code"
            )
        )
        result = [tuple(r) for r in rows]
    await engine.dispose()
    return result


def test_each_household_gets_one_search_case(database: Database, tmp_path: Path) -> None:
    def run(url: str) -> list[tuple[object, ...]]:
        migrate(url, BEFORE)
        asyncio.run(_seed(url))
        migrate(url)
        return asyncio.run(_read(url))

    if database.kind == "sqlite":
        rows = run(f"sqlite+aiosqlite:///{tmp_path / 'm.sqlite3'}")
    else:
        with temporary_postgres_database() as (url, _):
            rows = run(url)
    assert [(r[0], r[1], r[2], _day(r[3]), _day(r[4]), r[5], bool(r[6]), r[7]) for r in rows] == [
        ("HH-2026-00001", "search", "open", date(2026, 3, 1), None, None, True, 1),
        (
            "HH-2026-00002",
            "search",
            "closed",
            date(2026, 3, 1),
            date(2026, 9, 1),
            "housed",
            True,
            1,
        ),
    ]


def _day(value: object) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))
