"""Household input and output shapes (msgspec), shared by the JSON API and the forms."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated

import msgspec

from matching.enums import HouseholdStatus, IncomeBasis, Urgency
from matching.validation import FieldError, cent_errors, contract_meta, update_struct
from matching.validators import EMAIL, PHONE, SINGLE_LINE, check_fields
from scoring.fields import HOUSEHOLD_FIELDS

Count = Annotated[int, msgspec.Meta(ge=0, le=20)]
Age = Annotated[int, msgspec.Meta(ge=0, le=17)]
ShortText = Annotated[str, msgspec.Meta(max_length=200)]
LongText = Annotated[str, msgspec.Meta(max_length=5000)]
Ags = Annotated[str, msgspec.Meta(pattern=r"^0577\d{4}$")]


class HouseholdFields(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Fields a counselor maintains; every one optional here, required ones in Create."""

    adults: Annotated[int, msgspec.Meta(ge=1, le=20)] | None = None
    children_ages: Annotated[list[Age], msgspec.Meta(max_length=19)] | None = None
    income_basis: IncomeBasis | None = None
    own_max_rent: Annotated[float, contract_meta(HOUSEHOLD_FIELDS["own_max_rent"])] | None = None
    wbs_valid_until: date | None = None
    wbs_rooms: Annotated[int, msgspec.Meta(ge=1, le=20)] | None = None
    needs_barrier_free: bool | None = None
    needs_wheelchair: bool | None = None
    needs_ground_floor: bool | None = None
    max_floor_without_lift: (
        Annotated[int, contract_meta(HOUSEHOLD_FIELDS["max_floor_without_lift"])] | None
    ) = None
    has_pets: bool | None = None
    preferred_ags: Annotated[list[Ags], msgspec.Meta(max_length=11)] | None = None
    preferences_hard: bool | None = None
    max_distance_km: Annotated[float, contract_meta(HOUSEHOLD_FIELDS["max_distance_km"])] | None = (
        None
    )
    earliest_move_in: date | None = None
    urgency: Urgency | None = None
    notice_date: date | None = None
    eviction_date: date | None = None
    homeless_since: date | None = None
    status: HouseholdStatus | None = None
    name: ShortText | None = None
    phone: Annotated[str, msgspec.Meta(max_length=50)] | None = None
    email: Annotated[str, msgspec.Meta(max_length=254)] | None = None
    notes: LongText | None = None
    landlord_notes: LongText | None = None


class HouseholdCreate(HouseholdFields, kw_only=True, forbid_unknown_fields=True):
    adults: Annotated[int, msgspec.Meta(ge=1, le=20)]
    income_basis: IncomeBasis
    urgency: Urgency
    registered_at: date | None = None

    def check(self) -> list[FieldError]:
        return cross_field_errors(self)


if TYPE_CHECKING:

    class HouseholdUpdate(HouseholdFields, kw_only=True, forbid_unknown_fields=True):
        """Partial update: absent = unchanged (``UNSET``), ``null`` = clear."""

        version: int | None = None

else:
    HouseholdUpdate = update_struct(HouseholdFields, "HouseholdUpdate", __name__)


#: Contact fields that reach mailto:/tel: links and e-mail headers (see matching.validators).
CONTACT_CHECKS = {"email": EMAIL, "phone": PHONE, "name": SINGLE_LINE}


def cross_field_errors(data: HouseholdFields) -> list[FieldError]:
    errors: list[FieldError] = [
        *cent_errors(data, ("own_max_rent",)),
        *check_fields(data, CONTACT_CHECKS),
    ]
    persons = (data.adults or 0) + len(data.children_ages or [])
    if persons > 20:
        errors.append(FieldError("children_ages", "Höchstens 20 Personen je Haushalt."))
    if data.urgency == Urgency.EVICTION_SCHEDULED and data.eviction_date is None:
        errors.append(FieldError("eviction_date", "Bitte den Räumungstermin angeben."))
    if data.income_basis in (IncomeBasis.OWN_INCOME, IncomeBasis.WOHNGELD) and (
        data.own_max_rent is None
    ):
        errors.append(
            FieldError(
                "own_max_rent", "Bei eigenem Einkommen/Wohngeld bitte die Höchstmiete angeben."
            )
        )
    return errors


class HouseholdOut(msgspec.Struct, kw_only=True):
    """What the API returns; personal fields only to the owning organisation's users."""

    id: int
    reference_code: str
    organisation_id: int
    counselor_id: int | None
    adults: int
    children_ages: list[int]
    persons: int
    income_basis: IncomeBasis
    own_max_rent: float | None
    wbs_valid_until: date | None
    wbs_rooms: int | None
    needs_barrier_free: bool
    needs_wheelchair: bool
    needs_ground_floor: bool
    max_floor_without_lift: int | None
    has_pets: bool
    preferred_ags: list[str]
    preferences_hard: bool
    max_distance_km: float | None
    earliest_move_in: date | None
    urgency: Urgency
    notice_date: date | None
    eviction_date: date | None
    homeless_since: date | None
    registered_at: date
    status: HouseholdStatus
    name: str | None
    phone: str | None
    email: str | None
    notes: str | None
    landlord_notes: str | None
    version: int


class Page(msgspec.Struct, kw_only=True):
    total: int
    limit: int
    offset: int
