"""Benchmark of the scoring engine; prints the figures side by side with their targets.

Run: ``.venv/bin/python benchmarks/bench_scoring.py`` (add ``--quick`` for a smoke run).
Synthetic data only (seeded); see :mod:`scoring.synthetic` for the distributions.
The SQL-on-PostgreSQL baseline is added separately as its own ``sql_baseline`` function.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import statistics
import time
from collections.abc import Callable

from scoring import (
    Households,
    Vacancies,
    allocate,
    load_policy,
    rank_households,
    rank_vacancies,
)
from scoring.reference import reference_rank_households
from scoring.synthetic import (
    example_municipalities,
    example_rent_limits,
    synthetic_households,
    synthetic_vacancies,
)

REFERENCE_DATE = dt.date(2026, 3, 1)


def timed(fn: Callable[[], object], runs: int) -> list[float]:
    """Wall-clock seconds of ``runs`` calls (garbage collection paused while timing)."""
    out = []
    gc.collect()
    gc.disable()
    try:
        for _ in range(runs):
            start = time.perf_counter()
            fn()
            out.append(time.perf_counter() - start)
    finally:
        gc.enable()
    return out


def fmt(seconds: float) -> str:
    return f"{seconds * 1000:,.2f} ms" if seconds < 1 else f"{seconds:,.2f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--households", type=int, default=100_000)
    parser.add_argument("--vacancies", type=int, default=10_000)
    parser.add_argument("--allocation-vacancies", type=int, default=500)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--reference-runs", type=int, default=1)
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    args = parser.parse_args()
    if args.quick:
        args.households, args.vacancies, args.allocation_vacancies = 5_000, 1_000, 20
        args.runs = 10

    towns, limits, policy = example_municipalities(), example_rent_limits(), load_policy()
    start = time.perf_counter()
    households = Households.from_polars(
        synthetic_households(args.households, seed=42, reference_date=REFERENCE_DATE)
    )
    load_households = time.perf_counter() - start
    vacancies = Vacancies.from_polars(
        synthetic_vacancies(args.vacancies, seed=7, reference_date=REFERENCE_DATE)
    )
    flats = vacancies.rows(range(min(args.runs, len(vacancies))))
    print(
        f"data: {len(households):,} households (from_polars {fmt(load_households)}), "
        f"{len(vacancies):,} vacancies, policy {policy.name} {policy.version}"
    )

    # 1. one vacancy against all households, top 50 with explanations
    cycle = iter(flats * (args.runs // len(flats) + 2))
    for flat in flats[:3]:  # warm-up (imports, caches of the household snapshot)
        rank_households(households, flat, towns, limits, policy, reference_date=REFERENCE_DATE)
    fast = timed(
        lambda: rank_households(
            households, next(cycle), towns, limits, policy, reference_date=REFERENCE_DATE, limit=50
        ),
        args.runs,
    )
    fast_median = statistics.median(fast)
    slow = timed(
        lambda: reference_rank_households(
            households, flats[0], towns, limits, policy, reference_date=REFERENCE_DATE, limit=50
        ),
        args.reference_runs,
    )
    slow_median = statistics.median(slow)
    ranking = rank_households(
        households, flats[0], towns, limits, policy, reference_date=REFERENCE_DATE
    )

    # 2. one household against all vacancies (vacancy table prepared once, like a snapshot)
    ids = households.id[: args.runs].tolist()
    cold = timed(
        lambda: rank_vacancies(
            households, ids[0], vacancies, towns, limits, policy, reference_date=REFERENCE_DATE
        ),
        1,
    )[0]
    hh_cycle = iter(ids * 3)
    reverse = timed(
        lambda: rank_vacancies(
            households,
            next(hh_cycle),
            vacancies,
            towns,
            limits,
            policy,
            reference_date=REFERENCE_DATE,
        ),
        args.runs,
    )
    reverse_median = statistics.median(reverse)

    # 3. allocation
    block = Vacancies.from_polars(
        synthetic_vacancies(args.allocation_vacancies, seed=11, reference_date=REFERENCE_DATE)
    )
    allocation_time = timed(
        lambda: allocate(households, block, towns, limits, policy, reference_date=REFERENCE_DATE), 1
    )[0]
    result = allocate(households, block, towns, limits, policy, reference_date=REFERENCE_DATE)

    n, m = len(households), len(vacancies)
    rows = [
        (
            f"1 vacancy × {n:,} households, top 50 + explanations (median of {args.runs})",
            fmt(fast_median),
            "≤ 5 ms",
            fast_median <= 0.005,
        ),
        (
            "  p95 / min",
            f"{fmt(sorted(fast)[int(0.95 * len(fast)) - 1])} / {fmt(min(fast))}",
            "",
            None,
        ),
        (
            f"  reference implementation, same ranking (median of {args.reference_runs})",
            fmt(slow_median),
            "",
            None,
        ),
        (
            "  speed-up vectorised vs reference",
            f"{slow_median / fast_median:,.0f}×",
            "≥ 30×",
            slow_median / fast_median >= 30,
        ),
        (
            f"1 household × {m:,} vacancies (median of {args.runs})",
            fmt(reverse_median),
            "≤ 2 ms",
            reverse_median <= 0.002,
        ),
        ("  first call (prepares the vacancy table)", fmt(cold), "", None),
        (
            f"allocation {len(block):,} vacancies × {n:,} households (top 50 each)",
            fmt(allocation_time),
            "≤ 10 s",
            allocation_time <= 10,
        ),
    ]
    width = max(len(r[0]) for r in rows)
    print()
    print(f"{'scenario'.ljust(width)}  {'measured':>16}  {'target':>8}  ok")
    print("-" * (width + 34))
    for label, measured, target, ok in rows:
        mark = "" if ok is None else ("yes" if ok else "NO")
        print(f"{label.ljust(width)}  {measured:>16}  {target:>8}  {mark}")
    print()
    print(f"ranking: {ranking.eligible_count:,} eligible; {ranking.funnel.summary()}")
    assigned = sum(r.household_id is not None for r in result.rows)
    print(
        f"allocation: {assigned}/{len(block)} vacancies assigned, "
        f"{result.total_points:,.2f} points; hardest: "
        + ", ".join(f"#{r.vacancy_id} ({r.eligible_count} eligible)" for r in result.rows[:3])
    )


if __name__ == "__main__":
    main()
