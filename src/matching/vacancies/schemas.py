"""Vacancy input and output shapes (msgspec), shared by the JSON API, forms and imports."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated

import msgspec

from matching.enums import PetsPolicy, VacancySource, VacancyStatus
from matching.validation import FieldError, cent_errors, update_struct
from matching.validators import SINGLE_LINE, check_fields

Euro = Annotated[float, msgspec.Meta(ge=0, le=100_000)]
Rooms = Annotated[float, msgspec.Meta(gt=0, le=20, multiple_of=0.5)]
Area = Annotated[float, msgspec.Meta(gt=0, le=1000)]
Persons = Annotated[int, msgspec.Meta(ge=1, le=20)]
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
    floor: Annotated[int, msgspec.Meta(ge=-2, le=40)] | None = None
    lift: bool | None = None
    barrier_free: bool | None = None
    wheelchair_accessible: bool | None = None
    net_cold_rent: Euro | None = None
    cold_service_charges: Euro | None = None
    heating_costs: Euro | None = None
    deposit: Euro | None = None
    available_from: date | None = None
    wbs_required: bool | None = None
    pets: PetsPolicy | None = None
    min_persons: Persons | None = None
    max_persons: Persons | None = None
    description: Annotated[str, msgspec.Meta(max_length=5000)] | None = None
    status: VacancyStatus | None = None


class VacancyCreate(VacancyFields, kw_only=True, forbid_unknown_fields=True):
    postal_code: PostalCode
    rooms: Rooms
    living_area: Area
    net_cold_rent: Euro
    cold_service_charges: Euro
    available_from: date

    def check(self) -> list[FieldError]:
        return cross_field_errors(self)


if TYPE_CHECKING:

    class VacancyUpdate(VacancyFields, kw_only=True, forbid_unknown_fields=True):
        """Partial update: absent = unchanged (``UNSET``), ``null`` = clear."""

        version: int | None = None

else:
    VacancyUpdate = update_struct(VacancyFields, "VacancyUpdate", __name__)


#: Text that reaches e-mail subjects and headers must stay on one line.
HEADER_TEXT_CHECKS = {"title": SINGLE_LINE, "external_id": SINGLE_LINE}


def cross_field_errors(data: VacancyFields) -> list[FieldError]:
    errors: list[FieldError] = [
        *cent_errors(data, ("net_cold_rent", "cold_service_charges", "heating_costs", "deposit")),
        *check_fields(data, HEADER_TEXT_CHECKS),
    ]
    if data.min_persons and data.max_persons and data.min_persons > data.max_persons:
        errors.append(FieldError("max_persons", "Max. Personen muss ≥ Min. Personen sein."))
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
