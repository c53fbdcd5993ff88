"""The rulebook: every hard rule and every warning, each one definition.

A :class:`HardRule` holds everything about one rule: its stable code, the short German label
of the funnel, the vectorised check over :class:`~scoring.pairs.PairArrays`, the per-pair
oracle check in plain Python, the German sentence with its numbers, and whether a counselor
may override it with a written justification. The engine (:mod:`scoring.rules`), the
reference oracle (:mod:`scoring.reference`), the explanations and funnel
(:mod:`scoring.explain`) and the proposal workflow iterate over :data:`RULEBOOK`; adding a
rule means adding its code to :class:`~scoring.codes.Rule` (the public contract) and one
definition here, in display order (import fails otherwise). :class:`WarningRule` does the same
for warnings.

The vectorised check and the oracle check of a rule sit side by side but share no code: the
check reads the engine's pair arrays (money in integer cents, missing numbers NaN or
``NO_AMOUNT``), the oracle reads :class:`~scoring.facts.PairFacts` (Decimal euros, ``None``),
so the property tests comparing both still compare two implementations.

Choices made here (both checks of a rule follow them):

* Missing optional numbers never fail: "no max persons" or "no distance limit" pass. Rent
  rules compare exactly: a flat costing exactly the budget or the limit passes. Where a rule
  cannot be evaluated (no rent limit recorded for a household the Jobcenter pays for) the pair
  is excluded, so a counselor never proposes a flat that the Jobcenter may reject.
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

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypeAlias

import numpy as np

from scoring.codes import Rule, WarningCode
from scoring.facts import PairFacts
from scoring.formatting import (
    format_area,
    format_cents,
    format_date,
    format_floor,
    format_km,
    format_persons,
)
from scoring.inputs import KDU_INCOME_BASES, PETS
from scoring.masks import both, either
from scoring.money import from_cents, optional_cents
from scoring.pairs import (
    COLUMN_NAMES,
    MIN_AREA_PER_PERSON,
    WBS_AREA_PER_FURTHER_PERSON,
    WBS_BASE_AREA,
    WBS_MINOR_OVERRUN,
    PairArrays,
)

__all__ = [
    "RULEBOOK",
    "HardRule",
    "Rulebook",
    "WarningRule",
    "wbs_entitled_area",
]

MaskLike: TypeAlias = Any
"""A failure mask over the pair axis, or one numpy bool shared by every pair."""
VectorCheck: TypeAlias = Callable[[PairArrays], MaskLike]
OracleCheck: TypeAlias = Callable[[PairFacts, bool, bool], bool]
"""(facts, already proposed, declined before) → the pair fails the rule."""


@dataclass(frozen=True, slots=True)
class HardRule:
    """One hard rule: failing it excludes the pair."""

    code: Rule
    """Stable code (API, stored snapshots, funnel): never rename one."""
    label: str
    """Short German label for the funnel ("140 Miete über Angemessenheitsgrenze")."""
    check: VectorCheck
    """Vectorised: the failure mask over the pair axis (may be a numpy bool scalar)."""
    oracle: OracleCheck
    """Plain Python, one pair: the same decision, worked out independently."""
    sentence: Callable[[PairFacts], str]
    """German sentence explaining the exclusion, with the numbers."""
    overridable: bool = True
    """A counselor may still propose the pair with a written justification; ``False`` where
    the pair is impossible, not merely unwise."""


@dataclass(frozen=True, slots=True)
class WarningRule:
    """Something a counselor should check; never excludes a pair.

    The sentence is ``text(*numbers)``: the oracle and the explanations take the numbers from
    :class:`PairFacts`, a ranking page from the engine's pair columns (``columns`` returns
    them in the same order), so page sentences are memoised without building facts.
    """

    code: WarningCode
    check: VectorCheck
    oracle: Callable[[PairFacts], bool]
    text: Callable[..., str]
    numbers: Callable[[PairFacts], tuple[Any, ...]]
    columns: Callable[[PairArrays], tuple[Any, ...]]
    reads: frozenset[str]
    """The pair columns ``check`` and ``columns`` read (only these are gathered for the rows
    of a ranking page)."""

    def __post_init__(self) -> None:
        unknown = self.reads - COLUMN_NAMES
        if unknown:
            raise ValueError(f"{self.code}: unknown pair columns {sorted(unknown)}")

    def sentence(self, f: PairFacts) -> str:
        """German sentence for the pair ``f``."""
        return self.text(*self.numbers(f))


@dataclass(frozen=True)
class Rulebook:
    """The hard rules and warnings in display order, with lookups by code.

    Codes must be unique. The engine, oracle, explanations and funnel take a rulebook
    (default :data:`RULEBOOK`), so a test can add a rule by building a copy with one more
    definition.
    """

    rules: tuple[HardRule, ...]
    warnings: tuple[WarningRule, ...]
    _rules: dict[str, HardRule] = field(init=False, repr=False, compare=False)
    _warnings: dict[str, WarningRule] = field(init=False, repr=False, compare=False)
    warning_columns: frozenset[str] = field(init=False, repr=False, compare=False)
    """The pair columns the warnings read."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "_rules", _by_code(self.rules, "rule"))
        object.__setattr__(self, "_warnings", _by_code(self.warnings, "warning"))
        columns = frozenset[str]().union(*(w.reads for w in self.warnings))
        object.__setattr__(self, "warning_columns", columns)

    def rule(self, code: str) -> HardRule:
        """The definition of rule ``code`` (``KeyError`` if unknown)."""
        return self._rules[str(code)]

    def warning(self, code: str) -> WarningRule:
        """The definition of warning ``code`` (``KeyError`` if unknown)."""
        return self._warnings[str(code)]

    def overridable(self, code: str) -> bool:
        """Whether a written justification may override an exclusion by ``code``; an
        unknown code may not (fail closed)."""
        rule = self._rules.get(str(code))
        return rule is not None and rule.overridable


def _by_code(entries: Iterable[HardRule | WarningRule], what: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for entry in entries:
        code = str(entry.code)
        if code in out:
            raise ValueError(f"{what} {code} is defined twice")
        out[code] = entry
    return out


def wbs_entitled_area(persons: int) -> float:
    """Appropriate floor area in NRW: 50 m² for one person, +15 m² per further person."""
    return WBS_BASE_AREA + WBS_AREA_PER_FURTHER_PERSON * (persons - 1)


def _kdu(f: PairFacts) -> bool:
    """Jobcenter or Sozialamt pay the rent (KdU): their rent limit applies."""
    return f.household.income_basis in KDU_INCOME_BASES


def _joined(parts: list[str]) -> str:
    """Clauses joined with "; ", the first capitalised, ending with a full stop."""
    text = "; ".join(parts)
    return text[:1].upper() + text[1:] + "."


_STATUS_DE = {
    "active": "aktiv",
    "paused": "pausiert",
    "housed": "versorgt",
    "closed": "geschlossen",
}
_PETS_NO = PETS.index("no")
_PETS_ON_REQUEST = PETS.index("on_request")


# --- who and what history --------------------------------------------------------------------

NOT_ACTIVE = HardRule(
    Rule.NOT_ACTIVE,
    "nicht aktiv",
    check=lambda p: p.inactive,
    oracle=lambda f, proposed, declined: f.household.status != "active",
    sentence=lambda f: (
        "Der Haushalt ist nicht aktiv "
        f"(Status: {_STATUS_DE.get(f.household.status, f.household.status)})."
    ),
    overridable=False,
)

ALREADY_PROPOSED = HardRule(
    Rule.ALREADY_PROPOSED,
    "bereits vorgeschlagen",
    check=lambda p: p.proposed,
    oracle=lambda f, proposed, declined: proposed,
    sentence=lambda f: "Der Haushalt ist für diese Wohnung bereits vorgeschlagen.",
    overridable=False,
)

DECLINED_BEFORE = HardRule(
    Rule.DECLINED_BEFORE,
    "früher abgesagt",
    check=lambda p: p.declined,
    oracle=lambda f, proposed, declined: declined,
    sentence=lambda f: "Für diese Wohnung gab es mit diesem Haushalt schon eine Absage.",
)


# --- size ------------------------------------------------------------------------------------


def _too_large_check(p: PairArrays) -> MaskLike:
    return either(
        p.living_area < p.min_area,
        np.False_ if np.isnan(p.max_persons).all() else p.persons > p.max_persons,
    )


def _too_large_oracle(f: PairFacts, proposed: bool, declined: bool) -> bool:
    h, v = f.household, f.vacancy
    return v.living_area < 10.0 * h.persons or (
        v.max_persons is not None and h.persons > v.max_persons
    )


def _too_large_sentence(f: PairFacts) -> str:
    h, v = f.household, f.vacancy
    persons = format_persons(h.persons)
    parts = []
    if v.living_area < MIN_AREA_PER_PERSON * h.persons:
        per_person = format_area(v.living_area / h.persons)
        parts.append(
            f"{format_area(v.living_area)} Wohnfläche ergeben {per_person} pro Person für "
            f"{persons}; vorgeschrieben sind mindestens 10 m² pro Person (WAG NRW § 10)"
        )
    if v.max_persons is not None and h.persons > v.max_persons:
        parts.append(
            f"die Wohnung ist für höchstens {format_persons(v.max_persons)} vorgesehen, "
            f"der Haushalt hat {persons}"
        )
    return f"Haushalt zu groß: {'; '.join(parts)}."


HOUSEHOLD_TOO_LARGE = HardRule(
    Rule.HOUSEHOLD_TOO_LARGE,
    "Haushalt zu groß für die Wohnung",
    check=_too_large_check,
    oracle=_too_large_oracle,
    sentence=_too_large_sentence,
)

HOUSEHOLD_TOO_SMALL = HardRule(
    Rule.HOUSEHOLD_TOO_SMALL,
    "Haushalt zu klein für die Wohnung",
    check=lambda p: np.False_ if np.isnan(p.min_persons).all() else p.persons < p.min_persons,
    oracle=lambda f, proposed, declined: (
        f.vacancy.min_persons is not None and f.household.persons < f.vacancy.min_persons
    ),
    sentence=lambda f: (
        f"Die Wohnung ist für mindestens {format_persons(f.vacancy.min_persons or 0)} "
        f"vorgesehen, der Haushalt hat {format_persons(f.household.persons)}."
    ),
)


# --- rent --------------------------------------------------------------------------------------

RENT_LIMIT_UNKNOWN = HardRule(
    Rule.RENT_LIMIT_UNKNOWN,
    "keine Angemessenheitsgrenze hinterlegt",
    check=lambda p: both(p.kdu, lambda: p.limit < 0),
    oracle=lambda f, proposed, declined: _kdu(f) and f.rent_limit_cents is None,
    sentence=lambda f: (
        f"Für {format_persons(f.household.persons)} in {f.town_name} ist zum "
        f"{format_date(f.vacancy.available_from)} keine Angemessenheitsgrenze hinterlegt; "
        "ob Jobcenter oder Sozialamt die Miete übernehmen, lässt sich nicht prüfen."
    ),
)


def _above_limit_oracle(f: PairFacts, proposed: bool, declined: bool) -> bool:
    if not _kdu(f) or f.rent_limit_cents is None:
        return False
    return f.vacancy.gross_cold_rent > from_cents(f.rent_limit_cents)  # Decimal: exact


def _above_limit_sentence(f: PairFacts) -> str:
    since = (
        f" (gültig ab {format_date(f.rent_limit_valid_from)})" if f.rent_limit_valid_from else ""
    )
    return (
        f"Bruttokaltmiete {format_cents(f.gross_cold_rent_cents)} liegt über der "
        f"Angemessenheitsgrenze von {format_cents(f.rent_limit_cents or 0)} für "
        f"{format_persons(f.household.persons)} in {f.town_name}{since}."
    )


RENT_ABOVE_LIMIT = HardRule(
    Rule.RENT_ABOVE_LIMIT,
    "Miete über Angemessenheitsgrenze",
    check=lambda p: both(p.kdu, lambda: (p.limit >= 0) & (p.gross_cold_rent > p.limit)),
    oracle=_above_limit_oracle,
    sentence=_above_limit_sentence,
)


def _above_budget_sentence(f: PairFacts) -> str:
    budget = format_cents(f.budget_cents or 0)
    if f.vacancy.heating_costs is None:
        return (
            f"Bruttokaltmiete {format_cents(f.gross_cold_rent_cents)} (Heizkosten nicht "
            f"angegeben) liegt über dem eigenen Budget von {budget} Warmmiete."
        )
    warm = format_cents(f.warm_rent_cents)
    return f"Warmmiete {warm} liegt über dem eigenen Budget von {budget}."


RENT_ABOVE_BUDGET = HardRule(
    Rule.RENT_ABOVE_BUDGET,
    "Miete über eigenem Budget",
    check=lambda p: (p.own_max_rent >= 0) & (p.warm_rent > p.own_max_rent),
    oracle=lambda f, proposed, declined: (
        f.household.own_max_rent is not None and f.vacancy.warm_rent > f.household.own_max_rent
    ),
    sentence=_above_budget_sentence,
)


# --- Wohnberechtigungsschein -------------------------------------------------------------------


def _wbs_missing_sentence(f: PairFacts) -> str:
    valid_until = f.household.wbs_valid_until
    if valid_until is None:
        return "Die Wohnung erfordert einen Wohnberechtigungsschein; der Haushalt hat keinen."
    return (
        f"Die Wohnung erfordert einen Wohnberechtigungsschein; der WBS des Haushalts gilt nur "
        f"bis {format_date(valid_until)}, die Wohnung ist ab "
        f"{format_date(f.vacancy.available_from)} frei."
    )


WBS_MISSING = HardRule(
    Rule.WBS_MISSING,
    "kein gültiger WBS",
    check=lambda p: both(p.wbs_required, lambda: p.wbs_valid_until < p.available_from),
    oracle=lambda f, proposed, declined: (
        f.vacancy.wbs_required
        and (
            f.household.wbs_valid_until is None
            or f.household.wbs_valid_until < f.vacancy.available_from
        )
    ),
    sentence=_wbs_missing_sentence,
)

WBS_SIZE = HardRule(
    Rule.WBS_SIZE,
    "WBS-Wohnung zu groß",
    check=lambda p: both(p.wbs_required, lambda: p.living_area > p.wbs_area),
    oracle=lambda f, proposed, declined: (
        f.vacancy.wbs_required
        and f.vacancy.living_area > 50.0 + 15.0 * (f.household.persons - 1) + 5.0
    ),
    sentence=lambda f: (
        f"Mit {format_area(f.vacancy.living_area)} ist die WBS-Wohnung größer als die für "
        f"{format_persons(f.household.persons)} angemessene Fläche von "
        f"{format_area(wbs_entitled_area(f.household.persons))} "
        f"(zuzüglich {format_area(WBS_MINOR_OVERRUN)} Toleranz)."
    ),
)


# --- access and pets ---------------------------------------------------------------------------

NOT_BARRIER_FREE = HardRule(
    Rule.NOT_BARRIER_FREE,
    "nicht barrierefrei",
    check=lambda p: both(~(p.barrier_free | p.wheelchair_accessible), lambda: p.needs_barrier_free),
    oracle=lambda f, proposed, declined: (
        f.household.needs_barrier_free
        and not (f.vacancy.barrier_free or f.vacancy.wheelchair_accessible)
    ),
    sentence=lambda f: (
        "Der Haushalt braucht eine barrierefreie Wohnung; diese ist nicht barrierefrei."
    ),
)

NOT_WHEELCHAIR_ACCESSIBLE = HardRule(
    Rule.NOT_WHEELCHAIR_ACCESSIBLE,
    "nicht rollstuhlgerecht",
    check=lambda p: both(~p.wheelchair_accessible, lambda: p.needs_wheelchair),
    oracle=lambda f, proposed, declined: (
        f.household.needs_wheelchair and not f.vacancy.wheelchair_accessible
    ),
    sentence=lambda f: "Der Haushalt braucht eine rollstuhlgerechte Wohnung; diese ist es nicht.",
)


def _floor_check(p: PairArrays) -> MaskLike:
    floor = p.floor
    return either(
        both(floor != 0, lambda: p.needs_ground_floor),
        both(~p.lift, lambda: np.abs(floor) > p.max_floor_without_lift),
    )


def _floor_oracle(f: PairFacts, proposed: bool, declined: bool) -> bool:
    h, v = f.household, f.vacancy
    return (h.needs_ground_floor and v.floor != 0) or (
        not v.lift
        and h.max_floor_without_lift is not None
        and abs(v.floor) > h.max_floor_without_lift
    )


def _floor_sentence(f: PairFacts) -> str:
    h, v = f.household, f.vacancy
    where = format_floor(v.floor)
    if h.needs_ground_floor and v.floor != 0:
        return f"Der Haushalt braucht eine Wohnung im Erdgeschoss; diese liegt im {where}."
    limit = format_floor(h.max_floor_without_lift or 0)
    return (
        f"Ohne Aufzug ist für den Haushalt höchstens das {limit} erreichbar; die Wohnung "
        f"liegt im {where} und hat keinen Aufzug."
    )


FLOOR_NOT_REACHABLE = HardRule(
    Rule.FLOOR_NOT_REACHABLE,
    "Stockwerk nicht erreichbar",
    check=_floor_check,
    oracle=_floor_oracle,
    sentence=_floor_sentence,
)

PETS_NOT_ALLOWED = HardRule(
    Rule.PETS_NOT_ALLOWED,
    "Haustiere nicht erlaubt",
    check=lambda p: both(p.pets == _PETS_NO, lambda: p.has_pets),
    oracle=lambda f, proposed, declined: f.household.has_pets and f.vacancy.pets == "no",
    sentence=lambda f: (
        "Der Haushalt hat Haustiere; in dieser Wohnung sind keine Haustiere erlaubt."
    ),
)


# --- area --------------------------------------------------------------------------------------


def _too_far(f: PairFacts) -> bool:
    limit = f.household.max_distance_km
    return limit is not None and f.distance_km is not None and f.distance_km > limit


def _outside_preferred(f: PairFacts) -> bool:
    h = f.household
    return bool(h.preferences_hard and h.preferred_ags and not f.in_preferred)


def _outside_area_sentence(f: PairFacts) -> str:
    parts = []
    if _outside_preferred(f):
        names = ", ".join(f.preferred_town_names)
        parts.append(f"{f.town_name} gehört nicht zu den gewünschten Kommunen ({names})")
    if _too_far(f):
        parts.append(
            f"die Wohnung liegt {format_km(f.distance_km or 0.0)} von der nächsten gewünschten "
            f"Kommune ({f.nearest_town}) entfernt, gewünscht sind höchstens "
            f"{format_km(f.household.max_distance_km or 0.0)}"
        )
    return _joined(parts)


OUTSIDE_AREA = HardRule(
    Rule.OUTSIDE_AREA,
    "außerhalb des Suchgebiets",
    check=lambda p: either(
        both(p.hard_outside, lambda: ~p.in_preferred), p.distance_km > p.max_distance_km
    ),
    oracle=lambda f, proposed, declined: _outside_preferred(f) or _too_far(f),
    sentence=_outside_area_sentence,
)


# --- warnings ------------------------------------------------------------------------------------


def _heating_above_limit_text(heating: int, limit: int, persons: int) -> str:
    """Amounts in cents (negative: none, shown as 0)."""
    return (
        f"Heizkosten {format_cents(max(heating, 0))} liegen über dem Richtwert "
        f"von {format_cents(max(limit, 0))} für {format_persons(persons)}; Jobcenter oder "
        "Sozialamt prüfen sie gesondert."
    )


def _heating_above_limit_oracle(f: PairFacts) -> bool:
    heating, limit = f.vacancy.heating_costs, f.heating_limit_cents
    return _kdu(f) and heating is not None and limit is not None and heating > from_cents(limit)


HEATING_ABOVE_LIMIT = WarningRule(
    WarningCode.HEATING_ABOVE_LIMIT,
    check=lambda p: (
        p.kdu & p.heating_known & (p.heating_limit >= 0) & (p.heating_costs > p.heating_limit)
    ),
    oracle=_heating_above_limit_oracle,
    text=_heating_above_limit_text,
    numbers=lambda f: (
        optional_cents(f.vacancy.heating_costs),
        f.heating_limit_cents or 0,
        f.household.persons,
    ),
    columns=lambda p: (p.heating_costs, p.heating_limit, p.persons),
    reads=frozenset({"kdu", "heating_known", "heating_limit", "heating_costs", "persons"}),
)


def _heating_unknown_text(budget: int, gross_cold_rent: int) -> str:
    """Amounts in cents (a negative budget: none, shown as 0)."""
    return (
        "Heizkosten sind nicht angegeben; mit dem eigenen Budget von "
        f"{format_cents(max(budget, 0))} verglichen wurde die "
        f"Bruttokaltmiete {format_cents(gross_cold_rent)}."
    )


HEATING_UNKNOWN = WarningRule(
    WarningCode.HEATING_UNKNOWN,
    check=lambda p: ~p.heating_known & (p.own_max_rent >= 0),
    oracle=lambda f: f.vacancy.heating_costs is None and f.household.own_max_rent is not None,
    text=_heating_unknown_text,
    numbers=lambda f: (f.budget_cents or 0, f.gross_cold_rent_cents),
    columns=lambda p: (p.own_max_rent, p.gross_cold_rent),
    reads=frozenset({"heating_known", "own_max_rent", "gross_cold_rent"}),
)

PETS_ON_REQUEST = WarningRule(
    WarningCode.PETS_ON_REQUEST,
    check=lambda p: p.has_pets & (p.pets == _PETS_ON_REQUEST),
    oracle=lambda f: f.household.has_pets and f.vacancy.pets == "on_request",
    text=lambda: "Haustiere sind nur nach Absprache mit dem Vermieter erlaubt.",
    numbers=lambda f: (),
    columns=lambda p: (),
    reads=frozenset({"has_pets", "pets"}),
)


RULEBOOK = Rulebook(
    rules=(
        NOT_ACTIVE,
        ALREADY_PROPOSED,
        DECLINED_BEFORE,
        HOUSEHOLD_TOO_LARGE,
        HOUSEHOLD_TOO_SMALL,
        RENT_LIMIT_UNKNOWN,
        RENT_ABOVE_LIMIT,
        RENT_ABOVE_BUDGET,
        WBS_MISSING,
        WBS_SIZE,
        NOT_BARRIER_FREE,
        NOT_WHEELCHAIR_ACCESSIBLE,
        FLOOR_NOT_REACHABLE,
        PETS_NOT_ALLOWED,
        OUTSIDE_AREA,
    ),
    warnings=(HEATING_ABOVE_LIMIT, HEATING_UNKNOWN, PETS_ON_REQUEST),
)
"""The shipped rules and warnings, in display order."""


def require_cover(codes: Iterable[StrEnum], enum: type[StrEnum], what: str) -> None:
    """Fail at import unless ``codes`` are exactly the members of ``enum`` in their order (the
    enum is the public list of codes; the definitions must cover it once each)."""
    got, want = [str(c) for c in codes], [str(c) for c in enum]
    if got != want:
        missing = sorted(set(want) - set(got))
        extra = sorted(set(got) - set(want))
        raise RuntimeError(
            f"{what}: definitions {got} do not match the codes {want} "
            f"(missing {missing}, unknown {extra}, or out of order)"
        )


require_cover((r.code for r in RULEBOOK.rules), Rule, "hard rules")
require_cover((w.code for w in RULEBOOK.warnings), WarningCode, "warnings")
