"""Arbitrary input never raises: every parser returns a ParseResult (rows or clean errors)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matching.intake import MunicipalityIndex, ParseResult, load_municipalities_csv
from matching.intake.columns import HEADERS
from matching.intake.openimmo import parse_openimmo
from matching.intake.tabular import parse_csv, parse_xlsx

ROOT = Path(__file__).resolve().parents[3]
INDEX = MunicipalityIndex(
    load_municipalities_csv(ROOT / "src/matching/reference/municipalities.csv")
)
TODAY = date(2026, 5, 1)
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _check(result: ParseResult) -> None:
    assert isinstance(result, ParseResult)
    if result.errors:
        assert result.rows == []
        assert all(e.message for e in result.errors)
    for row in result.rows:
        assert row.record is None or not row.rejected
        for issue in row.issues:
            assert issue.message
            assert issue.field


@SETTINGS
@given(st.binary(max_size=2000))
def test_csv_arbitrary_bytes(data: bytes) -> None:
    _check(parse_csv(data, today=TODAY, locator=INDEX))


cell = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        [
            "ja",
            "nein",
            "x",
            "32423",
            "97084",
            "2,5",
            "1.234,50",
            "sofort",
            "=1+1",
            "31.12.2026",
            "2026-02-30",
            "-1",
            '"',
            ";",
            "\n",
            "löschen",
            "auf Anfrage",
        ]
    ),
)


@SETTINGS
@given(
    st.lists(st.sampled_from(HEADERS), min_size=1, max_size=12, unique=True),
    st.lists(st.lists(cell, max_size=14), max_size=6),
    st.sampled_from([";", ",", "\t"]),
    st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]),
)
def test_csv_structured(header: list[str], rows: list[list[str]], sep: str, encoding: str) -> None:
    lines = [sep.join(header)] + [sep.join(r) for r in rows]
    text = "\n".join(lines)
    data = text.encode(encoding, errors="replace")
    _check(parse_csv(data, today=TODAY, locator=INDEX))


@SETTINGS
@given(st.binary(max_size=2000))
def test_openimmo_arbitrary_bytes(data: bytes) -> None:
    _check(parse_openimmo(data, today=TODAY, locator=INDEX))


names = st.sampled_from(
    [
        "openimmo",
        "uebertragung",
        "anbieter",
        "immobilie",
        "geo",
        "plz",
        "preise",
        "nettokaltmiete",
        "kaltmiete",
        "flaechen",
        "wohnflaeche",
        "anzahl_zimmer",
        "verwaltung_techn",
        "openimmo_obid",
        "aktion",
        "verwaltung_objekt",
        "abdatum",
        "verfuegbar_ab",
        "fahrstuhl",
        "freitexte",
        "objektbeschreibung",
        "br",
        "x",
    ]
)
texts = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=10),
    st.sampled_from(["1", "0", "true", "32423", "2,5", "ab sofort", "DELETE", "VOLL", "<br>"]),
)


@st.composite
def xml_trees(draw: st.DrawFn, depth: int = 0) -> str:
    name = draw(names)
    attrs = draw(
        st.dictionaries(
            st.sampled_from(["umfang", "aktionart", "PERSONEN", "breitengrad", "laengengrad"]),
            texts,
            max_size=2,
        )
    )
    attr_text = "".join(
        f' {k}="{v.replace("&", "&amp;").replace("<", "&lt;").replace(chr(34), "&quot;")}"'
        for k, v in attrs.items()
    )
    if depth > 5 or draw(st.booleans()):
        body = draw(texts).replace("&", "&amp;").replace("<", "&lt;")
    else:
        body = "".join(draw(st.lists(xml_trees(depth + 1), max_size=4)))
    return f"<{name}{attr_text}>{body}</{name}>"


@SETTINGS
@given(xml_trees(), st.booleans())
def test_openimmo_structured(tree: str, wrap: bool) -> None:
    text = f"<openimmo><anbieter>{tree}</anbieter></openimmo>" if wrap else tree
    _check(parse_openimmo(text.encode(), today=TODAY, locator=INDEX))


@settings(max_examples=50, deadline=None)
@given(st.binary(max_size=500))
def test_xlsx_arbitrary_bytes(data: bytes) -> None:
    _check(parse_xlsx(b"PK\x03\x04" + data, today=TODAY, locator=INDEX))
