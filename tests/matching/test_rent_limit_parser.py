"""The rent-limit CSV parser (no database): shipped files, German numbers, problems per line."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from importlib import resources
from types import SimpleNamespace
from typing import Any

from matching.enums import RentLimitStatus
from matching.reference.loader import market_types, municipalities
from matching.rent_limits.parser import Town, parse_rent_limit_csv
from matching.rent_limits.service import find_gaps

TOWNS = [Town(m.ags, m.name, market_types()[m.ags]) for m in municipalities()]
TODAY = date(2026, 12, 1)
HEADER = "area,municipalities,persons,max_gross_cold_rent_eur,valid_from,valid_to,max_heating_eur\n"


def parse(text: str | bytes, **kw: Any) -> Any:
    data = text.encode() if isinstance(text, str) else text
    return parse_rent_limit_csv(data, towns=TOWNS, today=TODAY, **kw)


def test_shipped_official_2013_file_parses_unchanged() -> None:
    data = resources.files("matching.reference").joinpath("rent_limits_2013_official.csv")
    draft = parse(data.read_bytes())
    assert draft.ok, draft.problems
    assert (draft.valid_from, draft.valid_to) == (date(2013, 1, 1), date(2016, 12, 31))
    assert draft.status == RentLimitStatus.OFFICIAL
    group2 = next(a for a in draft.areas if a.name == "2")
    assert "05770016" in group2.municipalities and group2.gross_cold["2"] == "405.00"
    assert group2.gross_cold["+1"] == "60.00"


def test_example_file_maps_market_types_to_towns_and_is_marked_example() -> None:
    data = resources.files("matching.reference").joinpath("rent_limits_example.csv")
    draft = parse(data.read_bytes())
    assert draft.ok, draft.problems
    assert draft.status == RentLimitStatus.EXAMPLE  # from the status column
    iv = next(a for a in draft.areas if a.name == "IV")
    assert iv.municipalities == ["05770024"]
    assert (draft.valid_from, draft.valid_to) == (date(2025, 1, 1), None)


def test_german_amounts_semicolons_and_ags_are_read_exactly() -> None:
    text = (
        HEADER.replace(",", ";")
        + 'Nord;"05770040;Stemwede";1;401,01;01.01.2026;;70\n'
        + 'Nord;"05770040; Stemwede";2;1.200,50;01.01.2026;;\n'
    )
    draft = parse(text)
    assert draft.ok, draft.problems
    nord = draft.areas[0]
    assert sorted(nord.municipalities) == ["05770040", "05770044"]
    assert Decimal(nord.gross_cold["1"]) == Decimal("401.01")
    assert Decimal(nord.gross_cold["2"]) == Decimal("1200.50")
    assert nord.heating == {"1": "70.00"}


def test_ambiguous_or_bad_values_are_named_on_their_line() -> None:
    text = (
        HEADER
        + 'A,Minden,1,"401,015",2026-01-01,,\n'  # line 2: more than two decimals
        + "A,Minden,2,viel,2026-01-01,,\n"  # line 3: no number
        + "A,Minden,2,400,2026-01-01,,\n"  # line 4: size 2 twice
        + "B,Minden,1,400,2026-01-01,,\n"  # line 5: Minden in two areas
        + "C,Hille,x,400,2026-01-01,,\n"  # line 6: bad size
        + "D,Rahden,1,1.20.0,2026-01-01,,\n"  # line 7: ambiguous, never guessed
        + "E,Stemwede,²,400,2026-01-01,,\n"  # line 8: a digit int() refuses
    )
    problems = {(p.line, p.message) for p in parse(text).problems}
    lines = {line for line, _ in problems}
    assert {2, 3, 4, 5, 6, 8} <= lines
    assert any(line == 2 and "zwei Nachkommastellen" in m for line, m in problems)
    assert any(line == 4 and "doppelt" in m for line, m in problems)
    assert any(line == 7 and "mehrdeutig" in m for line, m in problems)
    assert any("Minden steht in den Gebieten" in m for _, m in problems)


def test_gaps_between_active_tables() -> None:
    def table(start: date, end: date | None, active: bool = True) -> Any:
        return SimpleNamespace(valid_from=start, valid_to=end, is_active=active)

    tables = [
        table(date(2013, 1, 1), date(2016, 12, 31)),
        table(date(2025, 1, 1), None),
        table(date(2017, 1, 1), date(2020, 12, 31), active=False),
    ]
    gaps = find_gaps(tables)
    assert [(g.start, g.end) for g in gaps] == [(date(2017, 1, 1), date(2024, 12, 31))]
    assert find_gaps([table(date(2013, 1, 1), date(2016, 12, 31))]) == []
