"""Benchmark of the propose page and the ranking page on PostgreSQL (issue 11's target).

Run: ``.venv/bin/python benchmarks/bench_propose.py`` (``--households``/``--vacancies``;
needs the PostgreSQL of the test suite). A throw-away database gets the reference data and the
demo data (100,000 households over two counselling offices, so one office holds about 50,000;
with the demo consents and proposals), then a counselor of that office is logged in through
the real form and the pages are fetched end to end through the Litestar app (in-process ASGI
client), warm, and their p50/p95 printed beside the target (p95 ≤ 300 ms):

* ``/wohnungen/{id}/vorschlagen`` – the propose page (ranking page 1 with consents, funnel with
  the excluded households), its second page and a search;
* ``/wohnungen/{id}`` – the vacancy page with its ranking, and the ranking partial alone.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import sys
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT), str(ROOT / "benchmarks")]

import sqlalchemy as sa  # noqa: E402
from bench_ranking import KEY, fmt, p95, prepare, timed, verdict  # noqa: E402
from cryptography.fernet import Fernet  # noqa: E402

from matching.config import DatabaseSettings, SecuritySettings, Settings  # noqa: E402
from matching.db.engine import make_engine, make_session_factory  # noqa: E402
from matching.db.models import Household, Organisation, Vacancy  # noqa: E402
from matching.demo.accounts import COUNSELING_A, DEMO_LOGINS  # noqa: E402
from matching.enums import HouseholdStatus, VacancyStatus  # noqa: E402
from matching.security import crypto  # noqa: E402
from tests.support.databases import (  # noqa: E402
    migrate,
    postgres_available,
    temporary_postgres_database,
)

TARGET = 0.300
Row = tuple[str, str, str, str]


async def _facts(url: str) -> tuple[int, int, int]:
    """An open vacancy with many eligible households of office A; office A's and all counts."""
    engine = make_engine(DatabaseSettings(url=url))
    async with make_session_factory(engine)() as session:
        org = await session.scalar(
            sa.select(Organisation.id).where(Organisation.name == COUNSELING_A)
        )
        own = await session.scalar(
            sa.select(sa.func.count())
            .select_from(Household)
            .where(Household.organisation_id == org, Household.status == HouseholdStatus.ACTIVE)
        )
        total = await session.scalar(sa.select(sa.func.count()).select_from(Household))
        # A typical small flat (many households pass its rules): 2 rooms, the most common.
        vacancy_id = await session.scalar(
            sa.select(Vacancy.id)
            .where(Vacancy.status == VacancyStatus.OPEN, Vacancy.rooms == 2)
            .order_by(Vacancy.id)
            .limit(1)
        )
    await engine.dispose()
    return int(vacancy_id or 0), int(own or 0), int(total or 0)


async def measure(url: str, runs: int) -> list[Row]:
    from litestar.testing import AsyncTestClient

    from api.app import create_app

    vacancy_id, own, total = await _facts(url)
    settings = replace(
        Settings(),
        database=DatabaseSettings(url=url, pool_size=5),
        security=SecuritySettings(
            secret_key=Fernet.generate_key().decode(),
            encryption_keys=(KEY,),
            session_store="memory",
        ),
        scheduler_enabled=False,
    )
    app = create_app(settings)
    logging.getLogger("api.request").setLevel(logging.WARNING)
    counselor = next(d for d in DEMO_LOGINS if d.organisation == COUNSELING_A)
    rows: list[Row] = []
    async with AsyncTestClient(app=app, base_url="http://bench.local") as client:
        await client.get("/login")
        token = client.cookies.get("tueroeffner_csrf") or ""
        await client.post(
            "/login",
            data={"email": counselor.email, "password": counselor.password},
            headers={"x-csrftoken": token},
        )
        pages = {
            "propose page, ranks 1–25 with consents and funnel": (
                f"/wohnungen/{vacancy_id}/vorschlagen",
                {},
            ),
            "propose page, ranks 26–50": (f"/wohnungen/{vacancy_id}/vorschlagen?offset=25", {}),
            "propose page, search by reference code": (
                f"/wohnungen/{vacancy_id}/vorschlagen?suche=HH-2026-0001",
                {},
            ),
            "vacancy page with its ranking (20 rows, Vorschlagen)": (
                f"/wohnungen/{vacancy_id}",
                {},
            ),
            "ranking partial alone (HTMX)": (
                f"/wohnungen/{vacancy_id}/rangliste",
                {"HX-Request": "true"},
            ),
        }
        for name, (path, headers) in pages.items():
            for _ in range(5):  # warm: snapshot, caches, statement cache
                response = await client.get(path, headers=headers)
                assert response.status_code == 200, (path, response.status_code)

            async def once(path: str = path, headers: dict[str, str] = headers) -> None:
                await client.get(path, headers=headers)

            times = await timed(once, runs)
            rows.append(
                (
                    f"{name}: warm p50 / p95",
                    f"{fmt(statistics.median(times))} / {fmt(p95(times))}",
                    "p95 ≤ 300 ms",
                    verdict(p95(times) <= TARGET),
                )
            )
    header = (
        f"office A: {own:,} active of {total:,} households; vacancy {vacancy_id}",
        "",
        "",
        "",
    )
    return [header, *rows]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--households", type=int, default=100_000)
    parser.add_argument("--vacancies", type=int, default=500)
    parser.add_argument("--runs", type=int, default=60)
    args = parser.parse_args()
    if not postgres_available():
        sys.exit("PostgreSQL is not reachable (see tests/support/databases.py)")
    crypto.configure([KEY])
    with temporary_postgres_database() as (url, _sync):
        migrate(url)
        loaded = asyncio.run(prepare(url, args.households, args.vacancies))
        rows = asyncio.run(measure(url, args.runs))
    print(
        f"\nPropose and ranking pages on PostgreSQL: {args.households:,} households, "
        f"{args.vacancies:,} vacancies (demo data with journeys loaded in {loaded:.1f} s)"
    )
    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  {'measured':>22}  {'target':>14}  result")
    for name, value, target, result in rows:
        print(f"{name:<{width}}  {value:>22}  {target:>14}  {result}")


if __name__ == "__main__":
    main()
