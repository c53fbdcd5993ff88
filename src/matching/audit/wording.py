"""Audit entries in German: what a person reads instead of ``proposal.send`` and
``from: draft; to: sent; reason_code: None``.

Why in the domain: the admin's audit page and the household's data access (Art. 15) both show
the trail; one vocabulary keeps them saying the same thing. Names of people, households, flats
and organisations are looked up per page of events (``names_for``), never stored in details.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from matching.cases.schemas import FIELD_LABELS as CASE_FIELD_LABELS
from matching.db.models import (
    AuditEvent,
    Case,
    Consent,
    DeclineReason,
    Household,
    Organisation,
    Proposal,
    User,
    Vacancy,
)
from matching.db.models.case import case_reference
from matching.enums import label
from matching.german import FIELD_LABELS

ACTIONS: dict[str, str] = {
    "read": "angesehen",
    "create": "angelegt",
    "update": "geändert",
    "export": "Datenauskunft abgerufen",
    "anonymise": "anonymisiert",
    "view_profile": "Profil angesehen",
    "login": "angemeldet",
    "logout": "abgemeldet",
    "activate": "aktiviert",
    "deactivate": "deaktiviert",
    "revoke": "widerrufen",
    "import": "Import",
    "confirm": "bestätigt",
    "withdraw": "zurückgezogen",
    "expire": "abgelaufen",
    "duplicate.confirmed": "als Dublette bestätigt",
    "duplicate.dismissed": "als keine Dublette markiert",
    "proposal.create": "Vorschlag angelegt",
    "proposal.override": "Vorschlag trotz Ausschlussgrund angelegt",
    "proposal.send": "Vorschlag gesendet",
    "proposal.open": "Vorschlag geöffnet",
    "proposal.arrange_viewing": "Besichtigung vereinbart",
    "proposal.accept": "Vorschlag zugesagt",
    "proposal.let": "Wohnung vermietet",
    "proposal.decline": "Vorschlag abgesagt",
    "proposal.withdraw": "Vorschlag zurückgezogen",
    "proposal.expire": "Vorschlag abgelaufen",
    "consent.record": "Einwilligung erfasst",
    "consent.withdraw": "Einwilligung widerrufen",
    "link.open": "sicheren Link geöffnet",
    "password.change": "Passwort geändert",
    "password.reset_request": "Link zum Zurücksetzen des Passworts verschickt",
    "password.reset": "Passwort über Link neu gesetzt",
    "rent_limits.import": "Mietobergrenzen-Tabelle übernommen",
    "rent_limits.deactivate": "Mietobergrenzen-Tabelle deaktiviert",
    "outbox.retry": "E-Mail erneut zum Versand gegeben",
    "case.create": "Fall angelegt",
    "case.read": "Fall angesehen",
    "case.update": "Fall geändert",
    "case.contact": "Kontakt eingetragen",
    "case.appointment": "Termin eingetragen",
    "case.referral": "Vermittlung eingetragen",
    "case.referral_status": "Stand einer Vermittlung geändert",
    "case.share": "Fall mit einer Beratungsstelle geteilt",
    "case.share_end": "Freigabe des Falls beendet",
    "case.lead_handover": "Federführung des Falls übergeben",
    "household.urgency_from_case": "Dringlichkeit aus dem Fall übernommen",
    "local_service.create": "Hilfeangebot aufgenommen",
    "local_service.status": "Hilfeangebot aktiviert oder deaktiviert",
}

OBJECTS: dict[str, str] = {
    "household": "Haushalt",
    "vacancy": "Wohnungsangebot",
    "proposal": "Vorschlag",
    "consent": "Einwilligung",
    "user": "Benutzerkonto",
    "users": "Benutzerkonto",
    "organisation": "Organisation",
    "organisations": "Organisation",
    "api_key": "API-Schlüssel",
    "import_job": "Import",
    "rent_limit_table": "Mietobergrenzen-Tabelle",
    "outbox_message": "E-Mail",
    "case": "Fall",
    "local_service": "Hilfeangebot",
}

# Detail keys shown with a German label; anything else stays in the stored row only.
DETAIL_LABELS: dict[str, str] = {
    "fields": "Felder",
    "via": "über",
    "format": "Format",
    "mode": "Modus",
    "scope": "Umfang",
    "recipients": "Empfänger",
    "status": "Status",
    "first_use": "erstmals geöffnet",
    "proposals": "Vorschläge",
    "emails_deleted": "E-Mails gelöscht",
    "proposals_withdrawn": "Vorschläge zurückgezogen",
    "score": "Punkte",
    "scopes": "Berechtigungen",
    "name": "Name",
    "areas": "Gebiete",
    "kind": "Art",
    "level": "Stufe",
    "active": "aktiv",
}

# How the actor reached a case (``access`` of case events; "read" and "cowork" via a share).
ACCESS_LABELS: dict[str, str] = {
    "owner": "zuständige Stelle",
    "oversight": "Aufsicht der Fachstelle",
    "read": "Einsicht (geteilt)",
    "cowork": "Mitarbeit (geteilt)",
}


# Where an object's page is (for links); None: no page of its own.
OBJECT_PAGES: dict[str, str] = {
    "household": "/haushalte/{id}",
    "vacancy": "/wohnungen/{id}",
    "proposal": "/vorschlaege/{id}",
    "user": "/admin/benutzer/{id}",
    "users": "/admin/benutzer/{id}",
    "rent_limit_table": "/admin/mietobergrenzen/{id}",
    "case": "/faelle/{id}",
}


@dataclass
class Names:
    """Display names for the ids a page of events mentions."""

    users: dict[int, str] = field(default_factory=dict)
    organisations: dict[int, str] = field(default_factory=dict)
    households: dict[int, str] = field(default_factory=dict)
    vacancies: dict[int, str] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)
    consent_households: dict[int, int] = field(default_factory=dict)
    cases: dict[int, str] = field(default_factory=dict)  # id -> reference (FA-2026-00042)
    proposal_households: dict[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Line:
    """One audit entry as words: ``who`` did ``action`` to ``target`` (linked), ``details``."""

    who: str
    organisation: str
    action: str
    target: str
    target_url: str | None
    details: str
    related: tuple[tuple[str, str | None], ...] = ()


def _ints(values: Iterable[Any]) -> set[int]:
    return {int(v) for v in values if v is not None and str(v).isdigit()}


async def names_for(session: AsyncSession, events: Iterable[AuditEvent | Any]) -> Names:
    """Look up, in one query per kind, every name the given events refer to."""
    events = list(events)
    by_type: dict[str, set[int]] = {}
    for e in events:
        by_type.setdefault(e.object_type, set()).update(_ints([e.object_id]))
    detail_ids = {
        key: _ints((e.details or {}).get(key) for e in events)
        for key in ("household_id", "vacancy_id", "case_id")
    }
    names = Names()
    user_ids = _ints(e.actor_user_id for e in events) | by_type.get("user", set())
    user_ids |= by_type.get("users", set())
    if user_ids:
        rows = await session.execute(sa.select(User.id, User.name).where(User.id.in_(user_ids)))
        names.users = {int(i): str(n) for i, n in rows}
    orgs = await session.execute(sa.select(Organisation.id, Organisation.name))
    names.organisations = {int(i): str(n) for i, n in orgs}
    if consent_ids := by_type.get("consent", set()):
        rows = await session.execute(
            sa.select(Consent.id, Consent.household_id).where(Consent.id.in_(consent_ids))
        )
        names.consent_households = {int(i): int(h) for i, h in rows}
    if proposal_ids := by_type.get("proposal", set()):
        triples = await session.execute(
            sa.select(Proposal.id, Proposal.household_id, Proposal.vacancy_id).where(
                Proposal.id.in_(proposal_ids)
            )
        )
        for pid, hid, vid in triples:
            names.proposal_households[int(pid)] = int(hid)
            detail_ids["household_id"].add(int(hid))
            detail_ids["vacancy_id"].add(int(vid))
    household_ids = (
        by_type.get("household", set())
        | detail_ids["household_id"]
        | set(names.consent_households.values())
    )
    if household_ids:
        rows = await session.execute(
            sa.select(Household.id, Household.reference_code).where(Household.id.in_(household_ids))
        )
        names.households = {int(i): str(c) for i, c in rows}
    vacancy_ids = by_type.get("vacancy", set()) | detail_ids["vacancy_id"]
    if vacancy_ids:
        flats = await session.execute(
            sa.select(Vacancy.id, Vacancy.title, Vacancy.street, Vacancy.house_number).where(
                Vacancy.id.in_(vacancy_ids)
            )
        )
        names.vacancies = {
            int(i): str(t or " ".join(p for p in (s, n) if p) or "Wohnungsangebot")
            for i, t, s, n in flats
        }
    if case_ids := by_type.get("case", set()) | detail_ids["case_id"]:
        opened = await session.execute(
            sa.select(Case.id, Case.opened_on).where(Case.id.in_(case_ids))
        )
        names.cases = {int(i): case_reference(int(i), day) for i, day in opened.tuples()}
    rows = await session.execute(sa.select(DeclineReason.code, DeclineReason.label_de))
    names.reasons = {str(c): str(t) for c, t in rows}
    return names


def action_text(action: str) -> str:
    """German wording of an action; an unknown one says so instead of showing its code."""
    return ACTIONS.get(action) or "sonstige Aktion"


def _value_text(value: Any, names: Names) -> str:
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if value is None:
        return "–"
    if isinstance(value, list):
        return ", ".join(_value_text(v, names) for v in value) or "–"
    if isinstance(value, Mapping):
        return ", ".join(f"{_value_text(v, names)} {label(k)}" for k, v in value.items())
    text = str(value)
    return FIELD_LABELS.get(text) or CASE_FIELD_LABELS.get(text) or label(text)


def details_text(details: Mapping[str, Any], names: Names) -> str:
    """The details a person may read, in words; ids become names, codes become labels."""
    parts: list[str] = []
    before, after = details.get("from"), details.get("to")
    if isinstance(after, int) and not isinstance(after, bool):
        # a lead handover recorded before it named its offices (organisation ids, not statuses)
        details = {
            **{k: v for k, v in details.items() if k not in ("from", "to")},
            "organisation_id": after,
            "previous_organisation_id": before,
        }
        before = after = None
    if after is not None:
        parts.append(f"Status: {label(before) if before else '–'} → {label(after)}")
    elif before is not None:
        parts.append(f"vorher: {label(before)}")
    if code := details.get("reason_code"):
        parts.append(f"Grund: {names.reasons.get(str(code), 'anderer Grund')}")
    if details.get("has_text"):
        parts.append("mit Freitext")
    if (org := details.get("organisation_id")) is not None:
        parts.append(f"Stelle: {names.organisations.get(int(org), 'Organisation')}")
    if (org := details.get("previous_organisation_id")) is not None:
        parts.append(f"vorher: {names.organisations.get(int(org), 'Organisation')}")
    if orgs := details.get("recipient_organisation_ids"):
        parts.append(
            "für " + ", ".join(names.organisations.get(int(o), "Organisation") for o in orgs)
        )
    if details.get("valid_until"):
        parts.append(f"gültig bis {_de_day(str(details['valid_until']))}")
    for key, text in DETAIL_LABELS.items():
        if key in details and details[key] not in (None, [], ""):
            parts.append(f"{text}: {_value_text(details[key], names)}")
    if access := details.get("access"):
        parts.append(f"Zugriff: {ACCESS_LABELS.get(str(access), 'anderer Zugriff')}")
    return "; ".join(parts)


def _de_day(iso: str) -> str:
    year, month, day = [*iso[:10].split("-"), "", ""][:3]
    return f"{day}.{month}.{year}" if day else iso


def _target(event: Any, names: Names) -> tuple[str, str | None]:
    kind = OBJECTS.get(event.object_type, "Objekt")
    oid = int(event.object_id) if str(event.object_id or "").isdigit() else None
    if oid is None:
        return (kind if event.object_id is None else f"{kind} (mehrere)"), None
    page = OBJECT_PAGES.get(event.object_type)
    url = page.format(id=oid) if page else None
    if event.object_type == "household":
        return f"Haushalt {names.households.get(oid, 'gelöscht')}", url
    if event.object_type == "vacancy":
        return f"Wohnung „{names.vacancies.get(oid, 'gelöscht')}“", url
    if event.object_type in ("user", "users"):
        return f"Konto {names.users.get(oid, 'gelöscht')}", url
    if event.object_type in ("organisation", "organisations"):
        return names.organisations.get(oid, "Organisation"), None
    if event.object_type == "case":
        return f"Fall {names.cases.get(oid, 'gelöscht')}", url
    if event.object_type == "consent":
        hid = names.consent_households.get(oid)
        if hid is not None:
            return f"Einwilligung von Haushalt {names.households.get(hid, '')}".strip(), (
                f"/haushalte/{hid}/einwilligungen"
            )
    return kind, url


def _related(event: Any, names: Names) -> tuple[tuple[str, str | None], ...]:
    details = event.details or {}
    out: list[tuple[str, str | None]] = []
    hid = details.get("household_id")
    if hid is None and event.object_type == "proposal" and str(event.object_id).isdigit():
        hid = names.proposal_households.get(int(event.object_id))
    if hid is not None and event.object_type != "consent" and int(hid) in names.households:
        out.append((f"Haushalt {names.households[int(hid)]}", f"/haushalte/{int(hid)}"))
    cid = details.get("case_id")
    if cid is not None and int(cid) in names.cases:
        out.append((f"Fall {names.cases[int(cid)]}", f"/faelle/{int(cid)}"))
    vid = details.get("vacancy_id")
    if vid is not None and int(vid) in names.vacancies:
        out.append((f"Wohnung „{names.vacancies[int(vid)]}“", f"/wohnungen/{int(vid)}"))
    return tuple(out)


def describe(event: Any, names: Names) -> Line:
    """One event in words, with a link to the object where it has a page."""
    if event.actor_user_id is not None:
        who = names.users.get(int(event.actor_user_id), "gelöschtes Konto")
    elif str(event.actor_label).startswith("link:"):
        who = "Vermieter (sicherer Link)"
    elif str(event.actor_label).startswith("api_key:"):
        who = "Programm (API-Schlüssel)"
    else:
        who = "System"
    org = names.organisations.get(int(event.organisation_id), "–") if event.organisation_id else "–"
    target, url = _target(event, names)
    return Line(
        who=who,
        organisation=org,
        action=action_text(event.action),
        target=target,
        target_url=url,
        details=details_text(event.details or {}, names),
        related=_related(event, names),
    )
