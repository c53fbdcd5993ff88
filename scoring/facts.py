"""The plain facts about one pair that sentences, oracle checks and reasons read.

Why a module of its own: the rulebook (checks and sentences), the explanations and the
reference oracle all read :class:`PairFacts`; keeping it apart lets each of them import it
without importing the others.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from scoring.inputs import HouseholdRow, Vacancy
from scoring.money import to_cents

__all__ = ["PairFacts"]


@dataclass(frozen=True)
class PairFacts:
    """Everything a sentence about one household and one vacancy may quote.

    The vectorised engine and the reference oracle each work these out on their own (the
    applied rent limit, the nearest preferred town, the distance, …), so comparing the
    sentences of both also compares the facts.
    """

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
    acceptance_chance: float | None = None
    """Estimated chance that the landlord accepts the pair (``None``: no estimate, or the
    policy does not weigh it)."""

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
