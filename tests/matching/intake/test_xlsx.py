from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from datetime import date, datetime

import xlsxwriter

from matching.intake import (
    HEADERS,
    ParseResult,
    csv_template,
    export_vacancies_xlsx,
    xlsx_template,
)

Parse = Callable[..., ParseResult]


def _workbook(rows: list[list[object]], *, start_row: int = 0, sheet: str = "Tabelle1") -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    ws = book.add_worksheet(sheet)
    day = book.add_format({"num_format": "dd.mm.yyyy"})
    for r, values in enumerate(rows, start=start_row):
        for c, value in enumerate(values):
            if value is None:
                continue
            if isinstance(value, datetime):
                ws.write_datetime(r, c, value, day)
            elif isinstance(value, bool):
                ws.write_boolean(r, c, value)
            elif isinstance(value, int | float):
                ws.write_number(r, c, value)
            else:
                ws.write_string(r, c, str(value))
    book.close()
    return buffer.getvalue()


def test_template_roundtrip(parse: Parse) -> None:
    data = xlsx_template()
    result = parse(data, "vorlage.xlsx")
    assert result.ok, result.errors
    assert result.format == "xlsx"
    assert result.warnings == []
    [row] = result.rows
    assert row.row == 2
    assert row.issues == []
    from_csv = parse(csv_template(), "vorlage.csv").records
    assert result.records == from_csv


def test_template_has_german_headers_and_notes_sheet() -> None:
    import fastexcel

    reader = fastexcel.read_excel(xlsx_template())
    assert reader.sheet_names == ["Wohnungsangebote", "Hinweise"]
    frame = reader.load_sheet(0).to_polars()
    assert frame.columns == list(HEADERS)


def test_cells_as_numbers_strings_and_dates(parse: Parse) -> None:
    header = ["Externe ID", "PLZ", "Zimmer", "Wohnfläche (m²)", "Nettokaltmiete (€)"]
    header += ["Nebenkosten kalt (€)", "Verfügbar ab", "Aufzug", "Etage"]
    rows: list[list[object]] = [
        [*header],
        [1001, 32423, 2.5, 54.5, 385, "110,50", datetime(2026, 12, 31), True, 0],
        ["B-2", "32457", "3", "72,3", "1.234,50", 90, "01.08.2026", "ja", "EG"],
        ["C-3", 32423.0, 2, 50, 400, 90, "2026-09-01", "nein", None],
    ]
    result = parse(_workbook(rows), "liste.xlsx")
    assert result.ok, result.errors
    first, second, third = result.rows
    assert [r.row for r in result.rows] == [2, 3, 4]
    assert first.issues == []
    a = first.record
    assert a is not None
    assert a.external_id == "1001"
    assert a.postal_code == "32423"
    assert (a.rooms, a.living_area, a.net_cold_rent, a.cold_service_charges) == (
        2.5,
        54.5,
        385.0,
        110.5,
    )
    assert a.available_from == date(2026, 12, 31)
    assert a.lift is True
    assert a.floor == 0
    b = second.record
    assert b is not None
    assert (b.living_area, b.net_cold_rent, b.available_from) == (72.3, 1234.5, date(2026, 8, 1))
    assert b.municipality_ags == "05770032"
    assert third.record is not None


def test_title_rows_above_header_and_offset_keep_user_row_numbers(parse: Parse) -> None:
    rows: list[list[object]] = [
        ["Wohnungsliste Mai 2026"],
        [],
        ["Externe ID", "PLZ", "Zimmer", "Wohnfläche", "Kaltmiete", "Nebenkosten", "Verfügbar ab"],
        ["A", 32423, 2, 50, 400, 90, "sofort"],
        [],
        ["B", 97084, 2, 50, 400, 90, "sofort"],
    ]
    result = parse(_workbook(rows, start_row=2), "liste.xlsx")
    assert result.ok, result.errors
    assert [r.row for r in result.rows] == [6, 8]
    assert result.rows[1].errors[0].row == 8


def test_formula_text_is_kept_and_neutralised_on_export(parse: Parse) -> None:
    header = ["Externe ID", "Titel", "PLZ", "Zimmer", "Wohnfläche", "Kaltmiete", "Nebenkosten"]
    rows: list[list[object]] = [
        [*header, "Verfügbar ab"],
        ["=1+1", "=cmd|' /C calc'!A0", 32423, 2, 50, 400, 90, "sofort"],
    ]
    result = parse(_workbook(rows), "liste.xlsx")
    rec = result.records[0]
    assert rec.external_id == "=1+1"
    assert rec.title == "=cmd|' /C calc'!A0"
    exported = export_vacancies_xlsx([rec])
    with zipfile.ZipFile(io.BytesIO(exported)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
        strings = archive.read("xl/sharedStrings.xml").decode()
    assert "<f>" not in sheet  # nothing is written as a formula
    assert "&apos;=cmd" in strings or "'=cmd" in strings
    again = parse(exported, "export.xlsx").records
    assert again == [rec]


def test_missing_column_and_typo(parse: Parse) -> None:
    rows: list[list[object]] = [["Externe ID", "PLZ", "Zimer", "Wohnfläche", "Verfügbar ab"]]
    result = parse(_workbook(rows), "liste.xlsx")
    codes = sorted(e.code for e in result.errors)
    assert codes == ["missing_column", "unknown_column"]
    assert any("meinten Sie „Zimmer“?" in e.message for e in result.errors)
    assert any("„Nettokaltmiete (€)“ fehlt" in e.message for e in result.errors)


def test_corrupt_xlsx(parse: Parse) -> None:
    result = parse(b"PK\x03\x04 this is not really a zip", "liste.xlsx")
    assert [e.code for e in result.errors] == ["not_xlsx"]
    result = parse(b"Externe ID;PLZ\n", "liste.xlsx")
    assert [e.code for e in result.errors] == ["not_xlsx"]


def test_zip_bomb_like_xlsx_is_rejected(parse: Parse) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (260 * 1024 * 1024))
    result = parse(buffer.getvalue(), "bombe.xlsx")
    assert [e.code for e in result.errors] == ["too_large"]
    assert "entpackt größer" in result.errors[0].message
