"""Score components (each a value in [0, 1]) and the exact rounding of points.

Only ``+ - × ÷``, ``min``/``max`` and floor are used, in the same order as in
:mod:`scoring.reference`, so both implementations produce bit-identical values.

Rounding happens once: the total is ``round(Σ value × weight)`` in hundredths of a point; the
component points are apportioned by the largest-remainder method (ties: component order), so
the displayed components always add up exactly to the displayed total.
"""

from __future__ import annotations

from typing import TypeAlias

import numpy as np
import numpy.typing as npt

from scoring.codes import Component
from scoring.inputs import NO_DAY, URGENCIES
from scoring.pairs import PairArrays
from scoring.policy import Policy

__all__ = ["apportion", "component_values", "total_hundredths"]

F64: TypeAlias = npt.NDArray[np.float64]
I64: TypeAlias = npt.NDArray[np.int64]

_EVICTION = URGENCIES.index("eviction_scheduled")
_HOMELESS = URGENCIES.index("homeless")


def _urgency_base(policy: Policy) -> F64:
    u = policy.urgency
    by_name = {
        "none": u.none,
        "threatened": u.threatened,
        "inadequate_housing": u.inadequate_housing,
        "notice_received": u.notice_received,
        "homeless": u.homeless_recent,
        "eviction_scheduled": u.eviction_far,
    }
    return np.array([by_name[c] for c in URGENCIES], dtype=np.float64)


def component_values(p: PairArrays, policy: Policy, reference_day: int) -> dict[Component, F64]:
    """Value in [0, 1] of every component for every pair (call only for passing pairs)."""
    n = p.size
    u = policy.urgency
    urgency = np.broadcast_to(_urgency_base(policy)[p.urgency], (n,)).astype(np.float64)
    # eviction: far → near over the horizon; an undated eviction counts as far
    horizon = u.eviction_horizon_days
    evict = np.asarray(p.eviction_date, dtype=np.int64)
    left = np.where(evict == NO_DAY, horizon, evict - reference_day)
    left = np.minimum(np.maximum(left, 0), horizon)
    evict_value = u.eviction_far + (u.eviction_near - u.eviction_far) * ((horizon - left) / horizon)
    # homeless: recent → long over the saturation period; unknown start counts as recent
    sat = u.homeless_saturation_days
    since = np.asarray(p.homeless_since, dtype=np.int64)
    days = np.where(since == NO_DAY, 0, reference_day - since)
    days = np.minimum(np.maximum(days, 0), sat)
    homeless_value = u.homeless_recent + (u.homeless_long - u.homeless_recent) * (days / sat)
    urgency = np.where(p.urgency == _EVICTION, evict_value, urgency)
    urgency = np.where(p.urgency == _HOMELESS, homeless_value, urgency)

    wsat = policy.waiting.saturation_days
    waited = np.minimum(np.maximum(reference_day - np.asarray(p.registered_at), 0), wsat)
    waiting = waited / wsat

    s = policy.size_fit
    persons = np.asarray(p.persons, dtype=np.int64)
    appropriate = 50.0 + 15.0 * (persons - 1)
    area_fit = np.maximum(
        0.0, 1.0 - (np.abs(p.living_area - appropriate) / appropriate) / s.area_tolerance
    )
    rooms_fit = np.maximum(0.0, 1.0 - np.abs(p.rooms - persons) / s.rooms_tolerance)
    size_fit = s.area_share * area_fit + (1.0 - s.area_share) * rooms_fit

    loc = policy.location
    with np.errstate(invalid="ignore"):
        decayed = loc.decay_km / (loc.decay_km + p.distance_km)
    location = np.where(p.in_preferred, 1.0, np.where(p.has_known_towns, decayed, loc.neutral))

    a = policy.affordability
    with np.errstate(invalid="ignore", divide="ignore"):  # money in cents, see pairs
        by_limit = np.where(p.kdu, (p.limit - p.gross_cold_rent) / p.limit, np.inf)
        by_budget = np.where(
            p.own_max_rent < 0, np.inf, (p.own_max_rent - p.warm_rent) / p.own_max_rent
        )
    headroom = np.minimum(by_limit, by_budget)
    afford = np.where(
        np.isinf(headroom), a.neutral, np.minimum(1.0, np.maximum(headroom, 0.0) / a.full_headroom)
    )
    values = {
        Component.URGENCY: urgency,
        Component.WAITING: waiting,
        Component.SIZE_FIT: size_fit,
        Component.LOCATION: location,
        Component.AFFORDABILITY: afford,
    }
    return {c: np.broadcast_to(np.asarray(v, dtype=np.float64), (n,)) for c, v in values.items()}


def total_hundredths(values: dict[Component, F64], policy: Policy) -> I64:
    """Total score in hundredths of a point, rounded once (half up)."""
    raw: F64 | float = 0.0
    for c in Component:
        raw = raw + values[c] * policy.weights.of(c)
    return np.floor(np.asarray(raw) * 100.0 + 0.5).astype(np.int64)


def apportion(values: dict[Component, F64], policy: Policy, totals: I64) -> I64:
    """Component points in hundredths, (pairs, components), summing exactly to ``totals``."""
    exact = np.stack([values[c] * policy.weights.of(c) * 100.0 for c in Component], axis=1)
    floors = np.floor(exact)
    remainder = exact - floors
    points = floors.astype(np.int64)
    missing = totals - points.sum(axis=1)
    # rank components by remainder desc, ties by component order (stable sort)
    order = np.argsort(-remainder, axis=1, kind="stable")
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(order.shape[1])[None, :].repeat(len(order), 0), 1)
    points += (ranks < missing[:, None]).astype(np.int64)
    return points
