"""An attacker's view of a published table: what can be recomputed from the shown figures.

Independent of the suppression code: a linear program minimises and maximises each hidden
cell over all non-negative tables that agree with every shown cell, row total, column total
and grand total. A hidden value is safe when the minimum and the maximum differ.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import linprog


def published_equations(grid: np.ndarray, hidden: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Equations over the grid (row sums = row totals, column sums = column totals, shown
    cells = their value); the grid's last row and column are the totals."""
    h, w = grid.shape
    rows: list[np.ndarray] = []
    rhs: list[float] = []
    for r in range(h):
        eq = np.zeros(h * w)
        eq[r * w : r * w + w - 1] = 1
        eq[r * w + w - 1] = -1
        rows.append(eq)
        rhs.append(0)
    for c in range(w):
        eq = np.zeros(h * w)
        for r in range(h - 1):
            eq[r * w + c] = 1
        eq[(h - 1) * w + c] = -1
        rows.append(eq)
        rhs.append(0)
    for r in range(h):
        for c in range(w):
            if not hidden[r, c]:
                eq = np.zeros(h * w)
                eq[r * w + c] = 1
                rows.append(eq)
                rhs.append(float(grid[r, c]))
    return np.vstack(rows), np.array(rhs)


def value_range(grid: np.ndarray, hidden: np.ndarray, r: int, c: int) -> tuple[float, float]:
    """The smallest and largest value cell (r, c) can take given everything published."""
    a, b = published_equations(grid, hidden)
    h, w = grid.shape
    objective = np.zeros(h * w)
    objective[r * w + c] = 1
    low = linprog(objective, A_eq=a, b_eq=b, bounds=(0, None), method="highs")
    high = linprog(-objective, A_eq=a, b_eq=b, bounds=(0, None), method="highs")
    assert low.status == 0
    assert high.status in (0, 3)  # 3: unbounded - every larger value fits the table too
    return float(low.fun), float("inf") if high.status == 3 else float(-high.fun)


def recomputable(grid: np.ndarray, hidden: np.ndarray) -> list[tuple[int, int, float]]:
    """Hidden cells whose value the published figures pin down exactly."""
    leaks = []
    for r, c in np.argwhere(hidden):
        low, high = value_range(grid, hidden, int(r), int(c))
        if high - low < 0.5:
            leaks.append((int(r), int(c), low))
    return leaks
