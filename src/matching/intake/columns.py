"""The German column headers of the CSV/XLSX format (defined once) and header matching."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from matching.intake.records import FileIssue


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    """Field of :class:`~matching.intake.records.VacancyRecord`, or ``action``."""
    header: str
    """The header as written in our templates."""
    required: bool = False
    aliases: tuple[str, ...] = ()
    hint: str = ""
    """Allowed values / format, German (shown in the XLSX template's notes sheet)."""


COLUMNS: tuple[Column, ...] = (
    Column(
        "external_id",
        "Externe ID",
        True,
        (
            "Objektnummer",
            "Objekt-Nr.",
            "Objektnr",
            "Objekt ID",
            "Wohnungsnummer",
            "Wohnungs-Nr.",
            "Ext. ID",
            "ID",
            "external_id",
        ),
        "Ihre eindeutige Nummer der Wohnung (bleibt bei jeder Lieferung gleich)",
    ),
    Column("title", "Titel", False, ("Überschrift", "Bezeichnung", "Objekttitel", "title")),
    Column("street", "Straße", False, ("Strasse", "Str.", "street")),
    Column("house_number", "Hausnummer", False, ("Hausnr.", "Haus-Nr.", "Nr.", "house_number")),
    Column("postal_code", "PLZ", True, ("Postleitzahl", "postal_code"), "fünfstellig"),
    Column("town", "Ort", False, ("Stadt", "Gemeinde", "Wohnort", "town")),
    Column(
        "rooms",
        "Zimmer",
        True,
        ("Zimmeranzahl", "Anzahl Zimmer", "Zimmerzahl", "Räume", "rooms"),
        "in halben Schritten, z. B. 2 oder 2,5",
    ),
    Column(
        "living_area",
        "Wohnfläche (m²)",
        True,
        ("Wohnfläche", "Wohnflaeche", "Fläche", "Wohnfläche qm", "living_area"),
        "in m², z. B. 54,5",
    ),
    Column(
        "floor",
        "Etage",
        False,
        ("Geschoss", "Stockwerk", "floor"),
        "0 = Erdgeschoss, -1 = Souterrain",
    ),
    Column("lift", "Aufzug", False, ("Fahrstuhl", "Lift", "lift"), "ja/nein"),
    Column("barrier_free", "Barrierefrei", False, ("barrier_free",), "ja/nein"),
    Column(
        "wheelchair_accessible",
        "Rollstuhlgerecht",
        False,
        ("Rollstuhlgeeignet", "wheelchair_accessible"),
        "ja/nein",
    ),
    Column(
        "net_cold_rent",
        "Nettokaltmiete (€)",
        True,
        ("Nettokaltmiete", "Kaltmiete", "Grundmiete", "Miete kalt", "net_cold_rent"),
        "Euro pro Monat, z. B. 385,00",
    ),
    Column(
        "cold_service_charges",
        "Nebenkosten kalt (€)",
        False,
        (
            "Nebenkosten kalt",
            "Nebenkosten",
            "kalte Nebenkosten",
            "Betriebskosten",
            "cold_service_charges",
        ),
        "Euro pro Monat, ohne Heizkosten",
    ),
    Column(
        "heating_costs",
        "Heizkosten (€)",
        False,
        ("Heizkosten", "Heizkostenvorauszahlung", "heating_costs"),
        "Euro pro Monat",
    ),
    Column("deposit", "Kaution (€)", False, ("Kaution", "Mietkaution", "deposit"), "Euro"),
    Column(
        "available_from",
        "Verfügbar ab",
        True,
        ("Verfuegbar ab", "Bezugsfrei ab", "Frei ab", "Bezugstermin", "available_from"),
        "Datum TT.MM.JJJJ oder JJJJ-MM-TT; „sofort“ = Tag des Imports",
    ),
    Column(
        "wbs_required",
        "WBS erforderlich",
        False,
        ("WBS", "Wohnberechtigungsschein", "wbs_required"),
        "ja/nein",
    ),
    Column(
        "pets",
        "Haustiere",
        False,
        ("Haustiere erlaubt", "Tierhaltung", "pets"),
        "ja/nein/auf Anfrage (leer = auf Anfrage)",
    ),
    Column(
        "min_persons",
        "Min. Personen",
        False,
        ("Mindestpersonen", "Personen min", "min_persons"),
        "ganze Zahl",
    ),
    Column(
        "max_persons",
        "Max. Personen",
        False,
        ("Höchstpersonen", "Personen max", "max_personen", "max_persons"),
        "ganze Zahl",
    ),
    Column("description", "Beschreibung", False, ("Objektbeschreibung", "Freitext", "description")),
    Column("lat", "Breitengrad", False, ("Latitude", "lat"), "z. B. 52,2883 (leer = Ortsmitte)"),
    Column("lon", "Längengrad", False, ("Longitude", "lon", "lng"), "z. B. 8,9167"),
    Column("action", "Aktion", False, ("action",), "leer = anlegen/ändern, „löschen“ = entfernen"),
)

COLUMN_BY_KEY: dict[str, Column] = {c.key: c for c in COLUMNS}
HEADERS: tuple[str, ...] = tuple(c.header for c in COLUMNS)
REQUIRED_KEYS: frozenset[str] = frozenset(c.key for c in COLUMNS if c.required)

_PARENS = re.compile(r"\(.*?\)|\[.*?\]")


def header_key(text: str) -> str:
    """Normalise a header: case, whitespace, umlauts, units in brackets and punctuation."""
    norm = unicodedata.normalize("NFKC", text).replace("\ufeff", "").casefold()
    norm = _PARENS.sub("", norm)
    for src, dst in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        norm = norm.replace(src, dst)
    return "".join(ch for ch in norm if ch.isalnum())


_KEY_TO_COLUMN: dict[str, Column] = {}
for _col in COLUMNS:
    for _name in (_col.header, *_col.aliases):
        _KEY_TO_COLUMN.setdefault(header_key(_name), _col)


@dataclass(slots=True)
class HeaderMapping:
    positions: dict[str, int] = field(default_factory=dict)
    """Record key → column index in the file."""
    labels: dict[str, str] = field(default_factory=dict)
    """Record key → the header as written in the file (used in messages)."""
    errors: list[FileIssue] = field(default_factory=list)
    warnings: list[FileIssue] = field(default_factory=list)


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def map_headers(header: Sequence[str | None]) -> HeaderMapping:
    """Match the file's header cells to our columns; report missing, doubled, mistyped ones."""
    result = HeaderMapping()
    unknown: list[tuple[int, str]] = []
    for idx, cell in enumerate(header):
        text = (cell or "").strip()
        key = header_key(text)
        if not key:
            continue
        column = _KEY_TO_COLUMN.get(key)
        if column is None:
            unknown.append((idx, text))
            continue
        if column.key in result.positions:
            first = result.labels[column.key]
            result.errors.append(
                FileIssue(
                    code="duplicate_column",
                    message=(
                        f"Die Spalte „{column.header}“ kommt doppelt vor "
                        f"(„{first}“ und „{text}“ in Spalte {_column_letter(idx)}). "
                        "Bitte eine davon entfernen."
                    ),
                )
            )
            continue
        result.positions[column.key] = idx
        result.labels[column.key] = text

    missing = [c for c in COLUMNS if c.key not in result.positions]
    choices = {header_key(n): c for c in missing for n in (c.header, *c.aliases)}
    suggested: dict[str, str] = {}
    for idx, text in unknown:
        close = difflib.get_close_matches(header_key(text), list(choices), n=1, cutoff=0.8)
        if close:
            column = choices[close[0]]
            suggested[column.key] = text
            result.errors.append(
                FileIssue(
                    code="unknown_column",
                    message=(
                        f"Unbekannte Spalte „{text}“ (Spalte {_column_letter(idx)}) – "
                        f"meinten Sie „{column.header}“? Bitte die Überschrift korrigieren."
                    ),
                )
            )
        else:
            result.warnings.append(
                FileIssue(
                    code="ignored_column",
                    message=f"Die Spalte „{text}“ ist unbekannt und wird ignoriert.",
                )
            )
    for column in missing:
        if column.required and column.key not in suggested:
            result.errors.append(
                FileIssue(
                    code="missing_column",
                    message=(
                        f"Die Pflichtspalte „{column.header}“ fehlt. "
                        "Bitte die Vorlage verwenden (Überschriften in der ersten Zeile)."
                    ),
                )
            )
    return result


def header_score(cells: Sequence[str | None]) -> int:
    """How many cells of a row are known headers (to find the header row)."""
    return sum(1 for c in cells if c and header_key(c) in _KEY_TO_COLUMN)
