"""CSV files of rent-limit tables: one file is one table, every problem named on its line.

Accepted columns (header names, case-insensitive): the area (``area``, or a ``market…``
column such as ``market_2013`` or ``market_type``; else the first column), ``municipalities``
(``;``-separated names or AGS), ``persons`` (``1``…``n`` or ``+1``), ``max_gross_cold_rent_eur``,
optional ``max_heating_eur``, ``valid_from``, optional ``valid_to`` and ``status``
(``example``/``official``). Without a municipalities column the area names are the Kreis'
market types (I..IV) and take their towns from the towns' current market type.

Decoding, delimiter and dates use the vacancy import's helpers (:mod:`intake`), amounts the
one strict German number parser (:mod:`matching.numbers`), so a clerk's German spreadsheet
reads the same everywhere. Amounts are exact ``Decimal`` values; ambiguous ones are refused.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import msgspec

from matching.enums import RentLimitStatus
from matching.intake.location import town_key
from matching.intake.tabular import detect_encoding, iter_lines, sniff_delimiter
from matching.intake.values import Invalid, parse_date, show
from matching.numbers import NumberRefused, parse_money, plain_int

__all__ = [
    "MAX_AMOUNT",
    "MAX_FILE_BYTES",
    "AreaDraft",
    "LineProblem",
    "PreviewLine",
    "TableDraft",
    "Town",
    "parse_rent_limit_csv",
]

MAX_AMOUNT = Decimal("5000")
"""Largest monthly amount a table may hold; more is a typing error."""
MAX_FILE_BYTES = 1_000_000
MAX_PERSONS = 20
_INCREMENT = "+1"
_MONTHLY = {"max_gross_cold_rent_eur", "max_gross_cold_rent"}
_HEATING = {"max_heating_eur", "max_heating_cost_eur", "max_heating_cost"}


class LineProblem(msgspec.Struct, frozen=True):
    """A German message; ``line`` is the file line (header = 1), ``None`` for the file."""

    line: int | None
    message: str


class PreviewLine(msgspec.Struct, frozen=True):
    """One data line as read, for the preview."""

    line: int
    area: str
    towns: list[str]
    persons: str
    max_gross_cold_rent: str | None
    max_heating_cost: str | None


class AreaDraft(msgspec.Struct):
    """An area as parsed: its towns (AGS) and amounts by size ("1".."n", "+1")."""

    name: str
    municipalities: list[str]
    gross_cold: dict[str, str]
    heating: dict[str, str]
    first_line: int


class TableDraft(msgspec.Struct):
    """A parsed file: the table it describes and every problem found."""

    valid_from: date | None
    valid_to: date | None
    status: RentLimitStatus
    areas: list[AreaDraft]
    lines: list[PreviewLine]
    problems: list[LineProblem]

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class Town:
    """A town of the Kreis as the parser needs it."""

    ags: str
    name: str
    market_type: str | None = None


class _Columns(msgspec.Struct):
    area: int
    persons: int | None
    gross: int | None
    valid_from: int | None
    towns: int | None
    heating: int | None
    valid_to: int | None
    status: int | None


def _columns(header: Sequence[str]) -> _Columns:
    names = [h.strip().lstrip("\ufeff").casefold() for h in header]

    def find(*options: str) -> int | None:
        return next((i for i, n in enumerate(names) if n in options), None)

    area = find("area", "gebiet", "vergleichsraum")
    if area is None:
        area = next((i for i, n in enumerate(names) if n.startswith("market")), 0)
    return _Columns(
        area=area,
        persons=find("persons", "personen"),
        gross=find(*_MONTHLY),
        valid_from=find("valid_from", "gültig_ab"),
        towns=find("municipalities", "kommunen"),
        heating=find(*_HEATING),
        valid_to=find("valid_to", "gültig_bis"),
        status=find("status"),
    )


def _amount(raw: str, what: str) -> Decimal | str | None:
    """A Euro amount as exact Decimal (the one strict German parser), or a German problem."""
    try:
        amount = parse_money(raw)
    except NumberRefused as exc:
        return f"{what}: {exc.reason.rstrip('.')}"
    if amount is None:
        return None
    if amount < 0:
        return f"{what}: {show(raw)} ist negativ"
    if amount > MAX_AMOUNT:
        return f"{what}: {show(raw)} ist unplausibel hoch (höchstens 5.000 €)"
    return amount.quantize(Decimal("0.01"))


class _Reader:
    """Parses data lines one by one, collecting areas and problems."""

    def __init__(self, towns: Sequence[Town], status: RentLimitStatus, today: date) -> None:
        self.by_name = {town_key(t.name): t for t in towns}
        self.by_ags = {t.ags: t for t in towns}
        self.markets: dict[str, list[str]] = {}
        for t in towns:
            if t.market_type:
                self.markets.setdefault(t.market_type, []).append(t.ags)
        self.today = today
        self.status = status
        self.areas: dict[str, AreaDraft] = {}
        self.lines: list[PreviewLine] = []
        self.problems: list[LineProblem] = []
        self.validity: dict[tuple[date | None, date | None], int] = {}
        self.sizes: dict[str, set[str]] = {}  # sizes named per area, valid amount or not
        self.statuses: set[str] = set()

    def problem(self, line: int | None, message: str) -> None:
        self.problems.append(LineProblem(line, message))

    def towns(self, line: int, area: str, raw: str | None) -> list[str]:
        if raw is None:  # no municipalities column: the area is a market type
            found = self.markets.get(area)
            if not found:
                self.problem(
                    line,
                    f"Gebiet {show(area)}: ohne Spalte „municipalities“ muss das Gebiet ein "
                    "Marktgebiet I–IV sein.",
                )
            return sorted(found or [])
        result = []
        for part in [p.strip() for p in raw.split(";") if p.strip()]:
            town = self.by_ags.get(part) or self.by_name.get(town_key(part))
            if town is None:
                self.problem(line, f"Kommune {show(part)} gibt es im Kreis nicht.")
            else:
                result.append(town.ags)
        if not result and not raw.strip():
            self.problem(line, f"Gebiet {show(area)}: keine Kommune angegeben.")
        return sorted(set(result))

    def read(self, line: int, cells: list[str], cols: _Columns) -> None:
        def cell(i: int | None) -> str | None:
            return None if i is None or i >= len(cells) else cells[i].strip()

        area = cell(cols.area) or ""
        if not area:
            self.problem(line, "Das Gebiet fehlt.")
        towns = self.towns(line, area, cell(cols.towns) if cols.towns is not None else None)
        persons = (cell(cols.persons) or "").replace(" ", "")
        size = plain_int(persons)
        if persons != _INCREMENT and not (size is not None and 1 <= size <= MAX_PERSONS):
            self.problem(line, f"Personenzahl {show(persons)} ist ungültig (1 bis 20 oder +1).")
        gross = _amount(cell(cols.gross) or "", "Bruttokaltmiete")
        if gross is None:
            self.problem(line, "Die Bruttokaltmiete fehlt.")
        elif isinstance(gross, str):
            self.problem(line, gross)
        elif gross == 0 and persons != _INCREMENT:
            self.problem(line, "Bruttokaltmiete: 0 € ist keine Grenze.")
        heating = _amount(cell(cols.heating) or "", "Heizkostengrenze")
        if isinstance(heating, str):
            self.problem(line, heating)
        self._validity(line, cell(cols.valid_from), cell(cols.valid_to))
        if (status := (cell(cols.status) or "").casefold()) and status not in (
            "example",
            "official",
            "beispiel",
            "amtlich",
        ):
            self.problem(line, f"Status {show(status)} ist unbekannt (example oder official).")
        elif status:
            self.statuses.add("example" if status in ("example", "beispiel") else "official")
        self.lines.append(
            PreviewLine(
                line=line,
                area=area,
                towns=towns,
                persons=persons,
                max_gross_cold_rent=str(gross) if isinstance(gross, Decimal) else None,
                max_heating_cost=str(heating) if isinstance(heating, Decimal) else None,
            )
        )
        if area:
            self._add(line, area, towns, persons, gross, heating)

    def _validity(self, line: int, raw_from: str | None, raw_to: str | None) -> None:
        start = parse_date(raw_from or "", self.today)
        end = parse_date(raw_to or "", self.today)
        if start is None:
            self.problem(line, "„gültig ab“ fehlt.")
        for value in (start, end):
            if isinstance(value, Invalid):
                self.problem(line, f"Datum: {value.reason}")
        start_d = start if isinstance(start, date) else None
        end_d = end if isinstance(end, date) else None
        if start_d and end_d and end_d < start_d:
            self.problem(
                line,
                f"„gültig bis“ ({end_d:%d.%m.%Y}) liegt vor „gültig ab“ ({start_d:%d.%m.%Y}).",
            )
        elif start_d and not isinstance(end, Invalid):
            self.validity.setdefault((start_d, end_d), line)
            if len(self.validity) == 2 and (start_d, end_d) != next(iter(self.validity)):
                self.problem(
                    line,
                    "Alle Zeilen einer Datei müssen denselben Gültigkeitszeitraum haben "
                    "(eine Datei ist eine Tabelle).",
                )

    def _add(
        self,
        line: int,
        area: str,
        towns: list[str],
        persons: str,
        gross: Decimal | str | None,
        heating: Decimal | str | None,
    ) -> None:
        draft = self.areas.get(area)
        if draft is None:
            draft = self.areas[area] = AreaDraft(area, towns, {}, {}, line)
        elif towns != draft.municipalities:
            self.problem(
                line,
                f"Gebiet {show(area)}: die Kommunen weichen von Zeile {draft.first_line} ab.",
            )
        seen = self.sizes.setdefault(area, set())
        if persons in seen:
            self.problem(line, f"Gebiet {show(area)}: Personenzahl {persons} doppelt.")
        seen.add(persons)
        if isinstance(gross, Decimal):
            draft.gross_cold[persons] = str(gross)
        if isinstance(heating, Decimal):
            draft.heating[persons] = str(heating)

    def finish(self) -> TableDraft:
        owner: dict[str, str] = {}
        for draft in self.areas.values():
            sizes = sorted(
                n for p in self.sizes.get(draft.name, ()) if (n := plain_int(p)) is not None
            )
            missing = [n for n in range(1, (max(sizes) if sizes else 0) + 1) if n not in sizes]
            if not sizes:
                self.problem(draft.first_line, f"Gebiet {show(draft.name)}: keine Größe 1…n.")
            for n in missing:
                self.problem(
                    draft.first_line,
                    f"Gebiet {show(draft.name)}: der Wert für {n} Person(en) fehlt.",
                )
            for ags in draft.municipalities:
                if ags in owner:
                    self.problem(
                        draft.first_line,
                        f"Kommune {self.by_ags[ags].name} steht in den Gebieten "
                        f"{show(owner[ags])} und {show(draft.name)}.",
                    )
                owner[ags] = draft.name
        if len(self.statuses) > 1:
            self.problem(None, "Die Spalte „status“ mischt Beispielwerte und amtliche Werte.")
        status = self.status
        if "example" in self.statuses:
            status = RentLimitStatus.EXAMPLE
        start, end = next(iter(self.validity), (None, None))
        if not self.lines:
            self.problem(None, "Die Datei enthält keine Zeilen mit Werten.")
        self.problems.sort(key=lambda p: p.line or 0)
        return TableDraft(start, end, status, list(self.areas.values()), self.lines, self.problems)


def parse_rent_limit_csv(
    data: bytes,
    *,
    towns: Sequence[Town],
    today: date,
    example: bool = False,
) -> TableDraft:
    """Parse one CSV file into a table draft; nothing is refused silently."""
    status = RentLimitStatus.EXAMPLE if example else RentLimitStatus.OFFICIAL
    reader = _Reader(towns, status, today)
    if len(data) > MAX_FILE_BYTES:
        reader.problem(None, "Die Datei ist zu groß (höchstens 1 MB).")
        return reader.finish()
    encoding = detect_encoding(data)
    if not isinstance(encoding, str):
        reader.problem(None, encoding.message)
        return reader.finish()
    lines = list(iter_lines(data, encoding))
    if not lines:
        reader.problem(None, "Die Datei ist leer.")
        return reader.finish()
    rows = list(csv.reader(lines, delimiter=sniff_delimiter(lines[0])))
    cols = _columns(rows[0])
    absent = [
        name
        for name, index in (
            ("persons", cols.persons),
            ("max_gross_cold_rent_eur", cols.gross),
            ("valid_from", cols.valid_from),
        )
        if index is None
    ]
    if absent:
        reader.problem(1, f"Spalte(n) fehlen: {', '.join(absent)}.")
        return reader.finish()
    for number, cells in enumerate(rows[1:], start=2):
        if any(c.strip() for c in cells):
            reader.read(number, cells, cols)
    return reader.finish()


def town_names(towns: Sequence[Town]) -> Mapping[str, str]:
    """AGS → name, for messages and the preview."""
    return {t.ags: t.name for t in towns}
