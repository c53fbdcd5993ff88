"""Small numbers stay anonymous: primary and secondary cell suppression for count tables.

Every published cell that counts 1..4 households is hidden (primary suppression). A hidden
cell must not follow from what is still shown: a row, a column or a total could give it back
by subtraction, and so could any combination of those equations. So the published table is
treated as a linear system (each row sums to its row total, each column to its column total)
and further cells are hidden (secondary suppression) until no hidden value is determined by
the shown ones. Zeros are not confidential and stay visible.

The tables of a report are small (towns × household sizes), so the exact rank test is cheap.
Reused by every report, chart, export and the fairness monitor: one place for the rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

MIN_COUNT = 5
"""Cells counting fewer households than this (and more than none) are never shown."""

SUPPRESSED_MARK = "geschützt"
"""What a reader sees instead of a hidden figure (tables, charts and exports alike). Not "< 5":
a secondary cell may be larger, and saying which cells are small would undo the protection."""

SUPPRESSION_NOTE = (
    "„geschützt“: Zahl aus Datenschutzgründen nicht ausgewiesen – sie beruht auf weniger als "
    f"{MIN_COUNT} Haushalten, oder sie würde eine solche Zahl über Zeilen- oder Spaltensummen "
    "verraten."
)

Bool = npt.NDArray[np.bool_]
I64 = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Suppression:
    """Which cells of a table (with its published margins) are hidden.

    ``grid`` is the table with its margins: ``counts`` in the top-left, the row totals in the
    last column and the column totals in the last row (when published). ``hidden`` has the same
    shape; ``primary`` marks the small counts, the rest of ``hidden`` is secondary.
    """

    grid: I64
    hidden: Bool
    primary: Bool
    row_totals: bool
    column_totals: bool

    @property
    def cells(self) -> Bool:
        """Hidden flags of the inner cells (without margins)."""
        rows, cols = self._inner_shape
        return self.hidden[:rows, :cols]

    @property
    def row_total_hidden(self) -> Bool:
        rows, _ = self._inner_shape
        if not self.row_totals:
            return np.zeros(rows, dtype=bool)
        return self.hidden[:rows, -1]

    @property
    def column_total_hidden(self) -> Bool:
        _, cols = self._inner_shape
        if not self.column_totals:
            return np.zeros(cols, dtype=bool)
        return self.hidden[-1, :cols]

    @property
    def grand_total_hidden(self) -> bool:
        if not (self.row_totals and self.column_totals):
            return False
        return bool(self.hidden[-1, -1])

    @property
    def any_hidden(self) -> bool:
        return bool(self.hidden.any())

    @property
    def _inner_shape(self) -> tuple[int, int]:
        rows, cols = self.grid.shape
        return rows - int(self.column_totals), cols - int(self.row_totals)


def with_margins(counts: I64, *, row_totals: bool, column_totals: bool) -> I64:
    """The table with its row totals appended as a column and column totals as a row."""
    grid = np.asarray(counts, dtype=np.int64)
    if row_totals:
        grid = np.hstack([grid, grid.sum(axis=1, keepdims=True)])
    if column_totals:
        grid = np.vstack([grid, grid.sum(axis=0, keepdims=True)])
    return grid


def constraints(shape: tuple[int, int], *, row_totals: bool, column_totals: bool) -> I64:
    """The published table's equations, one per line: cells of the line minus its total = 0.

    Columns index the grid cells in row-major order (``r * width + c``).
    """
    height, width = shape
    equations: list[I64] = []
    if row_totals:
        for r in range(height):
            eq = np.zeros(height * width, dtype=np.int64)
            eq[r * width : r * width + width - 1] = 1
            eq[r * width + width - 1] = -1
            equations.append(eq)
    if column_totals:
        for c in range(width):
            eq = np.zeros(height * width, dtype=np.int64)
            eq[[r * width + c for r in range(height - 1)]] = 1
            eq[(height - 1) * width + c] = -1
            equations.append(eq)
    if not equations:
        return np.zeros((0, height * width), dtype=np.int64)
    return np.vstack(equations)


def determined(hidden: Bool, *, row_totals: bool, column_totals: bool) -> Bool:
    """Hidden cells whose value follows from the shown cells through the table's equations.

    With the shown values moved to the right-hand side, the hidden unknowns ``x`` satisfy
    ``A_h x = b``; one unknown ``x_j`` is fixed by the equations exactly when the unit vector
    ``e_j`` lies in the row space of ``A_h``, i.e. appending it does not raise the rank.
    """
    flat = hidden.ravel()
    out = np.zeros_like(flat)
    idx = np.flatnonzero(flat)
    if idx.size == 0:
        return out.reshape(hidden.shape)
    full = constraints(hidden.shape, row_totals=row_totals, column_totals=column_totals)
    a = full[:, idx].astype(np.float64)
    a = a[np.any(a != 0, axis=1)]
    if a.shape[0] == 0:
        return out.reshape(hidden.shape)
    base = np.linalg.matrix_rank(a)
    for j in range(idx.size):
        unit = np.zeros((1, idx.size))
        unit[0, j] = 1.0
        if np.linalg.matrix_rank(np.vstack([a, unit])) == base:
            out[idx[j]] = True
    return out.reshape(hidden.shape)


def suppress(
    counts: Sequence[Sequence[int]] | I64,
    *,
    row_totals: bool = True,
    column_totals: bool = True,
    k: int = MIN_COUNT,
) -> Suppression:
    """Hide every count in 1..k-1 and enough further cells that none can be recomputed.

    Secondary cells are chosen greedily: first for every line holding exactly one hidden cell,
    then for any hidden cell the equations still give back (exact rank test), a shown cell on
    its line is hidden too (see :func:`_complement`), until no hidden value is determined.
    """
    arr = np.asarray(counts, dtype=np.int64)
    if arr.ndim != 2:
        raise ValueError("counts must be a 2-D table")
    if (arr < 0).any():
        raise ValueError("counts must not be negative")
    grid = with_margins(arr, row_totals=row_totals, column_totals=column_totals)
    primary = (grid > 0) & (grid < k)
    hidden = primary.copy()
    lines = _lines(grid.shape, row_totals=row_totals, column_totals=column_totals)
    while True:
        # A line with exactly one hidden cell gives it back by subtraction: cover it first.
        lone = next((line for line in lines if sum(hidden[p] for p in line) == 1), None)
        if lone is None:
            leak = determined(hidden, row_totals=row_totals, column_totals=column_totals)
            if not leak.any():
                break
            r, c = (int(v) for v in np.argwhere(leak)[0])
            lone = [p for line in lines if (r, c) in line for p in line]
        choice = _complement(grid, hidden, lone, row_totals=row_totals, column_totals=column_totals)
        if choice is None:  # nothing left to hide beside it: hide the whole table
            hidden[:] = True
            break
        hidden[choice] = True
    return Suppression(grid, hidden, primary, row_totals, column_totals)


def _lines(
    shape: tuple[int, int], *, row_totals: bool, column_totals: bool
) -> list[list[tuple[int, int]]]:
    """The cells of every published equation: each row (with its total), each column."""
    height, width = shape
    lines: list[list[tuple[int, int]]] = []
    if row_totals:
        lines += [[(r, c) for c in range(width)] for r in range(height)]
    if column_totals:
        lines += [[(r, c) for r in range(height)] for c in range(width)]
    return lines


def _complement(
    grid: I64,
    hidden: Bool,
    cells: list[tuple[int, int]],
    *,
    row_totals: bool,
    column_totals: bool,
) -> tuple[int, int] | None:
    """The shown cell among ``cells`` to hide next, or None when all are hidden.

    Preference: inner cells before totals; cells whose crossing line already holds a hidden
    cell (they close a rectangle of hidden cells, protecting with the fewest cells); the
    smallest count. Zeros never: with every hidden value positive, a value the equations do
    not fix can move both ways, so the rank test is the whole truth.
    """
    height, width = grid.shape
    last_row = height - 1 if column_totals else -1
    last_col = width - 1 if row_totals else -1
    rows_seen = [r for r, _ in cells]
    row_cells = {p for p in cells if rows_seen.count(p[0]) > 1}
    candidates: list[tuple[int, int, int, int, int]] = []
    for rr, cc in cells:
        # A hidden zero could be pinned by non-negativity (a line of hidden cells summing to
        # 0 has only zeros), so complements are always counts.
        if hidden[rr, cc] or grid[rr, cc] == 0:
            continue
        is_margin = int(rr == last_row or cc == last_col)
        crossing = hidden[:, cc] if (rr, cc) in row_cells else hidden[rr, :]
        closes = bool(crossing.any())
        value = int(grid[rr, cc])
        candidates.append((is_margin, int(not closes), value, rr, cc))
    if not candidates:
        return None
    *_, rr, cc = min(candidates)
    return rr, cc


def suppress_column(values: Sequence[int], *, total: bool = True, k: int = MIN_COUNT) -> Bool:
    """Hidden flags for a one-column table (categories plus, when shown, their total last)."""
    column = np.asarray(values, dtype=np.int64).reshape(-1, 1)
    return suppress(column, row_totals=False, column_totals=total, k=k).hidden[:, 0]


def too_few(count: int, k: int = MIN_COUNT) -> bool:
    """Whether a figure derived from ``count`` households (a median, a rate) must stay hidden."""
    return count < k
