"""The hard rules and warnings, vectorised over a pair axis.

Each rule is one boolean expression over :class:`~scoring.pairs.PairArrays`; ``True`` means the
pair fails the rule. Missing optional numbers are NaN, and comparisons with NaN are false, so
"no max persons" or "no distance limit" simply never fail. Money is integer cents with
``NO_AMOUNT`` (negative) for "none", so rent rules first ask whether the amount exists and
then compare exactly: a flat costing exactly the budget or the limit passes. The rules decide
conservatively: where a rule cannot be evaluated (no rent limit recorded for a household the
Jobcenter pays for) the pair is excluded, so a counselor never proposes a flat that the
Jobcenter may reject.

Choices made here (mirrored in :mod:`scoring.reference`):

* ``HOUSEHOLD_TOO_LARGE``: ``living_area < 10 m² × persons`` (WAG NRW § 10; exactly 10 m² per
  person passes) or more persons than the vacancy's max persons.
* ``WBS_SIZE``: a WBS flat may be at most 50 m² + 15 m² per further person plus the 5 m² that
  count as a minor overrun (Wohnraumnutzungsbestimmungen NRW Nr. 8.2). The alternative
  "or one room per person" is not used: the area is what the Wohnungsamt checks first.
* ``WBS_MISSING``: the WBS must be valid on ``available_from`` (valid-until on that day passes).
* ``NOT_BARRIER_FREE``: a wheelchair-accessible flat also counts as barrier-free.
* ``FLOOR_NOT_REACHABLE``: ``needs_ground_floor`` means the ground floor (floor 0) itself — a
  lift does not replace it (``max_floor_without_lift = 0`` expresses "ground floor or lift").
  ``max_floor_without_lift``: without a lift, ``|floor|`` (basements count as stairs down)
  must not exceed it.
* ``OUTSIDE_AREA``: with hard preferences the vacancy's town must be a preferred one; with a
  max distance, the distance to the nearest preferred town centre (0 inside a preferred town)
  must not exceed it; without known preferred towns the distance check is skipped.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt

from scoring.codes import Rule, WarningCode
from scoring.inputs import PETS
from scoring.pairs import (
    MIN_AREA_PER_PERSON,
    WBS_AREA_PER_FURTHER_PERSON,
    WBS_BASE_AREA,
    WBS_MINOR_OVERRUN,
    PairArrays,
)

__all__ = [
    "MIN_AREA_PER_PERSON",
    "WBS_MINOR_OVERRUN",
    "evaluate_rules",
    "evaluate_warnings",
    "wbs_entitled_area",
]

Bool: TypeAlias = npt.NDArray[np.bool_]

_PETS_NO = PETS.index("no")
_PETS_ON_REQUEST = PETS.index("on_request")


def wbs_entitled_area(persons: int) -> float:
    """Appropriate floor area in NRW: 50 m² for one person, +15 m² per further person."""
    return WBS_BASE_AREA + WBS_AREA_PER_FURTHER_PERSON * (persons - 1)


_SHARED: dict[tuple[bool, int], Bool] = {}


def _full(mask: Any, size: int) -> Bool:
    if isinstance(mask, np.ndarray) and mask.shape == (size,) and mask.dtype == np.bool_:
        return mask
    if np.ndim(mask) == 0:  # one value for all pairs: a cached read-only broadcast view
        key = (bool(mask), size)
        shared = _SHARED.get(key)
        if shared is None:
            if len(_SHARED) > 64:
                _SHARED.clear()
            shared = _SHARED[key] = np.broadcast_to(np.bool_(key[0]), (size,))
        return shared
    return np.broadcast_to(np.asarray(mask, dtype=bool), (size,))


# Boolean helpers that skip the array pass when one side is a shared scalar (for one vacancy
# most vacancy-side flags are scalars, so most rules cost nothing).
def _and(a: Any, b: Callable[[], Any]) -> Any:
    if np.ndim(a) == 0 and not a:
        return np.False_
    value = b()
    if np.ndim(a) == 0:
        return value
    if np.ndim(value) == 0:
        return a if value else np.False_
    return a & value


def _or(a: Any, b: Any) -> Any:
    if np.ndim(a) == 0:
        return np.True_ if a else b
    if np.ndim(b) == 0:
        return np.True_ if b else a
    return a | b


def evaluate_rules(p: PairArrays) -> dict[Rule, Bool]:
    """Failure mask of every rule, in :class:`Rule` order (a pair may fail several).

    Masks may be read-only broadcast views; never write into them.
    """
    with np.errstate(invalid="ignore"):
        floor = p.floor
        masks: dict[Rule, object] = {
            Rule.NOT_ACTIVE: p.inactive,
            Rule.ALREADY_PROPOSED: p.proposed,
            Rule.DECLINED_BEFORE: p.declined,
            Rule.HOUSEHOLD_TOO_LARGE: _or(
                p.living_area < p.min_area,
                np.False_ if np.isnan(p.max_persons).all() else p.persons > p.max_persons,
            ),
            Rule.HOUSEHOLD_TOO_SMALL: np.False_
            if np.isnan(p.min_persons).all()
            else p.persons < p.min_persons,
            Rule.RENT_LIMIT_UNKNOWN: _and(p.kdu, lambda: p.limit < 0),
            Rule.RENT_ABOVE_LIMIT: _and(
                p.kdu, lambda: (p.limit >= 0) & (p.gross_cold_rent > p.limit)
            ),
            Rule.RENT_ABOVE_BUDGET: (p.own_max_rent >= 0) & (p.warm_rent > p.own_max_rent),
            Rule.WBS_MISSING: _and(p.wbs_required, lambda: p.wbs_valid_until < p.available_from),
            Rule.WBS_SIZE: _and(p.wbs_required, lambda: p.living_area > p.wbs_area),
            Rule.NOT_BARRIER_FREE: _and(
                ~(p.barrier_free | p.wheelchair_accessible), lambda: p.needs_barrier_free
            ),
            Rule.NOT_WHEELCHAIR_ACCESSIBLE: _and(
                ~p.wheelchair_accessible, lambda: p.needs_wheelchair
            ),
            Rule.FLOOR_NOT_REACHABLE: _or(
                _and(floor != 0, lambda: p.needs_ground_floor),
                _and(~p.lift, lambda: np.abs(floor) > p.max_floor_without_lift),
            ),
            Rule.PETS_NOT_ALLOWED: _and(p.pets == _PETS_NO, lambda: p.has_pets),
            Rule.OUTSIDE_AREA: _or(
                _and(p.hard_outside, lambda: ~p.in_preferred),
                p.distance_km > p.max_distance_km,
            ),
        }
    return {rule: _full(mask, p.size) for rule, mask in masks.items()}


def evaluate_warnings(p: PairArrays) -> dict[WarningCode, Bool]:
    """Warning masks (never exclusions), in :class:`WarningCode` order."""
    with np.errstate(invalid="ignore"):
        masks: dict[WarningCode, object] = {
            WarningCode.HEATING_ABOVE_LIMIT: p.kdu
            & p.heating_known
            & (p.heating_limit >= 0)
            & (p.heating_costs > p.heating_limit),
            WarningCode.HEATING_UNKNOWN: ~p.heating_known & (p.own_max_rent >= 0),
            WarningCode.PETS_ON_REQUEST: p.has_pets & (p.pets == _PETS_ON_REQUEST),
        }
    return {code: _full(mask, p.size) for code, mask in masks.items()}
