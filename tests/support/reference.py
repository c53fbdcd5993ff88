"""Reference tables the per-test cleaning keeps, and how shipped rent-limit tables are restored.

The shipped rent-limit tables (loaded once per test database) are reference data; a test may
import or deactivate tables, so cleaning removes every later table and reactivates the
shipped ones instead of reloading them (which would write audit events into the next test).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from matching.reference.loader import SHIPPED_TABLES

RENT_LIMIT_TABLES = {
    "rent_limit_tables",
    "rent_limit_areas",
    "rent_limit_area_towns",
    "rent_limit_amounts",
}
REFERENCE_TABLES = {"municipalities", "decline_reasons", "alembic_versions", *RENT_LIMIT_TABLES}


async def restore_shipped_rent_limits(conn: AsyncConnection) -> None:
    """Drop tables added by a test and reactivate the shipped ones (ids 1..n)."""
    n = {"n": len(SHIPPED_TABLES)}
    await conn.execute(
        sa.text(
            "DELETE FROM rent_limit_amounts WHERE area_id IN "
            "(SELECT id FROM rent_limit_areas WHERE table_id > :n)"
        ),
        n,
    )
    await conn.execute(sa.text("DELETE FROM rent_limit_area_towns WHERE table_id > :n"), n)
    await conn.execute(sa.text("DELETE FROM rent_limit_areas WHERE table_id > :n"), n)
    await conn.execute(sa.text("DELETE FROM rent_limit_tables WHERE id > :n"), n)
    await conn.execute(
        sa.text(
            "UPDATE rent_limit_tables SET is_active = :yes, deactivated_at = NULL "
            "WHERE is_active = :no"
        ),
        {"yes": True, "no": False},
    )
