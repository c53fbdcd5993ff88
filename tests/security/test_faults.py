"""Faults: the database goes away and comes back; a process dies mid-transaction.

* Database down: ``/ready`` answers 503 and pages a German maintenance page (status 503)
  within 2 s, the API a problem document; once the database is back the same app object
  answers normally (no restart). SQLite: the database's directory disappears and the pool is
  dropped. PostgreSQL: the app talks through a TCP proxy in the test that is stopped and
  started again.
* SIGKILL: a subprocess writing many rows in one transaction (the demo-data import, and a
  proposal transition held open before commit) is killed; nothing of it is visible afterwards.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from litestar.testing import AsyncTestClient
from sqlalchemy.engine import make_url

from api.app import create_app
from matching.config import DatabaseSettings
from matching.db.models import AuditEvent, OutboxMessage, Proposal, ProposalEvent
from matching.security.backup import backup
from tests.conftest import login
from tests.security.conftest import send_proposal
from tests.support.world import PASSWORD

pytestmark = pytest.mark.anyio
ROOT = Path(__file__).resolve().parents[2]
LIMIT = 2.0


class TcpProxy:
    """A stoppable TCP relay on its own thread and event loop (the test client blocks ours).

    stop() refuses new connections and cuts the open ones, as a database crash would.
    """

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = 0
        self.server: asyncio.Server | None = None
        self.writers: set[asyncio.StreamWriter] = set()
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def _call(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout=10)

    def start(self) -> None:
        self._call(self._start())

    def stop(self) -> None:
        self._call(self._stop())

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.stop()
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=5)

    async def _start(self) -> None:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)
        self.port = self.server.sockets[0].getsockname()[1]

    async def _stop(self) -> None:
        if self.server is None:
            return
        self.server.close()
        for writer in list(self.writers):
            writer.close()
        self.writers.clear()
        await self.server.wait_closed()
        self.server = None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.close()
            return
        self.writers |= {writer, up_writer}

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            with contextlib.suppress(Exception):
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            dst.close()

        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))


async def _timed(client: Any, path: str, **kwargs: Any) -> tuple[Any, float]:
    started = time.perf_counter()
    response = await client.get(path, follow_redirects=False, **kwargs)
    return response, time.perf_counter() - started


async def _assert_down(client: Any, world: Any) -> None:
    ready, took = await _timed(client, "/ready")
    assert ready.status_code == 503 and took < LIMIT
    page, took = await _timed(client, "/haushalte/")
    assert page.status_code == 503 and took < LIMIT
    assert page.headers["content-type"].startswith("text/html")
    assert "Wartung" in page.text and "vorübergehend nicht erreichbar" in page.text
    key = world.keys["counseling_a:households:read"]
    api, took = await _timed(
        client, "/api/v1/households", headers={"authorization": f"Bearer {key}"}
    )
    assert api.status_code == 503 and took < LIMIT
    assert api.headers["content-type"].startswith("application/problem+json")


async def _assert_up(client: Any) -> None:
    assert (await client.get("/ready")).status_code == 200
    page = await client.get("/haushalte/", follow_redirects=False)
    assert page.status_code == 200 and "HH-2026-90000" in page.text


async def test_database_down_and_back(settings: Any, world: Any, db: Any, tmp_path: Path) -> None:
    proxy: TcpProxy | None = None
    if db.kind == "sqlite":
        live = tmp_path / "live"
        live.mkdir()
        path = live / "db.sqlite3"
        backup(db.url, path)  # a private copy (with the world) whose directory we can move
        url = f"sqlite+aiosqlite:///{path}"
    else:
        parsed = make_url(db.url)
        proxy = TcpProxy(parsed.host or "127.0.0.1", parsed.port or 5432)
        proxy.start()
        url = parsed.set(port=proxy.port).render_as_string(hide_password=False)
    app = create_app(replace(settings, database=DatabaseSettings(url=url, pool_size=3)))
    engine = app.state.session_factory.kw["bind"]
    async with AsyncTestClient(app=app, base_url="http://testserver.local") as client:
        assert (await login(client, world.email("counselor_a"), PASSWORD)).status_code == 200
        await _assert_up(client)

        if proxy is not None:
            proxy.stop()
        else:
            (tmp_path / "live").rename(tmp_path / "away")
            await engine.dispose()  # the open file handles would outlive the rename
        await _assert_down(client, world)

        if proxy is not None:
            proxy.start()
        else:
            (tmp_path / "away").rename(tmp_path / "live")
        await _assert_up(client)  # the same app object: recovered without a restart
    if proxy is not None:
        proxy.close()


# ------------------------------------------------------------------------------ SIGKILL

_IMPORT = """
import asyncio, sys, time
from matching.config import DatabaseSettings
from matching.db.engine import make_engine, make_session_factory
from matching.demo.generator import load_demo_data
from matching.security import crypto

crypto.configure([sys.argv[2]])

async def main():
    engine = make_engine(DatabaseSettings(url=sys.argv[1]))
    async with make_session_factory(engine)() as session:
        def progress(label, done, total):
            if label == "Wohnungsangebote":
                print("WRITING", label, done, flush=True)
                time.sleep(60)  # killed here: households and some vacancies written, no commit
        await load_demo_data(session, households=600, vacancies=200, seed=7, progress=progress)
        await session.commit()
        print("COMMITTED", flush=True)

asyncio.run(main())
"""

_TRANSITION = """
import asyncio, sys, time
from matching.actors import Actor
from matching.config import DatabaseSettings
from matching.db.engine import make_engine, make_session_factory
from matching.enums import OrganisationKind, Role
from matching.proposals.service import transition
from matching.security import crypto

crypto.configure([sys.argv[2]])
proposal_id, landlord_org, landlord_user = (int(x) for x in sys.argv[3:6])

async def main():
    engine = make_engine(DatabaseSettings(url=sys.argv[1]))
    actor = Actor(kind="user", organisation_id=landlord_org, role=Role.LANDLORD,
                  organisation_kind=OrganisationKind.LANDLORD, user_id=landlord_user,
                  label=f"user:{landlord_user}")
    async with make_session_factory(engine)() as session:
        await transition(session, actor, proposal_id, "arrange_viewing", expected_version=2)
        await session.flush()
        print("WRITING", flush=True)
        time.sleep(60)  # killed before the commit
        await session.commit()

asyncio.run(main())
"""


def _run_and_kill(script: str, *args: str) -> None:
    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'src'}:{ROOT}", "MATCHING_SCHEDULER": "0"}
    proc = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(script), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    watchdog = threading.Timer(90, proc.kill)  # a stuck child fails the test, never hangs it
    watchdog.start()
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("WRITING"), (line, proc.stderr.read() if proc.stderr else "")
        os.kill(proc.pid, signal.SIGKILL)
        assert proc.wait(timeout=10) == -signal.SIGKILL
    finally:
        watchdog.cancel()
        if proc.poll() is None:
            proc.kill()
            proc.wait()


async def _counts(session: Any) -> dict[str, int]:
    conn = await session.connection()
    names = await conn.run_sync(lambda c: sa.inspect(c).get_table_names())
    counts = {}
    for name in sorted(names):
        counts[name] = int(
            await session.scalar(sa.text(f'SELECT count(*) FROM "{name}"'))  # noqa: S608
        )
    await session.commit()
    return counts


async def test_killed_import_leaves_no_rows(
    session: Any, world: Any, db: Any, settings: Any
) -> None:
    before = await _counts(session)
    await asyncio.to_thread(_run_and_kill, _IMPORT, db.url, settings.security.encryption_keys[0])
    assert await _counts(session) == before


async def test_killed_transition_leaves_no_partial_change(
    session: Any, world: Any, db: Any, settings: Any
) -> None:
    proposal_id = await send_proposal(session, world, world.households["a"].id)
    proposal = await session.get(Proposal, proposal_id)
    assert proposal.version == 2
    before = await _counts(session)
    await asyncio.to_thread(
        _run_and_kill,
        _TRANSITION,
        db.url,
        settings.security.encryption_keys[0],
        str(proposal_id),
        str(world.orgs["landlord_a"].id),
        str(world.users["landlord_a"].id),
    )
    assert await _counts(session) == before
    session.expunge_all()
    proposal = await session.get(Proposal, proposal_id)
    assert (proposal.status, proposal.version) == ("sent", 2)
    events = await session.scalars(
        sa.select(ProposalEvent.to_status).where(ProposalEvent.proposal_id == proposal_id)
    )
    assert list(events.all()) == ["draft", "sent"]
    for model in (AuditEvent, OutboxMessage):
        assert (
            await session.scalar(sa.select(sa.func.count()).select_from(model))
            == before[model.__tablename__]
        )
