"""Great-circle distances between vacancies and town centres.

Distances are quantised to whole metres in both the vectorised engine and the reference, so
that the last-bit differences between numpy's and libm's trigonometry can never flip a
distance rule or a score.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

__all__ = ["EARTH_RADIUS_KM", "haversine_km", "haversine_km_matrix"]

EARTH_RADIUS_KM = 6371.0088


def _quantise(km: float) -> float:
    return math.floor(km * 1000.0 + 0.5) / 1000.0


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Distance in km (to the metre) between two points given in degrees."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return _quantise(2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a))))


def haversine_km_matrix(
    lat1: npt.NDArray[np.float64],
    lon1: npt.NDArray[np.float64],
    lat2: npt.NDArray[np.float64],
    lon2: npt.NDArray[np.float64],
) -> npt.NDArray[np.float64]:
    """Distances (len(lat1), len(lat2)) in km, quantised to the metre like :func:`haversine_km`."""
    p1 = np.radians(lat1)[:, None]
    p2 = np.radians(lat2)[None, :]
    dl = np.radians(lon2[None, :] - lon1[:, None])
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    km = 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(a)))
    return np.asarray(np.floor(km * 1000.0 + 0.5) / 1000.0, dtype=np.float64)
