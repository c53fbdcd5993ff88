"""The four-fifths alarm on constructed data, intervals from statsmodels, small groups hidden."""

from __future__ import annotations

from matching.fairness.stats import compare_groups


def _rows(spec: dict[str, tuple[int, int]]) -> tuple[list[str], list[bool]]:
    groups: list[str] = []
    outcome: list[bool] = []
    for group, (n, successes) in spec.items():
        groups += [group] * n
        outcome += [True] * successes + [False] * (n - successes)
    return groups, outcome


def test_a_clearly_underserved_group_triggers_the_alarm() -> None:
    groups, outcome = _rows({"ohne Kinder": (200, 120), "mit Kindern": (150, 45), "klein": (4, 1)})
    result = {r.group: r for r in compare_groups(groups, outcome)}
    best, low = result["ohne Kinder"], result["mit Kindern"]
    assert best.best and best.ratio == 1.0 and not best.alarm
    assert low.rate == 0.3 and abs(low.ratio - 0.5) < 1e-9  # type: ignore[operator]
    assert low.ratio_high is not None and low.ratio_high < 0.8
    assert low.low is not None and low.high is not None and low.low < 0.3 < low.high
    assert low.alarm
    # fewer than 5 cases: nothing shown, no alarm, not the best group either
    assert result["klein"].hidden and result["klein"].rate is None and not result["klein"].alarm


def test_no_alarm_when_the_interval_includes_four_fifths() -> None:
    groups, outcome = _rows({"A": (20, 12), "B": (10, 4)})  # ratio 0.67, but few cases
    result = {r.group: r for r in compare_groups(groups, outcome)}
    assert result["B"].ratio is not None and result["B"].ratio < 0.8
    assert result["B"].ratio_high is not None and result["B"].ratio_high > 0.8
    assert not result["B"].alarm


def test_no_alarm_at_or_above_four_fifths() -> None:
    groups, outcome = _rows({"A": (1000, 500), "B": (1000, 420)})  # ratio 0.84
    result = {r.group: r for r in compare_groups(groups, outcome)}
    assert not result["B"].alarm


def test_rates_that_would_reveal_small_counts_are_hidden() -> None:
    groups, outcome = _rows({"A": (40, 20), "B": (30, 3), "C": (30, 28)})
    result = {r.group: r for r in compare_groups(groups, outcome)}
    assert result["B"].rate_hidden and result["C"].rate_hidden
    assert not result["A"].rate_hidden


def test_the_ratio_interval_holds_when_the_best_group_succeeds_every_time() -> None:
    """A best-served group at 100 % broke the score interval (complex or a single point)."""
    groups, outcome = _rows({"A": (10, 10), "B": (10, 3), "C": (50, 40), "D": (5, 0)})
    result = {r.group: r for r in compare_groups(groups, outcome)}
    for name, expected in (("B", 0.3), ("C", 0.8), ("D", 0.0)):
        row = result[name]
        assert row.ratio is not None and abs(row.ratio - expected) < 1e-9
        assert row.ratio_low is not None and row.ratio_high is not None
        assert isinstance(row.ratio_low, float) and isinstance(row.ratio_high, float)
        # The 0.5 correction keeps the lower bound just above a ratio of exactly 0.
        assert row.ratio_low - 0.01 <= row.ratio <= row.ratio_high, name
    assert result["B"].alarm  # 0.3 with an interval wholly below 0.8
    assert not result["C"].alarm  # exactly four fifths is no alarm
    assert not result["D"].alarm  # five cases with none: the interval still reaches 0.8
