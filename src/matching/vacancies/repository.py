"""Vacancy queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from advanced_alchemy.repository import SQLAlchemyAsyncRepository

from matching.db.models import Vacancy
from matching.enums import VacancyStatus


@dataclass(frozen=True)
class VacancyFilter:
    organisation_id: int | None = None
    status: VacancyStatus | None = None
    municipality_ags: str | None = None
    min_rooms: float | None = None
    max_rent: float | None = None
    available_until: date | None = None
    barrier_free: bool | None = None


class VacancyRepository(SQLAlchemyAsyncRepository[Vacancy]):
    model_type = Vacancy

    def filtered(self, flt: VacancyFilter) -> sa.Select[Any]:
        stmt = sa.select(Vacancy)
        if flt.organisation_id is not None:
            stmt = stmt.where(Vacancy.organisation_id == flt.organisation_id)
        if flt.status is not None:
            stmt = stmt.where(Vacancy.status == flt.status)
        if flt.municipality_ags:
            stmt = stmt.where(Vacancy.municipality_ags == flt.municipality_ags)
        if flt.min_rooms is not None:
            stmt = stmt.where(Vacancy.rooms >= flt.min_rooms)
        if flt.max_rent is not None:
            stmt = stmt.where(Vacancy.net_cold_rent + Vacancy.cold_service_charges <= flt.max_rent)
        if flt.available_until is not None:
            stmt = stmt.where(Vacancy.available_from <= flt.available_until)
        if flt.barrier_free:
            stmt = stmt.where(Vacancy.barrier_free.is_(True))
        return stmt

    async def page(self, flt: VacancyFilter, limit: int, offset: int) -> tuple[list[Vacancy], int]:
        stmt = self.filtered(flt)
        total = await self.session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery()))
        rows = await self.session.scalars(
            stmt.order_by(Vacancy.available_from, Vacancy.id).limit(limit).offset(offset)
        )
        return list(rows.all()), int(total or 0)
