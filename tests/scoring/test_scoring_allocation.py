"""Allocation: deterministic and optimal on small cases (checked by brute force)."""

from __future__ import annotations

import itertools

import numpy as np
from scoring_factories import POLICY, REF, municipalities, rent_limits

from scoring import Households, Vacancies, allocate, score_matrix
from scoring.synthetic import synthetic_households, synthetic_vacancies

TOWNS = municipalities()
LIMITS = rent_limits()


def brute_force(scores: np.ndarray) -> float:
    """Best total over all partial one-to-one assignments (vacancies × households)."""
    m, n = scores.shape
    best = 0.0
    for cols in itertools.permutations(range(n), m) if n >= m else ():
        total = sum(scores[r, c] for r, c in enumerate(cols) if np.isfinite(scores[r, c]))
        best = max(best, total)
    return round(best, 2)


def test_allocation_is_optimal_and_deterministic() -> None:
    for seed in range(6):
        hh = Households.from_polars(synthetic_households(7, seed=seed, reference_date=REF))
        vs = Vacancies.from_polars(synthetic_vacancies(4, seed=seed + 100, reference_date=REF))
        # relax the hardest rules so that the small case has choices
        vs = Vacancies.from_polars(
            synthetic_vacancies(4, seed=seed + 100, reference_date=REF).with_columns(
                wbs_required=False, net_cold_rent=200.0, living_area=60.0
            )
        )
        scores = score_matrix(hh, vs, TOWNS, LIMITS, POLICY, reference_date=REF).scores
        a = allocate(hh, vs, TOWNS, LIMITS, POLICY, reference_date=REF, candidates=7)
        assert a == allocate(hh, vs, TOWNS, LIMITS, POLICY, reference_date=REF, candidates=7)
        assert round(a.total_points, 2) == brute_force(scores)
        households = [r.household_id for r in a.rows if r.household_id is not None]
        assert len(households) == len(set(households))
        for row in a.rows:
            j = vs.index_of(row.vacancy_id)
            assert row.eligible_count == int(np.isfinite(scores[j]).sum())
            if row.household_id is not None:
                assert scores[j, hh.index_of(row.household_id)] == row.total
        counts = [r.eligible_count for r in a.rows]
        assert counts == sorted(counts)  # hard to place first


def test_excluded_pairs_and_empty_vacancies() -> None:
    hh = Households.from_polars(synthetic_households(50, seed=1, reference_date=REF))
    frame = synthetic_vacancies(3, seed=2, reference_date=REF).with_columns(
        wbs_required=False, net_cold_rent=200.0, living_area=60.0
    )
    vs = Vacancies.from_polars(frame)
    first = allocate(hh, vs, TOWNS, LIMITS, POLICY, reference_date=REF)
    pairs = [(r.vacancy_id, r.household_id) for r in first.rows if r.household_id is not None]
    second = allocate(hh, vs, TOWNS, LIMITS, POLICY, reference_date=REF, declined_pairs=pairs)
    for vid, hid in pairs:
        assert (vid, hid) not in {(r.vacancy_id, r.household_id) for r in second.rows}
    huge = Vacancies.from_polars(frame.with_columns(net_cold_rent=5000.0))
    empty = allocate(hh, huge, TOWNS, LIMITS, POLICY, reference_date=REF)
    assert all(r.household_id is None for r in empty.rows if r.eligible_count == 0)
