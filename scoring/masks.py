"""Boolean helpers for the vectorised checks, with scalar shortcuts.

A check returns a failure mask over the pair axis, or one numpy bool shared by all pairs. For
one vacancy most vacancy-side flags are scalars (and for one household the household-side
ones), so :func:`both` and :func:`either` skip the array pass whenever one side is a scalar:
most rules then cost nothing. :func:`full_mask` turns a result into a mask of the pair axis,
sharing one read-only broadcast per (value, size) instead of allocating.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt

__all__ = ["Bool", "both", "either", "full_mask"]

Bool: TypeAlias = npt.NDArray[np.bool_]

_SHARED: dict[tuple[bool, int], Bool] = {}


def full_mask(mask: Any, size: int) -> Bool:
    """``mask`` as a boolean array of ``size`` pairs (may be a read-only broadcast view)."""
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


def both(a: Any, b: Callable[[], Any]) -> Any:
    """``a & b()``; ``b`` is not evaluated when ``a`` is a false scalar."""
    if np.ndim(a) == 0 and not a:
        return np.False_
    value = b()
    if np.ndim(a) == 0:
        return value
    if np.ndim(value) == 0:
        return a if value else np.False_
    return a & value


def either(a: Any, b: Any) -> Any:
    """``a | b`` without an array pass when one side is a scalar."""
    if np.ndim(a) == 0:
        return np.True_ if a else b
    if np.ndim(b) == 0:
        return np.True_ if b else a
    return a | b
