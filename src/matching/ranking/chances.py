"""What the ranking needs of the learned acceptance chance, and what it keeps of it.

Why here and not in ``matching.acceptance``: the acceptance package imports the ranking (it
reads its snapshots), so the ranking states the little it needs as protocols and the app
wires the acceptance service in (``api.app``). The engine asks synchronously and only for
the pairs that pass the hard rules, so a source loads what it needs (the model, the
consents of the candidates) before the engine runs and answers from memory.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol, TypeAlias

import numpy as np
import numpy.typing as npt
from sqlalchemy.ext.asyncio import AsyncSession

import scoring
from matching.ranking.snapshot import ReferenceTables, Table

__all__ = ["AskedHouseholds", "ChanceRecorder", "ChanceSource", "PairChances", "UsedChances"]

I64: TypeAlias = npt.NDArray[np.int64]
F64: TypeAlias = npt.NDArray[np.float64]


class PairChances(Protocol):
    """A loaded estimate: chances of (household, vacancy) pairs, NaN where there is none."""

    @property
    def model_version(self) -> str: ...

    def __call__(self, household_ids: I64, vacancy_ids: I64) -> F64: ...


class ChanceSource(Protocol):
    """Prepares :class:`PairChances` for a ranking (``None``: no model is shown)."""

    async def household_chances(
        self,
        session: AsyncSession,
        households: scoring.Households,
        flat: scoring.Vacancy,
        landlord_id: int,
        reference: ReferenceTables,
        today: dt.date,
        household_ids: I64 | None = None,
    ) -> PairChances | None:
        """For ``households`` (a snapshot or a one-row table) against one flat; only those of
        ``household_ids`` will be asked about, if given (their consents are all it reads)."""
        ...

    async def vacancy_chances(
        self,
        session: AsyncSession,
        household: scoring.HouseholdRow,
        flats: Table[scoring.Vacancies],
        reference: ReferenceTables,
        today: dt.date,
    ) -> PairChances | None:
        """For one household against the flats of the snapshot ``flats``."""
        ...


class AskedHouseholds:
    """A chance function that answers "no estimate" and keeps which households the engine
    asked about: those that pass the flat's hard rules."""

    def __init__(self) -> None:
        self._asked: list[I64] = []

    def __call__(self, household_ids: I64, vacancy_ids: I64) -> F64:
        self._asked.append(np.asarray(household_ids, dtype=np.int64))
        return np.full(len(household_ids), np.nan)

    def ids(self) -> I64:
        """Every household asked about, once each."""
        if not self._asked:
            return np.zeros(0, dtype=np.int64)
        return np.unique(np.concatenate(self._asked))


@dataclass(frozen=True)
class UsedChances:
    """The chances an order was built with, for the rows shown: a page displays exactly
    these (same model version, same number) instead of estimating again."""

    model_version: str
    by_id: Mapping[int, float]
    """Probability by the row's id (household or vacancy); rows without an estimate are
    absent."""


class ChanceRecorder:
    """Hands :class:`PairChances` to the engine and keeps what it answered, so the chances
    of the ranked rows can be read back afterwards."""

    def __init__(self, chances: PairChances) -> None:
        self.chances = chances
        self._ids: I64 = np.zeros(0, dtype=np.int64)
        self._values: F64 = np.zeros(0, dtype=np.float64)

    def households(self, household_ids: I64, vacancy_ids: I64) -> F64:
        """The engine's callback, recording the answers by household id (one flat)."""
        return self._record(household_ids, self.chances(household_ids, vacancy_ids))

    def vacancies(self, household_ids: I64, vacancy_ids: I64) -> F64:
        """The engine's callback, recording the answers by vacancy id (one household)."""
        return self._record(vacancy_ids, self.chances(household_ids, vacancy_ids))

    def _record(self, ids: I64, values: F64) -> F64:
        self._ids, self._values = np.asarray(ids), np.asarray(values, dtype=np.float64)
        return values

    def used(self, row_ids: list[int]) -> UsedChances:
        """The recorded chances of ``row_ids`` (those with an estimate)."""
        shown = np.isin(self._ids, np.asarray(row_ids, dtype=np.int64)) & ~np.isnan(self._values)
        by_id = dict(zip(self._ids[shown].tolist(), self._values[shown].tolist(), strict=True))
        return UsedChances(self.chances.model_version, by_id)
