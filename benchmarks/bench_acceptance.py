"""Acceptance chance: added time for a ranking page of 50 rows, and training on 200,000 proposals.

Targets (issue 14): ≤ 5 ms added per page of 50 rows; training ≤ 60 s.
The page figures are measured on SQLite and, when available, PostgreSQL (a throw-away
database, after VACUUM ANALYZE as autovacuum leaves it): demo data with its year of history,
a model trained on it, then the chance for the top 50 households of 50 open flats, and for
the top 50 flats of 50 of those households (the reverse page); median over ``--rounds``
passes. Only the chance is timed: the ranking itself
runs before the clock starts. Training uses the demo's synthetic rule in memory (no database)
so it measures the model alone.
Run: .venv/bin/python benchmarks/bench_acceptance.py [--proposals N] [--rounds N]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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


@dataclass(frozen=True)
class Figures:
    vacancy_page_ms: float
    household_page_ms: float
    vacancy_rows: int
    household_rows: int
    answered: int
    plain_ranking_ms: float
    weighted_ranking_ms: float
    weighted_eligible: int


ADMIN = Actor(
    kind="user",
    organisation_id=None,
    role=Role.ADMIN,
    organisation_kind=OrganisationKind.FACHSTELLE,
    label="bench",
)


POLICIES = ROOT / "scoring" / "policies"


def _weighted_policy(directory: Path) -> Path:
    """The default policy with 10 of its 100 points moved from waiting time to the chance
    (no shipped policy weighs it; a Fachstelle's own policy file may)."""
    text = (POLICIES / "dringlichkeit.toml").read_text("utf-8")
    text = text.replace('name = "dringlichkeit"', 'name = "mit-zusage-chance"')
    text = text.replace("waiting = 15", "waiting = 5\nacceptance = 10", 1)
    path = directory / "mit-zusage-chance.toml"
    path.write_text(text, "utf-8")
    return path


async def _ranking_ms(
    session: Any, ranking: RankingService, vacancies: list[Vacancy], policy: str | None
) -> float:
    """Median time of one ranking page (50 rows) of each flat under ``policy``."""
    times = []
    for vacancy in vacancies:
        started = time.perf_counter()
        await ranking.rank_vacancy(session, ADMIN, vacancy, limit=50, policy=policy)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


async def _page(url: str, households: int, model_dir: Path, rounds: int) -> Figures:
    engine = make_engine(DatabaseSettings(url=url))
    factory = make_session_factory(engine)
    async with factory() as session:
        await load_reference_data(session)
        await load_demo_data(session, households=households, vacancies=200, seed=42)
        await session.commit()
    if engine.dialect.name == "postgresql":  # steady state, as autovacuum leaves a table
        async with engine.connect() as connection:
            auto = await connection.execution_options(isolation_level="AUTOCOMMIT")
            await auto.execute(sa.text("VACUUM ANALYZE"))
    service = AcceptanceService(model_dir)
    async with factory() as session:
        card = await service.train_from(session)
    assert service.status().available, service.status().reason
    model = service.usable_model()
    assert model is not None
    assert model.fast is not None, "the page would go through predict_proba"
    ranking = RankingService()
    vacancy_pages: list[float] = []
    household_pages: list[float] = []
    async with factory() as session:
        ids = (
            await session.scalars(
                sa.select(Vacancy.id).where(Vacancy.status == "open").order_by(Vacancy.id).limit(50)
            )
        ).all()
        pages = []
        for vacancy_id in ids:
            vacancy = await session.get(Vacancy, vacancy_id)
            assert vacancy is not None
            pages.append(await ranking.rank_vacancy(session, ADMIN, vacancy, limit=50))
        for _ in range(rounds):  # the same pages again: a median over more samples
            for result in pages:
                started = time.perf_counter()
                page = await service.for_vacancy(session, ranking, result)
                vacancy_pages.append((time.perf_counter() - started) * 1000)
                assert len(page.chances) == len(result.rows)
        flats = [
            await ranking.household_matches(session, ADMIN, household_id, limit=50)
            for household_id in sorted({r.household_id for p in pages for r in p.rows})[:50]
        ]
        for _ in range(rounds):
            for matches in flats:
                started = time.perf_counter()
                page = await service.for_household(session, ranking, matches)
                household_pages.append((time.perf_counter() - started) * 1000)
                assert len(page.chances) == len(matches.rows)
        # A policy that weighs the chance estimates it for every eligible household first.
        weighted = RankingService(_weighted_policy(model_dir.parent), chances=service)
        flats_to_rank = [v for v in [await session.get(Vacancy, i) for i in ids[:10]] if v]
        for warm in (ranking, weighted):  # snapshots loaded outside the measurement
            await warm.rank_vacancy(session, ADMIN, flats_to_rank[0], limit=50)
        plain_ms = await _ranking_ms(session, ranking, flats_to_rank, None)
        weighted_ms = await _ranking_ms(session, weighted, flats_to_rank, "mit-zusage-chance")
        eligible = statistics.median(
            [
                (await weighted.rank_vacancy(session, ADMIN, v, limit=1)).eligible_count
                for v in flats_to_rank
            ]
        )
    await engine.dispose()
    return Figures(
        statistics.median(vacancy_pages),
        statistics.median(household_pages),
        max(len(p.rows) for p in pages),
        max(len(m.rows) for m in flats),
        card.answered,
        plain_ms,
        weighted_ms,
        int(eligible),
    )


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
    parser.add_argument("--rounds", type=int, default=3, help="passes over the 50 pages")
    args = parser.parse_args()
    crypto.configure([Fernet.generate_key().decode()])
    lines = []
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{tmp}/bench.sqlite3"
        migrate(url)
        figures = asyncio.run(_page(url, args.households, Path(tmp) / "m1", args.rounds))
        lines += _page_lines("SQLite", figures)
        if postgres_available():
            with temporary_postgres_database() as (pg_url, _):
                migrate(pg_url)
                figures = asyncio.run(_page(pg_url, args.households, Path(tmp) / "m2", args.rounds))
                lines += _page_lines("PostgreSQL", figures)
    seconds, rows, auc = _training(args.proposals)
    lines.append(f"{f'training on {rows:,} answered proposals':55} {seconds:8.1f} s    ≤ 60 s")
    print(
        f"Acceptance chance (model trained on the demo history: {figures.answered:,} answered "
        "proposals)"
    )
    print("\n".join(lines))
    print(f"held-out ROC AUC of the 200k model: {auc}")


def _page_lines(database: str, f: Figures) -> list[str]:
    return [
        f"{f'chance for {f.vacancy_rows} ranked households, {database} (median)':55} "
        f"{f.vacancy_page_ms:8.2f} ms   ≤ 5 ms",
        f"{f'chance for {f.household_rows} ranked flats, {database} (median)':55} "
        f"{f.household_page_ms:8.2f} ms   ≤ 5 ms",
        f"{f'  ranking page of a flat, shipped policy, {database}':55} "
        f"{f.plain_ranking_ms:8.1f} ms",
        f"{f'  … a policy weighing the chance ({f.weighted_eligible:,} eligible)':55} "
        f"{f.weighted_ranking_ms:8.1f} ms   (no target)",
    ]


if __name__ == "__main__":
    main()
