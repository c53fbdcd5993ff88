"""Vacancy input and output shapes (msgspec), shared by the JSON API, forms and imports."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Annotated

import msgspec

from matching import clock
from matching.enums import PetsPolicy, VacancySource, VacancyStatus
from matching.validation import FieldError, cent_errors, contract_meta, update_struct
from matching.validators import SINGLE_LINE, check_fields
from scoring.fields import VACANCY_FIELDS
from scoring.formatting import format_number

_V = VACANCY_FIELDS
Rooms = Annotated[float, contract_meta(_V["rooms"])]
Area = Annotated[float, contract_meta(_V["living_area"])]
Floor = Annotated[int, contract_meta(_V["floor"])]
NetColdRent = Annotated[float, contract_meta(_V["net_cold_rent"])]
ServiceCharges = Annotated[float, contract_meta(_V["cold_service_charges"])]
HeatingCosts = Annotated[float, contract_meta(_V["heating_costs"])]
Deposit = Annotated[float, contract_meta(_V["deposit"])]
MinPersons = Annotated[int, contract_meta(_V["min_persons"])]
MaxPersons = Annotated[int, contract_meta(_V["max_persons"])]
PostalCode = Annotated[str, msgspec.Meta(pattern=r"^\d{5}$")]


class VacancyFields(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    external_id: Annotated[str, msgspec.Meta(min_length=1, max_length=100)] | None = None
    title: Annotated[str, msgspec.Meta(max_length=200)] | None = None
    street: Annotated[str, msgspec.Meta(max_length=200)] | None = None
    house_number: Annotated[str, msgspec.Meta(max_length=20)] | None = None
    postal_code: PostalCode | None = None
    municipality_ags: Annotated[str, msgspec.Meta(pattern=r"^\d{8}$")] | None = None
    lat: Annotated[float, msgspec.Meta(ge=-90, le=90)] | None = None
    lon: Annotated[float, msgspec.Meta(ge=-180, le=180)] | None = None
    rooms: Rooms | None = None
    living_area: Area | None = None
    floor: Floor | None = None
    lift: bool | None = None
    barrier_free: bool | None = None
    wheelchair_accessible: bool | None = None
    net_cold_rent: NetColdRent | None = None
    cold_service_charges: ServiceCharges | None = None
    heating_costs: HeatingCosts | None = None
    deposit: Deposit | None = None
    available_from: date | None = None
    wbs_required: bool | None = None
    pets: PetsPolicy | None = None
    min_persons: MinPersons | None = None
    max_persons: MaxPersons | None = None
    description: Annotated[str, msgspec.Meta(max_length=5000)] | None = None
    status: VacancyStatus | None = None


class VacancyCreate(VacancyFields, kw_only=True, forbid_unknown_fields=True):
    postal_code: PostalCode
    rooms: Rooms
    living_area: Area
    floor: Floor  # the engine cannot rank a flat without it: refused at save, named
    net_cold_rent: NetColdRent
    cold_service_charges: ServiceCharges
    available_from: date

    def check(self) -> list[FieldError]:
        return offer_errors(self, date_changed=True)


if TYPE_CHECKING:

    class VacancyUpdate(VacancyFields, kw_only=True, forbid_unknown_fields=True):
        """Partial update: absent = unchanged (``UNSET``), ``null`` = clear."""

        version: int | None = None

else:
    VacancyUpdate = update_struct(VacancyFields, "VacancyUpdate", __name__)


#: Text that reaches e-mail subjects and headers must stay on one line.
HEADER_TEXT_CHECKS = {"title": SINGLE_LINE, "external_id": SINGLE_LINE}


def available_from_window(today: date | None = None) -> tuple[date, date]:
    """Earliest and latest plausible move-in date of a new offer: one year back, two ahead.
    One rule for the API, the import and the form's date picker (its ``min``/``max``)."""
    today = today or clock.today()
    return today - timedelta(days=365), today + timedelta(days=730)


def plausibility_errors(
    available_from: date | None,
    rooms: float | None,
    living_area: float | None,
    min_persons: int | None,
    today: date | None = None,
) -> list[FieldError]:
    """The same plausibility rules for form, API and import: the flat is available within a
    year back and two years ahead, and its minimum household fits its rooms and area (at
    most two persons per room, at least 10 m² per person as WAG NRW § 10 requires - a flat
    that no household of its minimum size may take could never be ranked)."""
    errors: list[FieldError] = []
    earliest, latest = available_from_window(today)
    if available_from is not None and not earliest <= available_from <= latest:
        errors.append(
            FieldError(
                "available_from",
                "Das Bezugsdatum muss zwischen einem Jahr zurück und zwei Jahren voraus liegen.",
            )
        )
    if min_persons is not None and rooms is not None and min_persons > max(2 * rooms, 1):
        errors.append(
            FieldError(
                "min_persons",
                f"Mindestens {min_persons} Personen passen nicht zu "
                f"{format_number(rooms, 1, trim=True)} Zimmer(n) (höchstens zwei je Zimmer).",
            )
        )
    elif min_persons is not None and living_area is not None and 10 * min_persons > living_area:
        errors.append(
            FieldError(
                "min_persons",
                f"Mindestens {min_persons} Personen brauchen wenigstens {10 * min_persons} m² "
                f"Wohnfläche (10 m² je Person); die Wohnung hat "
                f"{format_number(living_area, 2, trim=True)} m².",
            )
        )
    return errors


def offer_errors(
    offer: VacancyFields, *, date_changed: bool, today: date | None = None
) -> list[FieldError]:
    """Everything wrong with the vacancy as it would be stored - a new one, or an existing one
    merged with an update - for the API, the forms and the PUT alike.

    The move-in window is checked only when ``available_from`` is being set (``date_changed``:
    always on create; on update when the date differs from the stored one - the edit form
    sends every field, so the same date sent again is no change). The window is a rule
    about *entering* a date, relative to today: a flat listed thirteen months ago with a
    then-valid date must stay editable (a new title, a lower rent) without inventing a new
    date, while any new date must lie in the window. Everything else (persons for rooms and
    area, money in cents, the order of min/max) holds for the resulting vacancy whatever the
    update touched."""
    return cross_field_errors(offer) + plausibility_errors(
        offer.available_from if date_changed else None,
        offer.rooms,
        offer.living_area,
        offer.min_persons,
        today,
    )


def cross_field_errors(data: VacancyFields) -> list[FieldError]:
    errors: list[FieldError] = [
        *cent_errors(data, ("net_cold_rent", "cold_service_charges", "heating_costs", "deposit")),
        *check_fields(data, HEADER_TEXT_CHECKS),
    ]
    if data.min_persons and data.max_persons and data.min_persons > data.max_persons:
        fewest, most = VACANCY_FIELDS["min_persons"].label, VACANCY_FIELDS["max_persons"].label
        errors.append(
            FieldError("max_persons", f"„{most}“ darf nicht kleiner sein als „{fewest}“.")
        )
    if data.wheelchair_accessible and data.barrier_free is False:
        errors.append(
            FieldError("barrier_free", "Eine rollstuhlgerechte Wohnung ist auch barrierefrei.")
        )
    if (data.lat is None) != (data.lon is None):
        errors.append(FieldError("lon", "Bitte Breiten- und Längengrad gemeinsam angeben."))
    return errors


class VacancyOut(msgspec.Struct, kw_only=True):
    id: int
    organisation_id: int
    external_id: str | None
    title: str | None
    street: str | None
    house_number: str | None
    postal_code: str
    municipality_ags: str
    lat: float | None
    lon: float | None
    rooms: float
    living_area: float
    floor: int | None
    lift: bool
    barrier_free: bool
    wheelchair_accessible: bool
    net_cold_rent: float
    cold_service_charges: float
    heating_costs: float | None
    deposit: float | None
    available_from: date
    wbs_required: bool
    pets: PetsPolicy
    min_persons: int | None
    max_persons: int | None
    description: str | None
    status: VacancyStatus
    source: VacancySource
    version: int
