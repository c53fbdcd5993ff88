"""Report tables: counts with their suppression applied, ready for page, chart and export.

A table is built once, with small numbers already hidden; the page, the chart beside it and
the CSV/XLSX export all read the same cells, so none of them can show what another hides.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from markupsafe import Markup

from matching.reports.charts import Series, bar_chart, german_number
from matching.reports.suppression import (
    MIN_COUNT,
    SUPPRESSED_MARK,
    suppress,
    suppress_column,
    too_few,
)

TOTAL = "Gesamt"


@dataclass(frozen=True)
class Cell:
    """One figure: ``value`` None and ``hidden`` False means "no figure" (shown as "–")."""

    value: float | None
    hidden: bool = False
    decimals: int = 0

    @property
    def text(self) -> str:
        if self.hidden:
            return SUPPRESSED_MARK
        if self.value is None:
            return "–"
        return german_number(self.value, self.decimals)

    @property
    def shown(self) -> float | None:
        """The value a chart or export may use (None when hidden or missing)."""
        return None if self.hidden else self.value


@dataclass(frozen=True)
class Table:
    """A titled table; ``rows`` are (label, cells), the last one the total when ``has_total``."""

    key: str
    title: str
    stub: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, tuple[Cell, ...]], ...]
    has_total: bool = False
    note: str = ""
    chart_columns: tuple[int, ...] = (0,)
    unit: str = ""
    _chart: list[Markup] = field(default_factory=list, compare=False, repr=False)

    @property
    def body(self) -> tuple[tuple[str, tuple[Cell, ...]], ...]:
        return self.rows[:-1] if self.has_total else self.rows

    @property
    def any_hidden(self) -> bool:
        return any(c.hidden for _, cells in self.rows for c in cells)

    @property
    def empty(self) -> bool:
        return not self.body

    def chart(self) -> Markup:
        """The bar chart of the chosen columns (rendered once, then cached)."""
        if not self._chart:
            series = [
                Series(self.columns[j], [cells[j].shown for _, cells in self.body])
                for j in self.chart_columns
            ]
            decimals = max((c.decimals for _, cells in self.body for c in cells), default=0)
            self._chart.append(
                bar_chart(
                    self.title,
                    [label for label, _ in self.body],
                    series,
                    unit=self.unit,
                    decimals=decimals,
                )
            )
        return self._chart[0]


def count_table(
    key: str,
    title: str,
    stub: str,
    row_labels: Sequence[str],
    column_labels: Sequence[str],
    counts: npt.NDArray[np.int64],
    *,
    note: str = "",
    chart_columns: tuple[int, ...] = (0,),
) -> Table:
    """Households (or proposals) by two characteristics, with row and column totals, small
    numbers and their complements hidden. One column: only the column total is added."""
    counts = np.asarray(counts, dtype=np.int64).reshape(len(row_labels), len(column_labels))
    two_way = len(column_labels) > 1
    result = suppress(counts, row_totals=two_way, column_totals=True)
    grid, hidden = result.grid, result.hidden
    labels = [*row_labels, TOTAL]
    columns = (*column_labels, TOTAL) if two_way else tuple(column_labels)
    rows = tuple(
        (
            labels[r],
            tuple(Cell(float(grid[r, c]), bool(hidden[r, c])) for c in range(grid.shape[1])),
        )
        for r in range(grid.shape[0])
    )
    return Table(
        key, title, stub, columns, rows, has_total=True, note=note, chart_columns=chart_columns
    )


def stage_table(
    key: str,
    title: str,
    stub: str,
    row_labels: Sequence[str],
    column_labels: Sequence[str],
    counts: npt.NDArray[np.int64],
    *,
    note: str = "",
) -> Table:
    """Counts whose columns are stages of one another (sent ⊇ answered ⊇ accepted ⊇ let):
    columns do not add up to a row total, so each column is protected with its own total."""
    counts = np.asarray(counts, dtype=np.int64).reshape(len(row_labels), len(column_labels))
    totals = counts.sum(axis=0)
    hidden = (
        np.column_stack([suppress_column(list(counts[:, j])) for j in range(counts.shape[1])])
        if counts.size
        else np.zeros((1, counts.shape[1]), dtype=bool)
    )
    rows = [
        (
            label,
            tuple(Cell(float(counts[r, j]), bool(hidden[r, j])) for j in range(counts.shape[1])),
        )
        for r, label in enumerate(row_labels)
    ]
    rows.append(
        (TOTAL, tuple(Cell(float(totals[j]), bool(hidden[-1, j])) for j in range(counts.shape[1])))
    )
    chart = tuple(range(min(len(column_labels), 4)))
    return Table(
        key,
        title,
        stub,
        tuple(column_labels),
        tuple(rows),
        has_total=True,
        note=note,
        chart_columns=chart,
    )


def measure_table(
    key: str,
    title: str,
    stub: str,
    row_labels: Sequence[str],
    counts: Sequence[int],
    measures: Sequence[Sequence[float | None]],
    measure_labels: Sequence[str],
    *,
    count_label: str = "Haushalte",
    unit: str = "",
    note: str = "",
    total: tuple[int, Sequence[float | None]] | None = None,
) -> Table:
    """Per row: how many cases, and figures computed from them (medians, percentiles); a
    figure from fewer than five cases is hidden, the counts are protected like any count.
    ``total`` (count, figures) must count the rows' cases together."""
    if counts:
        hidden_counts = suppress_column(list(counts), total=total is not None)
    else:  # only a total: it stands alone
        hidden_counts = np.array([total is not None and 0 < total[0] < MIN_COUNT])
    all_rows = [*zip(row_labels, counts, measures, strict=True)]
    if total is not None:
        all_rows.append((TOTAL, total[0], total[1]))
    rows = []
    for i, (label, n, figures) in enumerate(all_rows):
        cells = [Cell(float(n), bool(hidden_counts[i]))]
        for value in figures:
            hide = too_few(n) and value is not None
            cells.append(Cell(None if too_few(n) else value, hide, 1))
        rows.append((label, tuple(cells)))
    return Table(
        key,
        title,
        stub,
        (count_label, *measure_labels),
        tuple(rows),
        has_total=total is not None,
        note=note,
        chart_columns=tuple(range(1, 1 + len(measure_labels))),
        unit=unit,
    )
