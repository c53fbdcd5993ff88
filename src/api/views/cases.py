"""Case pages: list, open a case, the case page with its timeline, the Fristen board, and the
forms that record contacts, appointments, referrals, shares and the lead handover."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, TypeVar

import msgspec
import sqlalchemy as sa
from litestar import Controller, Request, Response, get, post
from litestar.di import Provide
from litestar.params import Parameter
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from api.controllers.cases import provide_cases
from api.dependencies import provide_actor
from api.guards import admin_only, counselor_only, counselor_or_admin
from api.views.consent import other_offices
from api.views.forms import flash, form_dict, render
from matching import clock
from matching.actors import Actor
from matching.cases import catalogue
from matching.cases.catalogue import ShortConsultationCreate
from matching.cases.schemas import (
    FIELD_LABELS,
    AppointmentCreate,
    CaseCreate,
    CaseFields,
    CaseUpdate,
    ContactCreate,
    ReferralCreate,
    ReferralStatusChange,
    ShareCreate,
)
from matching.cases.service import CaseService, CaseView, euro_values, timeline
from matching.db.models import CaseAppointment, Consent, Household, LocalService
from matching.enums import (
    ApplicationOutcome,
    ArrearsLegalBasis,
    Authority,
    CaseKind,
    CaseOutcome,
    CaseStatus,
    ContactKind,
    NoticeKind,
    ReferralKind,
    ReferralStatus,
    ShareLevel,
    label,
)
from matching.errors import NotFound
from matching.proposals.timeutil import BERLIN
from matching.reference.queries import municipalities
from matching.validation import FieldError, ValidationFailed, validate

CaseId = Annotated[int, Parameter(ge=1, le=2**62)]
S = TypeVar("S", bound=msgspec.Struct)
HIGHLIGHT_DAYS = 14


def _opts(values: list[Any]) -> list[tuple[str, str]]:
    return [(v.value, label(v)) for v in values]


def _choices() -> dict[str, Any]:
    lists = _lists()
    return {**lists, "opts": {k: _opts(v) for k, v in lists.items()}, "labels": FIELD_LABELS}


def _lists() -> dict[str, Any]:
    return {
        "kinds": list(CaseKind),
        "notice_kinds": list(NoticeKind),
        "authorities": list(Authority),
        "legal_bases": list(ArrearsLegalBasis),
        "app_outcomes": list(ApplicationOutcome),
        "outcomes": list(CaseOutcome),
        "contact_kinds": list(ContactKind),
        "referral_kinds": list(ReferralKind),
        "referral_statuses": list(ReferralStatus),
        "share_levels": list(ShareLevel),
    }


def _cleared(data: CaseFields, raw: dict[str, Any]) -> dict[str, Any]:
    """A form sends every field it shows: an emptied one means "clear it"."""
    return {
        f: None
        for f in CaseFields.__struct_fields__
        if f in raw and str(raw[f] or "").strip() == "" and getattr(data, f) is msgspec.UNSET
    }


class CasePages(Controller):
    path = "/faelle"
    guards = [counselor_or_admin]
    include_in_schema = False
    dependencies = {"actor": Provide(provide_actor), "cases": Provide(provide_cases)}

    @get("/")
    async def list_page(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        cases: CaseService,
        status: CaseStatus | None = CaseStatus.OPEN,
        kind: CaseKind | None = None,
        page: Annotated[int, Parameter(ge=1, le=100_000)] = 1,
    ) -> Template:
        rows, total = await cases.list_for(
            actor, status=status, kind=kind, limit=50, offset=(page - 1) * 50
        )
        today = clock.today()
        towns = await municipalities(cases.db)
        return render(
            request,
            "cases/list.html",
            short_counts=await catalogue.short_consultations_by_town(
                cases.db, actor.organisation_id or 0, today.year
            ),
            year=today.year,
            towns_opts=[(m.ags, m.name) for m in towns],
            rows=rows,
            total=total,
            page=page,
            pages=max(1, -(-total // 50)),
            filters={"status": status, "kind": kind},
            statuses=list(CaseStatus),
            **_choices(),
        )

    @get("/neu")
    async def new_page(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        actor: Actor,
        haushalt: Annotated[int | None, Parameter(ge=1, le=2**62)] = None,
    ) -> Template:
        return await _form(request, db_session, actor, None, {"household_id": haushalt}, {})

    @post("/")
    async def create(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        cases: CaseService,
        db_session: AsyncSession,
    ) -> Template | Redirect:
        raw = await form_dict(request)
        try:
            data = validate(CaseCreate, raw, from_form=True)
            case = await cases.create_for(actor, data)
        except ValidationFailed as exc:
            return await _form(request, db_session, actor, None, raw, exc.as_dict(), 422)
        flash(request, f"Fall {case.reference} wurde angelegt.")
        return Redirect(f"/faelle/{case.id}")

    @get("/{case_id:int}")
    async def detail(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        cases: CaseService,
        db_session: AsyncSession,
        case_id: CaseId,
    ) -> Template:
        view = await cases.get_for(actor, case_id)
        return await _detail(request, cases, db_session, actor, view)

    @get("/{case_id:int}/bearbeiten")
    async def edit_page(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        cases: CaseService,
        db_session: AsyncSession,
        case_id: CaseId,
    ) -> Template:
        view = await cases.get_for(actor, case_id, write=True)
        values = {**euro_values(view.case), "version": view.case.version}
        return await _form(request, db_session, actor, view, values, {})

    @post("/{case_id:int}")
    async def update(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        cases: CaseService,
        db_session: AsyncSession,
        case_id: CaseId,
    ) -> Template | Redirect:
        view = await cases.get_for(actor, case_id, write=True)
        raw = await form_dict(request)
        try:
            data = validate(CaseUpdate, raw, from_form=True)
            data = msgspec.structs.replace(data, **_cleared(data, raw))
            case = await cases.update_for(actor, case_id, data)
        except ValidationFailed as exc:
            return await _form(request, db_session, actor, view, raw, exc.as_dict(), 422)
        flash(
            request,
            f"Fall {case.reference} abgeschlossen: Ergebnis gespeichert."
            if case.status == CaseStatus.CLOSED
            else "Änderungen gespeichert.",
        )
        return Redirect(f"/faelle/{case_id}")

    @post("/{case_id:int}/kontakte")
    async def add_contact(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        cases: CaseService,
        db_session: AsyncSession,
        case_id: CaseId,
    ) -> Template | Redirect:
        await cases.get_for(actor, case_id, write=True, audit_read=False)
        return await _record(
            _Sub(request, cases, db_session, actor, case_id),
            "contact",
            ContactCreate,
            lambda data: cases.add_contact(actor, case_id, data),
            "Kontakt eingetragen.",
        )

    @post("/{case_id:int}/termine")
    async def add_appointment(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        cases: CaseService,
        db_session: AsyncSession,
        case_id: CaseId,
    ) -> Template | Redirect:
        await cases.get_for(actor, case_id, write=True, audit_read=False)
        return await _record(
            _Sub(request, cases, db_session, actor, case_id),
            "appointment",
            AppointmentCreate,
            lambda data: cases.add_appointment(actor, case_id, data),
            "Termin eingetragen.",
            prepare=_berlin_to_utc,
        )

    @post("/{case_id:int}/vermittlungen")
    async def add_referral(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        cases: CaseService,
        db_session: AsyncSession,
        case_id: CaseId,
    ) -> Template | Redirect:
        await cases.get_for(actor, case_id, write=True, audit_read=False)
        return await _record(
            _Sub(request, cases, db_session, actor, case_id),
            "referral",
            ReferralCreate,
            lambda data: cases.add_referral(actor, case_id, data),
            "Vermittlung eingetragen.",
        )

    @post("/{case_id:int}/vermittlungen/{referral_id:int}/stand")
    async def set_referral_status(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        cases: CaseService,
        db_session: AsyncSession,
        case_id: CaseId,
        referral_id: CaseId,
    ) -> Template | Redirect:
        await cases.get_for(actor, case_id, write=True, audit_read=False)
        return await _record(
            _Sub(request, cases, db_session, actor, case_id),
            "referral",
            ReferralStatusChange,
            lambda data: cases.set_referral_status(actor, case_id, referral_id, data),
            "Stand der Vermittlung gespeichert.",
        )

    @post("/{case_id:int}/freigaben")
    async def share(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        cases: CaseService,
        db_session: AsyncSession,
        case_id: CaseId,
    ) -> Template | Redirect:
        await cases.get_owned(actor, case_id)
        return await _record(
            _Sub(request, cases, db_session, actor, case_id),
            "share",
            ShareCreate,
            lambda data: cases.share(actor, case_id, data),
            "Der Fall ist jetzt mit der Beratungsstelle geteilt.",
        )

    @post("/{case_id:int}/freigaben/{share_id:int}/beenden")
    async def end_share(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        cases: CaseService,
        case_id: CaseId,
        share_id: CaseId,
    ) -> Redirect:
        await cases.end_share(actor, case_id, share_id)
        flash(request, "Die Freigabe ist beendet.")
        return Redirect(f"/faelle/{case_id}")

    @post("/{case_id:int}/federfuehrung")
    async def hand_over(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        cases: CaseService,
        db_session: AsyncSession,
        case_id: CaseId,
    ) -> Template | Redirect:
        await cases.get_owned(actor, case_id)
        raw = await form_dict(request)
        try:
            target = int(str(raw.get("organisation_id") or "0"))
            await cases.hand_over(actor, case_id, target)
        except (ValidationFailed, ValueError) as exc:
            error = (
                exc
                if isinstance(exc, ValidationFailed)
                else ValidationFailed([FieldError("organisation_id", "Bitte eine Stelle wählen.")])
            )
            return await _again(request, cases, db_session, actor, case_id, "lead", raw, error)
        flash(request, "Die Federführung wurde übergeben.")
        return Redirect(f"/faelle/{case_id}")

    @get("/{case_id:int}/termine/{appointment_id:int}/termin.ics")
    async def calendar_file(
        self,
        actor: Actor,
        cases: CaseService,
        db_session: AsyncSession,
        case_id: CaseId,
        appointment_id: CaseId,
    ) -> Response[bytes]:
        view = await cases.get_for(actor, case_id)
        appointment = await db_session.get(CaseAppointment, appointment_id)
        if appointment is None or appointment.case_id != view.case.id:
            raise NotFound("Termin")
        return Response(
            content=ical(view, appointment),
            media_type="text/calendar; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="termin-{view.case.reference}.ics"'
            },
        )


def _berlin_to_utc(raw: dict[str, Any]) -> dict[str, Any]:
    """A browser's ``datetime-local`` value is Berlin time; the domain wants it aware."""
    values = dict(raw)
    text = str(values.get("starts_at") or "").strip()
    if not text:
        return values
    try:
        local = datetime.fromisoformat(text)
    except ValueError as exc:
        raise ValidationFailed(
            [FieldError("starts_at", "Termin: bitte Datum und Uhrzeit angeben.")]
        ) from exc
    if local.tzinfo is None:
        local = local.replace(tzinfo=BERLIN)
    values["starts_at"] = local.astimezone(UTC).isoformat()
    return values


def ical(view: CaseView, appointment: CaseAppointment) -> bytes:
    """An iCalendar event that carries reference numbers only (no name, no address)."""
    start = appointment.starts_at.astimezone(UTC)
    end = start + timedelta(minutes=appointment.duration_minutes)
    stamp = "%Y%m%dT%H%M%SZ"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Tueroeffner//Fallarbeit//DE",
        "BEGIN:VEVENT",
        f"UID:termin-{appointment.id}@tueroeffner",
        f"DTSTAMP:{datetime.now(UTC).strftime(stamp)}",
        f"DTSTART:{start.strftime(stamp)}",
        f"DTEND:{end.strftime(stamp)}",
        f"SUMMARY:Termin Fall {view.case.reference} (Haushalt {view.household_reference})",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return ("\r\n".join(lines) + "\r\n").encode()


async def _form(
    request: Request[Any, Any, Any],
    db_session: AsyncSession,
    actor: Actor,
    view: CaseView | None,
    values: dict[str, Any],
    errors: dict[str, str],
    status_code: int = 200,
) -> Template:
    households = (
        await db_session.execute(
            sa.select(Household.id, Household.reference_code)
            .where(Household.organisation_id == (actor.organisation_id or 0))
            .order_by(Household.reference_code)
        )
    ).all()
    return render(
        request,
        "cases/form.html",
        status_code=status_code,
        view=view,
        values=values,
        errors=errors,
        households=households,
        **_choices(),
    )


async def _detail(
    request: Request[Any, Any, Any],
    cases: CaseService,
    db_session: AsyncSession,
    actor: Actor,
    view: CaseView,
    *,
    form: str | None = None,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    case = view.case
    today = clock.today()
    consents = (
        await db_session.scalars(
            sa.select(Consent).where(
                Consent.household_id == case.household_id,
                Consent.withdrawn_at.is_(None),
                Consent.valid_until >= today,
            )
        )
    ).all()
    services = (
        await db_session.scalars(
            sa.select(LocalService).where(LocalService.active.is_(True)).order_by(LocalService.name)
        )
    ).all()
    shares = await cases.repository.shares(case.id)
    return render(
        request,
        "cases/detail.html",
        status_code=status_code,
        view=view,
        case=case,
        money=euro_values(case),
        deadline_rows=[(d, case, view.household_reference) for d in await cases.deadlines_of(case)],
        warnings=await cases.warnings_of(case),
        entries=await timeline(cases, view),
        appointments=await cases.repository.appointments(case.id),
        contacts=await cases.repository.contacts(case.id),
        referrals=await cases.repository.referrals(case.id),
        shares=shares,
        live_share_orgs=[(s.organisation_id, name) for s, name in shares if s.ended_at is None],
        consents=[c for c in consents if "case" in c.scope],
        consent_opts=[
            (c.id, f"vom {c.given_at:%d.%m.%Y}, gültig bis {c.valid_until:%d.%m.%Y}")
            for c in consents
            if "case" in c.scope
        ],
        office_opts=[
            (o.id, o.name) for o in await other_offices(db_session, case.lead_organisation_id)
        ],
        service_opts=[(s.id, f"{s.name} ({label(s.kind)})") for s in services],
        towns_opts=[(m.ags, m.name) for m in await municipalities(db_session)],
        today=today,
        highlight_until=today + timedelta(days=HIGHLIGHT_DAYS),
        form=form,
        values=values or {},
        errors=errors or {},
        **_choices(),
    )


@dataclass(frozen=True)
class _Sub:
    """What every form on the case page needs to save or to show the page again."""

    request: Request[Any, Any, Any]
    cases: CaseService
    db_session: AsyncSession
    actor: Actor
    case_id: int


async def _record(
    sub: _Sub,
    form: str,
    schema: type[S],
    save: Callable[[S], Awaitable[object]],
    done: str,
    *,
    prepare: Callable[[dict[str, Any]], dict[str, Any]] = lambda raw: raw,
) -> Template | Redirect:
    """One sub-form of the case page: validate, save, and either flash ``done`` and go back to
    the case, or show the case page again with the form open and its German errors.

    The caller has checked that the actor may write the case (which check differs per form).
    """
    raw = await form_dict(sub.request)
    try:
        await save(validate(schema, prepare(raw), from_form=True))
    except ValidationFailed as exc:
        return await _again(
            sub.request, sub.cases, sub.db_session, sub.actor, sub.case_id, form, raw, exc
        )
    flash(sub.request, done)
    return Redirect(f"/faelle/{sub.case_id}")


async def _again(
    request: Request[Any, Any, Any],
    cases: CaseService,
    db_session: AsyncSession,
    actor: Actor,
    case_id: int,
    form: str,
    raw: dict[str, Any],
    exc: ValidationFailed,
) -> Template:
    """The case page again, the failed form open with its values and German errors."""
    view = await cases.get_for(actor, case_id, audit_read=False)
    return await _detail(
        request,
        cases,
        db_session,
        actor,
        view,
        form=form,
        values=raw,
        errors=exc.as_dict(),
        status_code=422,
    )


@get("/fristen", guards=[counselor_or_admin], include_in_schema=False)
async def deadline_board(
    request: Request[Any, Any, Any],
    db_session: AsyncSession,
    ansicht: Annotated[str, Parameter(pattern=r"^(meine|stelle)$")] = "meine",
) -> Template:
    actor = request.scope["user"]
    cases = CaseService(session=db_session)
    mine = ansicht == "meine" and actor.user_id is not None and not actor.is_admin
    today = clock.today()
    return render(
        request,
        "cases/deadlines.html",
        board=await cases.board(actor, counselor_only=mine),
        view_mine=mine,
        today=today,
        highlight_until=today + timedelta(days=HIGHLIGHT_DAYS),
    )


ROUTES: list[Any] = [CasePages, deadline_board]


@post("/kurzberatungen", guards=[counselor_only], include_in_schema=False)
async def short_consultation(request: Request[Any, Any, Any], db_session: AsyncSession) -> Redirect:
    actor = request.scope["user"]
    raw = await form_dict(request)
    try:
        data = validate(ShortConsultationCreate, raw, from_form=True)
        await catalogue.record_short_consultation(db_session, actor, data, clock.today())
    except ValidationFailed as exc:
        flash(request, "Kurzberatung nicht gezählt: " + " ".join(exc.as_dict().values()))
        return Redirect("/faelle")
    flash(request, "Kurzberatung gezählt (ohne persönliche Daten).")
    return Redirect("/faelle")


class LocalServicePages(Controller):
    """The admin's catalogue of local services households are referred to."""

    path = "/admin/hilfeangebote"
    guards = [admin_only]
    include_in_schema = False
    dependencies = {"actor": Provide(provide_actor)}

    @get("/")
    async def page(self, request: Request[Any, Any, Any], db_session: AsyncSession) -> Template:
        return await _services_page(request, db_session, {}, {})

    @post("/")
    async def create(
        self, request: Request[Any, Any, Any], actor: Actor, db_session: AsyncSession
    ) -> Template | Redirect:
        raw = await form_dict(request)
        try:
            data = validate(catalogue.LocalServiceCreate, raw, from_form=True)
            service = await catalogue.add_service(db_session, actor, data)
        except ValidationFailed as exc:
            return await _services_page(request, db_session, raw, exc.as_dict(), 422)
        flash(request, f"Angebot „{service.name}“ aufgenommen.")
        return Redirect("/admin/hilfeangebote")

    @post("/{service_id:int}/status")
    async def status(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        db_session: AsyncSession,
        service_id: CaseId,
    ) -> Redirect:
        raw = await form_dict(request)
        active = str(raw.get("active") or "") == "1"
        await catalogue.set_service_active(db_session, actor, service_id, active)
        flash(request, "Angebot aktiviert." if active else "Angebot deaktiviert.")
        return Redirect("/admin/hilfeangebote")


async def _services_page(
    request: Request[Any, Any, Any],
    db_session: AsyncSession,
    values: dict[str, Any],
    errors: dict[str, str],
    status_code: int = 200,
) -> Template:
    towns = await municipalities(db_session)
    return render(
        request,
        "cases/services.html",
        status_code=status_code,
        services=await catalogue.services(db_session),
        town_names={m.ags: m.name for m in towns},
        towns_opts=[(m.ags, m.name) for m in towns],
        kind_opts=_opts(list(ReferralKind)),
        values=values,
        errors=errors,
    )


ROUTES.extend([short_consultation, LocalServicePages])
