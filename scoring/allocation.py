"""Allocation: a suggested one-to-one assignment of households to vacancies.

For every vacancy the top ``candidates`` households (in ranking order) are kept; the
assignment maximising the sum of scores over these candidate edges is found with
``scipy.optimize.linear_sum_assignment`` on integer hundredths (exact, deterministic). A
vacancy may stay unassigned (a dummy column worth slightly less than any real match), so
every eligible match is preferred to none. The result is optimal *within the candidate
lists*; a suggestion for the Fachstelle, never an automatic decision.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import numpy as np
from scipy.optimize import linear_sum_assignment

from scoring.components import ChanceFunction
from scoring.errors import FieldError, ScoringInputError
from scoring.inputs import Households, Municipalities, RentLimits, Vacancies
from scoring.policy import Policy
from scoring.rank import _household_evaluation, _household_order, _pair_sets, resolve_policy
from scoring.results import Allocation, AllocationRow

__all__ = ["allocate"]

_FORBIDDEN = -1e12
_UNASSIGNED = -1.0


def allocate(
    households: Households,
    vacancies: Vacancies,
    municipalities: Municipalities,
    rent_limits: RentLimits,
    policy: Policy | str,
    *,
    reference_date: dt.date,
    candidates: int = 50,
    proposed_pairs: Iterable[tuple[int, int]] = (),
    declined_pairs: Iterable[tuple[int, int]] = (),
    chances: ChanceFunction | None = None,
) -> Allocation:
    """Suggest one household per vacancy maximising the total score.

    Rows list the vacancies with the fewest eligible households first ("schwer zu
    vermitteln"), then by vacancy id. ``proposed_pairs``/``declined_pairs`` are
    (vacancy id, household id) pairs excluded by their rules. ``chances``: as for
    :func:`~scoring.rank.rank_households` (asked once per vacancy for its passing pairs).
    """
    if not 1 <= candidates <= 10_000:
        raise ScoringInputError([FieldError("candidates", "muss zwischen 1 und 10.000 liegen")])
    policy = resolve_policy(policy)
    proposed, declined = _pair_sets(proposed_pairs), _pair_sets(declined_pairs)
    m = len(vacancies)
    eligible = np.zeros(m, dtype=np.int64)
    edge_vacancy: list[np.ndarray] = []
    edge_household: list[np.ndarray] = []
    edge_score: list[np.ndarray] = []
    for j in range(m):
        vid = int(vacancies.id[j])
        ev, _, _ = _household_evaluation(
            households,
            vacancies,
            j,
            municipalities,
            rent_limits,
            policy,
            reference_date,
            proposed.get(vid, ()),
            declined.get(vid, ()),
            chances=chances,
        )
        eligible[j] = len(ev.passing)
        top = _household_order(households, ev, candidates)
        edge_vacancy.append(np.full(len(top), j, dtype=np.int64))
        edge_household.append(ev.passing[top])
        edge_score.append(ev.totals[top])
    vac = np.concatenate(edge_vacancy) if m else np.zeros(0, dtype=np.int64)
    hh = np.concatenate(edge_household) if m else np.zeros(0, dtype=np.int64)
    score = np.concatenate(edge_score) if m else np.zeros(0, dtype=np.int64)
    columns, column_of_edge = np.unique(hh, return_inverse=True)
    k = len(columns)
    weights = np.full((m, k + m), _FORBIDDEN)
    weights[vac, column_of_edge] = score.astype(np.float64)
    weights[np.arange(m), k + np.arange(m)] = _UNASSIGNED
    rows, cols = linear_sum_assignment(weights, maximize=True)
    chosen: dict[int, tuple[int, int]] = {}
    for r, c in zip(rows.tolist(), cols.tolist(), strict=True):
        if c < k and weights[r, c] > _FORBIDDEN:
            chosen[r] = (int(households.id[columns[c]]), int(weights[r, c]))
    order = np.lexsort((vacancies.id, eligible))
    out = []
    for j in order.tolist():
        pick = chosen.get(j)
        out.append(
            AllocationRow(
                vacancy_id=int(vacancies.id[j]),
                household_id=None if pick is None else pick[0],
                total=None if pick is None else pick[1] / 100,
                eligible_count=int(eligible[j]),
            )
        )
    return Allocation(
        rows=tuple(out),
        total_points=sum(p[1] for p in chosen.values()) / 100,
        candidates_per_vacancy=candidates,
        policy_name=policy.name,
        policy_version=policy.version,
    )
