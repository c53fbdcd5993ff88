"""Validation shared by all formats: raw cell texts of one row → :class:`ParsedRow`.

Every format (CSV, XLSX, OpenImmo) turns a row into a mapping ``record key → raw text`` plus the
labels under which the user knows those fields (column header or OpenImmo element). This module
converts, checks ranges and cross-field rules, resolves the location and reports *every* bad
field of the row, not only the first.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from matching.intake.columns import COLUMN_BY_KEY
from matching.intake.location import MunicipalityIndex, resolve_location
from matching.intake.records import Action, ParsedRow, RowIssue, Severity, VacancyRecord
from matching.intake.values import (
    Invalid,
    NumberStyle,
    clean_text,
    format_number,
    parse_bool,
    parse_date,
    parse_decimal,
    parse_deposit_multiple,
    parse_floor,
    parse_int,
    parse_pets,
    parse_postal_code,
    show,
)
from matching.vacancies.schemas import plausibility_errors
from scoring.fields import VACANCY_FIELDS

TEXT_LIMITS: dict[str, int] = {
    "external_id": 100,
    "title": 200,
    "street": 200,
    "house_number": 20,
    "town": 100,
    "description": 20_000,
}
# ranges from the one field contract the API and the engine use too (scoring.fields)
MAX_ROOMS = VACANCY_FIELDS["rooms"].high
MAX_LIVING_AREA = VACANCY_FIELDS["living_area"].high
MAX_PERSONS = int(VACANCY_FIELDS["max_persons"].high)
FLOOR_RANGE = (int(VACANCY_FIELDS["floor"].low), int(VACANCY_FIELDS["floor"].high))
#: Rent per m² outside this band is reported as a warning (typo or thousands separator?).
RENT_PER_SQM_PLAUSIBLE = (1.0, 40.0)

_ACTION_DELETE = frozenset({"löschen", "loeschen", "delete", "entfernen", "zurückziehen"})
_ACTION_UPSERT = frozenset(
    {"", "neu", "anlegen", "ändern", "aendern", "aktualisieren", "change", "upsert", "new"}
)

Raw = Mapping[str, str | None]


@dataclass(slots=True)
class BuildContext:
    """State for one file: reference date, municipalities, number style, ids seen so far."""

    today: date
    locator: MunicipalityIndex
    style: NumberStyle = "german"
    labels: Mapping[str, str] = field(default_factory=dict)
    absent: frozenset[str] = frozenset()
    """Record keys for which the file has no column at all (reported once, at file level)."""
    available_defaults_to_today: bool = False
    """OpenImmo: no availability given at all → today, with a warning."""
    row_word: str = "Zeile"
    """How rows are called in messages: "Zeile" (spreadsheet line) or "Immobilie"."""
    listed: Mapping[str, date] = field(default_factory=dict)
    """Move-in dates the landlord's flats already carry, by external id: the same date
    delivered again is no new entry, so the window of :func:`plausibility_errors` (a rule
    about entering a date) is not applied to it - as in the form, PATCH and PUT."""
    seen_ids: dict[str, int] = field(default_factory=dict)
    location_cache: dict[tuple[str, str | None, float | None, float | None], Any] = field(
        default_factory=dict
    )


class _Row:
    """Collects the issues of one row."""

    __slots__ = ("issues", "labels", "row")

    def __init__(self, row: int, labels: Mapping[str, str]) -> None:
        self.row = row
        self.labels = labels
        self.issues: list[RowIssue] = []

    def label(self, key: str) -> str:
        label = self.labels.get(key)
        if label:
            return label
        column = COLUMN_BY_KEY.get(key)
        return column.header if column else key

    def add(
        self, key: str, message: str, *, code: str = "invalid", severity: Severity = "error"
    ) -> None:
        self.issues.append(
            RowIssue(
                row=self.row,
                field=self.label(key),
                message=message,
                severity=severity,
                code=code,
                key=key,
            )
        )

    def invalid(self, key: str, value: Invalid) -> None:
        self.add(key, value.reason, code=value.code)

    @property
    def has_errors(self) -> bool:
        return any(i.severity == "error" for i in self.issues)


def parse_action(raw: str | None) -> Action | Invalid:
    key = (raw or "").strip().casefold()
    if key in _ACTION_UPSERT:
        return "upsert"
    if key in _ACTION_DELETE:
        return "delete"
    return Invalid(f"{show(raw or '')} ist keine gültige Aktion (leer oder „löschen“)")


def _text(r: _Row, raw: Raw, key: str, *, multiline: bool = False) -> str | None:
    value = clean_text(raw.get(key), multiline=multiline)
    limit = TEXT_LIMITS.get(key)
    if value is not None and limit is not None and len(value) > limit:
        r.add(key, f"ist zu lang ({len(value)} Zeichen, höchstens {format_number(limit)})")
    return value


def _decimal(r: _Row, raw: Raw, key: str, ctx: BuildContext) -> float | None:
    text = raw.get(key)
    if text is None:
        return None
    value = parse_decimal(text, ctx.style)
    if isinstance(value, Invalid):
        r.invalid(key, value)
        return None
    if value is not None and key in _ROUNDING:
        value = round(value, _ROUNDING[key])  # spreadsheet float noise (54.50000000001)
    return value


_ROUNDING = {
    "rooms": 3,
    "living_area": 2,
    "net_cold_rent": 2,
    "cold_service_charges": 2,
    "heating_costs": 2,
    "deposit": 2,
    "lat": 6,
    "lon": 6,
}


def _required_missing(r: _Row, key: str, ctx: BuildContext) -> None:
    if key in ctx.absent:
        return  # reported once as a missing column
    r.add(key, "fehlt (Pflichtangabe)", code="required")


def _flag(r: _Row, raw: Raw, key: str) -> bool:
    text = raw.get(key)
    if text is None:
        return False
    value = parse_bool(text)
    if isinstance(value, Invalid):
        r.invalid(key, value)
        return False
    return bool(value)


def _non_negative(r: _Row, key: str, value: float | None) -> float | None:
    if value is not None and value < 0:
        r.add(key, f"darf nicht negativ sein ({format_number(value, 2)})", code="range")
        return None
    return value


def _contract_checks(r: _Row, values: Mapping[str, Any], ctx: BuildContext) -> None:
    """Amount maxima and plausibility exactly as the API and the forms check them."""
    for key in ("net_cold_rent", "cold_service_charges", "heating_costs", "deposit"):
        value, spec = values.get(key), VACANCY_FIELDS[key]
        if value is not None and not spec.contains(value):
            r.add(key, f"muss {spec.describe()} sein ({format_number(value, 2)})", code="range")
    available_from = values.get("available_from")
    if available_from is not None and ctx.listed.get(values.get("external_id") or "") == (
        available_from
    ):
        available_from = None  # already stored for this flat: not entered now
    for error in plausibility_errors(
        available_from,
        values.get("rooms"),
        values.get("living_area"),
        values.get("min_persons"),
        ctx.today,
    ):
        r.add(error.field, error.message, code="range")


def build_row(
    raw: Raw, *, row: int, ctx: BuildContext, labels: Mapping[str, str] | None = None
) -> ParsedRow:
    """Convert and validate one row. ``raw`` maps record keys to cell texts (``None``/empty =
    not given). ``labels`` override the context's labels for this row."""
    r = _Row(row, {**ctx.labels, **labels} if labels else ctx.labels)

    action_value = parse_action(raw.get("action"))
    action: Action
    if isinstance(action_value, Invalid):
        r.invalid("action", action_value)
        action = "upsert"
    else:
        action = action_value

    external_id = _text(r, raw, "external_id")
    if external_id is None:
        _required_missing(r, "external_id", ctx)
    else:
        first = ctx.seen_ids.get(external_id)
        if first is not None:
            r.add(
                "external_id",
                f"„{external_id}“ kommt in dieser Datei mehrfach vor "
                f"(zuerst in {first_label(first, ctx)}) – nur der erste Eintrag wird übernommen",
                code="duplicate",
            )
        else:
            ctx.seen_ids[external_id] = row

    if action == "delete":
        return ParsedRow(
            row=row, external_id=external_id, action="delete", record=None, issues=r.issues
        )

    title = _text(r, raw, "title")
    street = _text(r, raw, "street")
    house_number = _text(r, raw, "house_number")
    town = _text(r, raw, "town")
    description = _text(r, raw, "description", multiline=True)

    postal_code: str | None = None
    plz_raw = raw.get("postal_code")
    if plz_raw is not None:
        plz_value = parse_postal_code(plz_raw)
        if isinstance(plz_value, Invalid):
            r.invalid("postal_code", plz_value)
        else:
            postal_code = plz_value
    if postal_code is None and (plz_raw is None or not plz_raw.strip()):
        _required_missing(r, "postal_code", ctx)

    rooms = _decimal(r, raw, "rooms", ctx)
    if rooms is None:
        if not (raw.get("rooms") or "").strip():
            _required_missing(r, "rooms", ctx)
    elif rooms <= 0:
        r.add("rooms", "muss größer als 0 sein", code="range")
        rooms = None
    elif rooms > MAX_ROOMS:
        r.add(
            "rooms", f"höchstens {MAX_ROOMS:.0f} Zimmer ({format_number(rooms, 1)})", code="range"
        )
        rooms = None
    elif (rooms * 2) != int(rooms * 2):
        r.add(
            "rooms",
            "Zimmer in halben Schritten angeben, z. B. 2 oder 2,5 "
            f"(nicht {format_number(rooms, 2)})",
            code="range",
        )
        rooms = None

    living_area = _decimal(r, raw, "living_area", ctx)
    if living_area is None:
        if not (raw.get("living_area") or "").strip():
            _required_missing(r, "living_area", ctx)
    elif living_area <= 0:
        r.add("living_area", "muss größer als 0 m² sein", code="range")
        living_area = None
    elif living_area > MAX_LIVING_AREA:
        r.add(
            "living_area",
            f"höchstens {format_number(MAX_LIVING_AREA)} m² ({format_number(living_area, 1)})",
            code="range",
        )
        living_area = None

    floor: int | None = None
    floor_raw = raw.get("floor")
    if floor_raw is not None:
        floor_value = parse_floor(floor_raw, ctx.style)
        if isinstance(floor_value, Invalid):
            r.invalid("floor", floor_value)
        elif floor_value is not None:
            if FLOOR_RANGE[0] <= floor_value <= FLOOR_RANGE[1]:
                floor = floor_value
            else:
                r.add("floor", f"Etage {floor_value} ist nicht plausibel", code="range")

    lift = _flag(r, raw, "lift")
    barrier_free = _flag(r, raw, "barrier_free")
    wheelchair = _flag(r, raw, "wheelchair_accessible")
    wbs_required = _flag(r, raw, "wbs_required")

    net_cold_rent = _non_negative(r, "net_cold_rent", _decimal(r, raw, "net_cold_rent", ctx))
    if net_cold_rent is None and not (raw.get("net_cold_rent") or "").strip():
        _required_missing(r, "net_cold_rent", ctx)

    service_text = raw.get("cold_service_charges")
    cold_service_charges = _non_negative(
        r, "cold_service_charges", _decimal(r, raw, "cold_service_charges", ctx)
    )
    if cold_service_charges is None and not (service_text or "").strip():
        if "cold_service_charges" not in ctx.absent:
            r.add(
                "cold_service_charges",
                "fehlt – als 0,00 € übernommen; bitte die kalten Nebenkosten angeben",
                code="defaulted",
                severity="warning",
            )
        cold_service_charges = 0.0

    heating_costs = _non_negative(r, "heating_costs", _decimal(r, raw, "heating_costs", ctx))

    deposit: float | None = None
    deposit_text = raw.get("deposit")
    if deposit_text is not None and deposit_text.strip():
        deposit_value = parse_decimal(deposit_text, ctx.style)
        if isinstance(deposit_value, Invalid):
            multiple = parse_deposit_multiple(deposit_text)
            if multiple is not None and net_cold_rent is not None:
                deposit = round(multiple * net_cold_rent, 2)
            else:
                r.invalid("deposit", deposit_value)
        elif deposit_value is not None:
            deposit = _non_negative(r, "deposit", round(deposit_value, 2))

    available_from: date | None = None
    avail_text = raw.get("available_from")
    if avail_text is not None and avail_text.strip():
        avail_value = parse_date(avail_text, ctx.today)
        if isinstance(avail_value, Invalid):
            r.invalid("available_from", avail_value)
        else:
            available_from = avail_value
    elif ctx.available_defaults_to_today:
        r.add(
            "available_from",
            "kein Verfügbarkeitsdatum angegeben – als sofort verfügbar übernommen",
            code="defaulted",
            severity="warning",
        )
        available_from = ctx.today
    else:
        _required_missing(r, "available_from", ctx)

    pets_text = raw.get("pets")
    pets_value = parse_pets(pets_text) if pets_text is not None else None
    if isinstance(pets_value, Invalid):
        r.invalid("pets", pets_value)
        pets_value = None
    pets = pets_value or "on_request"

    persons: dict[str, int | None] = {}
    for key in ("min_persons", "max_persons"):
        text = raw.get(key)
        value = parse_int(text, ctx.style) if text is not None else None
        if isinstance(value, Invalid):
            r.invalid(key, value)
            value = None
        elif value is not None and not 1 <= value <= MAX_PERSONS:
            r.add(key, f"muss zwischen 1 und {MAX_PERSONS} liegen ({value})", code="range")
            value = None
        persons[key] = value
    min_persons, max_persons = persons["min_persons"], persons["max_persons"]
    if min_persons is not None and max_persons is not None and min_persons > max_persons:
        r.add(
            "max_persons",
            f"ist kleiner als {r.label('min_persons')} ({max_persons} < {min_persons})",
            code="range",
        )

    lat = _decimal(r, raw, "lat", ctx)
    lon = _decimal(r, raw, "lon", ctx)
    if (lat is None) != (lon is None):
        missing_key = "lon" if lon is None else "lat"
        if not (raw.get(missing_key) or "").strip():
            r.add(missing_key, "fehlt – Breiten- und Längengrad nur zusammen angeben")
        lat = lon = None
    elif lat is not None and lon is not None and not (47.0 <= lat <= 55.5 and 5.5 <= lon <= 15.5):
        swapped = 47.0 <= lon <= 55.5 and 5.5 <= lat <= 15.5
        r.add(
            "lat",
            f"Koordinaten {format_number(lat, 4)}/{format_number(lon, 4)} liegen nicht in "
            "Deutschland" + (" – Breiten- und Längengrad vertauscht?" if swapped else ""),
            code="range",
        )
        lat = lon = None

    if (
        net_cold_rent is not None
        and living_area is not None
        and net_cold_rent > 0
        and not (
            RENT_PER_SQM_PLAUSIBLE[0] <= net_cold_rent / living_area <= RENT_PER_SQM_PLAUSIBLE[1]
        )
    ):
        r.add(
            "net_cold_rent",
            f"{format_number(net_cold_rent, 2)} € für {format_number(living_area, 1)} m² "
            f"({format_number(net_cold_rent / living_area, 2)} €/m²) ist ungewöhnlich "
            "– bitte prüfen",
            code="implausible",
            severity="warning",
        )

    ags: str | None = None
    if postal_code is not None:
        cache_key = (postal_code, town, lat, lon)
        location = ctx.location_cache.get(cache_key)
        if location is None:
            location = resolve_location(
                postal_code, town, lat, lon, ctx.locator, row=0, labels=r.labels
            )
            ctx.location_cache[cache_key] = location
        ags, lat, lon = location.ags, location.lat, location.lon
        for issue in location.issues:
            r.add(
                issue.key or "postal_code", issue.message, code=issue.code, severity=issue.severity
            )

    values: dict[str, object] = {
        "external_id": external_id,
        "title": title,
        "street": street,
        "house_number": house_number,
        "postal_code": postal_code,
        "town": town,
        "municipality_ags": ags,
        "lat": lat,
        "lon": lon,
        "rooms": rooms,
        "living_area": living_area,
        "floor": floor,
        "lift": lift,
        "barrier_free": barrier_free,
        "wheelchair_accessible": wheelchair,
        "net_cold_rent": net_cold_rent,
        "cold_service_charges": cold_service_charges,
        "heating_costs": heating_costs,
        "deposit": deposit,
        "available_from": available_from,
        "wbs_required": wbs_required,
        "pets": pets,
        "min_persons": min_persons,
        "max_persons": max_persons,
        "description": description,
    }
    _contract_checks(r, values, ctx)
    if (
        r.has_errors
        or external_id is None
        or postal_code is None
        or rooms is None
        or living_area is None
        or net_cold_rent is None
        or cold_service_charges is None
        or available_from is None
    ):
        return ParsedRow(
            row=row,
            external_id=external_id,
            action=action,
            record=None,
            issues=r.issues,
            values={k: v for k, v in values.items() if v is not None},
        )

    record = VacancyRecord(
        external_id=external_id,
        title=title,
        street=street,
        house_number=house_number,
        postal_code=postal_code,
        town=town,
        municipality_ags=ags,
        lat=lat,
        lon=lon,
        rooms=rooms,
        living_area=living_area,
        floor=floor,
        lift=lift,
        barrier_free=barrier_free,
        wheelchair_accessible=wheelchair,
        net_cold_rent=net_cold_rent,
        cold_service_charges=cold_service_charges,
        heating_costs=heating_costs,
        deposit=deposit,
        available_from=available_from,
        wbs_required=wbs_required,
        pets=pets,
        min_persons=min_persons,
        max_persons=max_persons,
        description=description,
        action="upsert",
    )
    return ParsedRow(
        row=row, external_id=external_id, action=action, record=record, issues=r.issues
    )


def first_label(row: int, ctx: BuildContext) -> str:
    """How the first occurrence of a duplicate is named (the row-word depends on the format)."""
    return f"{ctx.row_word} {row}"
