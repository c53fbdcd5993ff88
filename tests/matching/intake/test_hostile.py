"""Hostile and broken input: each is rejected cleanly, quickly and with a German message."""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from matching.intake import (
    MAX_FILE_BYTES,
    MAX_ROWS,
    FileTooLarge,
    ParseResult,
    check_size,
    parse_vacancy_file,
)
from matching.intake.openimmo import MAX_DEPTH

Parse = Callable[..., ParseResult]
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _rejected(result: ParseResult, code: str) -> str:
    assert not result.ok
    assert result.rows == []
    assert [e.code for e in result.errors] == [code]
    return result.errors[0].message


def test_billion_laughs_is_rejected_fast_with_bounded_memory(parse: Parse) -> None:
    data = (FIXTURES / "billion_laughs.xml").read_bytes()
    tracemalloc.start()
    start = time.perf_counter()
    result = parse(data, "bombe.xml")
    elapsed = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert elapsed < 1.0
    assert peak < 5 * 1024 * 1024
    message = _rejected(result, "xml_forbidden")
    assert "Dokumenttyp-Deklaration" in message
    assert "Sicherheitsgründen" in message


def test_big_bomb_padded_to_near_limit_is_rejected_fast(parse: Parse) -> None:
    bomb = (FIXTURES / "billion_laughs.xml").read_bytes()
    padding = b"<!-- " + b"x" * (MAX_FILE_BYTES - len(bomb) - 100) + b" -->\n"
    data = bomb.replace(b"<openimmo>", padding + b"<openimmo>")
    start = time.perf_counter()
    result = parse(data, "bombe.xml")
    assert time.perf_counter() - start < 1.0
    _rejected(result, "xml_forbidden")


def test_quadratic_blowup_entity_is_rejected(parse: Parse) -> None:
    entity = "A" * 50_000
    data = (
        f'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "{entity}">]>'
        f"<openimmo>{'&a;' * 1000}</openimmo>"
    )
    start = time.perf_counter()
    result = parse(data, "x.xml")
    assert time.perf_counter() - start < 1.0
    _rejected(result, "xml_forbidden")


def test_external_entity_is_rejected(parse: Parse) -> None:
    result = parse((FIXTURES / "external_entity.xml").read_bytes(), "xxe.xml")
    message = _rejected(result, "xml_forbidden")
    assert "root:" not in message


def test_external_dtd_is_rejected(parse: Parse) -> None:
    _rejected(parse((FIXTURES / "external_dtd.xml").read_bytes(), "dtd.xml"), "xml_forbidden")


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("<openimmo><anbieter><immobilie></anbieter></openimmo>", "passen nicht zusammen"),
        ("<openimmo><anbieter><immobilie><geo><plz>32423</plz>", "endet unerwartet"),
        ("<openimmo><anbieter></anbieter></openimmo><x/>", "Nach dem Ende"),
        ("<openimmo><anbieter a='1' a='2'/></openimmo>", "doppelt"),
        ("<?xml version='1.0'?>\n<openimmo>&nbsp;</openimmo>", "unbekannte Entität"),
        ("<open immo>", "ungültige Zeichen"),
    ],
)
def test_malformed_xml(parse: Parse, data: str, expected: str) -> None:
    message = _rejected(parse(data, "kaputt.xml"), "not_xml")
    assert expected in message
    assert "Zeile" in message


def test_truncated_real_document(parse: Parse) -> None:
    data = (FIXTURES / "openimmo_voll.xml").read_bytes()
    message = _rejected(parse(data[: len(data) // 2], "abgeschnitten.xml"), "not_xml")
    assert "abgeschnitten" in message or "endet" in message


def test_wrong_encoding_xml(parse: Parse) -> None:
    data = (FIXTURES / "openimmo_teil_latin1_ns.xml").read_bytes()
    data = data.replace(b'encoding="ISO-8859-1"', b'encoding="UTF-8"')
    message = _rejected(parse(data, "falsch.xml"), "encoding")
    assert "UTF-8" in message
    assert "ISO-8859-1" in message


def test_unsupported_xml_encoding(parse: Parse) -> None:
    data = b'<?xml version="1.0" encoding="EBCDIC-XY"?><openimmo/>'
    _rejected(parse(data, "x.xml"), "encoding")


def test_latin1_declared_but_utf8_content_warns(parse: Parse) -> None:
    data = (FIXTURES / "openimmo_teil_latin1_ns.xml").read_bytes().decode("iso-8859-1")
    result = parse(data.encode("utf-8"), "x.xml")
    assert result.ok
    assert [w.code for w in result.warnings] == ["encoding_suspect"]


def test_wrong_encoding_csv(parse: Parse) -> None:
    # 0x81 and 0x9d are neither UTF-8 nor defined in Windows-1252
    data = b"Externe ID;PLZ\nA;32423\n" + b"\x81\x9d\n"
    message = _rejected(parse(data, "liste.csv"), "encoding")
    assert "Zeile 3" in message
    assert "UTF-8" in message


def test_binary_garbage_as_csv(parse: Parse) -> None:
    _rejected(parse(b"\x00\x01\x02binary", "liste.csv"), "binary")


def test_not_openimmo_root(parse: Parse) -> None:
    message = _rejected(parse("<html><body/></html>", "x.xml"), "not_openimmo")
    assert "<html>" in message


def test_too_deep_nesting(parse: Parse) -> None:
    depth = MAX_DEPTH + 10
    data = "<openimmo>" + "<a>" * depth + "</a>" * depth + "</openimmo>"
    _rejected(parse(data, "tief.xml"), "too_deep")


def test_element_flood_outside_listings(parse: Parse) -> None:
    data = "<openimmo><anbieter>" + "<x/>" * 20_000 + "</anbieter></openimmo>"
    _rejected(parse(data, "flut.xml"), "too_large")


def test_element_flood_inside_listing_is_rejected_with_bounded_memory(parse: Parse) -> None:
    data = "<openimmo><anbieter><immobilie>" + "<x/>" * 3_000_000 + "</immobilie></anbieter>"
    data += "</openimmo>"
    tracemalloc.start()
    result = parse(data, "flut.xml")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    _rejected(result, "too_large")
    assert peak < 50 * 1024 * 1024


def test_oversize_file_raises_file_too_large(municipalities: list[object]) -> None:
    data = b"x" * (MAX_FILE_BYTES + 1)
    with pytest.raises(FileTooLarge) as info:
        parse_vacancy_file(data, "gross.csv", today=date(2026, 5, 1), municipalities=[])
    assert "20 MB" in str(info.value)
    assert info.value.limit == MAX_FILE_BYTES
    with pytest.raises(FileTooLarge):
        check_size(MAX_FILE_BYTES + 1)
    check_size(MAX_FILE_BYTES)


def test_too_many_rows_csv(parse: Parse) -> None:
    header = "Externe ID;PLZ;Zimmer;Wohnfläche;Nettokaltmiete;Nebenkosten;Verfügbar ab\n"
    rows = "".join(f"{i};32423;2;50;400;90;sofort\n" for i in range(MAX_ROWS + 1))
    message = _rejected(parse(header + rows, "viel.csv"), "too_many_rows")
    assert "50.000" in message


def test_too_many_listings_openimmo(parse: Parse) -> None:
    listings = "<immobilie/>" * (MAX_ROWS + 1)
    data = f"<openimmo><anbieter>{listings}</anbieter></openimmo>"
    message = _rejected(parse(data, "viel.xml"), "too_many_rows")
    assert "50.000" in message


def test_unsupported_formats(parse: Parse) -> None:
    _rejected(parse(b"%PDF-1.7 ...", "liste.pdf"), "unsupported_format")
    message = _rejected(
        parse(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64, "alt.xls"), "unsupported_format"
    )
    assert ".xlsx" in message


def test_huge_csv_field(parse: Parse) -> None:
    header = "Externe ID;PLZ;Zimmer;Wohnfläche;Nettokaltmiete;Verfügbar ab;Beschreibung\n"
    row = 'A;32423;2;50;400;sofort;"' + "x" * 200_000 + '"\n'
    message = _rejected(parse(header + row, "lang.csv"), "malformed_csv")
    assert "länger als" in message
