"""Data structures of the vacancy intake: normalised records, per-row issues, parse results.

Everything here is pure data (msgspec structs); no database or web imports.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

import msgspec

Action = Literal["upsert", "delete"]
Pets = Literal["yes", "no", "on_request"]
Severity = Literal["error", "warning"]
FileFormat = Literal["csv", "xlsx", "openimmo"]
TransferScope = Literal["VOLL", "TEIL"]

#: Largest accepted upload (bytes). Larger files raise :class:`FileTooLarge` (HTTP 413).
MAX_FILE_BYTES = 20 * 1024 * 1024
#: Largest accepted number of data rows (CSV/XLSX lines, OpenImmo ``immobilie`` elements).
MAX_ROWS = 50_000


def _format_mb(n_bytes: int) -> str:
    return f"{n_bytes / (1024 * 1024):.1f}".replace(".", ",")


class FileTooLarge(ValueError):
    """The upload exceeds :data:`MAX_FILE_BYTES`; the message is German and names the limit."""

    def __init__(self, size: int, limit: int = MAX_FILE_BYTES) -> None:
        self.size = size
        self.limit = limit
        limit_mb = limit // (1024 * 1024)
        super().__init__(
            f"Die Datei ist {_format_mb(size)} MB groß; erlaubt sind höchstens {limit_mb} MB "
            "pro Datei. Bitte die Datei aufteilen."
        )


class VacancyRecord(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """One normalised vacancy, field names as the database columns."""

    external_id: str
    title: str | None
    street: str | None
    house_number: str | None
    postal_code: str
    town: str | None
    municipality_ags: str | None
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
    pets: Pets
    min_persons: int | None
    max_persons: int | None
    description: str | None
    action: Action = "upsert"


class RowIssue(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """A problem with one field of one row.

    ``row`` is the number the user sees: the spreadsheet line (header = line 1) or the n-th
    ``immobilie`` of an OpenImmo file. ``field`` is the column header / OpenImmo element as it
    appears in the file, ``message`` a German sentence. ``key`` is the record field concerned
    (English, ``None`` for the row as a whole). Warnings are reported but do not reject the row.
    """

    row: int
    field: str
    message: str
    severity: Severity = "error"
    code: str = "invalid"
    key: str | None = None

    def text(self) -> str:
        return f"{self.field}: {self.message}"


class ParsedRow(msgspec.Struct, kw_only=True):
    """The outcome for one row: a record (valid upsert), or ``None`` (rejected, or a deletion)."""

    row: int
    external_id: str | None
    action: Action
    record: VacancyRecord | None
    issues: list[RowIssue] = msgspec.field(default_factory=list)
    values: dict[str, object] = msgspec.field(default_factory=dict)
    """For rejected rows: the fields that could be read (record field → converted value), so a
    preview can show what was understood. Empty for valid rows (see ``record``)."""

    @property
    def errors(self) -> list[RowIssue]:
        return [i for i in self.issues if i.severity == "error"]

    @property
    def warnings(self) -> list[RowIssue]:
        return [i for i in self.issues if i.severity == "warning"]

    @property
    def rejected(self) -> bool:
        """True when the row has an error (for deletions: no usable external id)."""
        return any(i.severity == "error" for i in self.issues)


class FileIssue(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """A problem with the file as a whole (German ``message``, machine-readable ``code``)."""

    code: str
    message: str


class ParseResult(msgspec.Struct, kw_only=True):
    """The result of parsing one upload.

    If ``errors`` is non-empty the file is rejected as a whole and ``rows`` is empty: nothing of
    it may be written. ``scope`` is the OpenImmo transfer scope (``None`` for CSV/XLSX or when
    the file does not say).
    """

    format: FileFormat | None
    rows: list[ParsedRow] = msgspec.field(default_factory=list)
    errors: list[FileIssue] = msgspec.field(default_factory=list)
    warnings: list[FileIssue] = msgspec.field(default_factory=list)
    scope: TransferScope | None = None
    encoding: str | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def records(self) -> list[VacancyRecord]:
        """Valid upserts, in file order."""
        return [r.record for r in self.rows if r.record is not None]

    @property
    def deletions(self) -> list[str]:
        """External ids of valid delete rows, in file order."""
        return [
            r.external_id
            for r in self.rows
            if r.action == "delete" and r.external_id is not None and not r.rejected
        ]

    @property
    def external_ids(self) -> set[str]:
        """Every external id named in the file, valid or rejected, upsert or delete. For a full
        transfer (``scope == "VOLL"``) withdraw only open vacancies whose id is *not* in here,
        so a row rejected for a typo does not withdraw its flat."""
        return {r.external_id for r in self.rows if r.external_id is not None}

    @property
    def rejected_rows(self) -> list[ParsedRow]:
        return [r for r in self.rows if r.rejected]
