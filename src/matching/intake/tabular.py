"""CSV and XLSX vacancy files with the German column headers of :mod:`columns`.

CSV: UTF-8 with or without BOM (also UTF-16 with BOM, as Excel's "Unicode text" writes it), else
Windows-1252; delimiter ``;``, ``,`` or tab, sniffed from the header line (or an Excel
``sep=;`` line). Read with the csv module, row by row, so every row keeps the number the user
sees in the spreadsheet (header = line 1; blank lines count but are skipped) and memory stays
flat; cell conversion is cached per distinct value, which is where bulk files spend their time.

XLSX: polars ``read_excel`` with the calamine engine (fastexcel), every cell read as text so no
value is silently lost to type inference; the header row is searched in the first rows.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date
from typing import Any

from matching.intake.archive import MAX_UNPACKED_BYTES, ArchiveProblem, inspect_zip
from matching.intake.columns import HeaderMapping, header_score, map_headers
from matching.intake.location import MunicipalityIndex
from matching.intake.records import MAX_ROWS, FileIssue, ParsedRow, ParseResult, RowIssue
from matching.intake.validate import BuildContext, build_row
from matching.intake.values import NumberStyle, utf8_error_offset

#: XLSX: refuse archives that really unpack to more than this (measured, see archive.py).
MAX_XLSX_UNPACKED_BYTES = MAX_UNPACKED_BYTES
#: The header row is searched among the first rows (a title line above it is tolerated).
HEADER_SEARCH_ROWS = 10


_CP1252_UNDEFINED = re.compile(b"[\\x81\\x8d\\x8f\\x90\\x9d]")


def detect_encoding(data: bytes) -> str | FileIssue:
    """UTF-16 (with BOM), UTF-8 (strict, BOM optional) or else Windows-1252.

    UTF-8 is validated chunk by chunk, so no decoded copy of the whole file is kept."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            data.decode("utf-16")
        except UnicodeDecodeError:
            return FileIssue(
                code="encoding",
                message="Die Datei ist als UTF-16 markiert, aber fehlerhaft kodiert.",
            )
        return "utf-16"
    bad = utf8_error_offset(data)
    if bad is None:
        return "utf-8"
    if not _CP1252_UNDEFINED.search(data):
        return "windows-1252"
    line = data[:bad].count(b"\n") + 1
    return FileIssue(
        code="encoding",
        message=(
            "Die Zeichenkodierung der Datei wurde nicht erkannt (weder UTF-8 noch "
            f"Windows-1252; ungültige Zeichen ab Zeile {line}). Bitte in Excel als "
            "„CSV UTF-8 (durch Trennzeichen getrennt)“ speichern."
        ),
    )


def iter_lines(data: bytes, encoding: str) -> Iterator[str]:
    """The decoded lines of ``data`` (with their line ends), decoded one at a time."""
    if encoding == "utf-16":
        yield from data.decode("utf-16").splitlines(keepends=True)
        return
    codec = "utf-8" if encoding == "utf-8" else "cp1252"
    pos = 3 if data.startswith(codecs.BOM_UTF8) else 0
    newline = b"\n"
    if b"\n" not in data and b"\r" in data:
        newline = b"\r"  # old Mac line ends
    size = len(data)
    while pos < size:
        end = data.find(newline, pos)
        if end < 0:
            yield data[pos:].decode(codec)
            return
        yield data[pos : end + 1].decode(codec)
        pos = end + 1


def sniff_delimiter(line: str) -> str:
    """The delimiter of the header line: the most frequent of ``;``, tab and ``,`` outside
    quotes (``;`` wins ties, as German Excel writes it)."""
    counts = {";": 0, "\t": 0, ",": 0}
    quoted = False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(counts, key=lambda d: (counts[d], d == ";", d == "\t"))
    return best if counts[best] else ";"


def _is_blank(cells: Sequence[str | None]) -> bool:
    return all(c is None or not c.strip() for c in cells)


def _rows_to_result(
    rows: Iterable[tuple[int, Sequence[str | None]]],
    mapping: HeaderMapping,
    n_columns: int,
    result: ParseResult,
    *,
    today: date,
    locator: MunicipalityIndex,
    style: NumberStyle,
    listed: Mapping[str, date],
) -> ParseResult:
    positions = list(mapping.positions.items())
    absent = frozenset(
        k
        for k in (
            "cold_service_charges",
            "external_id",
            "postal_code",
            "rooms",
            "living_area",
            "net_cold_rent",
            "available_from",
        )
        if k not in mapping.positions
    )
    if "cold_service_charges" in absent:
        result.warnings.append(
            FileIssue(
                code="defaulted_column",
                message=(
                    "Die Spalte „Nebenkosten kalt (€)“ fehlt – die kalten Nebenkosten werden "
                    "als 0,00 € übernommen. Bitte ergänzen."
                ),
            )
        )
    ctx = BuildContext(
        today=today,
        locator=locator,
        style=style,
        labels=mapping.labels,
        absent=absent,
        listed=listed,
    )
    parsed: list[ParsedRow] = []
    for row_no, cells in rows:
        if _is_blank(cells):
            continue
        if len(parsed) >= MAX_ROWS:
            result.errors.append(
                FileIssue(
                    code="too_many_rows",
                    message=(
                        f"Die Datei hat mehr als {MAX_ROWS:,} Zeilen".replace(",", ".")
                        + f" (Grenze {MAX_ROWS:,} pro Datei). Bitte aufteilen.".replace(",", ".")
                    ),
                )
            )
            result.rows = []
            return result
        n = len(cells)
        raw = {key: (cells[i] if i < n else None) for key, i in positions}
        row = build_row(raw, row=row_no, ctx=ctx)
        if n > n_columns and any(
            c is not None and c.strip() for i, c in enumerate(cells) if i >= n_columns
        ):
            row.record = None
            row.issues.insert(
                0,
                _extra_cells_issue(row_no, n, n_columns),
            )
        parsed.append(row)
    result.rows = parsed
    if not parsed:
        result.warnings.append(
            FileIssue(code="no_rows", message="Die Datei enthält keine Wohnungen (nur Kopfzeile).")
        )
    return result


def _extra_cells_issue(row_no: int, n: int, n_columns: int) -> RowIssue:
    return RowIssue(
        row=row_no,
        field="Zeile",
        message=(
            f"Die Zeile hat {n} Zellen, die Kopfzeile nur {n_columns} Spalten – "
            "vermutlich ein Trennzeichen im Text oder ein Dezimalkomma in einer kommagetrennten "
            "Datei. Werte in Anführungszeichen setzen oder „;“ als Trennzeichen verwenden."
        ),
        code="extra_cells",
        key=None,
    )


def parse_csv(
    data: bytes,
    *,
    today: date,
    locator: MunicipalityIndex,
    listed: Mapping[str, date] | None = None,
) -> ParseResult:
    """Parse a CSV upload (see module docstring). Never raises for bad input."""
    result = ParseResult(format="csv")
    encoding = detect_encoding(data)
    if isinstance(encoding, FileIssue):
        result.errors.append(encoding)
        return result
    result.encoding = encoding
    if encoding != "utf-16" and b"\x00" in data:
        result.errors.append(_binary_issue())
        return result

    delimiter: str | None = None
    skip_first = False
    for line in iter_lines(data, encoding):
        if not line.strip():
            continue
        if line.strip().casefold().startswith("sep=") and len(line.strip()) == 5:
            delimiter = line.strip()[4]
            skip_first = True
        else:
            delimiter = sniff_delimiter(line)
        break
    if delimiter is None:
        result.errors.append(FileIssue(code="empty", message="Die Datei ist leer."))
        return result
    if "\x00" in delimiter:
        result.errors.append(_binary_issue())
        return result

    lines = iter_lines(data, encoding)
    if skip_first:
        for line in lines:
            if line.strip():
                break
    reader = csv.reader(lines, delimiter=delimiter, strict=False)
    row_no = 0
    try:
        # The header is the best-matching of the first non-blank lines (title lines above it
        # are skipped); lines after it that were read ahead are data.
        ahead: list[tuple[int, list[str]]] = []
        for cells in reader:
            row_no += 1
            if not _is_blank(cells):
                ahead.append((row_no, cells))
                if len(ahead) >= HEADER_SEARCH_ROWS or header_score(cells) >= 3:
                    break
        header: list[str] | None = None
        if ahead:
            best = max(range(len(ahead)), key=lambda i: (header_score(ahead[i][1]), -i))
            header = ahead[best][1]
            ahead = ahead[best + 1 :]
        if header is None:
            result.errors.append(FileIssue(code="empty", message="Die Datei ist leer."))
            return result
        mapping = map_headers(header)
        result.warnings.extend(mapping.warnings)
        if mapping.errors:
            result.errors.extend(mapping.errors)
            return result
        if len(mapping.positions) < 2:
            result.errors.append(_no_header_issue())
            return result

        def numbered() -> Iterable[tuple[int, list[str]]]:
            yield from ahead
            yield from enumerate(reader, start=row_no + 1)

        return _rows_to_result(
            numbered(),
            mapping,
            len(header),
            result,
            today=today,
            locator=locator,
            listed=listed or {},
            style="german",
        )
    except csv.Error as exc:
        result.rows = []
        reason = (
            f"ein Feld ist länger als {csv.field_size_limit():,} Zeichen".replace(",", ".")
            if "field larger" in str(exc)
            else "ungültiges CSV-Format"
        )
        result.errors.append(
            FileIssue(
                code="malformed_csv",
                message=(
                    f"Die CSV-Datei ist fehlerhaft (um Zeile {reader.line_num}: {reason}). "
                    "Bitte die Datei aus Excel neu als CSV speichern."
                ),
            )
        )
        return result


def _binary_issue() -> FileIssue:
    return FileIssue(
        code="binary",
        message=(
            "Die Datei enthält Binärdaten und ist keine CSV-Datei. Bitte eine "
            "CSV- (Trennzeichen „;“), XLSX- oder OpenImmo-XML-Datei hochladen."
        ),
    )


def _no_header_issue() -> FileIssue:
    return FileIssue(
        code="missing_header",
        message=(
            "Keine Kopfzeile mit den erwarteten Spalten gefunden (z. B. „Externe ID“, „PLZ“, "
            "„Zimmer“). Bitte die Vorlage verwenden."
        ),
    )


# --------------------------------------------------------------------------- XLSX


def _check_zip(data: bytes) -> FileIssue | None:
    """Refuse broken, lying or bomb-like archives before the reader inflates anything."""
    inspected = inspect_zip(data, max_unpacked=MAX_XLSX_UNPACKED_BYTES)
    if isinstance(inspected, ArchiveProblem):
        return archive_issue(inspected, "XLSX-Datei", MAX_XLSX_UNPACKED_BYTES)
    if "xl/workbook.xml" not in inspected:
        return FileIssue(
            code="not_xlsx",
            message=(
                "Die Datei ist keine XLSX-Arbeitsmappe (ZIP-Archiv ohne Excel-Inhalt). "
                "Bitte eine .xlsx-, .csv- oder OpenImmo-.xml-Datei hochladen."
            ),
        )
    return None


def archive_issue(problem: ArchiveProblem, what: str, limit: int) -> FileIssue:
    """The German message for a refused archive (shared by XLSX and OpenImmo ZIP)."""
    if problem.reason == "invalid":
        return FileIssue(
            code="not_xlsx" if what.startswith("XLSX") else "zip_invalid",
            message=(
                f"Die {what} ist beschädigt oder kein gültiges ZIP-Archiv. Bitte die Datei neu "
                "speichern (Excel: „Excel-Arbeitsmappe (.xlsx)“)."
            ),
        )
    if problem.reason == "lying":
        detail = "Die Größenangaben im Archiv stimmen nicht mit dem Inhalt überein"
    elif problem.reason == "ratio":
        detail = "Der Inhalt ist ungewöhnlich stark komprimiert"
    else:
        detail = f"Sie ist entpackt größer als {limit // (1024 * 1024)} MB"
    return FileIssue(
        code="too_large",
        message=f"Die {what} wurde abgelehnt. {detail}. Bitte die Datei neu speichern oder "
        "aufteilen.",
    )


PREFERRED_SHEETS = ("wohnungsangebote", "wohnungen", "angebote")


def parse_xlsx(
    data: bytes,
    *,
    today: date,
    locator: MunicipalityIndex,
    listed: Mapping[str, date] | None = None,
) -> ParseResult:
    """Parse an XLSX upload: the sheet "Wohnungsangebote" if present, else the first sheet."""
    import fastexcel
    import polars as pl

    result = ParseResult(format="xlsx")
    problem = _check_zip(data)
    if problem is not None:
        result.errors.append(problem)
        return result
    try:
        names: list[str] = list(fastexcel.read_excel(data).sheet_names)
        sheet = next(
            (n for n in names if n.strip().casefold() in PREFERRED_SHEETS),
            names[0] if names else None,
        )
        if sheet is None:
            result.errors.append(FileIssue(code="empty", message="Die Arbeitsmappe ist leer."))
            return result
        frame = pl.read_excel(
            data,
            engine="calamine",
            sheet_name=sheet,
            has_header=False,
            infer_schema_length=0,
            drop_empty_rows=False,
            drop_empty_cols=False,
            raise_if_empty=False,
        )
    except Exception as exc:  # calamine/fastexcel raise their own error types
        result.errors.append(
            FileIssue(
                code="not_xlsx",
                message=(
                    "Die XLSX-Datei konnte nicht gelesen werden "
                    f"({type(exc).__name__}). Bitte in Excel neu als .xlsx speichern."
                ),
            )
        )
        return result
    result.encoding = None
    if frame.height == 0 or frame.width == 0:
        result.errors.append(FileIssue(code="empty", message="Das Tabellenblatt ist leer."))
        return result
    frame = frame.cast(pl.String)
    first_row = _first_used_row(data, sheet, names)
    rows: list[tuple[Any, ...]] = frame.rows()
    header_index = 0
    best = -1
    for i, cells in enumerate(rows[:HEADER_SEARCH_ROWS]):
        score = header_score(cells)
        if score > best:
            best, header_index = score, i
    header = [c if c is not None else "" for c in rows[header_index]]
    mapping = map_headers(header)
    result.warnings.extend(mapping.warnings)
    if mapping.errors:
        result.errors.extend(mapping.errors)
        return result
    if len(mapping.positions) < 2:
        result.errors.append(_no_header_issue())
        return result
    numbered = ((first_row + i, cells) for i, cells in enumerate(rows) if i > header_index)
    return _rows_to_result(
        numbered,
        mapping,
        len(header),
        result,
        today=today,
        locator=locator,
        style="point",
        listed=listed or {},
    )


def _first_used_row(data: bytes, sheet: str, names: list[str]) -> int:
    """Best effort: the spreadsheet row number of the first used row of ``sheet`` (calamine
    starts its range there). Falls back to 1."""
    import re

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            workbook = archive.read("xl/workbook.xml").decode("utf-8", "replace")
            rels = archive.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
            rid = None
            for m in re.finditer(r"<(?:\w+:)?sheet\b([^>]*)>", workbook):
                attrs = m.group(1)
                name = re.search(r'\bname="([^"]*)"', attrs)
                if name and _xml_unescape(name.group(1)) == sheet:
                    found = re.search(r'\br:id="([^"]*)"|\bid="([^"]*)"', attrs)
                    if found:
                        rid = found.group(1) or found.group(2)
                    break
            if rid is None:
                return 1
            target = None
            for m in re.finditer(r"<Relationship\b([^>]*)>", rels):
                attrs = m.group(1)
                if re.search(rf'\bId="{re.escape(rid)}"', attrs):
                    t = re.search(r'\bTarget="([^"]*)"', attrs)
                    target = t.group(1) if t else None
                    break
            if not target:
                return 1
            path = target.lstrip("/") if target.startswith("/") else "xl/" + target
            with archive.open(path) as fh:
                head = fh.read(256 * 1024).decode("utf-8", "replace")
    except (KeyError, zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        return 1
    for m in re.finditer(r'<(?:\w+:)?c\b[^>]*\br="[A-Z]+(\d+)"[^>]*?(/?)>', head):
        if m.group(2) == "/":
            continue
        rest = head[m.end() : m.end() + 400]
        if re.match(r"\s*<(?:\w+:)?(?:v|is|f)\b", rest):
            return int(m.group(1))
    _ = names
    return 1


def _xml_unescape(text: str) -> str:
    return (
        text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", '"')
        .replace("&apos;", "'")
        .replace("&amp;", "&")
    )
