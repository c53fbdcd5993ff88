from __future__ import annotations

import codecs
from collections.abc import Callable
from datetime import date

import pytest

from matching.intake import HEADERS, ParseResult, csv_template, export_vacancies_csv

Parse = Callable[..., ParseResult]
TODAY = date(2026, 5, 1)  # as in conftest.py

HEADER = (
    "Externe ID;Titel;Straße;Hausnummer;PLZ;Ort;Zimmer;Wohnfläche (m²);Etage;Aufzug;"
    "Barrierefrei;Rollstuhlgerecht;Nettokaltmiete (€);Nebenkosten kalt (€);Heizkosten (€);"
    "Kaution (€);Verfügbar ab;WBS erforderlich;Haustiere;Min. Personen;Max. Personen;"
    "Beschreibung"
)
ROW = (
    "A-1;Schöne Wohnung;Bäckerstraße;5;32423;Minden;2,5;54,5;1;ja;nein;x;"
    "1.234,50;110,00;65;2.469,00;31.12.2026;ja;auf Anfrage;1;3;Große Küche"
)


def test_semicolon_utf8_with_bom_decimal_comma(parse: Parse) -> None:
    result = parse(codecs.BOM_UTF8 + f"{HEADER}\r\n{ROW}\r\n".encode())
    assert result.ok, result.errors
    assert result.format == "csv"
    assert result.encoding == "utf-8"
    [row] = result.rows
    assert row.row == 2
    assert row.issues == []
    rec = row.record
    assert rec is not None
    assert rec.external_id == "A-1"
    assert rec.title == "Schöne Wohnung"
    assert rec.street == "Bäckerstraße"
    assert rec.rooms == 2.5
    assert rec.living_area == 54.5
    assert rec.floor == 1
    assert (rec.lift, rec.barrier_free, rec.wheelchair_accessible) == (True, False, True)
    assert rec.net_cold_rent == 1234.5
    assert rec.cold_service_charges == 110.0
    assert rec.heating_costs == 65.0
    assert rec.deposit == 2469.0
    assert rec.available_from == date(2026, 12, 31)
    assert rec.wbs_required is True
    assert rec.pets == "on_request"
    assert (rec.min_persons, rec.max_persons) == (1, 3)
    assert rec.municipality_ags == "05770024"
    assert (rec.lat, rec.lon) == (52.2883, 8.9167)  # municipality centre
    assert rec.action == "upsert"


def test_cp1252_umlauts(parse: Parse) -> None:
    data = f"{HEADER}\n{ROW}\n".encode("cp1252")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    result = parse(data)
    assert result.ok, result.errors
    assert result.encoding == "windows-1252"
    rec = result.records[0]
    assert rec.title == "Schöne Wohnung"
    assert rec.description == "Große Küche"


def test_comma_delimiter_with_point_decimals_and_iso_dates(parse: Parse) -> None:
    text = (
        "Externe ID,PLZ,Ort,Zimmer,Wohnfläche (m²),Nettokaltmiete (€),Nebenkosten kalt (€),"
        "Verfügbar ab\n"
        'B-1,32312,Lübbecke,3,74.9,480.00,"120,50",2026-07-01\n'
        "B-2,32312,Lübbecke,1.5,38.5,310,90,sofort\n"
    )
    result = parse(text)
    assert result.ok, result.errors
    first, second = result.records
    assert first.living_area == 74.9
    assert first.net_cold_rent == 480.0
    assert first.cold_service_charges == 120.5
    assert first.available_from == date(2026, 7, 1)
    assert second.rooms == 1.5
    assert second.available_from == TODAY


def test_unquoted_decimal_comma_in_comma_file_is_reported(parse: Parse) -> None:
    text = (
        "Externe ID,PLZ,Zimmer,Wohnfläche (m²),Nettokaltmiete (€),Verfügbar ab\n"
        "C-1,32312,2,54,5,400,01.07.2026\n"
    )
    result = parse(text)
    [row] = result.rows
    assert row.record is None
    assert any("Zellen" in i.message and "Dezimalkomma" in i.message for i in row.issues)


def test_tab_delimited_utf16_excel_unicode_text(parse: Parse) -> None:
    text = (
        "Externe ID\tPLZ\tZimmer\tWohnfläche\tKaltmiete\tNebenkosten\tVerfügbar ab\r\n"
        "T-1\t32545\t2\t50,5\t390\t95\t01.09.2026\r\n"
    )
    result = parse(text.encode("utf-16"), "export.txt")
    assert result.ok, result.errors
    assert result.encoding == "utf-16"
    assert result.records[0].municipality_ags == "05770004"


def test_excel_sep_line_and_title_row_numbers(parse: Parse) -> None:
    text = f"sep=;\n{HEADER}\n\n{ROW}\n"
    result = parse(text)
    assert result.ok, result.errors
    [row] = result.rows
    assert row.row == 3  # header = line 1, blank line 2 is skipped but counted


def test_header_aliases_and_case(parse: Parse) -> None:
    text = (
        "OBJEKTNUMMER; plz ;Wohnflaeche;Zimmeranzahl;kaltmiete;Nebenkosten;Bezugsfrei ab;"
        "Fahrstuhl\n"
        "X;32479;40;1;300;80;01.06.2026;ja\n"
    )
    result = parse(text)
    assert result.ok, result.errors
    assert result.records[0].lift is True
    assert result.records[0].municipality_ags == "05770012"


def test_missing_required_column(parse: Parse) -> None:
    result = parse("Externe ID;PLZ;Zimmer;Nettokaltmiete;Verfügbar ab\nA;32423;2;400;sofort\n")
    assert not result.ok
    assert result.rows == []
    [error] = result.errors
    assert error.code == "missing_column"
    assert "„Wohnfläche (m²)“ fehlt" in error.message


def test_header_typo_suggests_column(parse: Parse) -> None:
    result = parse(
        "Externe ID;PLZ;Zimmer;Wohnflche;Nettokaltmiete;Verfügbar ab;Aufzgu\n"
        "A;32423;2;50;400;sofort;ja\n"
    )
    assert not result.ok
    messages = [e.message for e in result.errors]
    assert any("„Wohnflche“" in m and "meinten Sie „Wohnfläche (m²)“?" in m for m in messages)
    assert any("„Aufzgu“" in m and "meinten Sie „Aufzug“?" in m for m in messages)
    assert all(e.code == "unknown_column" for e in result.errors)


def test_unknown_column_is_ignored_with_warning(parse: Parse) -> None:
    result = parse(
        "Externe ID;PLZ;Zimmer;Wohnfläche;Nettokaltmiete;Nebenkosten;Verfügbar ab;Interne Notiz\n"
        "A;32423;2;50;400;90;sofort;bla\n"
    )
    assert result.ok
    assert [w.code for w in result.warnings] == ["ignored_column"]


def test_duplicate_column(parse: Parse) -> None:
    result = parse("Externe ID;PLZ;Zimmer;Wohnfläche;Kaltmiete;Nettokaltmiete;Verfügbar ab\n")
    assert [e.code for e in result.errors] == ["duplicate_column"]


def test_every_bad_field_of_a_row_is_reported(parse: Parse) -> None:
    text = (
        "Externe ID;PLZ;Zimmer;Wohnfläche;Nettokaltmiete;Nebenkosten;Verfügbar ab;Aufzug;"
        "Haustiere;Min. Personen;Max. Personen\n"
        "A;324;2,25;-5;abc;-1;nach Vereinbarung;vielleicht;Hund;4;2\n"
        ";;;;;;;;;;\n"
        ";32423;;;;;;;;;\n"
    )
    result = parse(text)
    assert result.ok
    [bad, empty_ids] = result.rows  # the all-empty line is skipped
    assert bad.record is None
    fields = {i.field for i in bad.errors}
    assert fields == {
        "PLZ",
        "Zimmer",
        "Wohnfläche",
        "Nettokaltmiete",
        "Nebenkosten",
        "Verfügbar ab",
        "Aufzug",
        "Haustiere",
        "Max. Personen",
    }
    assert all(i.row == 2 for i in bad.issues)
    assert empty_ids.row == 4
    assert {i.field for i in empty_ids.errors} == {
        "Externe ID",
        "Zimmer",
        "Wohnfläche",
        "Nettokaltmiete",
        "Verfügbar ab",
    }
    assert all(i.code == "required" for i in empty_ids.errors)


def test_duplicate_ids_flag_later_rows(parse: Parse) -> None:
    text = (
        "Externe ID;PLZ;Zimmer;Wohnfläche;Nettokaltmiete;Nebenkosten;Verfügbar ab\n"
        "A;32423;2;50;400;90;sofort\n"
        "B;32423;2;50;400;90;sofort\n"
        "A;32423;3;70;500;90;sofort\n"
        "A;32423;3;70;500;90;sofort\n"
    )
    result = parse(text)
    assert [r.rejected for r in result.rows] == [False, False, True, True]
    for row in result.rows[2:]:
        [issue] = row.errors
        assert issue.code == "duplicate"
        assert "mehrfach" in issue.message
        assert "Zeile 2" in issue.message
    assert [r.external_id for r in result.records] == ["A", "B"]


def test_formula_cells_are_kept_as_text(parse: Parse) -> None:
    text = (
        "Externe ID;Titel;Beschreibung;PLZ;Zimmer;Wohnfläche;Nettokaltmiete;Nebenkosten;"
        "Verfügbar ab\n"
        '@A1;=HYPERLINK("http://evil.example","klick");+1+1;32423;2;50;=1+2;90;sofort\n'
        "'=B2;-Titel;'@x;32423;2;50;400;90;sofort\n"
    )
    result = parse(text)
    first, second = result.rows
    assert first.external_id == "@A1"
    assert first.values["title"] == '=HYPERLINK("http://evil.example","klick")'
    assert first.values["description"] == "+1+1"
    assert [i.field for i in first.errors] == ["Nettokaltmiete"]  # a formula is no number
    rec = second.record
    assert rec is not None
    assert rec.external_id == "=B2"
    assert rec.title == "-Titel"
    assert rec.description == "@x"
    exported = export_vacancies_csv([rec]).decode("utf-8-sig")
    line = exported.splitlines()[1]
    assert line.startswith("'=B2;'-Titel;")
    assert ";'@x;" in line


def test_delete_rows_need_only_the_id(parse: Parse) -> None:
    text = "Externe ID;PLZ;Zimmer;Wohnfläche;Nettokaltmiete;Verfügbar ab;Aktion\nA;;;;;;löschen\n"
    result = parse(text)
    [row] = result.rows
    assert row.action == "delete"
    assert row.record is None
    assert row.issues == []
    assert result.deletions == ["A"]


def test_invalid_action(parse: Parse) -> None:
    result = parse(
        "Externe ID;PLZ;Zimmer;Wohnfläche;Nettokaltmiete;Nebenkosten;Verfügbar ab;Aktion\n"
        "A;32423;2;50;400;90;sofort;vernichten\n"
    )
    assert [i.field for i in result.rows[0].errors] == ["Aktion"]


def test_missing_service_charges_column_defaults_with_file_warning(parse: Parse) -> None:
    result = parse(
        "Externe ID;PLZ;Zimmer;Wohnfläche;Nettokaltmiete;Verfügbar ab\nA;32423;2;50;400;sofort\n"
    )
    assert result.ok
    assert result.records[0].cold_service_charges == 0.0
    assert [w.code for w in result.warnings] == ["defaulted_column"]
    assert result.rows[0].issues == []


def test_warnings_do_not_reject(parse: Parse) -> None:
    result = parse(
        "Externe ID;PLZ;Ort;Zimmer;Wohnfläche;Nettokaltmiete;Nebenkosten;Verfügbar ab\n"
        "A;32423;Espelkamp;2;50;5;;sofort\n"
    )
    [row] = result.rows
    assert row.record is not None
    assert {i.code for i in row.warnings} == {"town_mismatch", "implausible", "defaulted"}
    assert row.record.municipality_ags == "05770024"


def test_postal_code_outside_kreis_is_rejected(parse: Parse) -> None:
    result = parse(
        "Externe ID;PLZ;Zimmer;Wohnfläche;Nettokaltmiete;Nebenkosten;Verfügbar ab\n"
        "A;97084;2;50;400;90;sofort\n"
    )
    [issue] = result.rows[0].errors
    assert issue.field == "PLZ"
    assert issue.message == "PLZ 97084 liegt nicht im Kreis Minden-Lübbecke"


def test_template_roundtrip(parse: Parse) -> None:
    data = csv_template()
    assert data.startswith(codecs.BOM_UTF8)
    lines = data.decode("utf-8-sig").splitlines()
    assert lines[0].split(";") == list(HEADERS)
    assert ";2,5;54,5;" in lines[1]
    assert "385,00" in lines[1]
    assert "01.08.2026" in lines[1]
    result = parse(data, "vorlage.csv")
    assert result.ok
    assert result.warnings == []
    [row] = result.rows
    assert row.issues == []


def test_export_import_roundtrip(parse: Parse) -> None:
    first = parse(codecs.BOM_UTF8 + f"{HEADER}\n{ROW}\n".encode()).records
    again = parse(export_vacancies_csv(first)).records
    assert again == first


def test_empty_and_header_only(parse: Parse) -> None:
    assert [e.code for e in parse(b"").errors] == ["empty"]
    assert [e.code for e in parse(b"\r\n\r\n").errors] == ["empty"]
    result = parse(f"{HEADER}\n")
    assert result.ok
    assert result.rows == []
    assert [w.code for w in result.warnings] == ["no_rows"]


def test_not_a_spreadsheet(parse: Parse) -> None:
    result = parse("Sehr geehrte Damen und Herren,\nanbei unsere Wohnungen.\n")
    assert not result.ok
    assert {e.code for e in result.errors} == {"missing_column"}


def test_title_line_above_header_is_skipped(parse: Parse) -> None:
    text = f"Wohnungsliste Mai 2026;;\n\n{HEADER}\n{ROW}\n"
    result = parse(text)
    assert result.ok, result.errors
    assert [r.row for r in result.rows] == [4]


def test_float_noise_is_rounded(parse: Parse) -> None:
    result = parse(
        "Externe ID;PLZ;Zimmer;Wohnfläche;Nettokaltmiete;Nebenkosten;Verfügbar ab\n"
        "A;32423;2,50000000001;54,49999999;385,004;90;sofort\n"
    )
    rec = result.records[0]
    assert (rec.rooms, rec.living_area, rec.net_cold_rent) == (2.5, 54.5, 385.0)


def test_report_csv_lists_every_issue(parse: Parse) -> None:
    from matching.intake import export_report_csv

    result = parse(
        "Externe ID;PLZ;Zimmer;Wohnfläche;Nettokaltmiete;Nebenkosten;Verfügbar ab\n"
        "=A;97084;2;50;400;90;sofort\n"
        "B;32423;2;50;400;90;sofort\n"
    )
    lines = export_report_csv(result).decode("utf-8-sig").splitlines()
    assert lines[0] == "Zeile;Externe ID;Aktion;Ergebnis;Feld;Hinweis"
    assert lines[1] == (
        "2;'=A;anlegen/ändern;abgelehnt;PLZ;PLZ 97084 liegt nicht im Kreis Minden-Lübbecke"
    )
    assert lines[2] == "3;B;anlegen/ändern;gültig;;"
