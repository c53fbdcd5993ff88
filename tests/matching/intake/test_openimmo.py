from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from matching.intake import ParseResult

Parse = Callable[..., ParseResult]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
TODAY = date(2026, 5, 1)  # as in conftest.py


def _doc(listings: str, *, umfang: str = "TEIL", root_attrs: str = "") -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<openimmo{root_attrs}>'
        f'<uebertragung art="ONLINE" umfang="{umfang}" version="1.2.7" sendersoftware="t" '
        'senderversion="1"/><anbieter><openimmo_anid>A</openimmo_anid><firma>F</firma>'
        f"{listings}</anbieter></openimmo>"
    )


def _listing(obid: str, extra: str = "", *, aktion: str = "") -> str:
    return (
        "<immobilie><geo><plz>32423</plz><ort>Minden</ort></geo>"
        "<preise><nettokaltmiete>400</nettokaltmiete><nebenkosten>90</nebenkosten></preise>"
        "<flaechen><wohnflaeche>50</wohnflaeche><anzahl_zimmer>2</anzahl_zimmer></flaechen>"
        "<verwaltung_objekt><abdatum>2026-06-01</abdatum></verwaltung_objekt>"
        f"{extra}<verwaltung_techn><openimmo_obid>{obid}</openimmo_obid>{aktion}"
        "<stand_vom>2026-04-30</stand_vom></verwaltung_techn></immobilie>"
    )


def test_full_transfer_fixture(parse: Parse) -> None:
    result = parse((FIXTURES / "openimmo_voll.xml").read_bytes(), "export.xml")
    assert result.ok, result.errors
    assert result.format == "openimmo"
    assert result.scope == "VOLL"
    first, second, third = result.rows
    assert [r.row for r in result.rows] == [1, 2, 3]

    a = first.record
    assert a is not None, first.issues
    assert first.issues == []
    assert a.external_id == "TESTANID01_M-1001_1001"
    assert a.net_cold_rent == 412.5  # nettokaltmiete preferred over kaltmiete
    assert (a.cold_service_charges, a.heating_costs, a.deposit) == (117.5, 70.0, 1237.5)
    assert (a.rooms, a.living_area, a.floor) == (2.5, 58.4, 2)
    assert (a.lift, a.barrier_free, a.wheelchair_accessible) == (True, True, False)
    assert a.wbs_required is True
    assert a.pets == "no"
    assert a.max_persons == 3
    assert a.available_from == date(2026, 7, 1)  # abdatum wins over free text
    assert (a.street, a.house_number, a.postal_code, a.town) == (
        "Marienstraße",
        "12a",
        "32423",
        "Minden",
    )
    assert (a.lat, a.lon) == (52.2901, 8.9102)
    assert a.municipality_ags == "05770024"
    assert a.title == "Helle 2,5-Zimmer-Wohnung mit Aufzug"
    assert a.description == "Ruhige Lage.\nBad mit Dusche.\nKeller."

    b = second.record
    assert b is not None, second.issues
    assert b.external_id == "L-2002"  # objektnr_intern when openimmo_obid is missing
    assert (b.net_cold_rent, b.cold_service_charges) == (480.0, 1050.0)  # decimal commas
    assert b.heating_costs == 0.0  # heizkosten_enthalten
    assert b.deposit == 1440.0  # "3 Monatskaltmieten"
    assert b.living_area == 74.9
    assert b.available_from == TODAY  # "ab sofort"
    assert (b.pets, b.wbs_required, b.lift, b.floor) == ("yes", False, False, 0)
    assert b.postal_code == "32312"  # geo/plz, not kontaktperson/plz

    assert third.action == "delete"
    assert third.record is None
    assert third.issues == []
    assert result.deletions == ["TESTANID01_M-3003_3003"]


def test_partial_transfer_latin1_with_namespace(parse: Parse) -> None:
    result = parse((FIXTURES / "openimmo_teil_latin1_ns.xml").read_bytes(), "teil.xml")
    assert result.ok, result.errors
    assert result.scope == "TEIL"
    assert result.encoding == "iso-8859-1"
    [row] = result.rows
    rec = row.record
    assert rec is not None, row.issues
    assert rec.title == "Gemütliche Dachgeschosswohnung"
    assert rec.street == "Weserstraße"
    assert rec.description == "Schräge Wände, große Fenster."
    assert rec.available_from == date(2026, 8, 15)
    assert rec.pets == "on_request"
    assert rec.municipality_ags == "05770004"
    assert row.action == "upsert"


def test_prefixed_namespace_and_any_order(parse: Parse) -> None:
    listing = (
        "<oi:immobilie><oi:verwaltung_techn><oi:objektnr_extern>9</oi:objektnr_extern>"
        "</oi:verwaltung_techn><oi:flaechen><oi:anzahl_zimmer>1,5</oi:anzahl_zimmer>"
        "<oi:wohnflaeche>40</oi:wohnflaeche></oi:flaechen><oi:preise>"
        "<oi:nebenkosten>80</oi:nebenkosten><oi:kaltmiete>300</oi:kaltmiete></oi:preise>"
        "<oi:verwaltung_objekt><oi:verfuegbar_ab>01.09.2026</oi:verfuegbar_ab>"
        "</oi:verwaltung_objekt><oi:geo><oi:plz>32339</oi:plz></oi:geo></oi:immobilie>"
    )
    xml = (
        '<?xml version="1.0"?><oi:openimmo xmlns:oi="http://www.openimmo.de">'
        '<oi:uebertragung umfang="TEIL"/><oi:anbieter>'
        f"{listing}</oi:anbieter></oi:openimmo>"
    )
    result = parse(xml, "x.xml")
    assert result.ok, result.errors
    rec = result.records[0]
    assert (rec.external_id, rec.rooms, rec.net_cold_rent) == ("9", 1.5, 300.0)
    assert rec.available_from == date(2026, 9, 1)
    assert rec.municipality_ags == "05770008"


@pytest.mark.parametrize(
    ("aktion", "action"),
    [
        ('<aktion aktionart="DELETE"/>', "delete"),
        ('<aktion aktionart="CHANGE"/>', "upsert"),
        ("<aktion/>", "upsert"),
        ("", "upsert"),
        ('<aktion aktionart="REFERENZ"/>', "delete"),
    ],
)
def test_aktionart(parse: Parse, aktion: str, action: str) -> None:
    result = parse(_doc(_listing("X-1", aktion=aktion)), "x.xml")
    [row] = result.rows
    assert row.action == action
    assert not row.rejected
    assert (row.record is not None) == (action == "upsert")


def test_delete_with_only_ids_is_not_validated(parse: Parse) -> None:
    listing = (
        "<immobilie><verwaltung_techn><objektnr_intern>Z-9</objektnr_intern>"
        '<aktion aktionart="DELETE"/></verwaltung_techn></immobilie>'
    )
    result = parse(_doc(listing), "x.xml")
    [row] = result.rows
    assert (row.action, row.external_id, row.issues) == ("delete", "Z-9", [])


@pytest.mark.parametrize(
    ("umfang", "scope"), [("VOLL", "VOLL"), ("TEIL", "TEIL"), ("teil", "TEIL")]
)
def test_scope(parse: Parse, umfang: str, scope: str) -> None:
    assert parse(_doc(_listing("X"), umfang=umfang), "x.xml").scope == scope


def test_invalid_scope_is_rejected(parse: Parse) -> None:
    result = parse(_doc(_listing("X"), umfang="ALLES"), "x.xml")
    assert [e.code for e in result.errors] == ["invalid_scope"]
    assert result.rows == []


def test_missing_transfer_header_gives_no_scope(parse: Parse) -> None:
    xml = f"<openimmo><anbieter>{_listing('X')}</anbieter></openimmo>"
    result = parse(xml, "x.xml")
    assert result.ok
    assert result.scope is None


def test_empty_full_transfer_is_rejected(parse: Parse) -> None:
    result = parse(_doc("", umfang="VOLL"), "x.xml")
    assert [e.code for e in result.errors] == ["no_listings"]
    assert "VOLL" in result.errors[0].message


def test_missing_required_data_names_the_element(parse: Parse) -> None:
    listing = (
        "<immobilie><geo><plz/></geo><preise><kaltmiete></kaltmiete></preise>"
        "<flaechen><anzahl_zimmer>2,7</anzahl_zimmer></flaechen>"
        "<verwaltung_objekt><verfuegbar_ab>nach Vereinbarung</verfuegbar_ab>"
        "<haustiere>vielleicht</haustiere></verwaltung_objekt>"
        "<verwaltung_techn><openimmo_obid/></verwaltung_techn></immobilie>"
    )
    result = parse(_doc(listing), "x.xml")
    [row] = result.rows
    assert row.record is None
    messages = {i.field: i.message for i in row.errors}
    assert set(messages) == {
        "verwaltung_techn/openimmo_obid",
        "geo/plz",
        "flaechen/anzahl_zimmer",
        "flaechen/wohnflaeche",
        "preise/nettokaltmiete",
        "verwaltung_objekt/verfuegbar_ab",
        "verwaltung_objekt/haustiere",
    }
    assert "objektnr_intern" in messages["verwaltung_techn/openimmo_obid"]
    assert "halben Schritten" in messages["flaechen/anzahl_zimmer"]
    assert "konkretes Datum" in messages["verwaltung_objekt/verfuegbar_ab"]


def test_not_a_rental_flat(parse: Parse) -> None:
    extra = (
        '<objektkategorie><nutzungsart WOHNEN="false" GEWERBE="true"/>'
        '<vermarktungsart KAUF="true" MIETE_PACHT="false"/>'
        "<objektart><buero_praxen/></objektart></objektkategorie>"
    )
    [row] = parse(_doc(_listing("X", extra)), "x.xml").rows
    assert row.record is None
    assert {i.field for i in row.errors} == {
        "objektkategorie/vermarktungsart",
        "objektkategorie/nutzungsart",
        "objektkategorie/objektart",
    }


def test_duplicate_ids_in_file(parse: Parse) -> None:
    result = parse(_doc(_listing("D") + _listing("E") + _listing("D")), "x.xml")
    assert [r.rejected for r in result.rows] == [False, False, True]
    [issue] = result.rows[2].errors
    assert issue.code == "duplicate"
    assert "Immobilie 1" in issue.message


def test_br_elements_and_html_in_free_text(parse: Parse) -> None:
    extra = (
        "<freitexte><objekttitel>Titel &amp; mehr</objekttitel>"
        "<objektbeschreibung>Eins<br/>Zwei<br />Drei <![CDATA[<b>fett</b><br>vier &amp; "
        "fünf]]></objektbeschreibung></freitexte>"
    )
    rec = parse(_doc(_listing("X", extra)), "x.xml").records[0]
    assert rec.title == "Titel & mehr"
    assert rec.description == "Eins\nZwei\nDrei fett\nvier & fünf"


def test_zip_delivery_with_images(parse: Parse) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("export.xml", _doc(_listing("Z")))
        archive.writestr("bild1.jpg", b"\xff\xd8\xff" + b"0" * 100)
    result = parse(buffer.getvalue(), "lieferung.zip")
    assert result.ok, result.errors
    assert [r.external_id for r in result.records] == ["Z"]


def test_zip_without_xml(parse: Parse) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("bild1.jpg", b"\xff\xd8\xff")
    result = parse(buffer.getvalue(), "lieferung.zip")
    assert [e.code for e in result.errors] == ["zip_content"]
