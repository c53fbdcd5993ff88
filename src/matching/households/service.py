"""Household rules: who may see and change which household, and what a valid one is."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, cast

import msgspec
import sqlalchemy as sa
from advanced_alchemy.service import SQLAlchemyAsyncRepositoryService
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from matching import access, clock
from matching.actors import Actor
from matching.audit import service as audit
from matching.cases.service import open_search_case
from matching.db import versioning
from matching.db.models import Household, Municipality
from matching.enums import HouseholdStatus
from matching.errors import Conflict, Forbidden, NotFound
from matching.households.codes import reference_code
from matching.households.repository import HouseholdFilter, HouseholdRepository
from matching.households.schemas import (
    HouseholdCreate,
    HouseholdFields,
    HouseholdOut,
    HouseholdUpdate,
    cross_field_errors,
)
from matching.validation import FieldError, ValidationFailed, sent_changes, uncleared


class HouseholdService(SQLAlchemyAsyncRepositoryService[Household, HouseholdRepository]):
    repository_type = HouseholdRepository

    @property
    def db(self) -> AsyncSession:
        """The request's session (the service never commits; the caller does)."""
        return cast("AsyncSession", self.repository.session)

    # -- access -----------------------------------------------------------------------------
    @staticmethod
    def _scope(actor: Actor) -> int | None:
        """Organisation whose households the actor may see; None = all (admin)."""
        return access.household_scope(actor)

    async def list_for(
        self, actor: Actor, flt: HouseholdFilter, limit: int = 25, offset: int = 0
    ) -> tuple[list[Household], int]:
        scope = self._scope(actor)
        if scope is not None:
            flt = replace(flt, organisation_id=scope)
        return await self.repository.page(flt, limit, offset)

    async def get_for(
        self, actor: Actor, household_id: int, *, audit_read: bool = True
    ) -> Household:
        scope = self._scope(actor)
        household = await self.repository.get_one_or_none(id=household_id)
        if household is None or (scope is not None and household.organisation_id != scope):
            raise NotFound("Haushalt")
        if audit_read:
            await audit.record(self.db, actor, "read", "household", household.id)
        return household

    # -- changes ----------------------------------------------------------------------------
    async def _check_towns(self, preferred: list[str] | None) -> None:
        if not preferred:
            return
        known = set((await self.db.scalars(sa.select(Municipality.ags))).all())
        unknown = [a for a in preferred if a not in known]
        if unknown:
            raise ValidationFailed(
                [FieldError("preferred_ags", f"Unbekannte Kommune: {', '.join(unknown)}.")]
            )

    async def create_for(self, actor: Actor, data: HouseholdCreate) -> Household:
        scope = self._scope(actor)
        if scope is None:
            raise Forbidden("Haushalte legt eine Beratungsstelle an.")
        if errors := data.check():
            raise ValidationFailed(errors)
        await self._check_towns(data.preferred_ags)
        values = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not None}
        today = clock.today()
        values.setdefault("registered_at", today)
        values.setdefault("children_ages", [])
        values.setdefault("preferred_ags", [])
        values["persons"] = data.adults + len(values["children_ages"])
        values.setdefault("status", HouseholdStatus.ACTIVE)
        if values["status"] == HouseholdStatus.CLOSED:
            values["closed_at"] = today
        household = await self._add_with_code(values, scope, actor.user_id, today.year)
        await open_search_case(self.db, household)
        await versioning.bump(self.db, versioning.HOUSEHOLDS)
        await audit.record(self.db, actor, "create", "household", household.id)
        return household

    async def _add_with_code(
        self, values: dict[str, Any], organisation_id: int, counselor_id: int | None, year: int
    ) -> Household:
        """Insert with the next free reference code; a parallel insert that took the same
        code makes this one retry with the following number (savepoint, unique index)."""
        for _attempt in range(5):
            number = await self.repository.next_number(year)
            household = Household(
                **values,
                reference_code=reference_code(year, number),
                organisation_id=organisation_id,
                counselor_id=counselor_id,
            )
            try:
                async with self.db.begin_nested():
                    self.db.add(household)
                    await self.db.flush()
            except IntegrityError:
                continue
            return household
        raise Conflict("Bitte erneut versuchen: die Kennung war gerade vergeben.")

    async def update_for(self, actor: Actor, household_id: int, data: HouseholdUpdate) -> Household:
        household = await self.get_for(actor, household_id, audit_read=False)
        if data.version is not None and data.version != household.version:
            raise Conflict(
                "Der Haushalt wurde inzwischen von jemand anderem geändert. "
                "Bitte laden Sie die Seite neu."
            )
        changes = sent_changes(data, HouseholdFields.__struct_fields__)
        if errors := uncleared(changes, _KEEP_A_VALUE):
            raise ValidationFailed(errors)
        await self._check_towns(changes.get("preferred_ags"))
        merged = HouseholdFields(
            **{f: changes.get(f, getattr(household, f)) for f in HouseholdFields.__struct_fields__}
        )
        if errors := cross_field_errors(merged):
            raise ValidationFailed(errors)
        for key, value in changes.items():
            setattr(household, key, value)
        household.persons = household.adults + len(household.children_ages or [])
        if household.status == HouseholdStatus.CLOSED and household.closed_at is None:
            household.closed_at = clock.today()
        try:
            await self.db.flush()
        except StaleDataError as exc:
            raise Conflict("Der Haushalt wurde inzwischen geändert.") from exc
        await versioning.bump(self.db, versioning.HOUSEHOLDS)
        await audit.record(
            self.db,
            actor,
            "update",
            "household",
            household.id,
            {"fields": sorted(changes)},
        )
        return household


_KEEP_A_VALUE = frozenset(
    {f.name for f in msgspec.structs.fields(HouseholdCreate) if f.required}
    | {c.name for c in Household.__table__.columns if not c.nullable}
)
"""Fields an update may change but not clear (required on create or NOT NULL)."""


def to_out(household: Household) -> HouseholdOut:
    values: dict[str, Any] = {f: getattr(household, f) for f in HouseholdOut.__struct_fields__}
    if values["own_max_rent"] is not None:
        values["own_max_rent"] = float(values["own_max_rent"])
    return HouseholdOut(**values)
