"""Case rules: opening, recording, deadlines, sharing between offices and the timeline.

Access comes from ``matching.access``; the service checks the rules, writes, audits (every
read and change, so reads by another office are on record too) and never commits.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any, cast

import sqlalchemy as sa
from advanced_alchemy.service import SQLAlchemyAsyncRepositoryService
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from matching import access, clock
from matching.actors import Actor
from matching.audit import service as audit
from matching.cases import urgency as case_urgency
from matching.cases.deadlines import CaseDates, Deadline, deadlines, two_year_warning
from matching.cases.repository import CaseRepository
from matching.cases.schemas import (
    MONEY_FIELDS,
    AppointmentCreate,
    CaseCreate,
    CaseUpdate,
    ContactCreate,
    ReferralCreate,
    ReferralStatusChange,
    ShareCreate,
    latest_planned,
    plausible_date_error,
    rule_errors,
    to_cents,
    to_euro,
)
from matching.db import versioning
from matching.db.models import (
    Case,
    CaseAppointment,
    CaseContact,
    CaseReferral,
    CaseShare,
    Consent,
    Household,
    LocalService,
    Municipality,
    Organisation,
)
from matching.enums import (
    CaseKind,
    CaseOutcome,
    CaseStatus,
    ConsentRecipients,
    OrganisationKind,
    Urgency,
    label,
)
from matching.errors import Conflict, Forbidden, NotFound
from matching.proposals.timeutil import berlin_date, utcnow
from matching.validation import FieldError, ValidationFailed

CASE_SCOPE = "case"  # the consent key that allows sharing the case file with another office
CONFLICT_DE = (
    "Der Fall wurde inzwischen von jemand anderem geändert (vielleicht von der anderen "
    "Beratungsstelle). Bitte laden Sie den Fall neu und tragen Sie Ihre Änderung erneut ein."
)
_CENTS_COLUMN = {
    "arrears": "arrears_cents",
    "application_amount": "application_amount_cents",
    "instalment": "instalment_cents",
}


@dataclass(frozen=True)
class CaseView:
    """A case as one actor sees it."""

    case: Case
    access: access.CaseAccess
    household_reference: str

    @property
    def writable(self) -> bool:
        return self.access in ("owner", "cowork")


def euro_values(case: Case) -> dict[str, Any]:
    """The case's recorded fields in their outside form (euros, not cents)."""
    values = {f: getattr(case, f) for f in _PLAIN_FIELDS}
    values["monthly_rent"] = to_euro(case.monthly_rent)
    for field, column in _CENTS_COLUMN.items():
        values[field] = to_euro(getattr(case, column))
    return values


_PLAIN_FIELDS = (
    *(f for f in CaseUpdate.__struct_fields__ if f not in MONEY_FIELDS and f != "version"),
    "opened_on",
)


class CaseService(SQLAlchemyAsyncRepositoryService[Case, CaseRepository]):
    repository_type = CaseRepository

    @property
    def db(self) -> AsyncSession:
        """The request's session (the service never commits; the caller does)."""
        return cast("AsyncSession", self.repository.session)

    # -- reading ------------------------------------------------------------------------------
    async def list_for(
        self,
        actor: Actor,
        *,
        status: CaseStatus | None = None,
        kind: CaseKind | None = None,
        household_id: int | None = None,
        limit: int = 25,
        offset: int = 0,
    ) -> tuple[list[tuple[Case, str]], int]:
        readable = access.readable_cases(actor, clock.today())
        return await self.repository.page(
            readable,
            status=status,
            kind=kind,
            household_id=household_id,
            limit=limit,
            offset=offset,
        )

    async def get_for(
        self, actor: Actor, case_id: int, *, write: bool = False, audit_read: bool = True
    ) -> CaseView:
        case = await self.repository.get_one_or_none(id=case_id)
        relation = await access.case_access(self.db, actor, case, clock.today()) if case else None
        if case is None or relation is None:
            raise NotFound("Fall")
        if write and relation not in ("owner", "cowork"):
            raise Forbidden(
                "Für diesen Fall hat Ihre Organisation nur Einsicht."
                if relation == "read"
                else "Fälle bearbeiten die zuständigen Beratungsstellen."
            )
        if audit_read and not write:
            await audit.record(self.db, actor, "case.read", "case", case.id, {"access": relation})
        reference = await self.repository.household_reference(case.household_id)
        return CaseView(case, relation, reference)

    async def get_owned(self, actor: Actor, case_id: int) -> CaseView:
        """A case the actor's office leads or whose household it owns (sharing, handover)."""
        view = await self.get_for(actor, case_id, write=True)
        if view.access != "owner":
            raise Forbidden("Das darf nur die zuständige Beratungsstelle.")
        return view

    async def urgency_reason(self, household: Household) -> str | None:
        """Why the household has its urgency, when an open prevention case set it."""
        today = clock.today()
        for case in await self.db.scalars(
            sa.select(Case).where(
                Case.household_id == household.id,
                Case.kind == CaseKind.PREVENTION,
                Case.status == CaseStatus.OPEN,
            )
        ):
            derived = case_urgency.derive(
                eviction_date=case.eviction_date,
                notice_date=case.notice_date,
                reference=case.reference,
                today=today,
            )
            if derived.urgency == household.urgency:
                return f"Aus dem Fall übernommen: {derived.reason}"
        return None

    async def deadlines_of(self, case: Case, today: date | None = None) -> list[Deadline]:
        now = utcnow()
        upcoming = await self.repository.next_appointments([case.id], now)
        return deadlines(_dates(case, upcoming.get(case.id)))

    async def warnings_of(self, case: Case) -> list[str]:
        """The two-year rule: an earlier Schonfrist cure of the same tenancy."""
        if case.kind != CaseKind.PREVENTION or case.notice_date is None:
            return []
        address = _normalise(case.tenancy_address)
        earlier = [
            other.notice_date
            for other in await self.repository.other_prevention_cases(case)
            if other.schonfrist_cured_on is not None
            and other.notice_date is not None
            and (not address or _normalise(other.tenancy_address) in ("", address))
        ]
        warning = two_year_warning(case.notice_date, earlier)
        return [warning] if warning else []

    async def board(
        self, actor: Actor, *, counselor_only: bool, within_days: int | None = None
    ) -> list[tuple[Deadline, Case, str]]:
        """Deadlines of the open prevention cases the actor reads, earliest first."""
        today = clock.today()
        rows = await self.repository.open_prevention(
            access.readable_cases(actor, today),
            counselor_id=actor.user_id if counselor_only else None,
        )
        upcoming = await self.repository.next_appointments([c.id for c, _ in rows], utcnow())
        found: list[tuple[Deadline, Case, str]] = []
        for case, reference in rows:
            for deadline in deadlines(_dates(case, upcoming.get(case.id))):
                if within_days is None or (deadline.date - today).days <= within_days:
                    found.append((deadline, case, reference))
        return sorted(found, key=lambda t: (t[0].date, t[1].id))

    # -- changes ------------------------------------------------------------------------------
    async def create_for(self, actor: Actor, data: CaseCreate) -> Case:
        org = access.counseling_org(actor)
        if org is None:
            raise Forbidden("Fälle legen Beratungsstellen an.")
        household = await self.db.get(Household, data.household_id)
        if household is None or household.organisation_id != org:
            raise ValidationFailed(
                [FieldError("household_id", "Haushalt: unbekannt oder nicht Ihrer Stelle.")]
            )
        today = clock.today()
        values = {**data.sent(), "opened_on": data.opened_on or today}
        await self._check(values, today)
        open_same = await self.db.scalar(
            sa.select(Case.id).where(
                Case.household_id == household.id,
                Case.kind == data.kind,
                Case.status == CaseStatus.OPEN,
            )
        )
        if open_same is not None:
            raise ValidationFailed(
                [
                    FieldError(
                        "kind",
                        "Art des Falls: für diesen Haushalt ist ein solcher Fall bereits offen.",
                    )
                ]
            )
        case = Case(
            household_id=household.id,
            kind=data.kind,
            status=CaseStatus.OPEN,
            lead_organisation_id=org,
            counselor_id=actor.user_id,
            opened_on=values.pop("opened_on"),
        )
        _apply(case, values)
        self.db.add(case)
        await self.db.flush()
        await self._sync_household(actor, case, household, today)
        await audit.record(self.db, actor, "case.create", "case", case.id, {"kind": data.kind})
        return case

    async def update_for(self, actor: Actor, case_id: int, data: CaseUpdate) -> Case:
        view = await self.get_for(actor, case_id, write=True)
        case = view.case
        if data.version != case.version:
            raise Conflict(CONFLICT_DE)
        sent = data.sent()
        today = clock.today()
        stored = euro_values(case)
        entered = {field for field, value in sent.items() if stored.get(field) != value}
        await self._check({**stored, **sent}, today, entered)
        _apply(case, sent)
        try:
            await self.db.flush()
        except StaleDataError as exc:
            raise Conflict(CONFLICT_DE) from exc
        household = await self.db.get(Household, case.household_id)
        if household is not None:
            await self._sync_household(actor, case, household, today)
        await audit.record(
            self.db,
            actor,
            "case.update",
            "case",
            case.id,
            {"fields": sorted(sent), "access": view.access},
        )
        return case

    async def _check(
        self, values: dict[str, Any], today: date, dates: Collection[str] | None = None
    ) -> None:
        errors = rule_errors(values, today, dates)
        if errors:
            raise ValidationFailed(errors)

    async def _sync_household(
        self, actor: Actor, case: Case, household: Household, today: date
    ) -> None:
        """Feed the case's dates into the household's urgency (what the ranking reads)."""
        if case.kind != CaseKind.PREVENTION:
            return
        before = household.urgency
        if case.status == CaseStatus.OPEN:
            derived = case_urgency.derive(
                eviction_date=case.eviction_date,
                notice_date=case.notice_date,
                reference=case.reference,
                today=today,
            )
            if case_urgency.more_urgent(derived.urgency, household.urgency) or (
                derived.urgency == household.urgency
            ):
                household.urgency = derived.urgency
                if derived.eviction_date is not None:
                    household.eviction_date = derived.eviction_date
                if derived.notice_date is not None and household.notice_date is None:
                    household.notice_date = derived.notice_date
        elif case.outcome is not None:
            after = case_urgency.after_closing(case.outcome, household.urgency)
            if after is not None:
                household.urgency = after
                household.eviction_date = None
                if after == Urgency.HOMELESS:
                    household.homeless_since = case.closed_on
        if household.urgency != before or household in self.db.dirty:
            await self.db.flush()
            await versioning.bump(self.db, versioning.HOUSEHOLDS)
            if household.urgency != before:
                await audit.record(
                    self.db,
                    actor,
                    "household.urgency_from_case",
                    "household",
                    household.id,
                    {"case_id": case.id, "from": before.value, "to": household.urgency.value},
                )

    async def add_contact(self, actor: Actor, case_id: int, data: ContactCreate) -> CaseContact:
        view = await self.get_for(actor, case_id, write=True)
        today = clock.today()
        errors = []
        if error := plausible_date_error(
            "occurred_on", data.occurred_on, today, what="Datum des Kontakts"
        ):
            errors.append(error)
        elif data.occurred_on < view.case.opened_on:
            errors.append(
                FieldError("occurred_on", "Datum des Kontakts: liegt vor dem Beginn des Falls.")
            )
        errors += await self._town_errors(data.municipality_ags)
        if errors:
            raise ValidationFailed(errors)
        contact = CaseContact(
            case_id=view.case.id,
            occurred_on=data.occurred_on,
            kind=data.kind,
            municipality_ags=data.municipality_ags,
            organisation_id=actor.organisation_id,
            user_id=actor.user_id,
            note=data.note or None,
        )
        self.db.add(contact)
        await self.db.flush()
        await audit.record(
            self.db,
            actor,
            "case.contact",
            "case",
            view.case.id,
            {"contact_id": contact.id, "access": view.access},
        )
        return contact

    async def add_appointment(
        self, actor: Actor, case_id: int, data: AppointmentCreate
    ) -> CaseAppointment:
        view = await self.get_for(actor, case_id, write=True)
        starts = data.starts_at if data.starts_at.tzinfo else data.starts_at.replace(tzinfo=UTC)
        errors = []
        if starts <= utcnow():
            errors.append(
                FieldError("starts_at", "Termin: der Zeitpunkt liegt in der Vergangenheit.")
            )
        elif starts > datetime.combine(latest_planned(clock.today()), time.max, tzinfo=UTC):
            # compared, not converted: a year-9999 time cannot be moved to Berlin
            errors.append(
                FieldError(
                    "starts_at", "Termin: das Datum liegt mehr als zwei Jahre in der Zukunft."
                )
            )
        errors += await self._town_errors(data.municipality_ags)
        if errors:
            raise ValidationFailed(errors)
        appointment = CaseAppointment(
            case_id=view.case.id,
            starts_at=starts,
            duration_minutes=data.duration_minutes,
            municipality_ags=data.municipality_ags,
            purpose=data.purpose,
            organisation_id=actor.organisation_id,
            user_id=actor.user_id,
        )
        self.db.add(appointment)
        await self.db.flush()
        await audit.record(
            self.db,
            actor,
            "case.appointment",
            "case",
            view.case.id,
            {"appointment_id": appointment.id, "access": view.access},
        )
        return appointment

    async def add_referral(self, actor: Actor, case_id: int, data: ReferralCreate) -> CaseReferral:
        view = await self.get_for(actor, case_id, write=True)
        today = clock.today()
        if data.local_service_id is not None:
            service = await self.db.get(LocalService, data.local_service_id)
            if service is None or not service.active:
                raise ValidationFailed(
                    [FieldError("local_service_id", "Angebot: unbekannt oder nicht mehr aktiv.")]
                )
            if service.kind != data.kind:
                raise ValidationFailed(
                    [FieldError("local_service_id", "Angebot: passt nicht zur Art der Hilfe.")]
                )
        agreed = data.agreed_on or today
        if error := plausible_date_error("agreed_on", agreed, today, what="Vereinbart am"):
            raise ValidationFailed([error])
        if agreed < view.case.opened_on:
            raise ValidationFailed(
                [FieldError("agreed_on", "Vereinbart am: liegt vor dem Beginn des Falls.")]
            )
        referral = CaseReferral(
            case_id=view.case.id,
            kind=data.kind,
            local_service_id=data.local_service_id,
            status=data.status,
            agreed_on=agreed,
            organisation_id=actor.organisation_id,
            note=data.note or None,
        )
        self.db.add(referral)
        await self.db.flush()
        await audit.record(
            self.db,
            actor,
            "case.referral",
            "case",
            view.case.id,
            {"referral_id": referral.id, "access": view.access},
        )
        return referral

    async def set_referral_status(
        self, actor: Actor, case_id: int, referral_id: int, data: ReferralStatusChange
    ) -> CaseReferral:
        """Record how a referral went; whoever may write the case (co-workers too) may."""
        view = await self.get_for(actor, case_id, write=True)
        referral = await self.db.get(CaseReferral, referral_id)
        if referral is None or referral.case_id != view.case.id:
            raise NotFound("Vermittlung")
        if referral.status != data.status:
            before = referral.status
            referral.status = data.status
            await self.db.flush()
            await audit.record(
                self.db,
                actor,
                "case.referral_status",
                "case",
                view.case.id,
                {
                    "referral_id": referral.id,
                    "from": str(before),
                    "to": str(data.status),
                    "access": view.access,
                },
            )
        return referral

    async def _town_errors(self, ags: str | None) -> list[FieldError]:
        if ags is None or await self.db.get(Municipality, ags) is not None:
            return []
        return [FieldError("municipality_ags", "Ort: unbekannte Kommune.")]

    # -- Fallkooperation ------------------------------------------------------------------------
    async def share(self, actor: Actor, case_id: int, data: ShareCreate) -> CaseShare:
        """Share with another counselling office, as far as the household's consent allows."""
        view = await self.get_owned(actor, case_id)
        case = view.case
        today = clock.today()
        org = await self.db.get(Organisation, data.organisation_id)
        if (
            org is None
            or org.kind != OrganisationKind.COUNSELING
            or not org.is_active
            or org.id == case.lead_organisation_id
        ):
            raise ValidationFailed(
                [
                    FieldError(
                        "organisation_id",
                        "Beratungsstelle: bitte eine andere aktive "
                        "Beratungsstelle des Netzwerks wählen.",
                    )
                ]
            )
        consent = await self.db.get(Consent, data.consent_id)
        if consent is None or consent.household_id != case.household_id:
            raise ValidationFailed(
                [FieldError("consent_id", "Einwilligung: gehört nicht zu diesem Haushalt.")]
            )
        if consent.withdrawn_at is not None or consent.valid_until < today:
            raise ValidationFailed(
                [FieldError("consent_id", "Einwilligung: widerrufen oder abgelaufen.")]
            )
        if CASE_SCOPE not in consent.scope:
            raise ValidationFailed(
                [
                    FieldError(
                        "consent_id",
                        "Einwilligung: erlaubt nicht, die Fallunterlagen weiterzugeben.",
                    )
                ]
            )
        if (
            consent.recipients != ConsentRecipients.NAMED
            or org.id not in consent.recipient_organisation_ids
        ):
            raise ValidationFailed(
                [
                    FieldError(
                        "organisation_id",
                        f"Beratungsstelle: die Einwilligung nennt „{org.name}“ nicht.",
                    )
                ]
            )
        # One live share per office: sharing again replaces it, so the level just chosen
        # applies (also from Mitarbeit down to Einsicht) and "Freigabe beenden" ends access.
        replaced = await self._end_live_shares(case.id, org.id)
        share = CaseShare(
            case_id=case.id,
            organisation_id=org.id,
            consent_id=consent.id,
            level=data.level,
            granted_by_id=actor.user_id,
        )
        self.db.add(share)
        await self.db.flush()
        await audit.record(
            self.db,
            actor,
            "case.share",
            "case",
            case.id,
            {
                "organisation_id": org.id,
                "level": data.level.value,
                "consent_id": consent.id,
                "replaced_share_ids": replaced,
            },
        )
        return share

    async def _end_live_shares(self, case_id: int, organisation_id: int) -> list[int]:
        """End every live share of the case with the office; the ids of those ended."""
        live = (
            await self.db.scalars(
                sa.select(CaseShare).where(
                    CaseShare.case_id == case_id,
                    CaseShare.organisation_id == organisation_id,
                    CaseShare.ended_at.is_(None),
                )
            )
        ).all()
        now = datetime.now(UTC)
        for share in live:
            share.ended_at = now
        await self.db.flush()
        return [share.id for share in live]

    async def end_share(self, actor: Actor, case_id: int, share_id: int) -> None:
        view = await self.get_owned(actor, case_id)
        share = await self.db.get(CaseShare, share_id)
        if share is None or share.case_id != view.case.id:
            raise NotFound("Freigabe")
        if share.ended_at is None:
            # with it any other live share of the same office (written before sharing again
            # replaced one): after "Freigabe beenden" the office has no access left
            ended = await self._end_live_shares(view.case.id, share.organisation_id)
            await audit.record(
                self.db,
                actor,
                "case.share_end",
                "case",
                view.case.id,
                {
                    "share_id": share.id,
                    "share_ids": ended,
                    "organisation_id": share.organisation_id,
                },
            )

    async def hand_over(self, actor: Actor, case_id: int, organisation_id: int) -> Case:
        """Hand the lead to an office the case is shared with (its consent still valid)."""
        view = await self.get_owned(actor, case_id)
        case = view.case
        shared = await self.db.scalar(
            sa.select(sa.literal(True)).where(
                access.active_share(organisation_id, clock.today()), Case.id == case.id
            )
        )
        if not shared:
            raise ValidationFailed(
                [
                    FieldError(
                        "organisation_id",
                        "Beratungsstelle: der Fall ist mit dieser Stelle nicht (mehr) geteilt.",
                    )
                ]
            )
        before = case.lead_organisation_id
        case.lead_organisation_id = organisation_id
        case.counselor_id = None
        await self.db.flush()
        await audit.record(
            self.db,
            actor,
            "case.lead_handover",
            "case",
            case.id,
            {"organisation_id": organisation_id, "previous_organisation_id": before},
        )
        return case


def _apply(case: Case, values: dict[str, Any]) -> None:
    """Write outside values onto the row: euros to cents, the rest as they are."""
    for field, value in values.items():
        if field in _CENTS_COLUMN:
            setattr(case, _CENTS_COLUMN[field], to_cents(value))
        elif field == "monthly_rent":
            cents = to_cents(value)
            case.monthly_rent = None if cents is None else str(cents)
        else:
            setattr(case, field, value)
    if "outcome" in values or "closed_on" in values:
        case.status = CaseStatus.CLOSED if case.outcome is not None else CaseStatus.OPEN


def _dates(case: Case, next_appointment: datetime | None) -> CaseDates:
    return CaseDates(
        open=case.status == CaseStatus.OPEN,
        suit_served_on=case.suit_served_on,
        eviction_date=case.eviction_date,
        schonfrist_cured_on=case.schonfrist_cured_on,
        application_filed_on=case.application_filed_on,
        application_decided_on=case.application_decided_on,
        application_legal_basis=case.application_legal_basis,
        next_appointment=berlin_date(next_appointment) if next_appointment else None,
    )


def _normalise(address: str | None) -> str:
    return "".join(ch for ch in (address or "").lower() if ch.isalnum())


async def open_search_case(session: AsyncSession, household: Household) -> Case:
    """Every new household starts with an open search case (its proposals hang there)."""
    case = Case(
        household_id=household.id,
        kind=CaseKind.SEARCH,
        status=CaseStatus.OPEN,
        lead_organisation_id=household.organisation_id,
        counselor_id=household.counselor_id,
        opened_on=household.registered_at,
    )
    session.add(case)
    await session.flush()
    return case


@dataclass(frozen=True)
class TimelineEntry:
    day: date
    what: str  # German heading: "Kontakt", "Frist", "Antrag", "Vorschlag", …
    text: str
    who: str | None = None
    upcoming: bool = False


_DATED_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("notice_date", "Kündigung", "Kündigung des Vermieters"),
    ("suit_filed_on", "Gericht", "Räumungsklage eingereicht"),
    ("suit_served_on", "Gericht", "Räumungsklage zugestellt"),
    (
        "court_notice_received_on",
        "Gericht",
        "Mitteilung des Gerichts nach § 22 Abs. 9 SGB II / § 36 Abs. 2 SGB XII eingegangen",
    ),
    ("application_filed_on", "Antrag", "Antrag auf Übernahme der Mietschulden gestellt"),
    ("application_decided_on", "Antrag", "Antrag beschieden"),
    ("schonfrist_cured_on", "Antrag", "Rückstand innerhalb der Schonfrist ausgeglichen"),
)


async def timeline(cases: CaseService, view: CaseView) -> list[TimelineEntry]:
    """Everything that happened and is due on a case, newest first (upcoming on top)."""
    case = view.case
    today = clock.today()
    entries = [TimelineEntry(case.opened_on, "Fall", f"Fall eröffnet ({label(case.kind)})")]
    for field, what, text in _DATED_FIELDS:
        day = getattr(case, field)
        if day is not None:
            if field == "application_decided_on" and case.application_outcome is not None:
                text = f"{text}: {label(case.application_outcome)}"
            entries.append(TimelineEntry(day, what, text))
    for deadline in await cases.deadlines_of(case):
        entries.append(
            TimelineEntry(deadline.date, "Frist", deadline.label, upcoming=deadline.date >= today)
        )
    for contact, org_name in await cases.repository.contacts(case.id):
        entries.append(TimelineEntry(contact.occurred_on, "Kontakt", label(contact.kind), org_name))
    for referral in await cases.repository.referrals(case.id):
        entries.append(
            TimelineEntry(
                referral.agreed_on,
                "Vermittlung",
                f"{label(referral.kind)} ({label(referral.status)})",
            )
        )
    for proposal in await cases.repository.proposals_between(
        case.household_id, case.opened_on, case.closed_on
    ):
        entries.append(
            TimelineEntry(
                berlin_date(proposal.created_at),
                "Vorschlag",
                f"{proposal.title or 'Wohnungsangebot'}: {label(proposal.status)}",
            )
        )
    if case.closed_on is not None and case.outcome is not None:
        entries.append(
            TimelineEntry(case.closed_on, "Fall", f"Abgeschlossen: {label(case.outcome)}")
        )
    return sorted(entries, key=lambda e: e.day, reverse=True)


async def close_search_case(session: AsyncSession, household_id: int, day: date) -> None:
    """The household found a flat: its open search case ends with the outcome "versorgt"."""
    await session.execute(
        sa.update(Case)
        .where(
            Case.household_id == household_id,
            Case.kind == CaseKind.SEARCH,
            Case.status == CaseStatus.OPEN,
        )
        .values(
            status=CaseStatus.CLOSED,
            outcome=CaseOutcome.HOUSED,
            closed_on=day,
            version=Case.version + 1,
        )
        .execution_options(synchronize_session=False)
    )
