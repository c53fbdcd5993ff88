"""Downloadable templates and formula-safe exports (CSV and XLSX) in the import format.

Every text cell goes through :func:`~matching.intake.values.neutralise_formula`, and XLSX text
is written with ``write_string`` so no spreadsheet ever evaluates imported content.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime

from matching.intake.columns import COLUMNS, Column
from matching.intake.records import ParseResult, VacancyRecord
from matching.intake.values import neutralise_formula

EXAMPLE_RECORD = VacancyRecord(
    external_id="WHG-0001",
    title="2-Zimmer-Wohnung mit Balkon",
    street="Marienstraße",
    house_number="12a",
    postal_code="32423",
    town="Minden",
    municipality_ags=None,
    lat=None,
    lon=None,
    rooms=2.5,
    living_area=54.5,
    floor=1,
    lift=False,
    barrier_free=False,
    wheelchair_accessible=False,
    net_cold_rent=385.0,
    cold_service_charges=110.0,
    heating_costs=65.0,
    deposit=1155.0,
    available_from=date(2026, 8, 1),
    wbs_required=True,
    pets="on_request",
    min_persons=1,
    max_persons=3,
    description="Helle Wohnung im 1. OG, Bad mit Dusche, Keller.",
)

CellValue = str | float | int | bool | date | None

_PETS_DE = {"yes": "ja", "no": "nein", "on_request": "auf Anfrage"}
_MONEY = {"net_cold_rent", "cold_service_charges", "heating_costs", "deposit"}


def _cell(record: VacancyRecord, column: Column) -> CellValue:
    if column.key == "action":
        return "löschen" if record.action == "delete" else None
    value: CellValue = getattr(record, column.key)
    if column.key == "pets":
        return _PETS_DE[record.pets]
    return value


def _german_number(value: float, key: str) -> str:
    if key in _MONEY:
        return f"{value:.2f}".replace(".", ",")
    if key in {"lat", "lon"}:
        return f"{value:.6f}".rstrip("0").rstrip(".").replace(".", ",")
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def _csv_text(value: CellValue, key: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _german_number(value, key)
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    return neutralise_formula(value)


def export_vacancies_csv(records: Iterable[VacancyRecord]) -> bytes:
    """CSV in the import format: UTF-8 with BOM, ``;``, decimal comma, ``TT.MM.JJJJ``."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([c.header for c in COLUMNS])
    for record in records:
        writer.writerow([_csv_text(_cell(record, c), c.key) for c in COLUMNS])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def csv_template() -> bytes:
    """The CSV template: German headers and one example row."""
    return export_vacancies_csv([EXAMPLE_RECORD])


def export_vacancies_xlsx(records: Iterable[VacancyRecord], *, notes: bool = False) -> bytes:
    """XLSX in the import format (sheet "Wohnungsangebote"); ``notes`` adds a "Hinweise" sheet."""
    import xlsxwriter

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    sheet = workbook.add_worksheet("Wohnungsangebote")
    bold = workbook.add_format({"bold": True, "bg_color": "#E8EEF4", "border": 1})
    text = workbook.add_format({"num_format": "@"})
    money = workbook.add_format({"num_format": "#,##0.00"})
    decimal = workbook.add_format({"num_format": "0.0#"})
    day = workbook.add_format({"num_format": "dd.mm.yyyy"})
    for col, column in enumerate(COLUMNS):
        sheet.write_string(0, col, column.header, bold)
        width = max(12, len(column.header) + 2)
        if column.key in {"title", "description"}:
            width = 40
        fmt = text if column.key in {"external_id", "postal_code", "house_number"} else None
        sheet.set_column(col, col, width, fmt)
    sheet.freeze_panes(1, 0)
    row = 0
    for row, record in enumerate(records, start=1):
        for col, column in enumerate(COLUMNS):
            value = _cell(record, column)
            if value is None:
                continue
            if isinstance(value, bool):
                sheet.write_string(row, col, "ja" if value else "nein")
            elif isinstance(value, int | float):
                fmt = money if column.key in _MONEY else decimal
                sheet.write_number(row, col, value, fmt if isinstance(value, float) else None)
            elif isinstance(value, date):
                sheet.write_datetime(row, col, datetime(value.year, value.month, value.day), day)
            else:
                sheet.write_string(row, col, neutralise_formula(value))
    last = max(row, 1000)
    choices = {
        "lift": ["ja", "nein"],
        "barrier_free": ["ja", "nein"],
        "wheelchair_accessible": ["ja", "nein"],
        "wbs_required": ["ja", "nein"],
        "pets": ["ja", "nein", "auf Anfrage"],
        "action": ["löschen"],
    }
    for col, column in enumerate(COLUMNS):
        if column.key in choices:
            sheet.data_validation(
                1, col, last, col, {"validate": "list", "source": choices[column.key]}
            )
    if notes:
        hints = workbook.add_worksheet("Hinweise")
        hints.write_row(0, 0, ["Spalte", "Pflicht", "Format / erlaubte Werte"], bold)
        hints.set_column(0, 0, 24)
        hints.set_column(2, 2, 70)
        for i, column in enumerate(COLUMNS, start=1):
            hints.write_string(i, 0, column.header)
            hints.write_string(i, 1, "ja" if column.required else "nein")
            hints.write_string(i, 2, column.hint)
    workbook.close()
    return buffer.getvalue()


def xlsx_template() -> bytes:
    """The XLSX template: German headers, one example row, a notes sheet."""
    return export_vacancies_xlsx([EXAMPLE_RECORD], notes=True)


REPORT_HEADERS: Sequence[str] = ("Zeile", "Externe ID", "Aktion", "Ergebnis", "Feld", "Hinweis")


def export_report_csv(result: ParseResult) -> bytes:
    """The per-row report as CSV (one line per issue; rows without issues get one line)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(REPORT_HEADERS)
    for file_issue in result.errors:
        writer.writerow(["", "", "", "Datei abgelehnt", "", neutralise_formula(file_issue.message)])
    for row in result.rows:
        outcome = "abgelehnt" if row.rejected else "gültig"
        action = "löschen" if row.action == "delete" else "anlegen/ändern"
        ext = neutralise_formula(row.external_id or "")
        if not row.issues:
            writer.writerow([row.row, ext, action, outcome, "", ""])
        for issue in row.issues:
            level = "" if issue.severity == "error" else "Hinweis: "
            writer.writerow(
                [
                    row.row,
                    ext,
                    action,
                    outcome,
                    neutralise_formula(issue.field),
                    neutralise_formula(level + issue.message),
                ]
            )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
