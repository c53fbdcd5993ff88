"""The real-world OpenImmo samples in ../shared (skipped where that directory is absent)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from matching.intake import ParseResult

Parse = Callable[..., ParseResult]
SAMPLES = Path(__file__).resolve().parents[4] / "shared" / "samples" / "openimmo"

pytestmark = pytest.mark.skipif(
    not SAMPLES.is_dir(), reason=f"{SAMPLES} not present (shared samples are optional)"
)


def _read(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def test_wuerzburg_flat_is_mapped_and_rejected_only_for_its_postal_code(parse: Parse) -> None:
    result = parse(_read("rental-flat-wuerzburg_laravel-openimmo_example.xml"), "example.xml")
    assert result.ok, result.errors
    assert result.scope is None  # the sample has no <uebertragung>
    [row] = result.rows
    assert row.row == 1
    assert row.external_id == "8333"  # openimmo_obid is empty → objektnr_extern
    assert row.action == "upsert"
    values = row.values
    assert values["net_cold_rent"] == 940.00
    assert values["cold_service_charges"] == 322.00
    assert values["living_area"] == 72.3
    assert values["rooms"] == 2.0
    assert values["lift"] is True  # <fahrstuhl PERSONEN="true"/>
    assert values["title"] == "Reinkommen, wohlfühlen, losleben!"
    assert values["postal_code"] == "97084"
    assert values["heating_costs"] == 0.0  # heizkosten_enthalten
    assert "Zwei-Zimmer-Wohnung" in str(values["description"])  # objekt_text fallback
    assert row.record is None
    [error] = row.errors
    assert error.field == "geo/plz"
    assert error.code == "outside_area"
    assert error.message == "PLZ 97084 liegt nicht im Kreis Minden-Lübbecke"


def test_minimal_skeleton_parses_with_issues_for_empty_required_fields(parse: Parse) -> None:
    result = parse(_read("minimal-skeleton_csv_to_openimmo_MinimalOpenImmo.xml"), "min.xml")
    assert result.ok, result.errors
    assert result.scope == "VOLL"
    [row] = result.rows
    assert row.record is None
    assert row.action == "upsert"
    required = {i.field for i in row.errors if i.code == "required"}
    assert required == {
        "verwaltung_techn/openimmo_obid",
        "geo/plz",
        "flaechen/anzahl_zimmer",
        "flaechen/wohnflaeche",
        "preise/nettokaltmiete",
    }


def test_transfer_header_fragment_is_rejected_with_a_clear_reason(parse: Parse) -> None:
    result = parse(_read("uebertragung-header-teil-realworld_laravel-openimmo.xml"), "kopf.xml")
    assert not result.ok
    assert result.rows == []
    [error] = result.errors
    assert error.code == "not_openimmo"
    assert "Übertragungskopf" in error.message
    assert "<openimmo>" in error.message
