"""The acceptance chance at run time: the loaded model, its status, training and page rows.

One instance per app process (``app.state.acceptance``). The model file is re-checked at most
every :data:`RECHECK_SECONDS` so a retraining by another process is picked up. A file that is
missing, broken or trained for other features leaves the app running without the chance; the
reason is kept for the model card page (the admin sees it there).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import logging
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl
from sqlalchemy.ext.asyncio import AsyncSession
from threadpoolctl import threadpool_limits

from matching.acceptance.features import Columns, feature_columns, raw_columns
from matching.acceptance.history import PairFacts, answered_proposals, raw_row
from matching.acceptance.model import (
    ModelCard,
    ModelRefused,
    TrainedModel,
    band,
    load_model,
    save_model,
    train,
)
from matching.consent.service import covering_scopes, scopes_by_landlord
from matching.db.models import Household, Vacancy
from matching.ranking import RankingService
from matching.ranking.snapshot import ReferenceSnapshot
from scoring import Households, Municipalities, RentLimits
from scoring.inputs import INCOME_BASES, from_day_number
from scoring.money import NO_AMOUNT

__all__ = [
    "AcceptanceService",
    "AcceptanceStatus",
    "Chance",
    "PageChances",
    "model_directory",
]

log = logging.getLogger(__name__)
RECHECK_SECONDS = 30.0
EXCLUDED = "Für ein ausgeschlossenes Paar wird keine Zusage-Chance geschätzt."
NOT_TRAINED = "noch zu wenig Erfahrung: es ist noch kein Modell trainiert"


def model_directory(var_dir: Path) -> Path:
    return var_dir / "models"


@dataclass(frozen=True)
class Chance:
    """The estimated chance that the landlord accepts one proposed pair."""

    probability: float
    band: str
    model_version: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "probability": round(self.probability, 3),
            "band": self.band,
            "model_version": self.model_version,
        }


@dataclass(frozen=True)
class PageChances:
    """Chances by household (or vacancy) id; ``note`` says why there are none."""

    chances: dict[int, Chance]
    note: str | None

    def of(self, row_id: int) -> Chance | None:
        return self.chances.get(row_id)


@dataclass(frozen=True)
class AcceptanceStatus:
    """Whether the chance is shown, and if not, why (German)."""

    available: bool
    reason: str | None
    card: ModelCard | None
    problem: str | None = None
    """A model file exists but was refused (for the admin)."""


@functools.cache
def _one_openmp_thread() -> None:
    """Limit OpenMP (used by the boosted trees) to one thread in this process, once.

    Why: a page has 50 rows, far too few to share out; on a busy machine handing them to
    several threads made a prediction ten times slower (60 ms instead of 5 ms, measured).
    """
    threadpool_limits(1, user_api="openmp")


class AcceptanceService:
    def __init__(self, directory: Path) -> None:
        _one_openmp_thread()
        self.directory = directory
        self._model: TrainedModel | None = None
        self._problem: str | None = None
        self._stamp: tuple[float, float] | None = None
        self._checked = -RECHECK_SECONDS
        self._lock = asyncio.Lock()
        self._pair_facts: PairFacts | None = None

    # -- the stored model -----------------------------------------------------------------
    def _file_stamp(self) -> tuple[float, float] | None:
        try:
            return (
                (self.directory / "acceptance.skops").stat().st_mtime,
                (self.directory / "acceptance.json").stat().st_mtime,
            )
        except OSError:
            return None

    def refresh(self, *, force: bool = False) -> None:
        """(Re)load the model when its files changed; a refused file disables the chance."""
        now = time.monotonic()
        if not force and now - self._checked < RECHECK_SECONDS:
            return
        self._checked = now
        stamp = self._file_stamp()
        if not force and stamp == self._stamp:
            return
        self._stamp = stamp
        if stamp is None:
            self._model, self._problem = None, None
            return
        try:
            self._model, self._problem = load_model(self.directory), None
        except ModelRefused as exc:
            log.warning("acceptance model refused: %s", exc.reason)
            self._model, self._problem = None, exc.reason

    def status(self) -> AcceptanceStatus:
        self.refresh()
        if self._model is None:
            reason = NOT_TRAINED if self._problem is None else (f"nicht verfügbar: {self._problem}")
            return AcceptanceStatus(False, reason, None, self._problem)
        card = self._model.card
        return AcceptanceStatus(card.usable, card.reason_not_shown, card)

    def usable_model(self) -> TrainedModel | None:
        model = self._model if self.status().available else None
        return model

    def _facts(self, towns: Municipalities, limits: RentLimits) -> PairFacts:
        """Distances and limits cached while the reference tables stay the same objects."""
        cached = self._pair_facts
        if cached is None or cached.towns is not towns or cached.limits is not limits:
            cached = self._pair_facts = PairFacts(towns, limits)
        return cached

    # -- prediction -----------------------------------------------------------------------
    def predict(self, raw: pl.DataFrame | Columns) -> list[Chance] | None:
        """Chances for raw pair rows (a frame or numpy columns), or None while the model is
        not shown."""
        model = self.usable_model()
        if model is None:
            return None
        columns = raw_columns(raw) if isinstance(raw, pl.DataFrame) else raw
        proba = model.predict(feature_columns(columns, model.card.landlords))
        version = model.card.version
        return [Chance(float(p), band(float(p)), version) for p in proba]

    async def for_households(
        self,
        session: AsyncSession,
        households: Households,
        positions: npt.NDArray[np.int64],
        vacancy: Vacancy,
        towns: Municipalities,
        limits: RentLimits,
        today: dt.date,
    ) -> dict[int, Chance]:
        """Chances for ranked households (snapshot rows; -1 = not there, left out) of one
        vacancy the ranking accepted.

        Why the stored vacancy and not ``engine_vacancy``: the ranking has just checked it,
        and a second check cost half a millisecond of the page's budget (issue 14).
        """
        at = positions[positions >= 0]
        if not len(at) or self.usable_model() is None:
            return {}
        landlord_id = int(vacancy.organisation_id)
        ids = households.id[at].tolist()
        scopes = await covering_scopes(session, ids, landlord_id, today)
        facts = self._facts(towns, limits)
        # read once: ORM attribute access per row would cost more than the trees
        town, available_from = vacancy.municipality_ags, vacancy.available_from
        gross = float(vacancy.net_cold_rent) + float(vacancy.cold_service_charges)
        heating, rooms = _euros(vacancy.heating_costs), float(vacancy.rooms)
        area = float(vacancy.living_area)
        sets = households.preference_sets
        rows = [
            raw_row(
                facts,
                town=town,
                available_from=available_from,
                gross_cold_rent=gross,
                heating_costs=heating,
                rooms=rooms,
                living_area=area,
                landlord_id=landlord_id,
                persons=persons,
                income_basis=INCOME_BASES[basis],
                own_max_rent=None if cents == NO_AMOUNT else cents / 100,
                preferred=sets[group],
                registered_at=from_day_number(registered) or today,
                on=today,
                scope=scopes.get(household_id, ()),
            )
            for household_id, persons, basis, cents, group, registered in zip(
                ids,
                households.persons[at].tolist(),
                households.income_basis[at].tolist(),
                households.own_max_rent_cents[at].tolist(),
                households.preference_group[at].tolist(),
                households.registered_at[at].tolist(),
                strict=True,
            )
        ]
        chances = self.predict(raw_columns(rows)) or []
        return dict(zip(ids, chances, strict=True))

    async def for_vacancy(
        self,
        session: AsyncSession,
        ranking: RankingService,
        vacancy_id: int,
        household_ids: list[int],
        today: dt.date,
    ) -> PageChances:
        """Chances for ranked households of a vacancy the caller already read (and was
        allowed to); the note says why there are none."""
        status = self.status()
        if not status.available:
            return PageChances({}, status.reason)
        vacancy = await session.get(Vacancy, vacancy_id)  # in the identity map already
        if vacancy is None:
            return PageChances({}, None)
        # the ranking just read both in this request: no second stamp check
        table = ranking.households.cached or await ranking.households.get(session)
        ref = ranking.reference.cached or await ranking.reference.get(session)
        positions = table.positions(household_ids)
        chances = await self.for_households(
            session,
            table.data,
            positions,
            vacancy,
            ref.municipalities,
            ref.rent_limits,
            today,
        )
        return PageChances(chances, None)

    async def for_household(
        self,
        session: AsyncSession,
        ranking: RankingService,
        household_id: int,
        vacancy_ids: list[int],
        today: dt.date,
    ) -> PageChances:
        """Chances for the open flats ranked for one household (the reverse ranking)."""
        status = self.status()
        if not status.available:
            return PageChances({}, status.reason)
        household = await session.get(Household, household_id)
        if household is None or not vacancy_ids:
            return PageChances({}, None)
        table = ranking.vacancies.cached or await ranking.vacancies.get(session)
        ref = ranking.reference.cached or await ranking.reference.get(session)
        positions = [
            (v, p)
            for v, p in zip(vacancy_ids, table.positions(vacancy_ids).tolist(), strict=True)
            if p >= 0
        ]
        landlords = {v: int(table.side["organisation_id"][p]) for v, p in positions}
        scopes = await scopes_by_landlord(session, household_id, landlords.values(), today)
        facts = self._facts(ref.municipalities, ref.rent_limits)
        # read once: ORM attribute access per row would cost more than the trees
        persons, budget = household.persons, household.own_max_rent
        basis = str(getattr(household.income_basis, "value", household.income_basis))
        preferred, registered = list(household.preferred_ags or []), household.registered_at
        rows = [
            raw_row(
                facts,
                town=flat.municipality_ags,
                available_from=flat.available_from,
                gross_cold_rent=float(flat.gross_cold_rent),
                heating_costs=_euros(flat.heating_costs),
                rooms=flat.rooms,
                living_area=flat.living_area,
                landlord_id=landlords[vacancy_id],
                persons=persons,
                income_basis=basis,
                own_max_rent=None if budget is None else float(budget),
                preferred=preferred,
                registered_at=registered,
                on=today,
                scope=scopes.get(landlords[vacancy_id], ()),
            )
            for (vacancy_id, _), flat in zip(
                positions, table.data.rows([p for _, p in positions]), strict=True
            )
        ]
        chances = self.predict(raw_columns(rows)) or []
        return PageChances(dict(zip([v for v, _ in positions], chances, strict=True)), None)

    async def for_pair(
        self,
        session: AsyncSession,
        ranking: RankingService,
        eligible: bool,
        vacancy_id: int,
        household_id: int,
        today: dt.date,
    ) -> PageChances:
        """The chance for one pair of "Warum?" (none for an excluded pair)."""
        if not eligible:
            return PageChances({}, EXCLUDED)
        return await self.for_vacancy(session, ranking, vacancy_id, [household_id], today)

    # -- training -------------------------------------------------------------------------
    async def train_from(self, session: AsyncSession, now: dt.datetime | None = None) -> ModelCard:
        """Train on every answered proposal, store the model and load it; ``ValueError``
        when there is too little to learn from."""
        ref = await ReferenceSnapshot().get(session)
        history = await answered_proposals(session, PairFacts(ref.municipalities, ref.rent_limits))
        async with self._lock:
            model = await asyncio.to_thread(
                _train, history.raw, history.accepted, history.sent_at, now
            )
            save_model(model, self.directory)
            self.refresh(force=True)
        return model.card


def _euros(amount: Decimal | float | None) -> float | None:
    """An amount as a float feature (the model needs no cent-exactness, only the ratio)."""
    return None if amount is None else float(amount)


def _train(
    raw: pl.DataFrame, accepted: list[bool], sent_at: list[dt.datetime], now: dt.datetime | None
) -> TrainedModel:
    with threadpool_limits(1, user_api="openmp"):
        return train(raw, accepted, sent_at, now=now)
