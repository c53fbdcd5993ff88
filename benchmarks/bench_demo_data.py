"""Demo-data generation: 100,000 households and 5,000 vacancies on SQLite and PostgreSQL.

Target (issue 3): ≤ 30 s on each database. Prints one row per database.
Run: .venv/bin/python benchmarks/bench_demo_data.py [--households N] [--vacancies M]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from cryptography.fernet import Fernet  # noqa: E402

from matching.config import DatabaseSettings  # noqa: E402
from matching.db.engine import make_engine, make_session_factory  # noqa: E402
from matching.demo.generator import load_demo_data  # noqa: E402
from matching.reference.loader import load_reference_data  # noqa: E402
from matching.security import crypto  # noqa: E402
from tests.support.databases import (  # noqa: E402
    migrate,
    postgres_available,
    temporary_postgres_database,
)


async def _run(url: str, households: int, vacancies: int) -> float:
    engine = make_engine(DatabaseSettings(url=url))
    async with make_session_factory(engine)() as session:
        await load_reference_data(session)
        await session.commit()
        started = time.perf_counter()
        await load_demo_data(session, households=households, vacancies=vacancies, seed=42)
        await session.commit()
        elapsed = time.perf_counter() - started
    await engine.dispose()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=100_000)
    parser.add_argument("--vacancies", type=int, default=5_000)
    args = parser.parse_args()
    crypto.configure([Fernet.generate_key().decode()])
    rows: list[tuple[str, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{tmp}/bench.sqlite3"
        migrate(url)
        rows.append(("SQLite", asyncio.run(_run(url, args.households, args.vacancies))))
    if postgres_available():
        with temporary_postgres_database() as (url, _):
            migrate(url)
            rows.append(("PostgreSQL", asyncio.run(_run(url, args.households, args.vacancies))))
    print(f"\nDemo data: {args.households:,} households + {args.vacancies:,} vacancies")
    print("target: ≤ 30 s per database")
    print(f"{'database':<12} {'seconds':>8} {'rows/s':>10} {'target':>8}")
    for name, seconds in rows:
        rate = (args.households + args.vacancies) / seconds
        print(f"{name:<12} {seconds:>8.1f} {rate:>10,.0f} {'ok' if seconds <= 30 else 'MISSED':>8}")


if __name__ == "__main__":
    main()
