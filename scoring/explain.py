"""German sentences for exclusions, warnings and components, and the funnel.

Sentences are built from :class:`PairFacts`: plain values that the vectorised engine and the
reference oracle each work out on their own (the applied rent limit, the nearest preferred
town, the distance, …). Comparing the sentences of both therefore also compares those facts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from scoring.codes import COMPONENT_LABELS, Component, Rule, WarningCode
from scoring.formatting import (
    format_area,
    format_cents,
    format_date,
    format_floor,
    format_km,
    format_number,
    format_persons,
)
from scoring.inputs import INCOME_BASES, KDU_INCOME_BASES, HouseholdRow, Vacancy
from scoring.money import optional_cents, to_cents
from scoring.policy import Policy
from scoring.results import ComponentScore, Funnel, FunnelStep, Reason
from scoring.rules import MIN_AREA_PER_PERSON, WBS_MINOR_OVERRUN, wbs_entitled_area

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

_STATUS_DE = {
    "active": "aktiv",
    "paused": "pausiert",
    "housed": "versorgt",
    "closed": "geschlossen",
}


@dataclass(frozen=True)
class PairFacts:
    """Everything a sentence about one household and one vacancy may quote."""

    household: HouseholdRow
    vacancy: Vacancy
    reference_date: dt.date
    town_name: str
    preferred_town_names: tuple[str, ...]
    rent_limit_cents: int | None
    """Applied max Bruttokaltmiete in cents (``None``: no limit recorded)."""
    heating_limit_cents: int | None
    rent_limit_valid_from: dt.date | None
    in_preferred: bool
    nearest_town: str | None
    distance_km: float | None

    @property
    def gross_cold_rent_cents(self) -> int:
        return to_cents(self.vacancy.gross_cold_rent)

    @property
    def warm_rent_cents(self) -> int:
        return to_cents(self.vacancy.warm_rent)

    @property
    def budget_cents(self) -> int | None:
        budget = self.household.own_max_rent
        return None if budget is None else to_cents(budget)


def _rooms(value: float) -> str:
    text = format_number(value, 1, trim=True)
    return f"{text} Zimmer"


def _days(n: int) -> str:
    return "1 Tag" if n == 1 else f"{n} Tagen" if n else "0 Tagen"


def exclusion_sentence(rule: Rule, f: PairFacts) -> str:
    """German sentence explaining why ``rule`` excludes the pair, with the numbers."""
    h, v = f.household, f.vacancy
    persons = format_persons(h.persons)
    if rule is Rule.NOT_ACTIVE:
        return f"Der Haushalt ist nicht aktiv (Status: {_STATUS_DE.get(h.status, h.status)})."
    if rule is Rule.ALREADY_PROPOSED:
        return "Der Haushalt ist für diese Wohnung bereits vorgeschlagen."
    if rule is Rule.DECLINED_BEFORE:
        return "Für diese Wohnung gab es mit diesem Haushalt schon eine Absage."
    if rule is Rule.HOUSEHOLD_TOO_LARGE:
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
        text = "; ".join(parts)
        return f"Haushalt zu groß: {text}."
    if rule is Rule.HOUSEHOLD_TOO_SMALL:
        return (
            f"Die Wohnung ist für mindestens {format_persons(v.min_persons or 0)} vorgesehen, "
            f"der Haushalt hat {persons}."
        )
    if rule is Rule.RENT_LIMIT_UNKNOWN:
        return (
            f"Für {persons} in {f.town_name} ist zum {format_date(v.available_from)} keine "
            "Angemessenheitsgrenze hinterlegt; ob Jobcenter oder Sozialamt die Miete "
            "übernehmen, lässt sich nicht prüfen."
        )
    if rule is Rule.RENT_ABOVE_LIMIT:
        since = (
            f" (gültig ab {format_date(f.rent_limit_valid_from)})"
            if f.rent_limit_valid_from
            else ""
        )
        return (
            f"Bruttokaltmiete {format_cents(f.gross_cold_rent_cents)} liegt über der "
            f"Angemessenheitsgrenze von {format_cents(f.rent_limit_cents or 0)} für {persons} in "
            f"{f.town_name}{since}."
        )
    if rule is Rule.RENT_ABOVE_BUDGET:
        budget = format_cents(f.budget_cents or 0)
        if v.heating_costs is None:
            return (
                f"Bruttokaltmiete {format_cents(f.gross_cold_rent_cents)} (Heizkosten nicht "
                f"angegeben) liegt über dem eigenen Budget von {budget} Warmmiete."
            )
        warm = format_cents(f.warm_rent_cents)
        return f"Warmmiete {warm} liegt über dem eigenen Budget von {budget}."
    if rule is Rule.WBS_MISSING:
        if h.wbs_valid_until is None:
            return "Die Wohnung erfordert einen Wohnberechtigungsschein; der Haushalt hat keinen."
        return (
            f"Die Wohnung erfordert einen Wohnberechtigungsschein; der WBS des Haushalts gilt nur "
            f"bis {format_date(h.wbs_valid_until)}, die Wohnung ist ab "
            f"{format_date(v.available_from)} frei."
        )
    if rule is Rule.WBS_SIZE:
        return (
            f"Mit {format_area(v.living_area)} ist die WBS-Wohnung größer als die für {persons} "
            f"angemessene Fläche von {format_area(wbs_entitled_area(h.persons))} "
            f"(zuzüglich {format_area(WBS_MINOR_OVERRUN)} Toleranz)."
        )
    if rule is Rule.NOT_BARRIER_FREE:
        return "Der Haushalt braucht eine barrierefreie Wohnung; diese ist nicht barrierefrei."
    if rule is Rule.NOT_WHEELCHAIR_ACCESSIBLE:
        return "Der Haushalt braucht eine rollstuhlgerechte Wohnung; diese ist es nicht."
    if rule is Rule.FLOOR_NOT_REACHABLE:
        where = format_floor(v.floor)
        if h.needs_ground_floor and v.floor != 0:
            return f"Der Haushalt braucht eine Wohnung im Erdgeschoss; diese liegt im {where}."
        limit = format_floor(h.max_floor_without_lift or 0)
        return (
            f"Ohne Aufzug ist für den Haushalt höchstens das {limit} erreichbar; die Wohnung "
            f"liegt im {where} und hat keinen Aufzug."
        )
    if rule is Rule.PETS_NOT_ALLOWED:
        return "Der Haushalt hat Haustiere; in dieser Wohnung sind keine Haustiere erlaubt."
    if rule is Rule.OUTSIDE_AREA:
        parts = []
        if h.preferences_hard and h.preferred_ags and not f.in_preferred:
            names = ", ".join(f.preferred_town_names)
            parts.append(f"{f.town_name} gehört nicht zu den gewünschten Kommunen ({names})")
        if (
            h.max_distance_km is not None
            and f.distance_km is not None
            and f.distance_km > h.max_distance_km
        ):
            parts.append(
                f"die Wohnung liegt {format_km(f.distance_km)} von der nächsten gewünschten "
                f"Kommune ({f.nearest_town}) entfernt, gewünscht sind höchstens "
                f"{format_km(h.max_distance_km)}"
            )
        text = "; ".join(parts)
        return text[:1].upper() + text[1:] + "."
    raise ValueError(f"unknown rule {rule!r}")


def warning_sentence(code: WarningCode, f: PairFacts) -> str:
    """German sentence for a warning."""
    if code is WarningCode.HEATING_ABOVE_LIMIT:
        return _heating_above_limit_sentence(
            optional_cents(f.vacancy.heating_costs), f.heating_limit_cents or 0, f.household.persons
        )
    if code is WarningCode.HEATING_UNKNOWN:
        return _heating_unknown_sentence(f.budget_cents or 0, f.gross_cold_rent_cents)
    if code is WarningCode.PETS_ON_REQUEST:
        return _PETS_ON_REQUEST
    raise ValueError(f"unknown warning {code!r}")


_PETS_ON_REQUEST = "Haustiere sind nur nach Absprache mit dem Vermieter erlaubt."


def _heating_above_limit_sentence(heating: int, limit: int, persons: int) -> str:
    """Amounts in cents."""
    return (
        f"Heizkosten {format_cents(heating)} liegen über dem Richtwert "
        f"von {format_cents(limit)} für {format_persons(persons)}; Jobcenter oder "
        "Sozialamt prüfen sie gesondert."
    )


def _heating_unknown_sentence(budget: int, gross_cold_rent: int) -> str:
    """Amounts in cents."""
    return (
        "Heizkosten sind nicht angegeben; mit dem eigenen Budget von "
        f"{format_cents(budget)} verglichen wurde die "
        f"Bruttokaltmiete {format_cents(gross_cold_rent)}."
    )


def warning_sentence_from_key(key: tuple[Any, ...]) -> str | None:
    """The sentence of a warning key ``(code, …values)`` as built by the ranking, or ``None``
    when the key does not carry all the sentence reads (amounts in cents, negative = none)."""
    code = key[0]
    if code is WarningCode.HEATING_ABOVE_LIMIT and len(key) == 4:
        heating, limit = key[1], key[2]
        return _heating_above_limit_sentence(max(heating, 0), max(limit, 0), key[3])
    if code is WarningCode.HEATING_UNKNOWN and len(key) == 3:
        return _heating_unknown_sentence(max(key[1], 0), key[2])
    if code is WarningCode.PETS_ON_REQUEST:
        return _PETS_ON_REQUEST
    return None


def exclusion_reasons(rules: list[Rule], f: PairFacts) -> tuple[Reason, ...]:
    """Reasons for the failed ``rules`` (in rule order)."""
    return tuple(Reason(r.value, exclusion_sentence(r, f)) for r in Rule if r in rules)


def warning_reasons(codes: list[WarningCode], f: PairFacts) -> tuple[Reason, ...]:
    """Reasons for the raised warnings (in code order)."""
    if not codes:
        return ()
    return tuple(Reason(c.value, warning_sentence(c, f)) for c in WarningCode if c in codes)


def component_reason(component: Component, f: PairFacts, policy: Policy) -> str:
    """Short German reason for a component's points."""
    h, v = f.household, f.vacancy
    ref = f.reference_date
    if component is Component.URGENCY:
        if h.urgency == "eviction_scheduled":
            if h.eviction_date is None:
                return "Räumungstermin angesetzt (Datum nicht erfasst)"
            left = (h.eviction_date - ref).days
            when = (
                "heute" if left == 0 else f"in {_days(left)}" if left > 0 else f"vor {_days(-left)}"
            )
            return f"Räumungstermin am {format_date(h.eviction_date)} ({when})"
        if h.urgency == "homeless":
            if h.homeless_since is None:
                return "Wohnungslos (seit wann, ist nicht erfasst)"
            days = max((ref - h.homeless_since).days, 0)
            return f"Wohnungslos seit {format_date(h.homeless_since)} ({days} Tage)"
        if h.urgency == "notice_received":
            on = f" am {format_date(h.notice_date)}" if h.notice_date else ""
            return f"Kündigung erhalten{on}"
        return {
            "inadequate_housing": "Unzumutbare Wohnverhältnisse",
            "threatened": "Drohender Wohnungsverlust",
        }.get(h.urgency, "Keine besondere Dringlichkeit")
    if component is Component.WAITING:
        days = max((ref - h.registered_at).days, 0)
        return (
            f"Registriert seit {format_date(h.registered_at)}: {days} Tage Wartezeit "
            f"(volle Punkte ab {policy.waiting.saturation_days} Tagen)"
        )
    if component is Component.SIZE_FIT:
        return _size_reason(h.persons, v.living_area, v.rooms)
    if component is Component.LOCATION:
        return _location_reason(f.in_preferred, f.town_name, f.distance_km, f.nearest_town)
    if component is Component.AFFORDABILITY:
        return _affordability_reason(
            h.income_basis in KDU_INCOME_BASES,
            f.budget_cents,
            f.rent_limit_cents,
            f.gross_cold_rent_cents,
            f.warm_rent_cents,
            v.heating_costs is not None,
        )
    raise ValueError(f"unknown component {component!r}")


def _size_reason(persons: int, area: float, rooms: float) -> str:
    return (
        f"{format_area(area)} und {_rooms(rooms)} für "
        f"{format_persons(persons)}; angemessen sind etwa "
        f"{format_area(wbs_entitled_area(persons))} und {_rooms(persons)}"
    )


def _location_reason(
    in_preferred: bool, town_name: str, distance_km: float | None, nearest_town: str | None
) -> str:
    if in_preferred:
        return f"Liegt in der gewünschten Kommune {town_name}"
    if distance_km is not None:
        return (
            f"{town_name}, {format_km(distance_km)} von der nächsten gewünschten "
            f"Kommune ({nearest_town})"
        )
    return "Keine Ortswünsche angegeben"


def _affordability_reason(
    kdu: bool,
    budget: int | None,
    rent_limit: int | None,
    gross_cold_rent: int,
    warm_rent: int,
    heating_known: bool,
) -> str:
    """Amounts in cents (exact gaps: "genau auf" means to the cent)."""
    parts = []
    if rent_limit is not None and kdu:
        gap = rent_limit - gross_cold_rent
        parts.append(
            f"Bruttokaltmiete {format_cents(gross_cold_rent)} liegt "
            + (f"{format_cents(gap)} unter" if gap > 0 else "genau auf")
            + f" der Angemessenheitsgrenze von {format_cents(rent_limit)}"
        )
    if budget is not None:
        label = "Warmmiete" if heating_known else "Bruttokaltmiete"
        gap = budget - warm_rent
        parts.append(
            f"{label} {format_cents(warm_rent)} liegt "
            + (f"{format_cents(gap)} unter" if gap > 0 else "genau auf")
            + f" dem eigenen Budget von {format_cents(budget)}"
        )
    return "; ".join(parts) if parts else "Weder Angemessenheitsgrenze noch eigenes Budget"


_KDU_CODES = tuple(b in KDU_INCOME_BASES for b in INCOME_BASES)
"""By income-basis code: whether KdU limits apply."""


def component_reason_from_key(key: tuple[Any, ...]) -> str | None:
    """The reason of a ranking page key (see ``scoring.rank._PageFacts.reason_keys``) when
    the key itself carries everything the reason reads, else ``None``."""
    tag = key[0]
    if tag == "#s":
        return _size_reason(key[1], key[2], key[3])
    if tag == "#l":
        return _location_reason(key[1], key[2], key[3], key[4])
    if tag == "#a":
        return _affordability_reason(_KDU_CODES[key[1]], key[2], key[3], key[5], key[6], key[7])
    return None


COMPONENTS: tuple[Component, ...] = tuple(Component)


def _reason_keys(f: PairFacts) -> tuple[tuple[object, ...], ...]:
    """Per component, everything :func:`component_reason` reads (for memoisation)."""
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
    )


class ReasonCache:
    """Builds component rows, reusing sentences shared by many pairs of one page.

    Use one cache per (policy, reference date); the keys hold everything else a sentence
    reads, so the ranking keeps one per snapshot between calls.
    """

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self.weights = [policy.weights.of(c) for c in COMPONENTS]
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
        reasons, objects = self._reasons, self._objects
        out = []
        f: PairFacts | None = None
        for i, key in enumerate(keys):
            text = reasons.get(key)
            if text is None:
                text = component_reason_from_key(key)
                if text is None:
                    if f is None:
                        f = facts(row)
                    text = component_reason(COMPONENTS[i], f, self.policy)
                reasons[key] = text
            value, points = values[i], hundredths[i]
            if value == 0.0:  # not shared: 0.0 and -0.0 are equal keys
                out.append(
                    ComponentScore(
                        COMPONENTS[i], _LABELS[i], self.weights[i], value, points / 100, text
                    )
                )
                continue
            object_key = (i, value, points, text)
            score = objects.get(object_key)
            if score is None:
                score = objects[object_key] = ComponentScore(
                    COMPONENTS[i], _LABELS[i], self.weights[i], value, points / 100, text
                )
            out.append(score)  # type: ignore[arg-type]
        return tuple(out)

    def warning(
        self,
        code: WarningCode,
        key: tuple[object, ...],
        facts: Callable[[int], PairFacts],
        row: int,
    ) -> Reason:
        """The (shared) warning reason for ``key`` (everything the sentence of ``code``
        reads); ``facts(row)`` is only called when it is not cached yet."""
        reason = self._objects.get(key)
        if reason is None:
            text = warning_sentence_from_key(key)
            if text is None:
                text = warning_sentence(code, facts(row))
            reason = self._objects[key] = Reason(code.value, text)
        return reason  # type: ignore[return-value]

    def component_scores(
        self, values: list[float], hundredths: list[int], f: PairFacts
    ) -> tuple[ComponentScore, ...]:
        """Component rows (value, weight, rounded points, reason) in component order."""
        out = []
        reasons = self._reasons
        for i, key in enumerate(_reason_keys(f)):
            text = reasons.get(key)
            if text is None:
                component = COMPONENTS[i]
                text = reasons[key] = component_reason(component, f, self.policy)
            out.append(
                ComponentScore(
                    COMPONENTS[i],
                    _LABELS[i],
                    self.weights[i],
                    values[i],
                    hundredths[i] / 100,
                    text,
                )
            )
        return tuple(out)


_LABELS = [COMPONENT_LABELS[c] for c in COMPONENTS]


def component_scores(
    values: Mapping[Component, float],
    hundredths: Mapping[Component, int],
    f: PairFacts,
    policy: Policy,
) -> tuple[ComponentScore, ...]:
    """Component rows (value, weight, rounded points, reason) in component order."""
    return ReasonCache(policy).component_scores(
        [float(values[c]) for c in COMPONENTS], [int(hundredths[c]) for c in COMPONENTS], f
    )


def build_funnel(unit: str, total: int, eligible: int, excluded: Mapping[Rule, int]) -> Funnel:
    """Funnel over every rule (zero counts included), in rule order."""
    steps = tuple(FunnelStep(rule=r, label=r.label, excluded=int(excluded.get(r, 0))) for r in Rule)
    return Funnel(unit=unit, total=total, eligible=eligible, steps=steps)
