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
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt
import polars as pl
from sqlalchemy.ext.asyncio import AsyncSession
from threadpoolctl import threadpool_limits

import scoring
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
from matching.db.models import Vacancy
from matching.ranking import RankingService
from matching.ranking.chances import UsedChances
from matching.ranking.results import HouseholdMatches, PairResult, VacancyMatches
from matching.ranking.service import engine_vacancy
from matching.ranking.snapshot import ReferenceSnapshot, ReferenceTables, Table
from scoring import HouseholdRow, Municipalities, RentLimits
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
I64: TypeAlias = npt.NDArray[np.int64]
F64: TypeAlias = npt.NDArray[np.float64]
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
        return [Chance(p, band(p), version) for p in proba.tolist()]

    async def for_vacancy(
        self, session: AsyncSession, ranking: RankingService, matches: VacancyMatches
    ) -> PageChances:
        """Chances for the households of a vacancy's ranking page; the note says why there
        are none.

        Why the ranking's result and not ids: it carries the vacancy as ranked, and the
        households come from the snapshot the ranking just read, so the page costs one
        query (the consents) besides the prediction (issue 14: ≤ 5 ms for 50 rows).
        """
        if matches.used_chances is not None:
            return _used(matches.used_chances)
        status = self.status()
        if not status.available:
            return PageChances({}, status.reason)
        ids = [row.household_id for row in matches.rows]
        return await self._households_page(
            session, ranking, matches.vacancy, matches.landlord_id, ids, matches.reference_date
        )

    async def for_household(
        self, session: AsyncSession, ranking: RankingService, matches: HouseholdMatches
    ) -> PageChances:
        """Chances for the open flats of a household's ranking page (the reverse ranking)."""
        if matches.used_chances is not None:
            return _used(matches.used_chances)
        status = self.status()
        if not status.available:
            return PageChances({}, status.reason)
        ids = [row.vacancy_id for row in matches.rows]
        return await self._flats_page(
            session, ranking, matches.household, ids, matches.reference_date
        )

    async def for_explained(
        self, session: AsyncSession, ranking: RankingService, result: PairResult
    ) -> PageChances:
        """The chance for the pair of a "Warum?" result (the one its points used, if any)."""
        e = result.explanation
        return await self.for_pair(
            session,
            ranking,
            e.eligible,
            e.vacancy_id,
            e.household_id,
            e.reference_date,
            used=result.used_chances,
        )

    async def for_pair(
        self,
        session: AsyncSession,
        ranking: RankingService,
        eligible: bool,
        vacancy_id: int,
        household_id: int,
        today: dt.date,
        used: UsedChances | None = None,
    ) -> PageChances:
        """The chance for one pair of "Warum?" (none for an excluded pair); ``used``: the
        chance its points were computed with, shown as it is."""
        if not eligible:
            return PageChances({}, EXCLUDED)
        if used is not None:
            return _used(used)
        status = self.status()
        if not status.available:
            return PageChances({}, status.reason)
        vacancy = await session.get(Vacancy, vacancy_id)  # explained just now: it is rankable
        if vacancy is None:
            return PageChances({}, None)
        return await self._households_page(
            session,
            ranking,
            engine_vacancy(vacancy),
            int(vacancy.organisation_id),
            [household_id],
            today,
        )

    async def _households_page(
        self,
        session: AsyncSession,
        ranking: RankingService,
        flat: scoring.Vacancy,
        landlord_id: int,
        household_ids: list[int],
        today: dt.date,
    ) -> PageChances:
        """Chances for households of the snapshot (ids not in it are left out) and one flat."""
        # the ranking just read both in this request: no second stamp check
        table = ranking.households.cached or await ranking.households.get(session)
        ref = ranking.reference.cached or await ranking.reference.get(session)
        positions = table.positions(household_ids)
        at = positions[positions >= 0]
        if not len(at):
            return PageChances({}, None)
        ids = table.data.id[at]
        estimate = await self.household_chances(
            session, table.data, flat, landlord_id, ref, today, ids
        )
        if estimate is None:
            return PageChances({}, None)
        return _page(estimate, ids.tolist(), estimate(ids, np.full(len(ids), flat.id)))

    async def _flats_page(
        self,
        session: AsyncSession,
        ranking: RankingService,
        household: HouseholdRow,
        vacancy_ids: list[int],
        today: dt.date,
    ) -> PageChances:
        """Chances for flats of the snapshot (ids not in it are left out) and one household."""
        table = ranking.vacancies.cached or await ranking.vacancies.get(session)
        ref = ranking.reference.cached or await ranking.reference.get(session)
        positions = table.positions(vacancy_ids)
        ids = table.data.id[positions[positions >= 0]]
        if not len(ids):
            return PageChances({}, None)
        estimate = await self.vacancy_chances(session, household, table, ref, today, ids)
        if estimate is None:
            return PageChances({}, None)
        return _page(estimate, ids.tolist(), estimate(np.full(len(ids), household.id), ids))

    # -- the ranking's chance source (matching.ranking.chances.ChanceSource) ---------------
    async def household_chances(
        self,
        session: AsyncSession,
        households: scoring.Households,
        flat: scoring.Vacancy,
        landlord_id: int,
        reference: ReferenceTables,
        today: dt.date,
        household_ids: I64 | None = None,
    ) -> _Estimate | None:
        """Chances of ``households`` (those of ``household_ids`` only, if given) for one
        flat; their consents are read in one query now, the prediction runs when the engine
        asks (passing pairs only)."""
        model = self.usable_model()
        if model is None:
            return None
        ids = households.id if household_ids is None else household_ids
        scopes = await covering_scopes(session, ids.tolist(), landlord_id, today)
        facts = self._facts(reference.municipalities, reference.rent_limits)

        def rows(household_ids: I64, vacancy_ids: I64) -> Columns:
            at = np.array([households.index_of(h) for h in household_ids.tolist()], dtype=np.int64)
            return _household_rows(facts, households, at, flat, landlord_id, scopes, today)

        return _Estimate(model, rows)

    async def vacancy_chances(
        self,
        session: AsyncSession,
        household: HouseholdRow,
        flats: Table[scoring.Vacancies],
        reference: ReferenceTables,
        today: dt.date,
        vacancy_ids: I64 | None = None,
    ) -> _Estimate | None:
        """Chances of one household for the flats of the snapshot (those of ``vacancy_ids``
        only, if given); its consents are read in one query now."""
        model = self.usable_model()
        if model is None:
            return None
        landlords = flats.side["organisation_id"]
        if vacancy_ids is not None:
            landlords = landlords[flats.positions(vacancy_ids.tolist())]
        scopes = await scopes_by_landlord(session, household.id, set(landlords.tolist()), today)
        facts = self._facts(reference.municipalities, reference.rent_limits)

        def rows(household_ids: I64, vacancy_ids: I64) -> Columns:
            at = flats.positions(vacancy_ids.tolist())
            return _flat_rows(facts, household, flats, at, scopes, today)

        return _Estimate(model, rows)

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


class _Estimate:
    """Chances of pairs from one loaded model: the order and the rows shown read the same
    version even if a retrained model is loaded meanwhile."""

    def __init__(self, model: TrainedModel, rows: Callable[[I64, I64], Columns]) -> None:
        self.model = model
        self.model_version = model.card.version
        self._rows = rows

    def __call__(self, household_ids: I64, vacancy_ids: I64) -> F64:
        if not len(household_ids):
            return np.zeros(0)
        columns = self._rows(household_ids, vacancy_ids)
        return self.model.predict(feature_columns(columns, self.model.card.landlords))


def _page(estimate: _Estimate, ids: list[int], chances: F64) -> PageChances:
    return _used(UsedChances(estimate.model_version, dict(zip(ids, chances.tolist(), strict=True))))


def _used(used: UsedChances) -> PageChances:
    """The chances an order was built with, as a page shows them."""
    version = used.model_version
    return PageChances({i: Chance(p, band(p), version) for i, p in used.by_id.items()}, None)


def _household_rows(
    facts: PairFacts,
    households: scoring.Households,
    at: I64,
    flat: scoring.Vacancy,
    landlord_id: int,
    scopes: Mapping[int, list[str]],
    today: dt.date,
) -> Columns:
    """Raw pair rows of the households at ``at`` against one flat."""
    town, available_from = flat.municipality_ags, flat.available_from
    gross, heating = float(flat.gross_cold_rent), _euros(flat.heating_costs)
    sets = households.preference_sets
    rows = [
        raw_row(
            facts,
            town=town,
            available_from=available_from,
            gross_cold_rent=gross,
            heating_costs=heating,
            rooms=flat.rooms,
            living_area=flat.living_area,
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
            households.id[at].tolist(),
            households.persons[at].tolist(),
            households.income_basis[at].tolist(),
            households.own_max_rent_cents[at].tolist(),
            households.preference_group[at].tolist(),
            households.registered_at[at].tolist(),
            strict=True,
        )
    ]
    return raw_columns(rows)


def _flat_rows(
    facts: PairFacts,
    household: HouseholdRow,
    flats: Table[scoring.Vacancies],
    at: I64,
    scopes: Mapping[int, list[str]],
    today: dt.date,
) -> Columns:
    """Raw pair rows of one household against the flats at ``at``."""
    budget = None if household.own_max_rent is None else float(household.own_max_rent)
    landlords = flats.side["organisation_id"][at].tolist()
    rows = [
        raw_row(
            facts,
            town=flat.municipality_ags,
            available_from=flat.available_from,
            gross_cold_rent=float(flat.gross_cold_rent),
            heating_costs=_euros(flat.heating_costs),
            rooms=flat.rooms,
            living_area=flat.living_area,
            landlord_id=landlord,
            persons=household.persons,
            income_basis=household.income_basis,
            own_max_rent=budget,
            preferred=household.preferred_ags,
            registered_at=household.registered_at,
            on=today,
            scope=scopes.get(landlord, ()),
        )
        for landlord, flat in zip(landlords, flats.data.rows(at), strict=True)
    ]
    return raw_columns(rows)


def _euros(amount: Decimal | float | None) -> float | None:
    """An amount as a float feature (the model needs no cent-exactness, only the ratio)."""
    return None if amount is None else float(amount)


def _train(
    raw: pl.DataFrame, accepted: list[bool], sent_at: list[dt.datetime], now: dt.datetime | None
) -> TrainedModel:
    with threadpool_limits(1, user_api="openmp"):
        return train(raw, accepted, sent_at, now=now)
