"""Location check against the municipality reference data (pure; the data is passed in).

Without coordinates, the postal code gives the municipality and its centre coordinates; a postal
code outside the Kreis is rejected; a postal code that contradicts the given town is reported
(warning, not rejected).
"""

from __future__ import annotations

import csv
import math
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import msgspec

from matching.intake.records import RowIssue

#: The region name used in messages ("… liegt nicht im Kreis Minden-Lübbecke").
DEFAULT_REGION = "Kreis Minden-Lübbecke"
#: Given coordinates farther than this from the municipality centre are reported (warning).
MAX_DISTANCE_KM = 25.0

DEFAULT_LABELS: Mapping[str, str] = {
    "postal_code": "PLZ",
    "town": "Ort",
    "lat": "Breitengrad",
    "lon": "Längengrad",
}


class Municipality(msgspec.Struct, frozen=True, kw_only=True):
    ags: str
    name: str
    postal_codes: tuple[str, ...]
    lat: float
    lon: float


def _get(obj: Any, name: str) -> Any:
    if isinstance(obj, Mapping):
        return obj[name]
    return getattr(obj, name)


def as_municipality(obj: Any) -> Municipality:
    """Accept a :class:`Municipality`, a mapping or any object with the attributes
    ``ags``, ``name``, ``postal_codes`` (list or ``;``-separated string), ``lat``, ``lon``."""
    if isinstance(obj, Municipality):
        return obj
    codes = _get(obj, "postal_codes")
    if isinstance(codes, str):
        codes = codes.replace(",", ";").split(";")
    return Municipality(
        ags=str(_get(obj, "ags")).strip(),
        name=str(_get(obj, "name")).strip(),
        postal_codes=tuple(str(c).strip().zfill(5) for c in codes if str(c).strip()),
        lat=float(_get(obj, "lat")),
        lon=float(_get(obj, "lon")),
    )


def town_key(name: str) -> str:
    """Normalise a town name for comparison (case, umlauts, ß, ``Pr.`` abbreviation)."""
    text = unicodedata.normalize("NFKC", name).casefold()
    for src, dst in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.replace(src, dst)
    text = text.replace("pr.", "preussisch ").replace("-", " ")
    return " ".join("".join(c if c.isalnum() else " " for c in text).split())


class MunicipalityIndex:
    """Lookup tables over the reference municipalities (build once per file)."""

    def __init__(self, municipalities: Iterable[Any], region: str = DEFAULT_REGION) -> None:
        self.items: tuple[Municipality, ...] = tuple(as_municipality(m) for m in municipalities)
        self.region = region
        self.by_postal_code: dict[str, list[Municipality]] = {}
        self.by_name: dict[str, Municipality] = {}
        for m in self.items:
            for code in m.postal_codes:
                self.by_postal_code.setdefault(code, []).append(m)
            self.by_name[town_key(m.name)] = m

    def named_in(self, town: str) -> Municipality | None:
        """The municipality whose name the town text names (``Minden-Dankersen`` → Minden)."""
        key = town_key(town)
        if key in self.by_name:
            return self.by_name[key]
        best: Municipality | None = None
        best_len = 0
        padded = f" {key} "
        for name_key, m in self.by_name.items():
            if f" {name_key} " in padded and len(name_key) > best_len:
                best, best_len = m, len(name_key)
        return best


def load_municipalities_csv(path: str | Path) -> list[Municipality]:
    """Read ``ags,name,postal_codes,lat,lon,…`` (postal codes ``;``-separated)."""
    with Path(path).open(encoding="utf-8-sig", newline="") as fh:
        return [as_municipality(row) for row in csv.DictReader(fh)]


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(a)))


class LocationResult(NamedTuple):
    ags: str | None
    lat: float | None
    lon: float | None
    issues: list[RowIssue]


def resolve_location(
    postal_code: str,
    town: str | None,
    lat: float | None,
    lon: float | None,
    municipalities: Sequence[Any] | MunicipalityIndex,
    *,
    row: int = 0,
    labels: Mapping[str, str] | None = None,
) -> LocationResult:
    """Map a postal code (and town, coordinates) to the municipality's AGS and coordinates.

    Returns ``(ags, lat, lon, issues)``: an error issue when the postal code is outside the
    Kreis (``ags`` is then ``None``), a warning when the town names another municipality of the
    Kreis or the coordinates lie far from the municipality; missing coordinates become the
    municipality centre.
    """
    index = (
        municipalities
        if isinstance(municipalities, MunicipalityIndex)
        else MunicipalityIndex(municipalities)
    )
    names = {**DEFAULT_LABELS, **(labels or {})}
    issues: list[RowIssue] = []
    candidates = index.by_postal_code.get(postal_code.strip(), [])
    if not candidates:
        issues.append(
            RowIssue(
                row=row,
                field=names["postal_code"],
                message=f"PLZ {postal_code} liegt nicht im {index.region}",
                code="outside_area",
                key="postal_code",
            )
        )
        return LocationResult(None, lat, lon, issues)

    named = index.named_in(town) if town else None
    if named is not None and named in candidates:
        chosen = named
    elif len(candidates) > 1 and lat is not None and lon is not None:
        chosen = min(candidates, key=lambda m: distance_km(lat, lon, m.lat, m.lon))
    else:
        chosen = candidates[0]
    if named is not None and named not in candidates:
        issues.append(
            RowIssue(
                row=row,
                field=names["town"],
                message=(
                    f"Ort „{town}“ passt nicht zur PLZ {postal_code} ({chosen.name}); "
                    f"übernommen wird {chosen.name} – bitte prüfen"
                ),
                severity="warning",
                code="town_mismatch",
                key="town",
            )
        )
    if lat is None or lon is None:
        return LocationResult(chosen.ags, chosen.lat, chosen.lon, issues)
    km = distance_km(lat, lon, chosen.lat, chosen.lon)
    if km > MAX_DISTANCE_KM:
        issues.append(
            RowIssue(
                row=row,
                field=f"{names['lat']}/{names['lon']}",
                message=(
                    f"Die Koordinaten liegen {km:.0f} km vom Ortszentrum {chosen.name} entfernt "
                    "– bitte prüfen"
                ),
                severity="warning",
                code="coordinates_far",
                key="lat",
            )
        )
    return LocationResult(chosen.ags, lat, lon, issues)
