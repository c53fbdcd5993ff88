"""Group rates, their ratio to the best-served group, intervals and the four-fifths alarm.

Per-group rates come from fairlearn's ``MetricFrame``; intervals from statsmodels: Wilson
(score) intervals for each group's rate and the Katz log interval with the 0.5 correction
("log-adjusted") for the ratio of two rates. The ratio's score interval is not used: it turns
complex or collapses to a point when the best-served group's rate is 1 (every case a
success), which is common for small offices, and then a wrong interval decides the alarm.
No hand-rolled statistics. Small numbers are hidden with the
reports' rule (:mod:`matching.reports.suppression`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from fairlearn.metrics import MetricFrame, count, selection_rate
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

from matching.reports.suppression import MIN_COUNT, too_few

__all__ = ["ALARM_RATIO", "CONFIDENCE", "GroupRate", "compare_groups"]

ALARM_RATIO = 0.8
"""The four-fifths rule: a group served at less than 80 % of the best-served group's rate."""
CONFIDENCE = 0.95


@dataclass(frozen=True)
class GroupRate:
    """One group's rate on one figure, compared with the best-served group."""

    group: str
    n: int
    successes: int
    rate: float | None
    low: float | None
    high: float | None
    ratio: float | None = None
    ratio_low: float | None = None
    ratio_high: float | None = None
    best: bool = False
    alarm: bool = False
    hidden: bool = False
    """The group is too small to show anything (fewer than 5 cases)."""
    rate_hidden: bool = False
    """The rate would reveal fewer than 5 households (successes or the rest)."""


def _wilson(successes: int, n: int) -> tuple[float, float]:
    low, high = proportion_confint(successes, n, alpha=1 - CONFIDENCE, method="wilson")
    return float(low), float(high)


def _ratio_interval(s1: int, n1: int, s2: int, n2: int) -> tuple[float, float]:
    low, high = confint_proportions_2indep(
        s1, n1, s2, n2, compare="ratio", method="log-adjusted", alpha=1 - CONFIDENCE
    )
    return float(low), float(high)


def compare_groups(
    groups: Sequence[str], outcome: Sequence[bool], *, k: int = MIN_COUNT
) -> list[GroupRate]:
    """Rate of ``outcome`` per group, the ratio to the best-served group and the alarm.

    The best-served group is the one with the highest rate among groups with at least ``k``
    cases. An alarm needs at least ``k`` cases in both groups, a ratio below 0.8 and an
    interval that excludes 0.8 (it lies wholly below).
    """
    if not groups:
        return []
    y = np.asarray(outcome, dtype=int)
    frame = MetricFrame(
        metrics={"rate": selection_rate, "n": count},
        y_true=y,
        y_pred=y,
        sensitive_features=np.asarray(groups, dtype=object),
    ).by_group
    stats = {
        str(name): (int(row["n"]), round(float(row["rate"]) * int(row["n"])))
        for name, row in frame.iterrows()
    }
    eligible = {g: v for g, v in stats.items() if v[0] >= k}
    best = max(eligible, key=lambda g: (eligible[g][1] / eligible[g][0], g)) if eligible else None
    best_n, best_s = eligible[best] if best is not None else (0, 0)
    out = []
    for group in sorted(stats):
        n, s = stats[group]
        if n < k:
            out.append(GroupRate(group, n, s, None, None, None, hidden=True))
            continue
        low, high = _wilson(s, n)
        ratio = ratio_low = ratio_high = None
        if best is not None and best_s > 0:
            ratio = (s / n) / (best_s / best_n)
            ratio_low, ratio_high = _ratio_interval(s, n, best_s, best_n)
        alarm = ratio is not None and ratio < ALARM_RATIO and (ratio_high or 1.0) < ALARM_RATIO
        out.append(
            GroupRate(
                group,
                n,
                s,
                s / n,
                low,
                high,
                ratio,
                ratio_low,
                ratio_high,
                best=group == best,
                alarm=bool(alarm),
                rate_hidden=(s > 0 and too_few(s, k)) or (n - s > 0 and too_few(n - s, k)),
            )
        )
    return out
