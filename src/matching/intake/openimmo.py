"""OpenImmo XML 1.2.x (rental flats) → vacancy rows.

Safe parsing: defusedxml (expat) with DTDs, entities and external references forbidden, so an
XML bomb or an external entity is rejected at its ``<!DOCTYPE`` before anything is expanded.
The document is streamed (``iterparse``); each ``immobilie`` is mapped and then dropped, and
nesting depth and element counts are bounded, so memory stays bounded too.

Elements are found by local name (namespaces ignored) in any order; ``1``/``0``/``true``/
``false`` booleans, decimal commas and empty elements (= unknown) are tolerated.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from datetime import date
from typing import Any
from xml.etree.ElementTree import Element, ParseError, TreeBuilder  # nosec B405 # types only; parsing uses defusedxml

import defusedxml
import defusedxml.ElementTree as safe_et

from matching.intake.location import MunicipalityIndex
from matching.intake.records import (
    MAX_ROWS,
    FileIssue,
    ParsedRow,
    ParseResult,
    RowIssue,
    TransferScope,
)
from matching.intake.validate import BuildContext, build_row
from matching.intake.values import clean_text, parse_bool, show, utf8_error_offset

MAX_DEPTH = 64
_FEED_CHUNK = 64 * 1024
MAX_ELEMENTS_PER_LISTING = 20_000
MAX_ELEMENTS_OUTSIDE_LISTINGS = 10_000
SUPPORTED_ENCODINGS = frozenset(
    {"utf-8", "utf8", "iso-8859-1", "latin-1", "latin1", "iso8859-1", "us-ascii", "ascii"}
    | {"windows-1252", "cp1252", "iso-8859-15", "utf-16"}
)

_DECLARATION = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_BREAK = re.compile(r"<\s*br\s*/?\s*>|<\s*/\s*p\s*>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]{1,500}>")

#: Labels (OpenImmo element paths) for the record fields, used in messages.
LABELS: dict[str, str] = {
    "external_id": "verwaltung_techn/openimmo_obid",
    "title": "freitexte/objekttitel",
    "street": "geo/strasse",
    "house_number": "geo/hausnummer",
    "postal_code": "geo/plz",
    "town": "geo/ort",
    "lat": "geo/geokoordinaten/@breitengrad",
    "lon": "geo/geokoordinaten/@laengengrad",
    "rooms": "flaechen/anzahl_zimmer",
    "living_area": "flaechen/wohnflaeche",
    "floor": "geo/etage",
    "lift": "ausstattung/fahrstuhl",
    "barrier_free": "ausstattung/barrierefrei",
    "wheelchair_accessible": "ausstattung/rollstuhlgerecht",
    "net_cold_rent": "preise/nettokaltmiete",
    "cold_service_charges": "preise/nebenkosten",
    "heating_costs": "preise/heizkosten",
    "deposit": "preise/kaution",
    "available_from": "verwaltung_objekt/abdatum",
    "wbs_required": "verwaltung_objekt/wbs_sozialwohnung",
    "pets": "verwaltung_objekt/haustiere",
    "min_persons": "verwaltung_objekt/min_personen",
    "max_persons": "verwaltung_objekt/max_personen",
    "description": "freitexte/objektbeschreibung",
    "action": "verwaltung_techn/aktion/@aktionart",
}


class _Rejected(Exception):
    def __init__(self, issue: FileIssue) -> None:
        super().__init__(issue.message)
        self.issue = issue


_LOCAL_NAMES: dict[str, str] = {}


def local_name(tag: Any) -> str:
    """``{namespace}name`` or ``prefix:name`` → ``name`` (cached: tags repeat)."""
    name = _LOCAL_NAMES.get(tag)
    if name is not None:
        return name
    if not isinstance(tag, str):
        return ""  # comments / processing instructions
    name = tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1]
    if len(_LOCAL_NAMES) < 4096:
        _LOCAL_NAMES[tag] = name
    return name


def _index(group: Element | None) -> dict[str, Element]:
    """Descendants of ``group`` by local name (first occurrence in document order wins)."""
    found: dict[str, Element] = {}
    if group is None:
        return found
    for elem in group.iter():
        if elem is group:
            continue
        found.setdefault(local_name(elem.tag), elem)
    return found


def _text(elem: Element | None) -> str | None:
    """Element text (CDATA included), ``None`` for absent or empty elements."""
    if elem is None:
        return None
    text = "".join(elem.itertext()) if len(elem) else (elem.text or "")
    text = text.strip()
    return text or None


def _rich_text(elem: Element | None) -> str | None:
    """Free text: ``<br>`` (inside CDATA or as elements) → newline, other tags removed."""
    if elem is None:
        return None
    parts: list[str] = [elem.text or ""]
    for child in elem.iter():
        if child is elem:
            continue
        if local_name(child.tag) in {"br", "p"}:
            parts.append("\n")
        else:
            parts.append(child.text or "")
        parts.append(child.tail or "")
    text = "".join(parts)
    if "<" in text:
        text = _BREAK.sub("\n", text)
        text = _TAG.sub("", text)
    if "&" in text:
        text = html.unescape(text)
    return clean_text(text, multiline=True)


def _attr(elem: Element | None, name: str) -> str | None:
    if elem is None:
        return None
    for key, value in elem.attrib.items():
        if local_name(key) == name:
            return value
    return None


def _any_true_attribute(elem: Element) -> bool:
    return any(parse_bool(v) is True for v in elem.attrib.values())


def _listing_raw(
    immobilie: Element,
) -> tuple[dict[str, str | None], dict[str, str], list[tuple[str, str]]]:
    """Map one ``immobilie`` to raw texts, labels and listing-level problems."""
    groups: dict[str, Element] = {}
    for child in immobilie:
        groups.setdefault(local_name(child.tag), child)
    techn = _index(groups.get("verwaltung_techn"))
    geo = _index(groups.get("geo"))
    preise = _index(groups.get("preise"))
    flaechen = _index(groups.get("flaechen"))
    ausstattung = _index(groups.get("ausstattung"))
    verwaltung = _index(groups.get("verwaltung_objekt"))
    freitexte = _index(groups.get("freitexte"))
    kategorie = _index(groups.get("objektkategorie"))

    raw: dict[str, str | None] = {}
    labels: dict[str, str] = {}
    problems: list[tuple[str, str]] = []

    for name in ("openimmo_obid", "objektnr_intern", "objektnr_extern"):
        value = _text(techn.get(name))
        if value is not None:
            raw["external_id"] = value
            labels["external_id"] = f"verwaltung_techn/{name}"
            break
    aktion = techn.get("aktion")
    aktionart = (_attr(aktion, "aktionart") or "").strip().upper()
    if aktionart in {"DELETE", "REFERENZ"}:
        raw["action"] = "delete"
    elif aktionart in {"", "CHANGE", "NEU", "NEW"}:
        raw["action"] = None
    else:
        raw["action"] = aktionart

    raw["postal_code"] = _text(geo.get("plz"))
    raw["town"] = _text(geo.get("ort"))
    raw["street"] = _text(geo.get("strasse"))
    raw["house_number"] = _text(geo.get("hausnummer"))
    raw["floor"] = _text(geo.get("etage"))
    coords = geo.get("geokoordinaten")
    raw["lat"] = _attr(coords, "breitengrad")
    raw["lon"] = _attr(coords, "laengengrad")

    net = _text(preise.get("nettokaltmiete"))
    if net is None and _text(preise.get("kaltmiete")) is not None:
        net = _text(preise.get("kaltmiete"))
        labels["net_cold_rent"] = "preise/kaltmiete"
    raw["net_cold_rent"] = net
    raw["cold_service_charges"] = _text(preise.get("nebenkosten"))
    raw["heating_costs"] = _text(preise.get("heizkosten"))
    if (
        raw["heating_costs"] is None
        and parse_bool(_text(preise.get("heizkosten_enthalten")) or "") is True
    ):
        raw["heating_costs"] = "0"
        labels["heating_costs"] = "preise/heizkosten_enthalten"
    raw["deposit"] = _text(preise.get("kaution"))
    if raw["deposit"] is None and _text(preise.get("kaution_text")) is not None:
        raw["deposit"] = _text(preise.get("kaution_text"))
        labels["deposit"] = "preise/kaution_text"

    raw["living_area"] = _text(flaechen.get("wohnflaeche"))
    raw["rooms"] = _text(flaechen.get("anzahl_zimmer"))

    lift = ausstattung.get("fahrstuhl")
    raw["lift"] = "1" if lift is not None and _any_true_attribute(lift) else None
    raw["barrier_free"] = _bool_element(ausstattung.get("barrierefrei"))
    raw["wheelchair_accessible"] = _bool_element(ausstattung.get("rollstuhlgerecht"))

    raw["wbs_required"] = _text(verwaltung.get("wbs_sozialwohnung"))
    raw["pets"] = _text(verwaltung.get("haustiere"))
    raw["max_persons"] = _text(verwaltung.get("max_personen"))
    raw["min_persons"] = _text(verwaltung.get("min_personen"))
    abdatum = _text(verwaltung.get("abdatum"))
    if abdatum is not None:
        raw["available_from"] = abdatum
    else:
        raw["available_from"] = _text(verwaltung.get("verfuegbar_ab"))
        labels["available_from"] = "verwaltung_objekt/verfuegbar_ab"

    raw["title"] = _rich_text(freitexte.get("objekttitel"))
    description = freitexte.get("objektbeschreibung")
    if _text(description) is None and freitexte.get("objekt_text") is not None:
        description = freitexte.get("objekt_text")
        labels["description"] = "freitexte/objekt_text"
    raw["description"] = _rich_text(description)

    # Only rentable housing is a vacancy.
    vermarktung = kategorie.get("vermarktungsart")
    if vermarktung is not None and parse_bool(_attr(vermarktung, "MIETE_PACHT") or "") is not True:
        problems.append(
            (
                "objektkategorie/vermarktungsart",
                "Das Objekt wird nicht zur Miete angeboten (MIETE_PACHT ist nicht „true“)",
            )
        )
    nutzung = kategorie.get("nutzungsart")
    if nutzung is not None and parse_bool(_attr(nutzung, "WOHNEN") or "") is not True:
        problems.append(
            (
                "objektkategorie/nutzungsart",
                "Das Objekt ist nicht zum Wohnen (WOHNEN ist nicht „true“)",
            )
        )
    objektart = kategorie.get("objektart")
    if objektart is not None:
        kinds = [local_name(c.tag) for c in objektart if local_name(c.tag) != "objektart_zusatz"]
        if kinds and not set(kinds) & {"wohnung", "haus", "zimmer", "wohnen_auf_zeit"}:
            problems.append(
                (
                    "objektkategorie/objektart",
                    f"Das Objekt ist keine Wohnung (Objektart „{kinds[0]}“)",
                )
            )
    return raw, labels, problems


def _bool_element(elem: Element | None) -> str | None:
    """A boolean element: text ``true``/``1`` …, or (some exporters) a true attribute."""
    if elem is None:
        return None
    text = _text(elem)
    if text is not None:
        return text
    return "1" if _any_true_attribute(elem) else None


def _declared_encoding(data: bytes) -> str | None:
    m = _DECLARATION.match(data[:300].lstrip(b"\xef\xbb\xbf"))
    return m.group(1).decode("ascii").lower() if m else None


def _check_encoding(data: bytes, result: ParseResult) -> FileIssue | None:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        result.encoding = "utf-16"
        return None
    declared = _declared_encoding(data)
    result.encoding = declared or "utf-8"
    if declared is not None and declared not in SUPPORTED_ENCODINGS:
        return FileIssue(
            code="encoding",
            message=(
                f"Die Zeichenkodierung „{declared}“ wird nicht unterstützt. "
                "Bitte als UTF-8 oder ISO-8859-1 speichern."
            ),
        )
    if declared in (None, "utf-8", "utf8"):
        bad = utf8_error_offset(data)
        if bad is not None:
            line = data[:bad].count(b"\n") + 1
            return FileIssue(
                code="encoding",
                message=(
                    f"Die Datei ist laut XML-Deklaration UTF-8-kodiert, enthält aber ab Zeile "
                    f"{line} ungültige Zeichen (falsche Zeichenkodierung, vermutlich "
                    "ISO-8859-1/Windows-1252). Bitte als UTF-8 speichern oder "
                    'encoding="ISO-8859-1" in der XML-Deklaration angeben.'
                ),
            )
    elif declared in {"iso-8859-1", "latin-1", "latin1", "iso8859-1", "windows-1252", "cp1252"}:
        head = data[:200_000]
        bad = utf8_error_offset(head)
        if any(b >= 0x80 for b in head) and (bad is None or bad >= len(head) - 3):
            result.warnings.append(
                FileIssue(
                    code="encoding_suspect",
                    message=(
                        f"Die Datei ist als {declared.upper()} deklariert, scheint aber UTF-8 "
                        "zu sein – bitte Umlaute in den Texten prüfen."
                    ),
                )
            )
    return None


_EXPAT_REASONS = (
    ("no element found", "Die Datei endet unerwartet (abgeschnitten oder leer)"),
    ("unclosed token", "Die Datei endet mitten in einem Element (abgeschnitten?)"),
    ("mismatched tag", "Start- und End-Tag passen nicht zusammen"),
    ("not well-formed", "Die Datei enthält ungültige Zeichen oder Markup"),
    ("junk after document element", "Nach dem Ende des Dokuments folgen weitere Daten"),
    ("undefined entity", "Die Datei verwendet eine unbekannte Entität"),
    ("unknown encoding", "Die Zeichenkodierung der Datei ist unbekannt"),
    ("encoding specified in XML declaration is incorrect", "Die Zeichenkodierung passt nicht"),
    ("syntax error", "Die Datei ist kein XML"),
    ("unbound prefix", "Ein Namensraum-Präfix ist nicht deklariert"),
    ("duplicate attribute", "Ein Attribut kommt doppelt vor"),
)


def _parse_error_issue(exc: ParseError) -> FileIssue:
    text = str(exc)
    reason = next(
        (de for en, de in _EXPAT_REASONS if en in text), "Die Datei ist kein gültiges XML"
    )
    position = getattr(exc, "position", None)
    where = f" (Zeile {position[0]}, Spalte {position[1] + 1})" if position else ""
    return FileIssue(
        code="not_xml",
        message=f"{reason}{where}. Die Datei wurde nicht verarbeitet.",
    )


def _forbidden_issue(exc: Exception) -> FileIssue:
    if isinstance(exc, defusedxml.DTDForbidden):
        what = "eine Dokumenttyp-Deklaration (DTD, <!DOCTYPE …>)"
    elif isinstance(exc, defusedxml.EntitiesForbidden):
        what = "Entitäts-Definitionen (<!ENTITY …>)"
    elif isinstance(exc, defusedxml.ExternalReferenceForbidden):
        what = "einen Verweis auf externe Dateien oder Adressen"
    else:
        what = "nicht erlaubte XML-Konstrukte"
    return FileIssue(
        code="xml_forbidden",
        message=(
            f"Die Datei enthält {what}. Aus Sicherheitsgründen werden DTDs, Entitäten und "
            "externe Verweise nicht verarbeitet; OpenImmo-Dateien brauchen sie nicht. "
            "Die Datei wurde abgelehnt."
        ),
    )


def parse_openimmo(
    data: bytes,
    *,
    today: date,
    locator: MunicipalityIndex,
    listed: Mapping[str, date] | None = None,
) -> ParseResult:
    """Parse an OpenImmo document. Never raises for bad input: file-level problems are
    reported in ``errors`` (and then ``rows`` is empty)."""
    result = ParseResult(format="openimmo")
    problem = _check_encoding(data, result)
    if problem is not None:
        result.errors.append(problem)
        return result
    ctx = BuildContext(
        today=today,
        locator=locator,
        style="point",
        labels=LABELS,
        available_defaults_to_today=True,
        row_word="Immobilie",
        listed=listed or {},
    )
    rows: list[ParsedRow] = []
    try:
        _walk(data, result, ctx, rows)
    except _Rejected as rejected:
        result.errors.append(rejected.issue)
    except ParseError as exc:
        result.errors.append(_parse_error_issue(exc))
    except defusedxml.DefusedXmlException as exc:
        result.errors.append(_forbidden_issue(exc))
    except (UnicodeError, LookupError) as exc:
        result.errors.append(
            FileIssue(code="encoding", message=f"Die Zeichenkodierung ist fehlerhaft ({exc}).")
        )
    except RecursionError:
        result.errors.append(
            FileIssue(code="too_deep", message="Die XML-Struktur ist zu tief verschachtelt.")
        )
    if result.errors:
        result.rows = []
        return result
    result.rows = rows
    return result


def _rejected(code: str, message: str) -> _Rejected:
    return _Rejected(FileIssue(code=code, message=message))


def _thousands(n: int) -> str:
    return f"{n:,}".replace(",", ".")


class _StreamingTarget:
    """Parser target: builds each ``immobilie`` subtree (C TreeBuilder), maps it as soon as it
    ends and drops it; enforces the depth and element limits while parsing."""

    def __init__(self, result: ParseResult, ctx: BuildContext, rows: list[ParsedRow]) -> None:
        self._builder = TreeBuilder()
        self._result = result
        self._ctx = ctx
        self._rows = rows
        self._stack: list[Element] = []
        self._listing_depth = 0
        self._listing_elements = 0
        self._outside_elements = 0
        self.n_listings = 0
        self.n_providers = 0

    def start(self, tag: str, attrib: dict[str, str]) -> Element:
        depth = len(self._stack) + 1
        if depth > MAX_DEPTH:
            raise _rejected(
                "too_deep",
                f"Die XML-Struktur ist zu tief verschachtelt (über {MAX_DEPTH} Ebenen). "
                "Die Datei wurde abgelehnt.",
            )
        name = local_name(tag)
        if self._listing_depth:
            self._listing_elements += 1
            if self._listing_elements > MAX_ELEMENTS_PER_LISTING:
                raise _rejected(
                    "too_large",
                    f"Immobilie {self.n_listings} hat über "
                    f"{_thousands(MAX_ELEMENTS_PER_LISTING)} Elemente – die Datei wurde "
                    "abgelehnt.",
                )
        elif name == "immobilie":
            self._listing_depth = depth
            self._listing_elements = 0
            self.n_listings += 1
            if self.n_listings > MAX_ROWS:
                raise _rejected(
                    "too_many_rows",
                    f"Die Datei enthält mehr als {_thousands(MAX_ROWS)} Immobilien (Grenze "
                    f"{_thousands(MAX_ROWS)} pro Datei). Bitte aufteilen.",
                )
        else:
            self._outside_elements += 1
            if self._outside_elements > MAX_ELEMENTS_OUTSIDE_LISTINGS:
                raise _rejected(
                    "too_large",
                    "Die Datei enthält außerhalb der Immobilien zu viele Elemente – kein "
                    "OpenImmo-Angebotsexport. Die Datei wurde abgelehnt.",
                )
            if depth == 1 and name != "openimmo":
                raise _Rejected(_not_openimmo_issue(name))
            if depth == 2:
                if name == "uebertragung":
                    self._result.scope = _scope(attrib)
                elif name == "anbieter":
                    self.n_providers += 1
        elem: Element = self._builder.start(tag, attrib)
        self._stack.append(elem)
        return elem

    def end(self, tag: str) -> Element:
        elem: Element = self._builder.end(tag)
        depth = len(self._stack)
        self._stack.pop()
        if depth == self._listing_depth:
            self._listing_depth = 0
            self._rows.append(_listing_row(elem, self.n_listings, self._ctx))
            elem.clear()
            if self._stack:
                self._stack[-1].remove(elem)
        return elem

    def data(self, data: str) -> None:
        self._builder.data(data)

    def close(self) -> Element:
        root: Element = self._builder.close()
        return root


def _walk(data: bytes, result: ParseResult, ctx: BuildContext, rows: list[ParsedRow]) -> None:
    target = _StreamingTarget(result, ctx, rows)
    parser = safe_et.DefusedXMLParser(
        target=target, forbid_dtd=True, forbid_entities=True, forbid_external=True
    )
    view = memoryview(data)
    for offset in range(0, len(data), _FEED_CHUNK):
        parser.feed(bytes(view[offset : offset + _FEED_CHUNK]))
    parser.close()
    if target.n_providers == 0:
        raise _rejected(
            "no_listings",
            "Die OpenImmo-Datei enthält keinen Anbieter (<anbieter>) und damit keine Immobilien.",
        )
    if target.n_listings == 0:
        raise _rejected(
            "no_listings",
            "Die OpenImmo-Datei enthält keine Immobilien (<immobilie>). "
            + (
                "Eine leere Vollübertragung (VOLL) würde alle Ihre Angebote zurückziehen; "
                'bitte einzelne Angebote mit aktionart="DELETE" löschen.'
                if result.scope == "VOLL"
                else "Es gibt nichts zu importieren."
            ),
        )


def _scope(attrib: dict[str, str]) -> TransferScope | None:
    value = next((v for k, v in attrib.items() if local_name(k) == "umfang"), "").strip().upper()
    if value == "VOLL":
        return "VOLL"
    if value == "TEIL":
        return "TEIL"
    if not value:
        return None
    raise _Rejected(
        FileIssue(
            code="invalid_scope",
            message=(
                f"uebertragung/@umfang {show(value)} ist ungültig (erwartet VOLL oder TEIL). "
                "Die Datei wurde abgelehnt."
            ),
        )
    )


def _not_openimmo_issue(name: str) -> FileIssue:
    if name == "uebertragung":
        message = (
            "Die Datei enthält nur einen OpenImmo-Übertragungskopf (<uebertragung>), aber kein "
            "vollständiges Dokument: das Wurzelelement <openimmo> mit <anbieter> und "
            "<immobilie> fehlt. Bitte den vollständigen Export hochladen."
        )
    else:
        message = (
            f"Die Datei ist kein OpenImmo-Dokument: das Wurzelelement ist <{name[:40]}> statt "
            "<openimmo>."
        )
    return FileIssue(code="not_openimmo", message=message)


def _listing_row(immobilie: Element, number: int, ctx: BuildContext) -> ParsedRow:
    raw, labels, problems = _listing_raw(immobilie)
    if raw.get("external_id") is None:
        labels["external_id"] = "verwaltung_techn/openimmo_obid"
    row = build_row(raw, row=number, ctx=ctx, labels=labels)
    if raw.get("external_id") is None and row.issues:
        issues = [
            RowIssue(
                row=i.row,
                field=i.field,
                message=(
                    "fehlt – weder openimmo_obid noch objektnr_intern oder objektnr_extern "
                    "angegeben"
                ),
                severity=i.severity,
                code=i.code,
                key=i.key,
            )
            if i.key == "external_id" and i.code == "required"
            else i
            for i in row.issues
        ]
        row.issues = issues
    if row.action == "upsert" and problems:
        for path, message in problems:
            row.issues.append(
                RowIssue(row=number, field=path, message=message, code="not_rental", key=None)
            )
        row.record = None
    return row
