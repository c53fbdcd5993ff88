"""Proposal → e-mail: time from a committed proposal to the landlord's e-mail being accepted
by the SMTP server (aiosmtpd, in-process), median of 20, on SQLite and PostgreSQL.

Two ways the outbox is drained:
- ``worker``: the outbox worker runs right after the commit (the pipeline's own cost:
  claim, render-free send over SMTP, record);
- ``scheduler``: the app's scheduler loop (``run_forever``) ticking every ``--interval``
  seconds, as in production (there the latency is bounded by MATCHING_SCHEDULER_INTERVAL).

Run: .venv/bin/python benchmarks/bench_proposals.py [--runs 20] [--interval 1.0]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from aiosmtpd.controller import Controller  # noqa: E402

from matching.config import DatabaseSettings  # noqa: E402
from matching.db.engine import make_engine, make_session_factory  # noqa: E402
from matching.notifications.settings import SmtpSettings  # noqa: E402
from matching.notifications.worker import deliver_pending  # noqa: E402
from matching.proposals import service  # noqa: E402
from matching.proposals.checker import PassAllChecker  # noqa: E402
from matching.reference.loader import load_reference_data  # noqa: E402
from matching.scheduler.runner import run_forever  # noqa: E402
from tests.matching.notifications.smtp_fixtures import free_port  # noqa: E402
from tests.matching.proposals.factories import TEST_SETTINGS, build_world  # noqa: E402
from tests.support.databases import (  # noqa: E402
    migrate,
    postgres_available,
    temporary_postgres_database,
)


class TimedRecorder:
    """Records when the server accepted each message (end of DATA)."""

    def __init__(self) -> None:
        self.accepted: list[float] = []
        self.arrived = asyncio.Event()
        self.loop: asyncio.AbstractEventLoop | None = None

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.accepted.append(time.perf_counter())
        if self.loop is not None:
            self.loop.call_soon_threadsafe(self.arrived.set)
        return "250 OK"


async def _measure(url: str, runs: int, mode: str, interval: float) -> list[float]:
    engine = make_engine(DatabaseSettings(url=url, pool_size=5))
    sessions = make_session_factory(engine)
    async with sessions() as session:
        await load_reference_data(session)
        await session.commit()
        world = await build_world(session, households=runs, vacancies=-(-runs // 3))
    recorder = TimedRecorder()
    recorder.loop = asyncio.get_running_loop()
    port = free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    smtp = SmtpSettings(
        host="127.0.0.1",
        port=port,
        user=None,
        password=None,
        starttls=False,
        tls=False,
        from_address="Türöffner <noreply@tueroeffner.example>",
        timeout_seconds=5,
    )
    stop = asyncio.Event()
    loop_task = None
    if mode == "scheduler":
        loop_task = asyncio.create_task(
            run_forever(sessions, interval, smtp_settings=smtp, settings=TEST_SETTINGS, stop=stop)
        )
    times: list[float] = []
    try:
        for i in range(runs):
            if mode == "scheduler":  # arrive at a random point of the tick, as requests do
                await asyncio.sleep(random.uniform(0, interval))
            recorder.arrived.clear()
            before = len(recorder.accepted)
            async with sessions() as session:
                [outcome] = await service.propose(
                    session,
                    world.counselor,
                    world.vacancies[i // 3].id,
                    [world.households[i].id],
                    checker=PassAllChecker(),
                    settings=TEST_SETTINGS,
                )
                assert outcome.ok, outcome.message
                await session.commit()
            committed = time.perf_counter()
            if mode == "worker":
                await deliver_pending(sessions, smtp)
            while len(recorder.accepted) == before:
                await asyncio.wait_for(recorder.arrived.wait(), timeout=interval * 5 + 10)
                recorder.arrived.clear()
            times.append(recorder.accepted[before] - committed)
    finally:
        stop.set()
        if loop_task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await loop_task
        controller.stop()
        await engine.dispose()
    return times


def _databases() -> list[tuple[str, Any]]:
    found: list[tuple[str, Any]] = [("SQLite", None)]
    if postgres_available():
        found.append(("PostgreSQL", temporary_postgres_database))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--interval", type=float, default=1.0)
    args = parser.parse_args()
    print(f"proposal committed → e-mail accepted by SMTP, median of {args.runs} (ms)")
    print(f"{'database':<12}{'mode':<22}{'median':>10}{'p90':>10}{'max':>10}")
    for name, make_pg in _databases():
        for mode in ("worker", "scheduler"):
            with contextlib.ExitStack() as stack:
                if make_pg is None:
                    tmp = stack.enter_context(tempfile.TemporaryDirectory())
                    url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.sqlite3'}"
                else:
                    url, _sync = stack.enter_context(make_pg())
                migrate(url)
                times = asyncio.run(_measure(url, args.runs, mode, args.interval))
            ms = sorted(t * 1000 for t in times)
            label = mode if mode == "worker" else f"scheduler ({args.interval:g} s tick)"
            p90 = ms[max(0, int(len(ms) * 0.9) - 1)]
            print(f"{name:<12}{label:<22}{statistics.median(ms):>10.1f}{p90:>10.1f}{ms[-1]:>10.1f}")


if __name__ == "__main__":
    main()
