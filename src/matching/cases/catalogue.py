"""The admin's catalogue of local services, and anonymous short consultations per town."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import msgspec
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from matching.actors import Actor
from matching.audit import service as audit
from matching.cases.schemas import plausible_date_error
from matching.db.models import LocalService, Municipality, ShortConsultation
from matching.enums import CaseKind, ReferralKind
from matching.errors import Forbidden, NotFound
from matching.validation import FieldError, ValidationFailed

Ags = Annotated[str, msgspec.Meta(pattern=r"^0577\d{4}$")]


class LocalServiceCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    name: Annotated[str, msgspec.Meta(min_length=2, max_length=200)]
    kind: ReferralKind
    municipality_ags: Ags | None = None
    contact: Annotated[str, msgspec.Meta(max_length=300)] | None = None


class ShortConsultationCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    municipality_ags: Ags
    kind: CaseKind
    occurred_on: date | None = None


async def _check_town(session: AsyncSession, ags: str | None) -> None:
    if ags is not None and await session.get(Municipality, ags) is None:
        raise ValidationFailed([FieldError("municipality_ags", "Ort: unbekannte Kommune.")])


async def services(session: AsyncSession) -> list[LocalService]:
    rows = await session.scalars(
        sa.select(LocalService).order_by(LocalService.kind, LocalService.name)
    )
    return list(rows.all())


async def add_service(
    session: AsyncSession, actor: Actor, data: LocalServiceCreate
) -> LocalService:
    if not actor.is_admin:
        raise Forbidden("Den Katalog pflegt die Fachstelle.")
    await _check_town(session, data.municipality_ags)
    service = LocalService(
        name=data.name.strip(),
        kind=data.kind,
        municipality_ags=data.municipality_ags,
        contact=(data.contact or "").strip() or None,
    )
    session.add(service)
    await session.flush()
    await audit.record(session, actor, "local_service.create", "local_service", service.id)
    return service


async def set_service_active(
    session: AsyncSession, actor: Actor, service_id: int, active: bool
) -> LocalService:
    if not actor.is_admin:
        raise Forbidden("Den Katalog pflegt die Fachstelle.")
    service = await session.get(LocalService, service_id)
    if service is None:
        raise NotFound("Angebot")
    service.active = active
    await session.flush()
    await audit.record(
        session, actor, "local_service.status", "local_service", service.id, {"active": active}
    )
    return service


async def record_short_consultation(
    session: AsyncSession, actor: Actor, data: ShortConsultationCreate, today: date
) -> ShortConsultation:
    """Count one anonymous short consultation: town, kind, day; nothing about the person."""
    if not actor.is_counseling or actor.organisation_id is None:
        raise Forbidden("Kurzberatungen zählen Beratungsstellen.")
    day = data.occurred_on or today
    if error := plausible_date_error("occurred_on", day, today, what="Datum"):
        raise ValidationFailed([error])
    await _check_town(session, data.municipality_ags)
    row = ShortConsultation(
        organisation_id=actor.organisation_id,
        municipality_ags=data.municipality_ags,
        occurred_on=day,
        kind=data.kind,
    )
    session.add(row)
    await session.flush()
    return row


async def short_consultations_by_town(
    session: AsyncSession, organisation_id: int, year: int
) -> list[tuple[str, int]]:
    rows = await session.execute(
        sa.select(Municipality.name, sa.func.count(ShortConsultation.id))
        .join(Municipality, Municipality.ags == ShortConsultation.municipality_ags)
        .where(
            ShortConsultation.organisation_id == organisation_id,
            ShortConsultation.occurred_on >= date(year, 1, 1),
            ShortConsultation.occurred_on <= date(year, 12, 31),
        )
        .group_by(Municipality.name)
        .order_by(Municipality.name)
    )
    return [(str(name), int(n)) for name, n in rows.all()]
