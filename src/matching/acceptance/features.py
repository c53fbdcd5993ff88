"""The model's features: one definition for training, the demo rule and the ranking rows.

Only facts known when a proposal is made enter: rent against the limit or budget, size,
distance to the preferred towns, income basis, waiting time, what the consent lets the
landlord see, and the landlord. No names, free text or protected attributes.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

__all__ = [
    "CATEGORICAL",
    "FEATURES",
    "FEATURE_LABELS_DE",
    "IDENTITY_SCOPE",
    "KDU_BASES",
    "NUMERIC",
    "OTHER_LANDLORD",
    "RAW_SCHEMA",
    "Columns",
    "as_columns",
    "feature_columns",
    "feature_frame",
    "feature_matrix",
    "landlord_key",
    "raw_columns",
]

KDU_BASES = ("sgb2", "sgb12", "asylblg")
"""Income bases whose rent the Jobcenter/Sozialamt pays up to the KdU limit."""
IDENTITY_SCOPE = ("name", "phone", "email")
OTHER_LANDLORD = "andere"

RAW_SCHEMA: dict[str, type[pl.DataType]] = {
    "gross_cold_rent": pl.Float64,
    "warm_rent": pl.Float64,
    "rent_limit": pl.Float64,
    "own_max_rent": pl.Float64,
    "income_basis": pl.String,
    "persons": pl.Int64,
    "rooms": pl.Float64,
    "living_area": pl.Float64,
    "distance_km": pl.Float64,
    "waiting_days": pl.Int64,
    "shares_identity": pl.Boolean,
    "shares_income": pl.Boolean,
    "landlord_id": pl.Int64,
}
"""Raw per-pair columns every source (history query, demo, ranking page) provides."""

CATEGORICAL = ("income_basis", "landlord")
NUMERIC = (
    "rent_margin",
    "size_fit",
    "distance_km",
    "rooms_per_person",
    "waiting_days",
    "shares_identity",
    "shares_income",
)
FEATURES = CATEGORICAL + NUMERIC

FEATURE_LABELS_DE: dict[str, str] = {
    "income_basis": "Leistungsbezug (Jobcenter, Sozialamt, Wohngeld, eigenes Einkommen)",
    "landlord": "Vermieter (nur mit genug beantworteten Vorschlägen, sonst „andere“)",
    "rent_margin": "Miete im Verhältnis zur Angemessenheitsgrenze bzw. zum eigenen Budget",
    "size_fit": "Wohnfläche im Verhältnis zur angemessenen Größe des Haushalts",
    "distance_km": "Entfernung zur nächsten Wunschkommune (km)",
    "rooms_per_person": "Zimmer je Person",
    "waiting_days": "Wartezeit seit der Registrierung (Tage)",
    "shares_identity": "Einwilligung gibt Name oder Kontakt an den Vermieter frei",
    "shares_income": "Einwilligung gibt den Leistungsbezug an den Vermieter frei",
}


def landlord_key(landlord_id: int | None, known: Iterable[int]) -> str:
    """The landlord as a category: its id when it has enough history, else "andere"."""
    return (
        f"L{landlord_id}"
        if landlord_id is not None and landlord_id in set(known)
        else (OTHER_LANDLORD)
    )


Columns = dict[str, npt.NDArray[Any]]
"""Named numpy columns of equal length (raw pair columns or features; NaN = unknown)."""


def raw_columns(rows: pl.DataFrame | Sequence[Mapping[str, Any]]) -> Columns:
    """Raw pair rows (a frame of :data:`RAW_SCHEMA`, or dicts as ``raw_row`` makes them) as
    numpy columns: strings as objects, everything else as floats (null → NaN).

    Why not a data frame for a page: for its 50 rows, building and converting a frame cost
    more than the prediction (issue 14).
    """
    if isinstance(rows, pl.DataFrame):
        return {
            name: rows.get_column(name).to_numpy()
            if dtype is pl.String
            else rows.get_column(name).cast(pl.Float64).to_numpy()
            for name, dtype in RAW_SCHEMA.items()
        }
    out: Columns = {}
    for name, dtype in RAW_SCHEMA.items():
        values = [row[name] for row in rows]
        if dtype is pl.String:
            out[name] = np.array(values, dtype=object)
        else:
            out[name] = np.array([math.nan if v is None else v for v in values], dtype=np.float64)
    return out


def feature_columns(raw: Mapping[str, npt.NDArray[Any]], known_landlords: Iterable[int]) -> Columns:
    """Features (keys in :data:`FEATURES` order) from raw pair columns: the one definition
    behind training, the demo rule and the ranking rows."""
    income = raw["income_basis"]
    persons = np.asarray(raw["persons"], dtype=np.float64)
    gross, warm = raw["gross_cold_rent"], raw["warm_rent"]
    limit, budget = raw["rent_limit"], raw["own_max_rent"]
    kdu = np.fromiter((b in KDU_BASES for b in income), dtype=np.bool_, count=len(income))
    with np.errstate(divide="ignore", invalid="ignore"):
        margin = np.where(
            kdu & (limit > 0),
            gross / limit - 1.0,
            np.where(~kdu & (budget > 0), warm / budget - 1.0, math.nan),
        )
        return {
            "income_basis": np.asarray(income, dtype=object),
            "landlord": _landlord_labels(raw["landlord_id"], known_landlords),
            "rent_margin": margin,
            "size_fit": raw["living_area"] / (50.0 + 15.0 * (persons - 1.0)),
            "distance_km": np.asarray(raw["distance_km"], dtype=np.float64),
            "rooms_per_person": raw["rooms"] / persons,
            "waiting_days": np.asarray(raw["waiting_days"], dtype=np.float64),
            "shares_identity": np.asarray(raw["shares_identity"], dtype=np.float64),
            "shares_income": np.asarray(raw["shares_income"], dtype=np.float64),
        }


def _landlord_labels(ids: npt.NDArray[Any], known_landlords: Iterable[int]) -> npt.NDArray[Any]:
    """:func:`landlord_key` per row, computed once per distinct landlord (NaN: none)."""
    distinct, which = np.unique(ids, return_inverse=True)
    known = {int(x) for x in known_landlords}
    labels = [landlord_key(None if math.isnan(x) else int(x), known) for x in distinct]
    return np.array(labels, dtype=object)[which.reshape(-1)]


def feature_frame(raw: pl.DataFrame, known_landlords: Sequence[int]) -> pl.DataFrame:
    """Features (columns in :data:`FEATURES` order, null = unknown) from the raw pair columns."""
    columns = feature_columns(raw_columns(raw), known_landlords)
    return pl.DataFrame(
        [
            pl.Series(name, columns[name], dtype=pl.String)
            if name in CATEGORICAL
            else pl.Series(name, columns[name], dtype=pl.Float64, nan_to_null=True)
            for name in FEATURES
        ]
    )


def as_columns(features: pl.DataFrame) -> Columns:
    """A feature frame as numpy columns (null → NaN)."""
    return {
        name: features.get_column(name).to_numpy()
        if name in CATEGORICAL
        else features.get_column(name).fill_null(np.nan).to_numpy()
        for name in FEATURES
    }


def feature_matrix(
    features: pl.DataFrame | Mapping[str, npt.NDArray[Any]],
) -> npt.NDArray[np.object_]:
    """The features as the object matrix the pipeline takes (strings and floats, NaN = unknown)."""
    if isinstance(features, pl.DataFrame):
        features = as_columns(features)
    height = len(features[FEATURES[0]])
    out = np.empty((height, len(FEATURES)), dtype=object)
    for j, name in enumerate(FEATURES):
        column = features[name]
        out[:, j] = column if name in CATEGORICAL else np.asarray(column, dtype=np.float64)
    return out
