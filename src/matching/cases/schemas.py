"""Case input and output shapes (msgspec), shared by the JSON API and the forms.

Updates follow ``msgspec.UNSET``: a field left out stays unchanged, ``null`` clears it. Money
arrives as a decimal amount in euros and is kept in integer cents inside.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

import msgspec
from msgspec import UNSET, UnsetType

from matching import clock
from matching.enums import (
    ApplicationOutcome,
    ArrearsLegalBasis,
    Authority,
    CaseKind,
    CaseOutcome,
    CaseStatus,
    ContactKind,
    DeadlineKind,
    NoticeKind,
    ReferralKind,
    ReferralStatus,
    ShareLevel,
)
from matching.validation import FieldError

ShortText = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
LongText = Annotated[str, msgspec.Meta(max_length=5000)]
Ags = Annotated[str, msgspec.Meta(pattern=r"^0577\d{4}$")]
Id = Annotated[int, msgspec.Meta(ge=1, le=2**62)]
Months = Annotated[int, msgspec.Meta(ge=0, le=120)]
MAX_EURO = Decimal("100000")

# The German name of every field, for messages that name the field.
FIELD_LABELS: dict[str, str] = {
    "household_id": "Haushalt",
    "kind": "Art des Falls",
    "opened_on": "Beginn",
    "landlord_name": "Vermieter",
    "tenancy_address": "Anschrift der Wohnung",
    "monthly_rent": "Miete",
    "arrears": "Mietrückstand",
    "arrears_months": "Monatsmieten im Rückstand",
    "arrears_as_of": "Rückstand zum",
    "notice_date": "Kündigung vom",
    "notice_kind": "Art der Kündigung",
    "notice_reason": "Kündigungsgrund",
    "suit_filed_on": "Räumungsklage eingereicht am",
    "suit_served_on": "Räumungsklage zugestellt am",
    "court_notice_received_on": "Mitteilung des Gerichts eingegangen am",
    "eviction_date": "Räumungstermin",
    "schonfrist_cured_on": "Rückstand in der Schonfrist ausgeglichen am",
    "application_authority": "Antrag bei",
    "application_legal_basis": "Rechtsgrundlage des Antrags",
    "application_filed_on": "Antrag gestellt am",
    "application_decided_on": "Antrag beschieden am",
    "application_outcome": "Entscheidung",
    "application_amount": "Bewilligter Betrag",
    "agreement_instalments": "Ratenzahlung vereinbart",
    "instalment": "Monatliche Rate",
    "agreement_notice_withdrawn": "Kündigung zurückgenommen",
    "agreement_continuation": "Fortsetzung des Mietverhältnisses vereinbart",
    "agreement_note": "Vereinbarungen",
    "outcome": "Ergebnis",
    "closed_on": "Abgeschlossen am",
    "version": "Version",
}
MONEY_FIELDS = ("monthly_rent", "arrears", "application_amount", "instalment")


class CaseFields(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Everything a counselor records on a case; left out = unchanged, null = cleared."""

    landlord_name: ShortText | UnsetType | None = UNSET
    tenancy_address: ShortText | UnsetType | None = UNSET
    monthly_rent: Decimal | UnsetType | None = UNSET
    arrears: Decimal | UnsetType | None = UNSET
    arrears_months: Months | UnsetType | None = UNSET
    arrears_as_of: date | UnsetType | None = UNSET
    notice_date: date | UnsetType | None = UNSET
    notice_kind: NoticeKind | UnsetType | None = UNSET
    notice_reason: ShortText | UnsetType | None = UNSET
    suit_filed_on: date | UnsetType | None = UNSET
    suit_served_on: date | UnsetType | None = UNSET
    court_notice_received_on: date | UnsetType | None = UNSET
    eviction_date: date | UnsetType | None = UNSET
    schonfrist_cured_on: date | UnsetType | None = UNSET
    application_authority: Authority | UnsetType | None = UNSET
    application_legal_basis: ArrearsLegalBasis | UnsetType | None = UNSET
    application_filed_on: date | UnsetType | None = UNSET
    application_decided_on: date | UnsetType | None = UNSET
    application_outcome: ApplicationOutcome | UnsetType | None = UNSET
    application_amount: Decimal | UnsetType | None = UNSET
    agreement_instalments: bool | UnsetType = UNSET
    instalment: Decimal | UnsetType | None = UNSET
    agreement_notice_withdrawn: bool | UnsetType = UNSET
    agreement_continuation: bool | UnsetType = UNSET
    agreement_note: LongText | UnsetType | None = UNSET
    outcome: CaseOutcome | UnsetType | None = UNSET
    closed_on: date | UnsetType | None = UNSET

    @classmethod
    def field_rules(cls, values: Mapping[str, Any]) -> list[FieldError]:
        """Run by :func:`matching.validation.validate` beside the type errors, so that one
        answer names every bad field (a bad kind no longer hides a negative amount)."""
        return field_errors(values, clock.today())

    def sent(self) -> dict[str, Any]:
        """The fields the client sent (``None`` included: it clears)."""
        return {
            f: getattr(self, f)
            for f in CaseFields.__struct_fields__
            if getattr(self, f) is not UNSET
        }


class CaseCreate(CaseFields, kw_only=True, forbid_unknown_fields=True):
    household_id: Id
    kind: CaseKind
    opened_on: date | None = None


class CaseUpdate(CaseFields, kw_only=True, forbid_unknown_fields=True):
    version: Annotated[int, msgspec.Meta(ge=1)]

    @classmethod
    def field_rules(cls, values: Mapping[str, Any]) -> list[FieldError]:
        """Amounts only: whether a date is being entered (and must then lie in the window)
        depends on the stored case, so the service checks dates (an edit form sends the
        stored ones again)."""
        return field_errors(values, clock.today(), dates=())


def _label(field: str) -> str:
    return FIELD_LABELS.get(field, field)


def _money_error(field: str, value: Decimal) -> FieldError | None:
    try:
        exact = value == value.quantize(Decimal("0.01"))
    except InvalidOperation:
        exact = False
    if not value.is_finite() or not exact:
        return FieldError(
            field,
            f"{_label(field)}: bitte einen Betrag in Euro mit höchstens "
            "zwei Nachkommastellen angeben.",
        )
    if value < 0 or value > MAX_EURO:
        return FieldError(
            field, f"{_label(field)}: der Betrag muss zwischen 0 und 100.000 € liegen."
        )
    return None


# Dates a person records: what already happened lies in the past (but not decades back, which
# is a typo, e.g. 0026 for 2026); what is planned lies ahead, within two years.
YEARS_BACK = 20
YEARS_AHEAD = 2
PAST_DATE_FIELDS = (
    "opened_on",
    "closed_on",
    "notice_date",
    "suit_filed_on",
    "suit_served_on",
    "court_notice_received_on",
    "application_filed_on",
    "application_decided_on",
    "schonfrist_cured_on",
    "arrears_as_of",
)
PLANNED_DATE_FIELDS = ("eviction_date",)


def _years_from(today: date, years: int) -> date:
    try:
        return today.replace(year=today.year + years)
    except ValueError:  # 29 February
        return today.replace(year=today.year + years, day=28)


def latest_planned(today: date) -> date:
    """The last day a planned date (eviction, appointment) may fall on."""
    return _years_from(today, YEARS_AHEAD)


def plausible_date_error(
    field: str, value: date, today: date, *, planned: bool = False, what: str | None = None
) -> FieldError | None:
    """The one rule for a date of a case, its contacts, referrals and appointments: a past
    event (``planned`` False) not after today and at most ``YEARS_BACK`` years back; a
    planned one (eviction date, appointment) at most ``YEARS_AHEAD`` years ahead."""
    name = what or _label(field)
    if value < _years_from(today, -YEARS_BACK):
        return FieldError(field, f"{name}: das Datum liegt mehr als {YEARS_BACK} Jahre zurück.")
    if planned and value > latest_planned(today):
        return FieldError(field, f"{name}: das Datum liegt mehr als zwei Jahre in der Zukunft.")
    if not planned and value > today:
        return FieldError(field, f"{name}: das Datum liegt in der Zukunft.")
    return None


def _before(values: Mapping[str, Any], early: str, late: str) -> bool:
    a, b = values.get(early), values.get(late)
    return isinstance(a, date) and isinstance(b, date) and a > b


def field_errors(
    values: Mapping[str, Any], today: date, dates: Collection[str] | None = None
) -> list[FieldError]:
    """The rules of single fields: amounts and dates (euros, not cents).

    ``dates``: the date fields being entered now (``None``: all). The date window is a rule
    about entering a date, relative to today: a case opened 21 years ago, or a search case
    that took an old registration date, must stay editable without inventing a new date."""
    errors: list[FieldError] = []
    for field in MONEY_FIELDS:
        value = values.get(field)
        if isinstance(value, Decimal) and (error := _money_error(field, value)):
            errors.append(error)
    for field in (*PAST_DATE_FIELDS, *PLANNED_DATE_FIELDS):
        if dates is not None and field not in dates:
            continue
        value = values.get(field)
        planned = field in PLANNED_DATE_FIELDS
        if isinstance(value, date) and (
            error := plausible_date_error(field, value, today, planned=planned)
        ):
            errors.append(error)
    return errors


def rule_errors(
    values: Mapping[str, Any], today: date, dates: Collection[str] | None = None
) -> list[FieldError]:
    """Every rule, on the case as it would be stored (euros, not cents): the single fields'
    (dates only those being entered, see :func:`field_errors`) and those across fields."""
    errors = field_errors(values, today, dates)
    if _before(values, "suit_served_on", "eviction_date"):
        errors.append(
            FieldError(
                "suit_served_on",
                "Räumungsklage zugestellt am: die Zustellung "
                "kann nicht nach dem Räumungstermin liegen.",
            )
        )
    if _before(values, "suit_filed_on", "suit_served_on"):
        errors.append(
            FieldError(
                "suit_served_on",
                "Räumungsklage zugestellt am: die Zustellung "
                "kann nicht vor der Einreichung der Klage liegen.",
            )
        )
    if _before(values, "application_filed_on", "application_decided_on"):
        errors.append(
            FieldError(
                "application_decided_on",
                "Antrag beschieden am: die Entscheidung kann nicht vor der Antragstellung liegen.",
            )
        )
    if values.get("application_decided_on") and not values.get("application_filed_on"):
        errors.append(
            FieldError(
                "application_filed_on",
                "Antrag gestellt am: bitte angeben, wann der beschiedene Antrag gestellt wurde.",
            )
        )
    if values.get("application_outcome") and not values.get("application_decided_on"):
        errors.append(
            FieldError(
                "application_decided_on",
                "Antrag beschieden am: bitte das Datum der Entscheidung angeben.",
            )
        )
    if values.get("outcome") and not values.get("closed_on"):
        errors.append(
            FieldError(
                "closed_on",
                "Abgeschlossen am: bitte das Datum angeben, an "
                "dem der Fall mit diesem Ergebnis endete.",
            )
        )
    if values.get("closed_on") and not values.get("outcome"):
        errors.append(FieldError("outcome", "Ergebnis: bitte angeben, wie der Fall endete."))
    if _before(values, "opened_on", "closed_on"):
        errors.append(
            FieldError("closed_on", "Abgeschlossen am: das Datum liegt vor dem Beginn des Falls.")
        )
    return errors


def to_cents(value: Decimal | None) -> int | None:
    return None if value is None else int(value.quantize(Decimal("0.01")) * 100)


def to_euro(cents: int | str | None) -> Decimal | None:
    return None if cents is None else Decimal(int(cents)).scaleb(-2)


Day = date  # the field below is called ``date`` (the API's word), so the type needs a name


class DeadlineOut(msgspec.Struct, kw_only=True):
    kind: DeadlineKind
    date: Day
    last_working_day: Day | None
    label: str
    legal_basis: str | None
    case_id: int
    case_reference: str


class CaseOut(msgspec.Struct, kw_only=True):
    id: int
    reference: str
    household_id: int
    household_reference: str
    kind: CaseKind
    status: CaseStatus
    lead_organisation_id: int
    access: str
    opened_on: date
    closed_on: date | None
    outcome: CaseOutcome | None
    landlord_name: str | None
    tenancy_address: str | None
    monthly_rent: Decimal | None
    arrears: Decimal | None
    arrears_months: int | None
    arrears_as_of: date | None
    notice_date: date | None
    notice_kind: NoticeKind | None
    notice_reason: str | None
    suit_filed_on: date | None
    suit_served_on: date | None
    court_notice_received_on: date | None
    eviction_date: date | None
    schonfrist_cured_on: date | None
    application_authority: Authority | None
    application_legal_basis: ArrearsLegalBasis | None
    application_filed_on: date | None
    application_decided_on: date | None
    application_outcome: ApplicationOutcome | None
    application_amount: Decimal | None
    agreement_instalments: bool
    instalment: Decimal | None
    agreement_notice_withdrawn: bool
    agreement_continuation: bool
    agreement_note: str | None
    deadlines: list[DeadlineOut]
    warnings: list[str]
    version: int


class ContactCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    occurred_on: date
    kind: ContactKind
    municipality_ags: Ags | None = None
    note: LongText | None = None


class ContactOut(msgspec.Struct, kw_only=True):
    id: int
    case_id: int
    occurred_on: date
    kind: ContactKind
    municipality_ags: str | None
    organisation_id: int
    note: str | None


class AppointmentCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    starts_at: datetime
    purpose: ContactKind
    duration_minutes: Annotated[int, msgspec.Meta(ge=5, le=600)] = 60
    municipality_ags: Ags | None = None


class ReferralCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    kind: ReferralKind
    local_service_id: Id | None = None
    status: ReferralStatus = ReferralStatus.AGREED
    agreed_on: date | None = None
    note: LongText | None = None


class ReferralStatusChange(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """The next step of a referral: agreed, attended, completed or refused."""

    status: ReferralStatus


class ReferralOut(msgspec.Struct, kw_only=True):
    id: int
    case_id: int
    kind: ReferralKind
    local_service_id: int | None
    status: ReferralStatus
    agreed_on: date
    note: str | None


class ShareCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    organisation_id: Id
    consent_id: Id
    level: ShareLevel


class ShareOut(msgspec.Struct, kw_only=True):
    id: int
    case_id: int
    organisation_id: int
    consent_id: int
    level: ShareLevel
