"""Case queries: all SQL of the casework lives here (access conditions from matching.access)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from advanced_alchemy.repository import SQLAlchemyAsyncRepository
from sqlalchemy.sql.elements import ColumnElement

from matching.db.models import (
    Case,
    CaseAppointment,
    CaseContact,
    CaseReferral,
    CaseShare,
    Household,
    Organisation,
    Proposal,
    Vacancy,
)
from matching.enums import CaseKind, CaseStatus


class CaseRepository(SQLAlchemyAsyncRepository[Case]):
    model_type = Case

    async def page(
        self,
        readable: ColumnElement[bool],
        *,
        status: CaseStatus | None,
        kind: CaseKind | None,
        household_id: int | None,
        limit: int,
        offset: int,
    ) -> tuple[list[tuple[Case, str]], int]:
        stmt = sa.select(Case, Household.reference_code).join(
            Household, Household.id == Case.household_id
        )
        stmt = stmt.where(readable)
        if status is not None:
            stmt = stmt.where(Case.status == status)
        if kind is not None:
            stmt = stmt.where(Case.kind == kind)
        if household_id is not None:
            stmt = stmt.where(Case.household_id == household_id)
        total = await self.session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery()))
        rows = await self.session.execute(
            stmt.order_by(Case.opened_on.desc(), Case.id.desc()).limit(limit).offset(offset)
        )
        return [(c, ref) for c, ref in rows.all()], int(total or 0)

    async def open_prevention(
        self, readable: ColumnElement[bool], counselor_id: int | None = None
    ) -> list[tuple[Case, str]]:
        stmt = (
            sa.select(Case, Household.reference_code)
            .join(Household, Household.id == Case.household_id)
            .where(readable, Case.status == CaseStatus.OPEN, Case.kind == CaseKind.PREVENTION)
        )
        if counselor_id is not None:
            stmt = stmt.where(Case.counselor_id == counselor_id)
        return [(c, ref) for c, ref in (await self.session.execute(stmt)).all()]

    async def household_reference(self, household_id: int) -> str:
        return str(
            await self.session.scalar(
                sa.select(Household.reference_code).where(Household.id == household_id)
            )
        )

    async def other_prevention_cases(self, case: Case) -> list[Case]:
        """The household's other prevention cases (for the two-year rule of the tenancy)."""
        rows = await self.session.scalars(
            sa.select(Case).where(
                Case.household_id == case.household_id,
                Case.kind == CaseKind.PREVENTION,
                Case.id != case.id,
            )
        )
        return list(rows.all())

    async def next_appointments(
        self, case_ids: Sequence[int], now: datetime
    ) -> dict[int, datetime]:
        if not case_ids:
            return {}
        rows = await self.session.execute(
            sa.select(CaseAppointment.case_id, sa.func.min(CaseAppointment.starts_at))
            .where(CaseAppointment.case_id.in_(list(case_ids)), CaseAppointment.starts_at >= now)
            .group_by(CaseAppointment.case_id)
        )
        return {int(cid): start for cid, start in rows.all() if start is not None}

    async def contacts(self, case_id: int) -> list[tuple[CaseContact, str]]:
        rows = await self.session.execute(
            sa.select(CaseContact, Organisation.name)
            .join(Organisation, Organisation.id == CaseContact.organisation_id)
            .where(CaseContact.case_id == case_id)
            .order_by(CaseContact.occurred_on.desc(), CaseContact.id.desc())
        )
        return [(c, name) for c, name in rows.all()]

    async def appointments(self, case_id: int) -> list[CaseAppointment]:
        rows = await self.session.scalars(
            sa.select(CaseAppointment)
            .where(CaseAppointment.case_id == case_id)
            .order_by(CaseAppointment.starts_at)
        )
        return list(rows.all())

    async def referrals(self, case_id: int) -> list[CaseReferral]:
        rows = await self.session.scalars(
            sa.select(CaseReferral)
            .where(CaseReferral.case_id == case_id)
            .order_by(CaseReferral.agreed_on.desc(), CaseReferral.id.desc())
        )
        return list(rows.all())

    async def shares(self, case_id: int) -> list[tuple[CaseShare, str]]:
        rows = await self.session.execute(
            sa.select(CaseShare, Organisation.name)
            .join(Organisation, Organisation.id == CaseShare.organisation_id)
            .where(CaseShare.case_id == case_id)
            .order_by(CaseShare.id)
        )
        return [(s, name) for s, name in rows.all()]

    async def proposals_between(
        self, household_id: int, start: date, end: date | None
    ) -> list[Any]:
        """The household's proposals made while the case was open (the search's history)."""
        stmt = (
            sa.select(
                Proposal.id,
                Proposal.status,
                Proposal.created_at,
                Vacancy.title,
                Vacancy.municipality_ags,
            )
            .join(Vacancy, Vacancy.id == Proposal.vacancy_id)
            .where(Proposal.household_id == household_id)
            .order_by(Proposal.created_at)
        )
        rows = [
            r
            for r in (await self.session.execute(stmt)).all()
            if r.created_at.date() >= start and (end is None or r.created_at.date() <= end)
        ]
        return rows

    async def organisation_names(self, ids: Sequence[int]) -> dict[int, str]:
        if not ids:
            return {}
        rows = await self.session.execute(
            sa.select(Organisation.id, Organisation.name).where(Organisation.id.in_(list(ids)))
        )
        return {int(i): str(n) for i, n in rows.all()}
