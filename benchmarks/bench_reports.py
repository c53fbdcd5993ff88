"""Yearly report over 100,000 households and 200,000 proposals, SQLite and PostgreSQL.

Targets (issue 14): ≤ 1 s to compute the report (columnar reads + polars figures +
suppression), ≤ 2 s to render the page (``GET /berichte`` through the app, charts included).
Prints one row per database with the median of several runs beside the targets.
Run: .venv/bin/python benchmarks/bench_reports.py [--households N] [--proposals P]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from cryptography.fernet import Fernet  # noqa: E402
from litestar.testing import AsyncTestClient  # noqa: E402

from matching.actors import Actor  # noqa: E402
from matching.config import DatabaseSettings, SecuritySettings, Settings  # noqa: E402
from matching.db.engine import make_engine, make_session_factory  # noqa: E402
from matching.demo.accounts import DEMO_LOGINS  # noqa: E402
from matching.demo.generator import load_demo_data  # noqa: E402
from matching.enums import OrganisationKind, Role  # noqa: E402
from matching.reference.loader import load_reference_data  # noqa: E402
from matching.reports.service import build_report  # noqa: E402
from matching.security import crypto  # noqa: E402
from tests.support.databases import (  # noqa: E402
    migrate,
    postgres_available,
    temporary_postgres_database,
)
from tests.support.report_history import add_proposal_history  # noqa: E402

RUNS = 5
KEY = Fernet.generate_key().decode()
ADMIN = Actor(
    kind="user",
    organisation_id=None,
    role=Role.ADMIN,
    organisation_kind=OrganisationKind.FACHSTELLE,
)


async def _fill(url: str, households: int, proposals: int, year: int) -> int:
    engine = make_engine(DatabaseSettings(url=url))
    async with make_session_factory(engine)() as session:
        await load_reference_data(session)
        await load_demo_data(session, households=households, vacancies=5_000, seed=42)
        written = await add_proposal_history(session, proposals, year, seed=11, chunk=20_000)
        await session.commit()
    await engine.dispose()
    return written


Timing = tuple[float, float]  # (wall, CPU of this process) in seconds


def _median(samples: list[Timing]) -> Timing:
    return statistics.median(w for w, _ in samples), statistics.median(c for _, c in samples)


async def _compute(url: str, year: int, today: dt.date) -> Timing:
    engine = make_engine(DatabaseSettings(url=url))
    times: list[Timing] = []
    async with make_session_factory(engine)() as session:
        for _ in range(RUNS):
            wall, cpu = time.perf_counter(), time.process_time()
            await build_report(session, ADMIN, {"jahr": str(year)}, today)
            times.append((time.perf_counter() - wall, time.process_time() - cpu))
            await session.rollback()
    await engine.dispose()
    return _median(times)


async def _render(url: str, year: int, tmp: Path) -> Timing:
    from api.app import create_app

    settings = replace(
        Settings(),
        database=DatabaseSettings(url=url, pool_size=5),
        security=SecuritySettings(
            secret_key="bench-secret-key-with-enough-entropy-0123456789",  # noqa: S106
            encryption_keys=(KEY,),
            session_store="memory",
        ),
        var_dir=tmp,
    )
    app = create_app(settings)
    admin = next(login for login in DEMO_LOGINS if login.role == Role.ADMIN)
    times: list[Timing] = []
    async with AsyncTestClient(app=app, base_url="http://bench.local") as client:
        await client.get("/login")
        await client.post(
            "/login",
            data={"email": admin.email, "password": admin.password},
            headers={"x-csrftoken": client.cookies.get("tueroeffner_csrf") or ""},
        )
        for _ in range(RUNS):
            wall, cpu = time.perf_counter(), time.process_time()
            response = await client.get(f"/berichte?zeitraum=jahr&jahr={year}")
            times.append((time.perf_counter() - wall, time.process_time() - cpu))
            assert response.status_code == 200, response.status_code
            assert response.text.count("<svg") >= 10
    return _median(times)


def _bench(name: str, url: str, args: argparse.Namespace, tmp: Path) -> tuple[str, ...]:
    today = dt.date.today()
    migrate(url)
    written = asyncio.run(_fill(url, args.households, args.proposals, today.year))
    compute = asyncio.run(_compute(url, today.year, today))
    render = asyncio.run(_render(url, today.year, tmp))
    return (
        name,
        f"{args.households:,}",
        f"{written:,}",
        f"{compute[0]:.2f} s ({compute[1]:.2f})",
        f"{render[0]:.2f} s ({render[1]:.2f})",
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=100_000)
    parser.add_argument("--proposals", type=int, default=200_000)
    args = parser.parse_args()
    crypto.configure([KEY])
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{tmp}/bench.sqlite3"
        rows.append(_bench("SQLite", url, args, Path(tmp)))
        if postgres_available():
            with temporary_postgres_database() as (pg_url, _):
                rows.append(_bench("PostgreSQL", pg_url, args, Path(tmp)))
    print("\nYearly report, median of 5 runs: wall time (CPU time of this process)")
    print(f"{'database':<12}{'households':>12}{'proposals':>12}{'compute':>18}{'page':>18}")
    for name, h, p, c, r in rows:
        print(f"{name:<12}{h:>12}{p:>12}{c:>18}{r:>18}")
    print(f"{'target':<12}{'':>12}{'':>12}{'≤ 1.00 s':>18}{'≤ 2.00 s':>18}")


if __name__ == "__main__":
    main()
