"""Domain enumerations, stored as their string values (portable VARCHAR + CHECK)."""

from __future__ import annotations

from enum import StrEnum


class OrganisationKind(StrEnum):
    FACHSTELLE = "fachstelle"
    COUNSELING = "counseling"
    LANDLORD = "landlord"


class Role(StrEnum):
    ADMIN = "admin"
    COUNSELOR = "counselor"
    LANDLORD = "landlord"


class IncomeBasis(StrEnum):
    SGB2 = "sgb2"
    SGB12 = "sgb12"
    ASYLBLG = "asylblg"
    WOHNGELD = "wohngeld"
    OWN_INCOME = "own_income"


class Urgency(StrEnum):
    EVICTION_SCHEDULED = "eviction_scheduled"
    HOMELESS = "homeless"
    NOTICE_RECEIVED = "notice_received"
    INADEQUATE_HOUSING = "inadequate_housing"
    THREATENED = "threatened"
    NONE = "none"


class HouseholdStatus(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    HOUSED = "housed"
    CLOSED = "closed"


class VacancyStatus(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    RESERVED = "reserved"
    LET = "let"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"


class VacancySource(StrEnum):
    FORM = "form"
    API = "api"
    CSV = "csv"
    XLSX = "xlsx"
    OPENIMMO = "openimmo"
    DEMO = "demo"


class PetsPolicy(StrEnum):
    YES = "yes"
    NO = "no"
    ON_REQUEST = "on_request"


class ProposalStatus(StrEnum):
    DRAFT = "draft"
    SENT = "sent"
    VIEWED = "viewed"
    VIEWING_ARRANGED = "viewing_arranged"
    ACCEPTED = "accepted"
    LET = "let"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"


LIVE_PROPOSAL_STATUSES: tuple[ProposalStatus, ...] = (
    ProposalStatus.DRAFT,
    ProposalStatus.SENT,
    ProposalStatus.VIEWED,
    ProposalStatus.VIEWING_ARRANGED,
    ProposalStatus.ACCEPTED,
)


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class ConsentRecipients(StrEnum):
    NAMED = "named"
    NETWORK = "network"


class ImportStatus(StrEnum):
    QUEUED = "queued"
    PARSING = "parsing"
    PREVIEW = "preview"
    COMMITTING = "committing"
    DONE = "done"
    FAILED = "failed"


# German labels for the UI; kept beside the enums so a new value cannot lack its label.
LABELS_DE: dict[str, str] = {
    "fachstelle": "Fachstelle",
    "counseling": "Beratungsstelle",
    "landlord": "Vermieter",
    "admin": "Administration",
    "counselor": "Beratung",
    "sgb2": "Bürgergeld (SGB II)",
    "sgb12": "Sozialhilfe (SGB XII)",
    "asylblg": "AsylbLG",
    "wohngeld": "Wohngeld",
    "own_income": "eigenes Einkommen",
    "eviction_scheduled": "Räumungstermin",
    "homeless": "wohnungslos",
    "notice_received": "Kündigung erhalten",
    "inadequate_housing": "unzumutbare Wohnverhältnisse",
    "threatened": "drohender Wohnungsverlust",
    "none": "keine",
    "active": "aktiv",
    "paused": "pausiert",
    "housed": "versorgt",
    "closed": "abgeschlossen",
    "draft": "Entwurf",
    "open": "offen",
    "reserved": "reserviert",
    "let": "vermietet",
    "withdrawn": "zurückgezogen",
    "expired": "abgelaufen",
    "sent": "gesendet",
    "viewed": "angesehen",
    "viewing_arranged": "Besichtigung vereinbart",
    "accepted": "zugesagt",
    "declined": "abgesagt",
    "yes": "ja",
    "no": "nein",
    "on_request": "auf Anfrage",
    "form": "Formular",
    "api": "API",
    "csv": "CSV",
    "xlsx": "Excel",
    "openimmo": "OpenImmo",
    "demo": "Demo",
}


def label(value: object) -> str:
    """German label of an enum value (falls back to the raw value)."""
    key = value.value if isinstance(value, StrEnum) else str(value)
    return LABELS_DE.get(key, key)
