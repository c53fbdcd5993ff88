"""Entry point: detect the format of an upload and parse it."""

from __future__ import annotations

import io
import logging
import zipfile
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import PurePosixPath
from typing import Any

from matching.intake.archive import MAX_UNPACKED_BYTES, ArchiveProblem, inspect_zip
from matching.intake.location import MunicipalityIndex
from matching.intake.openimmo import parse_openimmo
from matching.intake.records import MAX_FILE_BYTES, FileIssue, FileTooLarge, ParseResult
from matching.intake.tabular import archive_issue, parse_csv, parse_xlsx

logger = logging.getLogger(__name__)

CSV_EXTENSIONS = frozenset({".csv", ".txt", ".tsv"})
XLSX_EXTENSIONS = frozenset({".xlsx", ".xlsm"})
XML_EXTENSIONS = frozenset({".xml"})
ZIP_EXTENSIONS = frozenset({".zip"})


def check_size(size: int) -> None:
    """Raise :class:`FileTooLarge` for uploads over :data:`MAX_FILE_BYTES` (call it early, e.g.
    from the Content-Length, before reading the body)."""
    if size > MAX_FILE_BYTES:
        raise FileTooLarge(size)


def _looks_like_xml(data: bytes) -> bool:
    head = data[:512].lstrip(b"\xef\xbb\xbf").lstrip()
    if data.startswith((b"\xff\xfe<\x00", b"\xfe\xff\x00<")):
        return True
    return head.startswith(b"<")


def detect_format(data: bytes, filename: str) -> str | None:
    """``csv``, ``xlsx``, ``openimmo``, ``openimmo-zip`` or ``None`` (not supported).

    The content decides where it is unambiguous (ZIP signature, leading ``<``); otherwise the
    file extension."""
    suffix = PurePosixPath(filename.replace("\\", "/")).suffix.casefold()
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = archive.namelist()
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
            return "xlsx" if suffix in XLSX_EXTENSIONS else None
        if "xl/workbook.xml" in names or suffix in XLSX_EXTENSIONS:
            return "xlsx"
        return "openimmo-zip"
    if suffix in XLSX_EXTENSIONS:
        return "xlsx"  # reported as "not a valid XLSX file"
    if _looks_like_xml(data):
        return "openimmo"
    if suffix in XML_EXTENSIONS:
        return "openimmo"
    if suffix in CSV_EXTENSIONS or suffix == "":
        return "csv"
    if data[:5] == b"%PDF-" or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        return None
    return "csv" if suffix not in {".xls", ".ods", ".pdf", ".doc", ".docx"} else None


def _unsupported(filename: str, data: bytes) -> ParseResult:
    suffix = PurePosixPath(filename).suffix
    hint = (
        " Alte Excel-Dateien (.xls) bitte als .xlsx speichern."
        if suffix.casefold() == ".xls" or data[:4] == b"\xd0\xcf\x11\xe0"
        else ""
    )
    return ParseResult(
        format=None,
        errors=[
            FileIssue(
                code="unsupported_format",
                message=(
                    f"Das Dateiformat „{suffix or filename}“ wird nicht unterstützt. Erlaubt sind "
                    "CSV (.csv), Excel (.xlsx) und OpenImmo-XML (.xml oder .zip)." + hint
                ),
            )
        ],
    )


def _openimmo_from_zip(
    data: bytes, *, today: date, locator: MunicipalityIndex, listed: Mapping[str, date]
) -> ParseResult:
    result = ParseResult(format="openimmo")
    inspected = inspect_zip(data, max_unpacked=MAX_UNPACKED_BYTES)
    if isinstance(inspected, ArchiveProblem):
        result.errors.append(archive_issue(inspected, "ZIP-Datei", MAX_UNPACKED_BYTES))
        return result
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            xml_files = [
                i
                for i in archive.infolist()
                if i.filename.casefold().endswith(".xml") and not i.is_dir()
            ]
            if len(xml_files) != 1:
                result.errors.append(
                    FileIssue(
                        code="zip_content",
                        message=(
                            f"Das ZIP-Archiv enthält {len(xml_files)} XML-Dateien; erwartet wird "
                            "genau eine OpenImmo-XML-Datei (Bilder werden ignoriert)."
                        ),
                    )
                )
                return result
            info = xml_files[0]
            if info.file_size > MAX_FILE_BYTES:  # proven true by inspect_zip
                result.errors.append(_zip_too_large())
                return result
            xml = archive.read(info)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        result.errors.append(
            FileIssue(code="zip_invalid", message="Das ZIP-Archiv ist beschädigt.")
        )
        return result
    return parse_openimmo(xml, today=today, locator=locator, listed=listed)


def _zip_too_large() -> FileIssue:
    return FileIssue(
        code="too_large",
        message=(
            f"Die XML-Datei im ZIP-Archiv ist entpackt größer als "
            f"{MAX_FILE_BYTES // (1024 * 1024)} MB. Bitte aufteilen."
        ),
    )


def parse_vacancy_file(
    data: bytes,
    filename: str,
    *,
    today: date,
    municipalities: Sequence[Any] | MunicipalityIndex,
    listed: Mapping[str, date] | None = None,
) -> ParseResult:
    """Parse an uploaded vacancy file (CSV, XLSX, OpenImmo XML or ZIP with one OpenImmo XML).

    ``today`` is the reference date ("ab sofort"); ``municipalities`` the reference data of the
    Kreis (objects/mappings with ``ags``, ``name``, ``postal_codes``, ``lat``, ``lon``, or a
    prebuilt :class:`MunicipalityIndex`); ``listed`` the move-in dates the landlord's flats
    already carry, by external id (re-delivering one is no new entry of a date, see
    :func:`~matching.vacancies.schemas.offer_errors`). Raises :class:`FileTooLarge` over
    :data:`MAX_FILE_BYTES`; every other problem is reported in the result.
    """
    check_size(len(data))
    locator = (
        municipalities
        if isinstance(municipalities, MunicipalityIndex)
        else MunicipalityIndex(municipalities)
    )
    kind = detect_format(data, filename)
    known = listed or {}
    if not data.strip():
        return ParseResult(
            format=None, errors=[FileIssue(code="empty", message="Die Datei ist leer.")]
        )
    try:
        if kind == "csv":
            return parse_csv(data, today=today, locator=locator, listed=known)
        if kind == "xlsx":
            return parse_xlsx(data, today=today, locator=locator, listed=known)
        if kind == "openimmo":
            return parse_openimmo(data, today=today, locator=locator, listed=known)
        if kind == "openimmo-zip":
            return _openimmo_from_zip(data, today=today, locator=locator, listed=known)
    except Exception:  # defence in depth: a bad file must never become a server error
        logger.exception("vacancy file could not be parsed (format %s)", kind)
        return ParseResult(
            format=None,
            errors=[
                FileIssue(
                    code="unreadable",
                    message=(
                        "Die Datei konnte nicht gelesen werden. Bitte das Format prüfen oder "
                        "die Vorlage verwenden."
                    ),
                )
            ],
        )
    return _unsupported(filename, data)
