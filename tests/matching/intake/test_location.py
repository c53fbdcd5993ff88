from __future__ import annotations

from matching.intake import Municipality, MunicipalityIndex, resolve_location
from matching.intake.location import as_municipality


def test_postal_code_gives_municipality_and_centre(municipalities: list[Municipality]) -> None:
    ags, lat, lon, issues = resolve_location("32427", None, None, None, municipalities)
    assert (ags, lat, lon, issues) == ("05770024", 52.2883, 8.9167, [])


def test_given_coordinates_are_kept(index: MunicipalityIndex) -> None:
    ags, lat, lon, issues = resolve_location("32423", "Minden", 52.29, 8.92, index)
    assert (ags, lat, lon, issues) == ("05770024", 52.29, 8.92, [])


def test_outside_kreis_is_an_error(index: MunicipalityIndex) -> None:
    ags, lat, lon, issues = resolve_location("97084", "Würzburg", None, None, index, row=7)
    assert (ags, lat, lon) == (None, None, None)
    [issue] = issues
    assert (issue.row, issue.field, issue.severity, issue.code) == (
        7,
        "PLZ",
        "error",
        "outside_area",
    )
    assert issue.message == "PLZ 97084 liegt nicht im Kreis Minden-Lübbecke"


def test_town_contradicting_postal_code_is_a_warning(index: MunicipalityIndex) -> None:
    ags, _, _, issues = resolve_location("32423", "Espelkamp", None, None, index)
    assert ags == "05770024"
    [issue] = issues
    assert (issue.field, issue.severity, issue.code) == ("Ort", "warning", "town_mismatch")
    assert "Espelkamp" in issue.message
    assert "32423" in issue.message


def test_districts_and_spelling_variants_are_no_contradiction(index: MunicipalityIndex) -> None:
    for town in ("Minden-Dankersen", "MINDEN", "Dankersen", "32423 Minden (Westf.)"):
        assert resolve_location("32423", town, None, None, index).issues == []
    assert resolve_location("32361", "Pr. Oldendorf", None, None, index).issues == []
    assert resolve_location("32609", "Huellhorst", None, None, index).issues == []


def test_far_coordinates_are_a_warning(index: MunicipalityIndex) -> None:
    ags, _, _, issues = resolve_location("32423", "Minden", 49.79, 9.93, index)
    assert ags == "05770024"
    [issue] = issues
    assert issue.severity == "warning"
    assert "km" in issue.message


def test_shared_postal_code_uses_town_then_coordinates() -> None:
    rows = [
        {"ags": "1", "name": "Ahausen", "postal_codes": "11111;22222", "lat": 52.0, "lon": 8.0},
        {"ags": "2", "name": "Bdorf", "postal_codes": ["22222"], "lat": 52.5, "lon": 8.5},
    ]
    index = MunicipalityIndex(rows, region="Testkreis")
    assert resolve_location("22222", "Bdorf", None, None, index).ags == "2"
    assert resolve_location("22222", None, 52.49, 8.49, index).ags == "2"
    assert resolve_location("22222", None, None, None, index).ags == "1"
    [issue] = resolve_location("33333", None, None, None, index).issues
    assert issue.message == "PLZ 33333 liegt nicht im Testkreis"


def test_accepts_objects_with_attributes() -> None:
    class Row:
        ags = "05770024"
        name = "Minden"
        postal_codes = ("32423",)
        lat = 52.2883
        lon = 8.9167

    assert as_municipality(Row()).postal_codes == ("32423",)
