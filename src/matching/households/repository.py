"""Household queries: all SQL for households lives here."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

import sqlalchemy as sa
from advanced_alchemy.repository import SQLAlchemyAsyncRepository
from sqlalchemy.dialects import postgresql

from matching.db.models import Household
from matching.enums import HouseholdStatus, Urgency
from matching.households import name_index


@dataclass(frozen=True)
class HouseholdFilter:
    organisation_id: int | None = None
    status: HouseholdStatus | None = None
    urgency: Urgency | None = None
    municipality_ags: str | None = None
    reference_code: str | None = None
    # Household size: exactly this many persons; LARGE_HOUSEHOLD or more for the last option.
    persons: int | None = None
    # Free text typed into the search: a reference code (or its number) or words of the name.
    query: str | None = None


LARGE_HOUSEHOLD = 5
# Up to this many name matches are passed to the household query as ids (bound parameters).
MAX_NAME_MATCHES = 10_000
_CODE = re.compile(r"^(?:HH-)?(?:(\d{4})-)?(\d{1,6})$", re.IGNORECASE)


def code_condition(text: str) -> sa.ColumnElement[bool] | None:
    """ "HH-2026-00012", "2026-12" or "12": the household with that reference code (number
    alone: of any year); None when the text is no code."""
    m = _CODE.match(text.strip())
    if not m:
        return None
    number = f"{int(m.group(2)):05d}"
    if m.group(1):
        return Household.reference_code == f"HH-{m.group(1)}-{number}"
    return Household.reference_code.like(f"HH-____-{number}")


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
        if flt.persons is not None:
            stmt = stmt.where(
                Household.persons >= LARGE_HOUSEHOLD
                if flt.persons >= LARGE_HOUSEHOLD
                else Household.persons == flt.persons
            )
        if flt.query and (by_code := code_condition(flt.query)) is not None:
            stmt = stmt.where(by_code)
        if flt.municipality_ags:
            # JSON list membership, portable: the AGS is 8 digits, so a quoted match is exact.
            stmt = stmt.where(
                sa.cast(Household.preferred_ags, sa.Text).contains(f'"{flt.municipality_ags}"')
            )
        return stmt

    async def _by_name(
        self, stmt: sa.Select[Any], flt: HouseholdFilter
    ) -> tuple[sa.Select[Any], int | None]:
        """Narrow ``stmt`` to households whose name holds every word searched (blind index:
        names stay encrypted). The ids come from the index first, answered from its key, so
        the households table is read by primary key for those ids only, not scanned. Also
        returns the number of matches when nothing else narrows the list (no count query)."""
        ids_query = name_index.matching_ids(flt.query or "", flt.organisation_id)
        if ids_query is None:
            return stmt.where(sa.false()), 0
        ids = list((await self.session.scalars(ids_query.limit(MAX_NAME_MATCHES + 1))).all())
        if len(ids) > MAX_NAME_MATCHES:  # a very common word: let the database join instead
            found = ids_query.subquery()
            return stmt.join(found, Household.id == found.c.household_id), None
        only_name = replace(flt, organisation_id=None, query=None) == HouseholdFilter()
        if self.session.get_bind().dialect.name == "postgresql":  # one array, not n parameters
            ids_param = sa.bindparam("name_ids", ids, type_=postgresql.ARRAY(sa.BigInteger))
            return stmt.where(Household.id == sa.any_(ids_param)), len(ids) if only_name else None
        return stmt.where(Household.id.in_(ids)), len(ids) if only_name else None

    async def page(
        self, flt: HouseholdFilter, limit: int, offset: int
    ) -> tuple[list[Household], int]:
        stmt = self.filtered(flt)
        total: int | None = None
        if flt.query and flt.query.strip() and code_condition(flt.query) is None:
            stmt, total = await self._by_name(stmt, flt)
        if total is None:
            total = await self.session.scalar(
                sa.select(sa.func.count()).select_from(stmt.subquery())
            )
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
