"""Small-number suppression: primary cells, secondary cells, and no way to recompute them."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from matching.reports.suppression import MIN_COUNT, determined, suppress, suppress_column
from tests.matching.reports.recompute import recomputable, value_range


def test_a_small_town_cannot_be_recomputed_from_any_row_column_or_total() -> None:
    # Households searching by town (rows) and size (columns); "Hille" is a small town with
    # three two-person households.
    counts = np.array(
        [
            [40, 22, 9, 6],  # Minden
            [18, 11, 7, 5],  # Lübbecke
            [6, 3, 0, 0],  # Hille: 3 two-person households
            [9, 8, 5, 0],  # Espelkamp
        ]
    )
    result = suppress(counts)
    grid, hidden = result.grid, result.hidden
    assert hidden[2, 1], "the 3 must be hidden"
    # Every row, every column and the totals: with the hidden cells unknown, the 3 is not
    # pinned down by any of them (the attacker's linear program finds a range).
    low, high = value_range(grid, hidden, 2, 1)
    assert low < 3 < high or (low <= 3 <= high and high - low >= 1)
    assert recomputable(grid, hidden) == []
    # Each line holding a hidden cell holds at least two: no subtraction gives one back.
    for line in [*hidden, *hidden.T]:
        assert line.sum() != 1
    # The grand total stays visible, and only as much is hidden as needed (a rectangle).
    assert not result.grand_total_hidden
    assert hidden.sum() == 4


def test_small_totals_are_hidden_too() -> None:
    result = suppress([[2, 0], [0, 1]])
    assert result.hidden[0, 0] and result.hidden[1, 1]
    assert result.row_total_hidden.all()
    assert recomputable(result.grid, result.hidden) == []


def test_zeros_and_large_counts_stay_visible_when_nothing_is_small() -> None:
    result = suppress([[10, 0], [7, 12]])
    assert not result.any_hidden


def test_a_single_column_hides_a_complement() -> None:
    hidden = suppress_column([12, 3, 20, 9])
    assert list(hidden) == [False, True, False, True, False]
    assert list(suppress_column([12, 3, 20], total=False)) == [False, True, False]


def test_determined_finds_a_cell_given_back_by_a_combination_of_lines() -> None:
    # Hidden cells (0,0),(0,1),(1,1): every row/column with one holds two except column 0
    # and row 1, so (0,0) follows from column 0 and then the others follow.
    hidden = np.zeros((3, 3), dtype=bool)
    hidden[0, 0] = hidden[0, 1] = hidden[1, 1] = True
    leak = determined(hidden, row_totals=True, column_totals=True)
    assert leak[0, 0]


@settings(max_examples=150, deadline=None)
@given(
    arrays(np.int64, st.tuples(st.integers(1, 5), st.integers(1, 4)), elements=st.integers(0, 14))
)
def test_no_hidden_value_can_be_recomputed(counts: np.ndarray) -> None:
    result = suppress(counts)
    grid, hidden = result.grid, result.hidden
    shown_small = (~hidden) & (grid > 0) & (grid < MIN_COUNT)
    assert not shown_small.any()
    assert recomputable(grid, hidden) == []


def test_bad_tables_are_refused() -> None:
    with pytest.raises(ValueError, match="2-D"):
        suppress(np.array([1, 2, 3]))
    with pytest.raises(ValueError, match="negative"):
        suppress([[1, -2]])
