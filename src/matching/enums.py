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


# -- casework (issue 13) ------------------------------------------------------------------------


class CaseKind(StrEnum):
    PREVENTION = "prevention"
    SEARCH = "search"


class CaseStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class CaseOutcome(StrEnum):
    HOME_KEPT = "home_kept"
    MOVED = "moved"
    HOME_LOST = "home_lost"
    CONTACT_LOST = "contact_lost"
    HOUSED = "housed"


class NoticeKind(StrEnum):
    WITHOUT_NOTICE = "without_notice"
    ORDINARY = "ordinary"
    BOTH = "without_notice_or_ordinary"


class Authority(StrEnum):
    JOBCENTER = "jobcenter"
    SOZIALAMT = "sozialamt"


class ArrearsLegalBasis(StrEnum):
    SGB2 = "sgb2_22_8"
    SGB12 = "sgb12_36"


class ApplicationOutcome(StrEnum):
    LOAN = "loan"
    GRANT = "grant"
    REJECTED = "rejected"


class ContactKind(StrEnum):
    FIRST_CONSULTATION = "first_consultation"
    CONSULTATION = "consultation"
    OUTREACH = "outreach"
    ACCOMPANIMENT = "accompaniment"
    PHONE = "phone_call"
    MAIL = "mail"


class ReferralKind(StrEnum):
    DEBT = "debt_counselling"
    ADDICTION = "addiction_counselling"
    SGB12_67 = "sgb12_67"
    YOUTH = "youth_welfare"
    GUARDIANSHIP = "legal_guardianship"
    SUPPORTED_LIVING = "supported_living"
    JOBCENTER = "jobcenter"
    SOZIALAMT = "sozialamt"
    OTHER = "other_help"


class ReferralStatus(StrEnum):
    AGREED = "agreed"
    ATTENDED = "attended"
    COMPLETED = "completed"
    REFUSED = "refused"


class ShareLevel(StrEnum):
    READ = "read"
    COWORK = "cowork"


class DeadlineKind(StrEnum):
    SCHONFRIST = "schonfrist"
    EVICTION = "eviction"
    APPLICATION_PENDING = "application_pending"
    APPOINTMENT = "appointment"


LABELS_DE.update(
    {
        "prevention": "Wohnungssicherung",
        "search": "Wohnungssuche",
        "home_kept": "Wohnung erhalten",
        "moved": "Umzug in andere Wohnung",
        "home_lost": "Wohnungsverlust",
        "contact_lost": "Kontakt abgebrochen",
        "without_notice": "fristlos",
        "ordinary": "ordentlich",
        "without_notice_or_ordinary": "fristlos, hilfsweise ordentlich",
        "jobcenter": "Jobcenter",
        "sozialamt": "Sozialamt",
        "sgb2_22_8": "§ 22 Abs. 8 SGB II",
        "sgb12_36": "§ 36 SGB XII",
        "loan": "Darlehen",
        "grant": "Beihilfe",
        "rejected": "abgelehnt",
        "first_consultation": "Erstberatung",
        "consultation": "Beratung",
        "outreach": "Hausbesuch / aufsuchend",
        "accompaniment": "Begleitung zu Amt, Gericht oder Vermieter",
        "phone_call": "Telefon",
        "mail": "E-Mail",
        "debt_counselling": "Schuldnerberatung",
        "addiction_counselling": "Suchtberatung",
        "sgb12_67": "Hilfe nach §§ 67 ff. SGB XII",
        "youth_welfare": "Jugendhilfe",
        "legal_guardianship": "rechtliche Betreuung",
        "supported_living": "ambulant betreutes Wohnen",
        "other_help": "sonstige Hilfe",
        "agreed": "vereinbart",
        "attended": "wahrgenommen",
        "completed": "abgeschlossen",
        "refused": "abgelehnt",
        "read": "Einsicht",
        "cowork": "Mitarbeit",
        "schonfrist": "Ende der Schonfrist",
        "eviction": "Räumungstermin",
        "application_pending": "Antrag auf Mietschuldenübernahme offen",
        "appointment": "Termin",
    }
)


class RentLimitStatus(StrEnum):
    """Whether a rent-limit table holds the Kreis' figures or illustrative example values."""

    EXAMPLE = "example"
    OFFICIAL = "official"


LABELS_DE.update({"example": "Beispielwerte", "official": "amtlich"})
