"""Stable codes of the hard rules, warnings and score components.

The codes are part of the public contract (API, stored proposal snapshots, funnel); never
rename one. The German labels are the short forms used in the funnel and in tables.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["COMPONENT_LABELS", "Component", "Rule", "WarningCode"]


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
        return _RULE_LABELS[self]


_RULE_LABELS: dict[Rule, str] = {
    Rule.NOT_ACTIVE: "nicht aktiv",
    Rule.ALREADY_PROPOSED: "bereits vorgeschlagen",
    Rule.DECLINED_BEFORE: "früher abgesagt",
    Rule.HOUSEHOLD_TOO_LARGE: "Haushalt zu groß für die Wohnung",
    Rule.HOUSEHOLD_TOO_SMALL: "Haushalt zu klein für die Wohnung",
    Rule.RENT_LIMIT_UNKNOWN: "keine Angemessenheitsgrenze hinterlegt",
    Rule.RENT_ABOVE_LIMIT: "Miete über Angemessenheitsgrenze",
    Rule.RENT_ABOVE_BUDGET: "Miete über eigenem Budget",
    Rule.WBS_MISSING: "kein gültiger WBS",
    Rule.WBS_SIZE: "WBS-Wohnung zu groß",
    Rule.NOT_BARRIER_FREE: "nicht barrierefrei",
    Rule.NOT_WHEELCHAIR_ACCESSIBLE: "nicht rollstuhlgerecht",
    Rule.FLOOR_NOT_REACHABLE: "Stockwerk nicht erreichbar",
    Rule.PETS_NOT_ALLOWED: "Haustiere nicht erlaubt",
    Rule.OUTSIDE_AREA: "außerhalb des Suchgebiets",
}


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

    @property
    def label(self) -> str:
        """German label shown beside the points."""
        return COMPONENT_LABELS[self]


COMPONENT_LABELS: dict[Component, str] = {
    Component.URGENCY: "Dringlichkeit",
    Component.WAITING: "Wartezeit",
    Component.SIZE_FIT: "Passende Größe",
    Component.LOCATION: "Lage",
    Component.AFFORDABILITY: "Bezahlbarkeit",
}
