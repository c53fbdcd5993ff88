"""Upload hardening benchmark: the lying zip bomb of issue 12 against a running server.

Builds an ``.xlsx`` whose ``xl/sharedStrings.xml`` claims 2 KB and really inflates to about
600 MB, starts the app (``litestar run``, SQLite in a temporary directory), uploads the file
through ``POST /api/v1/vacancies/import`` with a landlord key and reads the server's peak
resident memory (``VmHWM``) before and after.
Run: ``.venv/bin/python benchmarks/bench_upload_bomb.py``.

Target (issue 12): peak RSS of the server grows by at most 100 MB.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

import httpx  # noqa: E402

from matching.config import DatabaseSettings  # noqa: E402
from matching.db.engine import make_engine, make_session_factory  # noqa: E402
from matching.reference.loader import load_reference_data  # noqa: E402
from matching.security import crypto  # noqa: E402
from tests.support.apps import TEST_KEY  # noqa: E402
from tests.support.databases import migrate  # noqa: E402
from tests.support.world import build_world  # noqa: E402
from tests.support.zipbomb import lying_xlsx  # noqa: E402

TARGET_MB = 100
INFLATED = 600 * 1024 * 1024


async def _prepare(url: str) -> str:
    crypto.configure([TEST_KEY])
    engine = make_engine(DatabaseSettings(url=url))
    async with make_session_factory(engine)() as session:
        await load_reference_data(session)
        world = await build_world(session)
        await session.commit()
    await engine.dispose()
    return world.keys["landlord_a:vacancies:write"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _memory_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{field} not found")


def _wait_ready(base: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("server exited during start")
        try:
            if httpx.get(base + "/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError("server did not start")


def main() -> None:
    started = time.perf_counter()
    bomb = lying_xlsx(INFLATED)
    print(
        f"lying zip bomb: {len(bomb) / 1024:.0f} KB file, sharedStrings.xml claims 2 KB, "
        f"inflates to {INFLATED // (1024 * 1024)} MB "
        f"(built in {time.perf_counter() - started:.1f} s)"
    )
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{tmp}/bench.sqlite3"
        migrate(url)
        key = asyncio.run(_prepare(url))
        port = _free_port()
        env = {
            **os.environ,
            "PYTHONPATH": f"{ROOT / 'src'}:{ROOT}",
            "MATCHING_DATABASE_URL": url,
            "MATCHING_VAR_DIR": tmp,
            "MATCHING_SCHEDULER": "0",
            "MATCHING_SECRET_KEY": "bench-secret-key-0123456789-0123456789",
            "MATCHING_ENCRYPTION_KEYS": TEST_KEY,
            "MATCHING_SESSION_STORE": "memory",
        }
        litestar = Path(sys.executable).parent / "litestar"
        command = [str(litestar), "--app", "api.app:create_app", "run", "--port", str(port)]
        server = subprocess.Popen(  # noqa: S603 (our own venv binary)
            command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            base = f"http://127.0.0.1:{port}"
            _wait_ready(base, server)
            before = _memory_kb(server.pid, "VmRSS")
            t0 = time.perf_counter()
            answer = httpx.post(
                base + "/api/v1/vacancies/import",
                headers={"Authorization": f"Bearer {key}"},
                files={"file": ("bombe.xlsx", bomb)},
                timeout=120,
            )
            seconds = time.perf_counter() - t0
            peak = _memory_kb(server.pid, "VmHWM")
        finally:
            server.terminate()
            server.wait(timeout=30)
    growth = (peak - before) / 1024
    detail = answer.json().get("errors", [{}])[0].get("message", "") if answer.content else ""
    print(f"answer: {answer.status_code} in {seconds * 1000:.0f} ms – {detail}")
    verdict = "met" if growth <= TARGET_MB and answer.status_code == 422 else "MISSED"
    print(
        f"{'server peak RSS increase, lying zip bomb upload':<55}"
        f"{growth:>8.1f} MB   target <= +{TARGET_MB} MB   {verdict}"
    )


if __name__ == "__main__":
    main()
