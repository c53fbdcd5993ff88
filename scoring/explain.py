"""German sentences for exclusions, warnings and components, and the funnel.

Sentences are built from :class:`PairFacts`: plain values that the vectorised engine and the
reference oracle each work out on their own (the applied rent limit, the nearest preferred
town, the distance, …). Comparing the sentences of both therefore also compares those facts.
The sentences themselves are part of each rule's, warning's and component's one definition
(:mod:`scoring.rulebook`, :mod:`scoring.components`); this module looks them up.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from scoring.codes import Component, Rule, WarningCode
from scoring.components import (
    SCORE_COMPONENTS,
    acceptance_reason,
    active_components,
    affordability_reason,
    location_reason,
    score_component,
    size_reason,
    urgency_reason,
    waiting_reason,
)
from scoring.facts import PairFacts
from scoring.inputs import INCOME_BASES, KDU_INCOME_BASES, URGENCIES, from_day_number
from scoring.policy import Policy
from scoring.results import ComponentScore, Funnel, FunnelStep, Reason
from scoring.rulebook import RULEBOOK, Rulebook, WarningRule

__all__ = [
    "COMPONENTS",
    "PairFacts",
    "ReasonCache",
    "build_funnel",
    "component_reason",
    "component_scores",
    "exclusion_reasons",
    "exclusion_sentence",
    "warning_reasons",
    "warning_sentence",
]


def exclusion_sentence(rule: Rule, f: PairFacts, rulebook: Rulebook = RULEBOOK) -> str:
    """German sentence explaining why ``rule`` excludes the pair, with the numbers."""
    return rulebook.rule(rule).sentence(f)


def warning_sentence(code: WarningCode, f: PairFacts, rulebook: Rulebook = RULEBOOK) -> str:
    """German sentence for a warning."""
    return rulebook.warning(code).sentence(f)


def exclusion_reasons(
    rules: list[Rule], f: PairFacts, rulebook: Rulebook = RULEBOOK
) -> tuple[Reason, ...]:
    """Reasons for the failed ``rules`` (in rulebook order)."""
    return tuple(Reason(r.code.value, r.sentence(f)) for r in rulebook.rules if r.code in rules)


def warning_reasons(
    codes: list[WarningCode], f: PairFacts, rulebook: Rulebook = RULEBOOK
) -> tuple[Reason, ...]:
    """Reasons for the raised warnings (in rulebook order)."""
    if not codes:
        return ()
    return tuple(Reason(w.code.value, w.sentence(f)) for w in rulebook.warnings if w.code in codes)


def component_reason(component: Component, f: PairFacts, policy: Policy) -> str:
    """Short German reason for a component's points."""
    return score_component(component).reason(f, policy)


_KDU_CODES = tuple(b in KDU_INCOME_BASES for b in INCOME_BASES)
"""By income-basis code: whether KdU limits apply."""


def component_reason_from_key(key: tuple[Any, ...], policy: Policy) -> str | None:
    """The reason of a ranking page key (see ``scoring.rank._PageFacts.reason_keys``) when
    the key itself carries everything the reason reads, else ``None``."""
    tag = key[0]
    if tag == "#u":
        evicted, homeless, notice = (from_day_number(day) for day in key[2:5])
        return urgency_reason(URGENCIES[key[1]], evicted, homeless, notice, key[5])
    if tag == "#w":
        registered_at = from_day_number(key[1])
        if registered_at is not None:  # always recorded (validated)
            return waiting_reason(registered_at, key[2], policy)
    if tag == "#s":
        return size_reason(key[1], key[2], key[3])
    if tag == "#l":
        return location_reason(key[1], key[2], key[3], key[4])
    if tag == "#a":
        return affordability_reason(_KDU_CODES[key[1]], key[2], key[3], key[5], key[6], key[7])
    if tag == "#c":
        return acceptance_reason(key[1])
    return None


COMPONENTS: tuple[Component, ...] = tuple(c.code for c in SCORE_COMPONENTS)


def _reason_keys(f: PairFacts, policy: Policy) -> tuple[tuple[object, ...], ...]:
    """Per active component, everything :func:`component_reason` reads (for memoisation)."""
    keys = _all_reason_keys(f)
    return tuple(keys[i] for i, c in enumerate(SCORE_COMPONENTS) if c in active_components(policy))


def _all_reason_keys(f: PairFacts) -> tuple[tuple[object, ...], ...]:
    h, v = f.household, f.vacancy
    return (
        (Component.URGENCY, h.urgency, h.eviction_date, h.homeless_since, h.notice_date),
        (Component.WAITING, h.registered_at),
        (Component.SIZE_FIT, h.persons, v.living_area, v.rooms),
        (Component.LOCATION, f.in_preferred, f.town_name, f.distance_km, f.nearest_town),
        (
            Component.AFFORDABILITY,
            h.income_basis,
            f.budget_cents,
            f.rent_limit_cents,
            v.id,
            f.gross_cold_rent_cents,
            f.warm_rent_cents,
            v.heating_costs is None,
        ),
        (Component.ACCEPTANCE, f.acceptance_chance),
    )


def _check_keys(keys: tuple[tuple[object, ...], ...], expected: int) -> None:
    """One reason key per active component: one without a key would silently lose its row."""
    if len(keys) != expected:
        raise ValueError(f"{len(keys)} reason keys for {expected} components")


class ReasonCache:
    """Builds component rows, reusing sentences shared by many pairs of one page.

    Use one cache per (policy, reference date); the keys hold everything else a sentence
    reads, so the ranking keeps one per snapshot between calls.
    """

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        active = active_components(policy)
        self.codes = [c.code for c in active]
        self.labels = [c.label for c in active]
        self.weights = [policy.weights.of(c) for c in self.codes]
        self._reasons: dict[tuple[object, ...], str] = {}
        self._objects: dict[tuple[object, ...], ComponentScore | Reason] = {}

    @property
    def size(self) -> int:
        """Number of cached sentences and result objects."""
        return len(self._reasons) + len(self._objects)

    def component_rows(
        self,
        keys: tuple[tuple[object, ...], ...],
        values: list[float],
        hundredths: list[int],
        facts: Callable[[int], PairFacts],
        row: int,
    ) -> tuple[ComponentScore, ...]:
        """Component rows like :meth:`component_scores`, for a page row given by reason keys
        (``keys[i]``: everything the reason of component ``i`` reads); ``facts(row)`` is only
        called when a sentence is not cached yet. Rows are immutable and shared."""
        return self.page_rows([keys], [values], [hundredths], lambda _: facts(row))[0]

    def page_rows(
        self,
        keys: list[tuple[tuple[object, ...], ...]],
        values: list[list[float]],
        hundredths: list[list[int]],
        facts: Callable[[int], PairFacts],
    ) -> list[tuple[ComponentScore, ...]]:
        """:meth:`component_rows` of every row ``k`` of a page in one pass (``keys[k]``,
        ``values[k]``, ``hundredths[k]``, ``facts(k)``): a page is a loop of 5 × rows cache
        look-ups, so the per-row call overhead is left out."""
        reasons, objects, policy, weights = self._reasons, self._objects, self.policy, self.weights
        codes, labels = self.codes, self.labels
        out = []
        for k, row_keys in enumerate(keys):
            _check_keys(row_keys, len(codes))
            row_values, row_points = values[k], hundredths[k]
            f: PairFacts | None = None
            scores = []
            for i, key in enumerate(row_keys):
                text = reasons.get(key)
                if text is None:
                    text = component_reason_from_key(key, policy)
                    if text is None:
                        if f is None:
                            f = facts(k)
                        text = component_reason(codes[i], f, policy)
                    reasons[key] = text
                value, points = row_values[i], row_points[i]
                if value == 0.0:  # not shared: 0.0 and -0.0 are equal keys
                    scores.append(
                        ComponentScore(codes[i], labels[i], weights[i], value, points / 100, text)
                    )
                    continue
                object_key = (i, value, points, text)
                score = objects.get(object_key)
                if score is None:
                    score = objects[object_key] = ComponentScore(
                        codes[i], labels[i], weights[i], value, points / 100, text
                    )
                scores.append(score)  # type: ignore[arg-type]
            out.append(tuple(scores))
        return out

    def warning(self, warning: WarningRule, key: tuple[Any, ...]) -> Reason:
        """The (shared) reason of ``warning`` for ``key``: ``(code, *numbers)`` with the
        numbers its sentence quotes."""
        reason = self._objects.get(key)
        if reason is None:
            text = warning.text(*key[1:])
            reason = self._objects[key] = Reason(warning.code.value, text)
        return reason  # type: ignore[return-value]

    def component_scores(
        self, values: list[float], hundredths: list[int], f: PairFacts
    ) -> tuple[ComponentScore, ...]:
        """Component rows (value, weight, rounded points, reason) in component order."""
        out = []
        reasons = self._reasons
        keys = _reason_keys(f, self.policy)
        _check_keys(keys, len(self.codes))
        for i, key in enumerate(keys):
            text = reasons.get(key)
            if text is None:
                text = reasons[key] = component_reason(self.codes[i], f, self.policy)
            out.append(
                ComponentScore(
                    self.codes[i],
                    self.labels[i],
                    self.weights[i],
                    values[i],
                    hundredths[i] / 100,
                    text,
                )
            )
        return tuple(out)


def component_scores(
    values: Mapping[Component, float],
    hundredths: Mapping[Component, int],
    f: PairFacts,
    policy: Policy,
) -> tuple[ComponentScore, ...]:
    """Rows of the active components (value, weight, rounded points, reason) in order."""
    codes = [c.code for c in active_components(policy)]
    return ReasonCache(policy).component_scores(
        [float(values[c]) for c in codes], [int(hundredths[c]) for c in codes], f
    )


def build_funnel(
    unit: str,
    total: int,
    eligible: int,
    excluded: Mapping[Rule, int],
    rulebook: Rulebook = RULEBOOK,
) -> Funnel:
    """Funnel over every rule (zero counts included), in rulebook order."""
    steps = tuple(
        FunnelStep(rule=r.code, label=r.label, excluded=int(excluded.get(r.code, 0)))
        for r in rulebook.rules
    )
    return Funnel(unit=unit, total=total, eligible=eligible, steps=steps)
