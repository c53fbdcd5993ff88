"""Vacancy intake: parsing CSV, XLSX and OpenImmo uploads into validated vacancy records.

Pure parsing and validation; writing to the database is done by the caller.
"""

from matching.intake.columns import COLUMNS, HEADERS, REQUIRED_KEYS, Column
from matching.intake.export import (
    csv_template,
    export_report_csv,
    export_vacancies_csv,
    export_vacancies_xlsx,
    xlsx_template,
)
from matching.intake.location import (
    LocationResult,
    Municipality,
    MunicipalityIndex,
    load_municipalities_csv,
    resolve_location,
)
from matching.intake.parser import check_size, detect_format, parse_vacancy_file
from matching.intake.records import (
    MAX_FILE_BYTES,
    MAX_ROWS,
    FileIssue,
    FileTooLarge,
    ParsedRow,
    ParseResult,
    RowIssue,
    VacancyRecord,
)
from matching.intake.values import neutralise_formula

__all__ = [
    "COLUMNS",
    "HEADERS",
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "REQUIRED_KEYS",
    "Column",
    "FileIssue",
    "FileTooLarge",
    "LocationResult",
    "Municipality",
    "MunicipalityIndex",
    "ParseResult",
    "ParsedRow",
    "RowIssue",
    "VacancyRecord",
    "check_size",
    "csv_template",
    "detect_format",
    "export_report_csv",
    "export_vacancies_csv",
    "export_vacancies_xlsx",
    "load_municipalities_csv",
    "neutralise_formula",
    "parse_vacancy_file",
    "resolve_location",
    "xlsx_template",
]
