"""Exports of report tables (CSV, XLSX) and the yearly report as PDF.

The cells are the table's, suppression already applied; text goes through the project's
formula neutralisation (:func:`matching.intake.values.neutralise_formula`), as every export
of the project does, so no label can become a spreadsheet formula.
"""

from __future__ import annotations

import csv
import io
import logging

from matching.intake.values import neutralise_formula
from matching.reports.suppression import SUPPRESSION_NOTE
from matching.reports.tables import TOTAL, Table


def _header(table: Table) -> list[str]:
    return [table.stub, *table.columns]


def table_csv(table: Table) -> bytes:
    """CSV for spreadsheets in Germany: UTF-8 with BOM, ``;``, decimal comma; every text cell
    formula-safe (a label can never become a formula)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([neutralise_formula(table.title)])
    writer.writerow([neutralise_formula(h) for h in _header(table)])
    for label, cells in table.rows:
        writer.writerow([neutralise_formula(label), *(c.text for c in cells)])
    if table.any_hidden:
        writer.writerow([neutralise_formula(SUPPRESSION_NOTE)])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def table_xlsx(table: Table) -> bytes:
    """XLSX with numbers as numbers, hidden cells as the text "geschützt", text never a
    formula (``strings_to_formulas`` off and every text written with ``write_string``)."""
    import xlsxwriter

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    sheet = workbook.add_worksheet("Bericht")
    bold = workbook.add_format({"bold": True})
    head = workbook.add_format({"bold": True, "bg_color": "#E8EEF4", "border": 1})
    number = workbook.add_format({"num_format": "#,##0"})
    decimal = workbook.add_format({"num_format": "#,##0.0"})
    sheet.write_string(0, 0, neutralise_formula(table.title), bold)
    for col, text in enumerate(_header(table)):
        sheet.write_string(1, col, neutralise_formula(text), head)
    sheet.set_column(0, 0, 34)
    sheet.set_column(1, len(table.columns), 14)
    for r, (label, cells) in enumerate(table.rows, start=2):
        sheet.write_string(r, 0, neutralise_formula(label), bold if label == TOTAL else None)
        for c, cell in enumerate(cells, start=1):
            if cell.shown is None:
                sheet.write_string(r, c, cell.text)
            else:
                sheet.write_number(r, c, cell.shown, decimal if cell.decimals else number)
    if table.any_hidden:
        sheet.write_string(len(table.rows) + 3, 0, SUPPRESSION_NOTE)
    workbook.close()
    return buffer.getvalue()


# weasyprint reports every layout step at INFO: keep the application log to what matters.
logging.getLogger("weasyprint").setLevel(logging.WARNING)


class OutsideResource(Exception):
    """The PDF renderer asked for a file or URL: reports never load anything from outside."""


def _no_fetch(url: str, *args: object, **kwargs: object) -> dict[str, object]:
    raise OutsideResource(url)


def pdf_from_html(html: str) -> bytes:
    """Render the print page to PDF. Charts are inline SVG and styles inline, so the renderer
    needs no file or network access; any attempt is refused (no SSRF, no local files)."""
    from weasyprint import HTML

    pdf = HTML(string=html, url_fetcher=_no_fetch).write_pdf()
    assert pdf is not None
    return bytes(pdf)
