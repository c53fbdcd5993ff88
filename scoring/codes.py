"""Stable codes of the hard rules, warnings and score components.

The codes are part of the public contract (API, stored proposal snapshots, funnel); never
rename one. Everything else about a code (German label, checks, sentences, whether it may
be overridden) is its one definition in :mod:`scoring.rulebook` or :mod:`scoring.components`;
the order of the definitions must match the declaration order here (checked at import).
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Component", "Rule", "WarningCode"]


class Rule(StrEnum):
    """A hard rule; failing it excludes a pair. Declaration order is the display order."""

    NOT_ACTIVE = "NOT_ACTIVE"
    ALREADY_PROPOSED = "ALREADY_PROPOSED"
    DECLINED_BEFORE = "DECLINED_BEFORE"
    HOUSEHOLD_TOO_LARGE = "HOUSEHOLD_TOO_LARGE"
    HOUSEHOLD_TOO_SMALL = "HOUSEHOLD_TOO_SMALL"
    RENT_LIMIT_UNKNOWN = "RENT_LIMIT_UNKNOWN"
    RENT_ABOVE_LIMIT = "RENT_ABOVE_LIMIT"
    RENT_ABOVE_BUDGET = "RENT_ABOVE_BUDGET"
    WBS_MISSING = "WBS_MISSING"
    WBS_SIZE = "WBS_SIZE"
    NOT_BARRIER_FREE = "NOT_BARRIER_FREE"
    NOT_WHEELCHAIR_ACCESSIBLE = "NOT_WHEELCHAIR_ACCESSIBLE"
    FLOOR_NOT_REACHABLE = "FLOOR_NOT_REACHABLE"
    PETS_NOT_ALLOWED = "PETS_NOT_ALLOWED"
    OUTSIDE_AREA = "OUTSIDE_AREA"

    @property
    def label(self) -> str:
        """Short German label for the funnel ("140 Miete über Angemessenheitsgrenze")."""
        from scoring.rulebook import RULEBOOK  # the rulebook imports the codes

        return RULEBOOK.rule(self).label


class WarningCode(StrEnum):
    """Something a counselor should check; never excludes a pair."""

    HEATING_ABOVE_LIMIT = "HEATING_ABOVE_LIMIT"
    HEATING_UNKNOWN = "HEATING_UNKNOWN"
    PETS_ON_REQUEST = "PETS_ON_REQUEST"


class Component(StrEnum):
    """A score component; declaration order is the display and rounding tie-break order."""

    URGENCY = "urgency"
    WAITING = "waiting"
    SIZE_FIT = "size_fit"
    LOCATION = "location"
    AFFORDABILITY = "affordability"
    ACCEPTANCE = "acceptance"

    @property
    def label(self) -> str:
        """German label shown beside the points."""
        from scoring.components import score_component  # the definitions import the codes

        return score_component(self).label
