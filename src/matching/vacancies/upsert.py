"""Idempotent upsert by the landlord's own id, for landlord software that pushes its stock.

Why a content hash: software re-sends its whole stock every night; an unchanged flat must not
bump the version (which invalidates ETags, caches and the ranking snapshot) — it only confirms
the offer is still current (``confirmed_at``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any, Literal, cast

import msgspec
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from matching.actors import Actor
from matching.audit import service as audit
from matching.db import versioning
from matching.db.models import Vacancy
from matching.enums import PetsPolicy, VacancySource, VacancyStatus
from matching.errors import Conflict, Forbidden, NotFound
from matching.proposals import engine
from matching.proposals.timeutil import utcnow
from matching.vacancies import duplicates
from matching.vacancies.schemas import VacancyCreate, offer_errors
from matching.vacancies.service import VacancyService, address_key
from matching.validation import FieldError, ValidationFailed

UpsertResult = Literal["created", "updated", "unchanged"]
#: The vacancies table for Core statements (bulk writes that bypass the ORM version counter).
VACANCY_TABLE = cast("sa.Table", Vacancy.__table__)

#: The delivered content; status, ids and bookkeeping are not part of it.
CONTENT_FIELDS: tuple[str, ...] = (
    "title",
    "street",
    "house_number",
    "postal_code",
    "municipality_ags",
    "lat",
    "lon",
    "rooms",
    "living_area",
    "floor",
    "lift",
    "barrier_free",
    "wheelchair_accessible",
    "net_cold_rent",
    "cold_service_charges",
    "heating_costs",
    "deposit",
    "available_from",
    "wbs_required",
    "pets",
    "min_persons",
    "max_persons",
    "description",
)
_PLACES = {
    "rooms": 1,
    "living_area": 2,
    "net_cold_rent": 2,
    "cold_service_charges": 2,
    "heating_costs": 2,
    "deposit": 2,
    "lat": 6,
    "lon": 6,
}
#: Statuses from which a re-delivery offers the flat again.
REOPENABLE = (VacancyStatus.WITHDRAWN, VacancyStatus.EXPIRED)
#: Statuses a client may set through the upsert (the workflow owns the others).
CLIENT_STATUSES = (VacancyStatus.DRAFT, VacancyStatus.OPEN)


class PreconditionFailed(Exception):
    """``If-Match`` names a version that is no longer current (HTTP 412)."""

    def __init__(self, current: str | None) -> None:
        super().__init__(
            "Das Angebot wurde inzwischen geändert (ETag passt nicht). Bitte neu laden."
        )
        self.current = current


def _canonical(key: str, value: Any) -> Any:
    if value is None:
        return None
    places = _PLACES.get(key)
    if places is not None:
        return format(value, f".{places}f")  # float and Decimal alike: "54.50"
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


_SPEC = tuple((key, _PLACES.get(key)) for key in CONTENT_FIELDS)
_ENCODE = msgspec.json.Encoder().encode


def content_hash(values: Mapping[str, Any]) -> str:
    """SHA-256 of the normalised content (same flat, same hash, whatever the number format).

    Hot path of the bulk import (once per row), hence the flat loop."""
    parts: list[Any] = []
    append = parts.append
    for key, places in _SPEC:
        value = values.get(key)
        if value is None or value is True or value is False:
            append(value)
        elif places is not None:
            append(format(value, f".{places}f"))
        elif isinstance(value, Enum):
            append(value.value)
        elif isinstance(value, date):
            append(value.isoformat())
        else:
            append(value)
    return hashlib.sha256(_ENCODE(parts)).hexdigest()


def current_hash(vacancy: Vacancy) -> str:
    """The stored hash, or one computed from the row (vacancies edited in the form)."""
    return vacancy.content_hash or content_hash({k: getattr(vacancy, k) for k in CONTENT_FIELDS})


def etag(vacancy: Vacancy) -> str:
    return f'"v{vacancy.version}-{current_hash(vacancy)[:8]}"'


def etag_matches(header: str | None, vacancy: Vacancy | None) -> bool:
    """RFC 9110 If-Match: ``*`` or one of the listed (strong) tags; no header always matches."""
    if header is None or not header.strip():
        return True
    if vacancy is None:
        return False
    if header.strip() == "*":
        return True
    tags = {t.strip().removeprefix("W/") for t in header.split(",")}
    return etag(vacancy) in tags


def values_from_body(external_id: str, data: VacancyCreate) -> dict[str, Any]:
    """The database values of a PUT body: absent flags mean "no", absent pets "on request"."""
    body = msgspec.structs.asdict(data)
    values: dict[str, Any] = {k: body.get(k) for k in CONTENT_FIELDS}
    for flag in ("lift", "barrier_free", "wheelchair_accessible", "wbs_required"):
        values[flag] = bool(values[flag])
    values["pets"] = values["pets"] or PetsPolicy.ON_REQUEST
    values["external_id"] = external_id
    return values


@dataclass(frozen=True)
class UpsertOutcome:
    result: UpsertResult
    vacancy: Vacancy


def _landlord(actor: Actor) -> int:
    if not actor.is_landlord or actor.organisation_id is None:
        raise Forbidden("Wohnungsangebote liefern nur Vermieter.")
    return actor.organisation_id


def _check(external_id: str, data: VacancyCreate, existing: Vacancy | None) -> None:
    """The whole offer as it would be stored; the move-in window only for a date that is new
    (the flat's stored date delivered again is no new entry, as in the form and PATCH)."""
    date_changed = existing is None or existing.available_from != data.available_from
    errors = offer_errors(data, date_changed=date_changed)
    if not external_id.strip() or len(external_id) > 100:
        errors.append(FieldError("external_id", "Die externe ID fehlt oder ist zu lang."))
    if data.external_id is not None and data.external_id != external_id:
        errors.append(
            FieldError("external_id", "Die externe ID im Inhalt weicht von der Adresse ab.")
        )
    if data.status is not None and data.status not in CLIENT_STATUSES:
        errors.append(
            FieldError(
                "status",
                "Erlaubt sind „draft“ und „open“; zum Zurückziehen DELETE verwenden.",
            )
        )
    if errors:
        raise ValidationFailed(errors)


async def find(session: AsyncSession, organisation_id: int, external_id: str) -> Vacancy | None:
    return await session.scalar(
        sa.select(Vacancy).where(
            Vacancy.organisation_id == organisation_id, Vacancy.external_id == external_id
        )
    )


async def upsert_by_external_id(
    session: AsyncSession,
    actor: Actor,
    external_id: str,
    data: VacancyCreate,
    *,
    if_match: str | None = None,
    source: VacancySource = VacancySource.API,
    now: datetime | None = None,
) -> UpsertOutcome:
    """Create, update or confirm the organisation's vacancy with this external id."""
    org = _landlord(actor)
    existing = await find(session, org, external_id)
    _check(external_id, data, existing)
    moment = now or utcnow()
    values = values_from_body(external_id, data)
    await VacancyService(session=session).resolve_location(values)
    digest = content_hash(values)
    values["address_key"] = address_key(values.get("street"), values.get("house_number"))
    if existing is None:
        if if_match is not None and if_match.strip():
            raise PreconditionFailed(None)
        vacancy = Vacancy(
            **values,
            organisation_id=org,
            source=source,
            status=data.status or VacancyStatus.OPEN,
            content_hash=digest,
            confirmed_at=moment,
        )
        session.add(vacancy)
        try:
            await session.flush()
        except IntegrityError as exc:  # a parallel request created it first
            raise Conflict(
                "Das Angebot wurde gerade gleichzeitig angelegt. Bitte erneut senden."
            ) from exc
        await versioning.bump(session, versioning.VACANCIES)
        await duplicates.flag(session, vacancy_ids=[vacancy.id])
        await audit.record(session, actor, "create", "vacancy", vacancy.id, {"via": source.value})
        return UpsertOutcome("created", vacancy)
    return await _update(session, actor, existing, values, digest, data, if_match, moment)


async def _update(
    session: AsyncSession,
    actor: Actor,
    vacancy: Vacancy,
    values: dict[str, Any],
    digest: str,
    data: VacancyCreate,
    if_match: str | None,
    moment: datetime,
) -> UpsertOutcome:
    if not etag_matches(if_match, vacancy):
        raise PreconditionFailed(etag(vacancy))
    if vacancy.status == VacancyStatus.LET and data.status is not None:
        raise Conflict("Die Wohnung ist vermietet; ihr Status lässt sich nicht mehr ändern.")
    target_status = vacancy.status
    if vacancy.status in REOPENABLE:
        target_status = data.status or VacancyStatus.OPEN
    elif data.status is not None and vacancy.status in CLIENT_STATUSES:
        target_status = data.status
    if digest == current_hash(vacancy) and target_status == vacancy.status:
        # Confirmation only: no version bump (Core UPDATE bypasses the ORM version counter).
        await session.execute(
            sa.update(VACANCY_TABLE)
            .where(VACANCY_TABLE.c.id == vacancy.id)
            .values(confirmed_at=moment, content_hash=digest)
            .execution_options(synchronize_session=False)
        )
        set_committed_value(vacancy, "confirmed_at", moment)
        set_committed_value(vacancy, "content_hash", digest)
        return UpsertOutcome("unchanged", vacancy)
    changed = sorted(
        k
        for k in CONTENT_FIELDS
        if _canonical(k, getattr(vacancy, k)) != _canonical(k, values.get(k))
    )
    for key, value in values.items():
        setattr(vacancy, key, value)
    vacancy.status = target_status
    vacancy.content_hash = digest
    vacancy.confirmed_at = moment
    await engine.flush_or_stale(session)
    await versioning.bump(session, versioning.VACANCIES)
    await duplicates.flag(session, vacancy_ids=[vacancy.id])
    await audit.record(
        session,
        actor,
        "update",
        "vacancy",
        vacancy.id,
        {"fields": changed, "status": target_status.value},
    )
    return UpsertOutcome("updated", vacancy)


async def find_for(session: AsyncSession, actor: Actor, external_id: str) -> Vacancy:
    """The actor's own vacancy with this external id (404 otherwise)."""
    if not actor.is_landlord or actor.organisation_id is None:
        raise NotFound("Wohnungsangebot")
    vacancy = await find(session, actor.organisation_id, external_id)
    if vacancy is None:
        raise NotFound("Wohnungsangebot")
    return vacancy
