"""Seeded synthetic data for benchmarks, demos and tests (never real people).

The towns are the 11 municipalities of Kreis Minden-Lübbecke with their KdU market types;
the rent limits are the *example* values (Beispielwerte, not official) valid from 2025-01-01.
Household sizes follow the caseload (1 person 55 %, 2: 17 %, 3: 11 %, 4: 9 %, 5+: 8 %), most
households receive Bürgergeld (sgb2).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from scoring.inputs import INCOME_BASES, PETS, STATUSES, URGENCIES, Municipalities, RentLimits

__all__ = [
    "example_market_types",
    "example_municipalities",
    "example_rent_limits",
    "synthetic_households",
    "synthetic_vacancies",
]

_TOWNS = [
    ("05770004", "Bad Oeynhausen", 52.2000, 8.8000, "I", 49566),
    ("05770008", "Espelkamp", 52.3772, 8.6328, "II", 25174),
    ("05770012", "Hille", 52.3331, 8.7500, "III", 15728),
    ("05770016", "Hüllhorst", 52.2833, 8.6667, "III", 13281),
    ("05770020", "Lübbecke", 52.3081, 8.6231, "I", 26161),
    ("05770024", "Minden", 52.2883, 8.9167, "IV", 83100),
    ("05770028", "Petershagen", 52.3833, 8.9667, "III", 25119),
    ("05770032", "Porta Westfalica", 52.2333, 8.9167, "III", 36374),
    ("05770036", "Preußisch Oldendorf", 52.3000, 8.4833, "II", 12456),
    ("05770040", "Rahden", 52.4328, 8.6133, "II", 15859),
    ("05770044", "Stemwede", 52.4167, 8.4833, "III", 13314),
]
_LIMITS = {  # EXAMPLE values: persons 1..5 and "+1"
    "I": (420.0, 500.0, 590.0, 680.0, 770.0, 90.0),
    "II": (395.0, 470.0, 555.0, 640.0, 725.0, 85.0),
    "III": (405.0, 480.0, 565.0, 650.0, 740.0, 85.0),
    "IV": (445.0, 530.0, 625.0, 720.0, 815.0, 95.0),
}


def example_municipalities() -> Municipalities:
    """The 11 towns of the Kreis with centre coordinates."""
    return Municipalities(
        ags=tuple(t[0] for t in _TOWNS),
        name=tuple(t[1] for t in _TOWNS),
        lat=np.array([t[2] for t in _TOWNS]),
        lon=np.array([t[3] for t in _TOWNS]),
    )


def example_market_types() -> dict[str, str]:
    """AGS → the town's KdU market type (I..IV) in the Kreis' concept in force since 2017."""
    return {t[0]: t[4] for t in _TOWNS}


def example_rent_limits(valid_from: dt.date = dt.date(2025, 1, 1)) -> RentLimits:
    """Example (not official) limits for the four market types, open-ended, as one table
    whose areas are the market types with their towns."""
    rows = []
    for area, values in _LIMITS.items():
        towns = ";".join(a for a, kind in example_market_types().items() if kind == area)
        for persons, value in enumerate(values, start=1):
            rows.append(
                {
                    "area": area,
                    "municipalities": towns,
                    "persons": "+1" if persons == 6 else str(persons),
                    "max_gross_cold_rent": value,
                    "max_heating_cost": 20.0 + 20.0 * persons if persons < 6 else 20.0,
                    "valid_from": valid_from,
                    "valid_to": None,
                    "is_example": True,
                }
            )
    return RentLimits.from_polars(pl.DataFrame(rows))


def synthetic_households(n: int, *, seed: int, reference_date: dt.date) -> pl.DataFrame:
    """``n`` active households as a frame with the snapshot's column names."""
    rng = np.random.default_rng(seed)
    persons = rng.choice([1, 2, 3, 4, 5], size=n, p=[0.55, 0.17, 0.11, 0.09, 0.08])
    big = persons == 5
    persons[big] += rng.geometric(0.5, size=int(big.sum())) - 1
    persons = np.minimum(persons, 10)
    income = rng.choice(len(INCOME_BASES), size=n, p=[0.70, 0.08, 0.07, 0.07, 0.08])
    budget_given = income >= 3
    budget = np.where(budget_given, rng.uniform(450, 1100, size=n).round(0), np.nan)
    ref = np.datetime64(reference_date, "D")
    has_wbs = rng.random(n) < 0.35
    wbs = ref + rng.integers(-60, 700, size=n)
    urgency = rng.choice(len(URGENCIES), size=n, p=[0.15, 0.30, 0.15, 0.20, 0.12, 0.08])
    eviction = ref + rng.integers(-10, 180, size=n)
    notice = ref - rng.integers(0, 200, size=n)
    homeless = ref - rng.integers(0, 900, size=n)
    registered = ref - rng.integers(0, 1100, size=n)
    towns = np.array([t[0] for t in _TOWNS])
    weights = np.array([t[5] for t in _TOWNS], dtype=float)
    weights /= weights.sum()
    n_pref = rng.choice([0, 1, 2, 3], size=n, p=[0.35, 0.40, 0.18, 0.07])
    picks = rng.choice(len(towns), size=(n, 3), p=weights)
    preferred = [list(dict.fromkeys(towns[picks[i, : n_pref[i]]].tolist())) for i in range(n)]
    floor_limit = rng.random(n) < 0.12
    dist = rng.random(n) < 0.2
    return pl.DataFrame(
        {
            "id": np.arange(1, n + 1, dtype=np.int64),
            "persons": persons.astype(np.int64),
            "income_basis": np.array(INCOME_BASES)[income],
            "own_max_rent": budget,
            "wbs_valid_until": pl.Series(np.where(has_wbs, wbs, np.datetime64("NaT"))),
            "needs_barrier_free": rng.random(n) < 0.08,
            "needs_wheelchair": rng.random(n) < 0.02,
            "needs_ground_floor": rng.random(n) < 0.04,
            "max_floor_without_lift": pl.Series(
                np.where(floor_limit, rng.integers(0, 3, size=n), 0), dtype=pl.Int64
            ).set(pl.Series(~floor_limit), None),
            "has_pets": rng.random(n) < 0.15,
            "preferred_ags": pl.Series(preferred, dtype=pl.List(pl.String)),
            "preferences_hard": rng.random(n) < 0.3,
            "max_distance_km": np.where(dist, rng.uniform(5, 40, size=n).round(1), np.nan),
            "urgency": np.array(URGENCIES)[urgency],
            "eviction_date": pl.Series(np.where(urgency == 5, eviction, np.datetime64("NaT"))),
            "notice_date": pl.Series(np.where(urgency == 3, notice, np.datetime64("NaT"))),
            "homeless_since": pl.Series(np.where(urgency == 4, homeless, np.datetime64("NaT"))),
            "registered_at": pl.Series(registered),
            "status": np.array(STATUSES)[rng.choice(4, size=n, p=[0.97, 0.03, 0.0, 0.0])],
        }
    ).with_columns(pl.col("own_max_rent").fill_nan(None), pl.col("max_distance_km").fill_nan(None))


def synthetic_vacancies(m: int, *, seed: int, reference_date: dt.date) -> pl.DataFrame:
    """``m`` open vacancies as a frame with the vacancy column names."""
    rng = np.random.default_rng(seed)
    weights = np.array([t[5] for t in _TOWNS], dtype=float)
    weights /= weights.sum()
    town = rng.choice(len(_TOWNS), size=m, p=weights)
    rooms = rng.choice(
        [1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 5.0],
        size=m,
        p=[0.12, 0.08, 0.3, 0.1, 0.22, 0.06, 0.09, 0.03],
    )
    area = (rooms * rng.uniform(18, 28, size=m) + 12).round(1)
    net = (area * rng.uniform(5.2, 8.5, size=m)).round(2)
    service = (area * rng.uniform(1.4, 2.6, size=m)).round(2)
    heating_known = rng.random(m) < 0.85
    heating = np.where(heating_known, (area * rng.uniform(0.9, 1.8, size=m)).round(2), np.nan)
    own_coords = rng.random(m) < 0.7
    lat = np.array([t[2] for t in _TOWNS])[town] + rng.normal(0, 0.02, size=m)
    lon = np.array([t[3] for t in _TOWNS])[town] + rng.normal(0, 0.03, size=m)
    ref = np.datetime64(reference_date, "D")
    limited = rng.random(m) < 0.15
    min_given = rng.random(m) < 0.1
    return pl.DataFrame(
        {
            "id": np.arange(1, m + 1, dtype=np.int64),
            "municipality_ags": np.array([t[0] for t in _TOWNS])[town],
            "lat": np.where(own_coords, lat.round(5), np.nan),
            "lon": np.where(own_coords, lon.round(5), np.nan),
            "rooms": rooms,
            "living_area": area,
            "floor": rng.choice(
                [-1, 0, 1, 2, 3, 4, 6], size=m, p=[0.02, 0.3, 0.28, 0.2, 0.1, 0.06, 0.04]
            ),
            "lift": rng.random(m) < 0.3,
            "barrier_free": rng.random(m) < 0.15,
            "wheelchair_accessible": rng.random(m) < 0.04,
            "net_cold_rent": net,
            "cold_service_charges": service,
            "heating_costs": heating,
            "available_from": pl.Series(ref + rng.integers(0, 120, size=m)),
            "wbs_required": rng.random(m) < 0.3,
            "pets": np.array(PETS)[rng.choice(3, size=m, p=[0.3, 0.3, 0.4])],
            "min_persons": pl.Series(np.where(min_given, 2, 0), dtype=pl.Int64).set(
                pl.Series(~min_given), None
            ),
            "max_persons": pl.Series(
                np.where(limited, np.maximum(rooms.astype(int) + 1, 2), 0), dtype=pl.Int64
            ).set(pl.Series(~limited), None),
        }
    ).with_columns(
        pl.col("lat").fill_nan(None),
        pl.col("lon").fill_nan(None),
        pl.col("heating_costs").fill_nan(None),
    )
