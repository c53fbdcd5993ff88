"""The hard rules and warnings, vectorised over a pair axis.

Each rule is one boolean expression over :class:`~scoring.pairs.PairArrays`, defined with the
rest of the rule in :mod:`scoring.rulebook`; ``True`` means the pair fails the rule. Missing
optional numbers are NaN, and comparisons with NaN are false (the NaN warnings are silenced
here, once for all checks). Money is integer cents with ``NO_AMOUNT`` (negative) for "none".
"""

from __future__ import annotations

import numpy as np

from scoring.codes import Rule, WarningCode
from scoring.masks import Bool, full_mask
from scoring.pairs import MIN_AREA_PER_PERSON, WBS_MINOR_OVERRUN, PairArrays
from scoring.rulebook import RULEBOOK, Rulebook, wbs_entitled_area

__all__ = [
    "MIN_AREA_PER_PERSON",
    "WBS_MINOR_OVERRUN",
    "evaluate_rules",
    "evaluate_warnings",
    "wbs_entitled_area",
]


def evaluate_rules(p: PairArrays, rulebook: Rulebook = RULEBOOK) -> dict[Rule, Bool]:
    """Failure mask of every rule, in rulebook order (a pair may fail several).

    Masks may be read-only broadcast views; never write into them.
    """
    with np.errstate(invalid="ignore"):
        masks = [(rule.code, rule.check(p)) for rule in rulebook.rules]
    return {code: full_mask(mask, p.size) for code, mask in masks}


def evaluate_warnings(p: PairArrays, rulebook: Rulebook = RULEBOOK) -> dict[WarningCode, Bool]:
    """Warning masks (never exclusions), in rulebook order."""
    with np.errstate(invalid="ignore"):
        masks = [(warning.code, warning.check(p)) for warning in rulebook.warnings]
    return {code: full_mask(mask, p.size) for code, mask in masks}
