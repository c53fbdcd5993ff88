"""Vacancy rules: who may see and change which vacancy; location from the reference data."""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal
from typing import Any, cast

import msgspec
import sqlalchemy as sa
from advanced_alchemy.service import SQLAlchemyAsyncRepositoryService
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from matching import access
from matching.actors import Actor
from matching.audit import service as audit
from matching.db import versioning
from matching.db.models import Municipality, Vacancy
from matching.enums import VacancySource, VacancyStatus
from matching.errors import Conflict, Forbidden, NotFound
from matching.vacancies import duplicates
from matching.vacancies.repository import VacancyFilter, VacancyRepository
from matching.vacancies.schemas import (
    VacancyCreate,
    VacancyFields,
    VacancyOut,
    VacancyUpdate,
    offer_errors,
)
from matching.validation import FieldError, ValidationFailed, sent_changes, uncleared

VISIBLE_TO_COUNSELORS = access.VISIBLE_TO_COUNSELORS


def address_key(street: str | None, house_number: str | None) -> str | None:
    """Normalised street + number ("Bahnhofstr. 5a" == "Bahnhofstraße 5 A")."""
    if not street:
        return None
    s = street.lower().strip()
    s = re.sub(r"str\.?(?=\s|$)", "straße", s).replace("strasse", "straße")
    s = re.sub(r"[^a-z0-9äöüß]", "", s)
    n = re.sub(r"\s+", "", (house_number or "").lower())
    return f"{s}|{n}"


class VacancyService(SQLAlchemyAsyncRepositoryService[Vacancy, VacancyRepository]):
    repository_type = VacancyRepository

    @property
    def db(self) -> AsyncSession:
        """The request's session (the service never commits; the caller does)."""
        return cast("AsyncSession", self.repository.session)

    async def list_for(
        self, actor: Actor, flt: VacancyFilter, limit: int = 25, offset: int = 0
    ) -> tuple[list[Vacancy], int]:
        """Landlords list their own; counselling organisations the open ones; admin all."""
        if actor.is_landlord:
            flt = replace(flt, organisation_id=actor.organisation_id)
        elif actor.is_counseling:
            if flt.status not in VISIBLE_TO_COUNSELORS:
                flt = replace(flt, status=VacancyStatus.OPEN)
        elif not actor.is_admin:
            raise Forbidden()
        return await self.repository.page(flt, limit, offset)

    async def get_for(self, actor: Actor, vacancy_id: int, *, write: bool = False) -> Vacancy:
        vacancy = await self.repository.get_one_or_none(id=vacancy_id)
        if vacancy is None:
            raise NotFound("Wohnungsangebot")
        if access.may_read_vacancy(actor, vacancy, write=write):
            return vacancy
        raise NotFound("Wohnungsangebot")

    async def resolve_location(self, values: dict[str, Any]) -> None:
        """Fill town and coordinates from the postal code; reject codes outside the Kreis."""
        postal = values.get("postal_code")
        if postal is None:
            return
        towns = (await self.db.scalars(sa.select(Municipality))).all()
        match = next((m for m in towns if postal in m.postal_codes), None)
        if match is None:
            raise ValidationFailed(
                [FieldError("postal_code", f"PLZ {postal} liegt nicht im Kreis Minden-Lübbecke.")]
            )
        given = values.get("municipality_ags")
        if given and given != match.ags:
            if given not in {m.ags for m in towns}:
                raise ValidationFailed([FieldError("municipality_ags", "Unbekannte Kommune.")])
            raise ValidationFailed(
                [FieldError("municipality_ags", f"PLZ {postal} gehört zu {match.name}.")]
            )
        values["municipality_ags"] = match.ags
        if values.get("lat") is None:
            values["lat"], values["lon"] = match.lat, match.lon

    async def _external_id_free(self, organisation_id: int, external_id: str | None) -> None:
        """One landlord's own ids are unique: a clash names the field (422), before SQL."""
        if not external_id:
            return
        exists = await self.repository.get_one_or_none(
            organisation_id=organisation_id, external_id=external_id
        )
        if exists is not None:
            raise ValidationFailed(
                [FieldError("external_id", "Diese externe ID ist bereits vergeben.")]
            )

    async def create_for(
        self, actor: Actor, data: VacancyCreate, source: VacancySource = VacancySource.FORM
    ) -> Vacancy:
        if not actor.is_landlord or actor.organisation_id is None:
            raise Forbidden("Wohnungsangebote legen Vermieter an.")
        org = actor.organisation_id
        if errors := data.check():
            raise ValidationFailed(errors)
        values = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not None}
        await self.resolve_location(values)
        await self._external_id_free(org, values.get("external_id"))
        values["address_key"] = address_key(values.get("street"), values.get("house_number"))
        vacancy = await self.repository.add(Vacancy(**values, organisation_id=org, source=source))
        await versioning.bump(self.db, versioning.VACANCIES)
        await duplicates.flag(self.db, vacancy_ids=[vacancy.id])
        await audit.record(self.db, actor, "create", "vacancy", vacancy.id)
        return vacancy

    async def update_for(self, actor: Actor, vacancy_id: int, data: VacancyUpdate) -> Vacancy:
        vacancy = await self.get_for(actor, vacancy_id, write=True)
        if data.version is not None and data.version != vacancy.version:
            raise Conflict("Das Angebot wurde inzwischen geändert. Bitte laden Sie die Seite neu.")
        changes = sent_changes(data, VacancyFields.__struct_fields__)
        if errors := uncleared(changes, _KEEP_A_VALUE):
            raise ValidationFailed(errors)
        if changes.get("external_id") not in (None, vacancy.external_id):
            await self._external_id_free(vacancy.organisation_id, changes["external_id"])
        if "postal_code" in changes or "municipality_ags" in changes:
            changes.setdefault("postal_code", vacancy.postal_code)
            await self.resolve_location(changes)
        merged = VacancyFields(
            **{f: changes.get(f, getattr(vacancy, f)) for f in VacancyFields.__struct_fields__}
        )
        date_changed = changes.get("available_from", vacancy.available_from) != (
            vacancy.available_from
        )
        if errors := offer_errors(merged, date_changed=date_changed):
            raise ValidationFailed(errors)
        for key, value in changes.items():
            setattr(vacancy, key, value)
        vacancy.address_key = address_key(vacancy.street, vacancy.house_number)
        vacancy.content_hash = None  # edited by hand: the next delivery compares the row itself
        try:
            await self.db.flush()
        except StaleDataError as exc:
            raise Conflict("Das Angebot wurde inzwischen geändert.") from exc
        await versioning.bump(self.db, versioning.VACANCIES)
        await duplicates.flag(self.db, vacancy_ids=[vacancy.id])
        await audit.record(
            self.db,
            actor,
            "update",
            "vacancy",
            vacancy.id,
            {"fields": sorted(changes)},
        )
        return vacancy

    async def withdraw_for(self, actor: Actor, vacancy_id: int) -> bool:
        """Withdraw the actor's vacancy (kept; live proposals withdrawn); False if it was."""
        from matching.vacancies.lifecycle import end_vacancy

        vacancy = await self.get_for(actor, vacancy_id, write=True)
        return await end_vacancy(self.db, actor, vacancy)


def to_out(vacancy: Vacancy) -> VacancyOut:
    values: dict[str, Any] = {f: getattr(vacancy, f) for f in VacancyOut.__struct_fields__}
    for key, value in values.items():
        if isinstance(value, Decimal):
            values[key] = float(value)
    return VacancyOut(**values)


_KEEP_A_VALUE = frozenset(
    {f.name for f in msgspec.structs.fields(VacancyCreate) if f.required}
    | {c.name for c in Vacancy.__table__.columns if not c.nullable}
    | {"floor"}  # the engine cannot rank a flat without its floor
)
"""Fields an update may change but not clear (required on create, NOT NULL or needed to
rank the flat)."""
