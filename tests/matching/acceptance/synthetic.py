"""An in-memory demo history (no database) for the model tests and the benchmark."""

from __future__ import annotations

from datetime import date
from typing import Any, cast

import numpy as np
import polars as pl

from matching.demo.generator import DemoContext, household_rows, vacancy_rows
from matching.demo.history import HistoryPlan, draw_answers, pair_rows
from matching.reference.loader import municipalities
from scoring.reference import reference_rent_limit
from scoring.synthetic import example_rent_limits

LANDLORDS = [11, 12, 13]


def context() -> DemoContext:
    """The demo's context without a database: the shipped towns and the example limits."""
    towns = municipalities()
    table = example_rent_limits()
    limits: dict[tuple[str, int], float] = {}
    for town in towns:
        for persons in range(1, 6):
            cents = reference_rent_limit(table, town.ags, date(2026, 1, 1), persons)[0]
            if cents is not None:
                limits[(town.ags, persons)] = cents / 100
    return DemoContext([(1, 1), (2, 2)], LANDLORDS, cast(Any, towns), limits)


def history(
    households: int, vacancies: int, seed: int = 5, today: date = date(2026, 11, 1)
) -> tuple[pl.DataFrame, np.ndarray, np.ndarray, np.ndarray]:
    """(raw pair rows, answered, accepted, true probability) under the demo's rule."""
    ctx = context()
    rows = household_rows(households, seed, ctx, today, 1)
    frame = pl.DataFrame(
        {
            "id": list(range(1, households + 1)),
            "organisation_id": [r["organisation_id"] for r in rows],
            "counselor_id": [r["counselor_id"] for r in rows],
            "persons": [r["persons"] for r in rows],
            "income_basis": [r["income_basis"] for r in rows],
            "own_max_rent": [
                None if r["own_max_rent"] is None else float(r["own_max_rent"]) for r in rows
            ],
            "preferred_ags": [[str(a) for a in r["preferred_ags"]] for r in rows],
            "registered_at": [r["registered_at"] for r in rows],
        },
        schema_overrides={"own_max_rent": pl.Float64, "preferred_ags": pl.List(pl.String)},
    )
    plan = HistoryPlan(
        households=frame,
        vacancies=vacancy_rows(vacancies, seed, ctx, today, 1),
        landlords=LANDLORDS,
        towns={m.ags: (m.lat, m.lon) for m in municipalities()},
        limits=ctx.limits,
        today=today,
    )
    rng = np.random.default_rng(seed)
    raw, _ = pair_rows(plan, rng)
    answered, accepted, p = draw_answers(raw, LANDLORDS, rng)
    return raw, answered, accepted, p
