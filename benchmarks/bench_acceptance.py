"""Acceptance chance: added time for a ranking page of 50 rows, and training on 200,000 proposals.

Targets (issue 14): ≤ 5 ms added per page of 50 rows; training ≤ 60 s.
The page figure is measured on SQLite and, when available, PostgreSQL (a throw-away database):
demo data with its year of history, a model trained on it, then the chance for the top 50
households of open flats (median over 50 flats). Training uses the demo's synthetic rule in
memory (no database) so it measures the model alone.
Run: .venv/bin/python benchmarks/bench_acceptance.py [--proposals N]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

import sqlalchemy as sa  # noqa: E402
from cryptography.fernet import Fernet  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from matching.acceptance.model import train  # noqa: E402
from matching.acceptance.service import AcceptanceService  # noqa: E402
from matching.actors import Actor  # noqa: E402
from matching.config import DatabaseSettings  # noqa: E402
from matching.db.engine import make_engine, make_session_factory  # noqa: E402
from matching.db.models import Vacancy  # noqa: E402
from matching.demo.generator import load_demo_data  # noqa: E402
from matching.enums import OrganisationKind, Role  # noqa: E402
from matching.ranking import RankingService  # noqa: E402
from matching.reference.loader import load_reference_data  # noqa: E402
from matching.security import crypto  # noqa: E402
from tests.matching.acceptance.synthetic import history  # noqa: E402
from tests.support.databases import (  # noqa: E402
    migrate,
    postgres_available,
    temporary_postgres_database,
)

ADMIN = Actor(
    kind="user",
    organisation_id=None,
    role=Role.ADMIN,
    organisation_kind=OrganisationKind.FACHSTELLE,
    label="bench",
)


async def _page(url: str, households: int, model_dir: Path) -> tuple[float, int]:
    engine = make_engine(DatabaseSettings(url=url))
    factory = make_session_factory(engine)
    async with factory() as session:
        await load_reference_data(session)
        await load_demo_data(session, households=households, vacancies=200, seed=42)
        await session.commit()
    service = AcceptanceService(model_dir)
    async with factory() as session:
        card = await service.train_from(session)
    assert service.status().available, service.status().reason
    ranking = RankingService()
    timings: list[float] = []
    async with factory() as session:
        ids = (
            await session.scalars(
                sa.select(Vacancy.id).where(Vacancy.status == "open").order_by(Vacancy.id).limit(50)
            )
        ).all()
        for vacancy_id in ids:
            vacancy = await session.get(Vacancy, vacancy_id)
            assert vacancy is not None
            result = await ranking.rank_vacancy(session, ADMIN, vacancy, limit=50)
            rows = [r.household_id for r in result.rows]
            started = time.perf_counter()
            page = await service.for_vacancy(
                session, ranking, vacancy_id, rows, result.reference_date
            )
            timings.append((time.perf_counter() - started) * 1000)
            assert len(page.chances) == len(rows)
    await engine.dispose()
    return statistics.median(timings), card.answered


def _training(proposals: int) -> tuple[float, int, float | None]:
    raw, answered, accepted, _ = history(40_000, int(proposals / (1.6 * 0.85)))
    rows = raw.filter(answered)
    started = time.perf_counter()
    with threadpool_limits(1, user_api="openmp"):
        model = train(
            rows.drop("household_index", "sent_on", "scope"),
            accepted[answered],
            rows["sent_on"].to_list(),
        )
    return time.perf_counter() - started, rows.height, model.card.roc_auc


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--proposals", type=int, default=200_000)
    parser.add_argument("--households", type=int, default=100_000)
    args = parser.parse_args()
    crypto.configure([Fernet.generate_key().decode()])
    lines = []
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{tmp}/bench.sqlite3"
        migrate(url)
        ms, n = asyncio.run(_page(url, args.households, Path(tmp) / "m1"))
        lines.append(f"{'chance for 50 ranked rows, SQLite (median)':55} {ms:8.2f} ms   ≤ 5 ms")
        if postgres_available():
            with temporary_postgres_database() as (pg_url, _):
                migrate(pg_url)
                ms, n = asyncio.run(_page(pg_url, args.households, Path(tmp) / "m2"))
                lines.append(
                    f"{'chance for 50 ranked rows, PostgreSQL (median)':55} {ms:8.2f} ms   ≤ 5 ms"
                )
    seconds, rows, auc = _training(args.proposals)
    lines.append(f"{f'training on {rows:,} answered proposals':55} {seconds:8.1f} s    ≤ 60 s")
    print(f"Acceptance chance (model trained on the demo history: {n:,} answered proposals)")
    print("\n".join(lines))
    print(f"held-out ROC AUC of the 200k model: {auc}")


if __name__ == "__main__":
    main()
