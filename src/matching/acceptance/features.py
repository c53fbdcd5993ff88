"""The model's features: one definition for training, the demo rule and the ranking rows.

Only facts known when a proposal is made enter: rent against the limit or budget, size,
distance to the preferred towns, income basis, waiting time, what the consent lets the
landlord see, and the landlord. No names, free text or protected attributes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

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
    "feature_frame",
    "feature_matrix",
    "landlord_key",
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


def feature_frame(raw: pl.DataFrame, known_landlords: Sequence[int]) -> pl.DataFrame:
    """Features (columns in :data:`FEATURES` order) from the raw pair columns."""
    kdu = pl.col("income_basis").is_in(list(KDU_BASES))
    appropriate = 50.0 + 15.0 * (pl.col("persons").cast(pl.Float64) - 1.0)
    known = [int(x) for x in known_landlords]
    return raw.select(
        pl.col("income_basis").cast(pl.String),
        pl.when(pl.col("landlord_id").is_in(known))
        .then(pl.lit("L") + pl.col("landlord_id").cast(pl.String))
        .otherwise(pl.lit(OTHER_LANDLORD))
        .alias("landlord"),
        pl.when(kdu & (pl.col("rent_limit") > 0))
        .then(pl.col("gross_cold_rent") / pl.col("rent_limit") - 1.0)
        .when(~kdu & (pl.col("own_max_rent") > 0))
        .then(pl.col("warm_rent") / pl.col("own_max_rent") - 1.0)
        .otherwise(None)
        .alias("rent_margin"),
        (pl.col("living_area") / appropriate).alias("size_fit"),
        pl.col("distance_km").cast(pl.Float64),
        (pl.col("rooms") / pl.col("persons").cast(pl.Float64)).alias("rooms_per_person"),
        pl.col("waiting_days").cast(pl.Float64),
        pl.col("shares_identity").cast(pl.Float64),
        pl.col("shares_income").cast(pl.Float64),
    )


def feature_matrix(features: pl.DataFrame) -> npt.NDArray[np.object_]:
    """The features as the object matrix the pipeline takes (strings and floats, NaN = unknown).

    Why numpy and not a data frame: on a page of 50 rows the frame conversion would cost more
    than the prediction itself.
    """
    out = np.empty((features.height, len(FEATURES)), dtype=object)
    for j, name in enumerate(FEATURES):
        column = features.get_column(name)
        if name in CATEGORICAL:
            out[:, j] = column.to_numpy()
        else:
            out[:, j] = column.fill_null(np.nan).to_numpy().astype(np.float64)
    return out
