"""Household queries: all SQL for households lives here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from advanced_alchemy.repository import SQLAlchemyAsyncRepository

from matching.db.models import Household
from matching.enums import HouseholdStatus, Urgency


@dataclass(frozen=True)
class HouseholdFilter:
    organisation_id: int | None = None
    status: HouseholdStatus | None = None
    urgency: Urgency | None = None
    municipality_ags: str | None = None
    reference_code: str | None = None


class HouseholdRepository(SQLAlchemyAsyncRepository[Household]):
    model_type = Household

    def filtered(self, flt: HouseholdFilter) -> sa.Select[Any]:
        stmt = sa.select(Household)
        if flt.organisation_id is not None:
            stmt = stmt.where(Household.organisation_id == flt.organisation_id)
        if flt.status is not None:
            stmt = stmt.where(Household.status == flt.status)
        if flt.urgency is not None:
            stmt = stmt.where(Household.urgency == flt.urgency)
        if flt.reference_code:
            stmt = stmt.where(Household.reference_code == flt.reference_code.strip().upper())
        if flt.municipality_ags:
            # JSON list membership, portable: the AGS is 8 digits, so a quoted match is exact.
            stmt = stmt.where(
                sa.cast(Household.preferred_ags, sa.Text).contains(f'"{flt.municipality_ags}"')
            )
        return stmt

    async def page(
        self, flt: HouseholdFilter, limit: int, offset: int
    ) -> tuple[list[Household], int]:
        stmt = self.filtered(flt)
        total = await self.session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery()))
        rows = await self.session.scalars(
            stmt.order_by(Household.registered_at, Household.id).limit(limit).offset(offset)
        )
        return list(rows.all()), int(total or 0)

    async def next_number(self, year: int) -> int:
        """One more than the highest number of the year (codes of anonymised or deleted
        households may be gone, so counting would reuse a number)."""
        prefix = f"HH-{year}-"
        of_year = Household.reference_code.startswith(prefix)
        longest = await self.session.scalar(
            sa.select(sa.func.max(sa.func.length(Household.reference_code))).where(of_year)
        )
        if not longest:
            return 1
        highest = await self.session.scalar(
            sa.select(sa.func.max(Household.reference_code)).where(
                of_year, sa.func.length(Household.reference_code) == longest
            )
        )
        return int(str(highest).removeprefix(prefix)) + 1
