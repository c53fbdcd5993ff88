"""End-to-end import benchmark: parse + plan + write + commit of 10,000 vacancies.

Runs CSV, XLSX and OpenImmo on a migrated SQLite file and on a throw-away PostgreSQL database
(skipped when no server answers), and measures the peak RSS of a 50,000-row CSV import in a
fresh subprocess. Run: ``.venv/bin/python benchmarks/bench_import.py``.

Targets (issue 5): CSV ≤ 3 s, XLSX ≤ 5 s, OpenImmo ≤ 10 s for 10,000 vacancies on both
databases; a 50,000-row CSV import within 300 MB.
"""

from __future__ import annotations

import asyncio
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT), str(ROOT / "benchmarks")]

import msgspec  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from bench_intake_parse import TODAY, make_openimmo, make_records  # noqa: E402

from matching.actors import Actor  # noqa: E402
from matching.config import DatabaseSettings  # noqa: E402
from matching.db.engine import make_engine, make_session_factory  # noqa: E402
from matching.db.models import Organisation  # noqa: E402
from matching.enums import OrganisationKind  # noqa: E402
from matching.intake import (  # noqa: E402
    MunicipalityIndex,
    VacancyRecord,
    export_vacancies_csv,
    export_vacancies_xlsx,
    load_municipalities_csv,
)
from matching.intake.importer import parse_upload, run_import  # noqa: E402
from matching.reference.loader import load_reference_data  # noqa: E402
from tests.support.databases import (  # noqa: E402
    migrate,
    postgres_available,
    temporary_postgres_database,
)

TARGETS = {"CSV": 3.0, "XLSX": 5.0, "OpenImmo": 10.0}
MEMORY_TARGET_MB = 300
N = 10_000


@dataclass(frozen=True)
class Figure:
    database: str
    label: str
    seconds: float
    counts: dict[str, int]


def records(n: int, prefix: str, seed: int) -> list[VacancyRecord]:
    """The parse benchmark's realistic rows, with ids per format and dates from today on."""
    index = MunicipalityIndex(
        load_municipalities_csv(ROOT / "src/matching/reference/municipalities.csv")
    )
    shift = date.today() - TODAY
    return [
        msgspec.structs.replace(
            r,
            external_id=f"{prefix}-{r.external_id}",
            available_from=r.available_from + shift,
        )
        for r in make_records(n, index, seed=seed)
    ]


async def prepare(url: str) -> None:
    engine = make_engine(DatabaseSettings(url=url))
    async with make_session_factory(engine)() as session:
        await load_reference_data(session)
        await session.commit()
    await engine.dispose()


async def import_once(url: str, org_name: str, data: bytes, filename: str) -> tuple[float, dict]:
    """One import as the API does it: its own organisation, one transaction, timed end to end."""
    engine = make_engine(DatabaseSettings(url=url))
    factory = make_session_factory(engine)
    async with factory() as session:
        org = await session.scalar(sa.select(Organisation).where(Organisation.name == org_name))
        if org is None:
            org = Organisation(name=org_name, kind=OrganisationKind.LANDLORD)
            session.add(org)
            await session.commit()
        actor = Actor(
            kind="api_key",
            organisation_id=org.id,
            organisation_kind=OrganisationKind.LANDLORD,
            label="bench",
        )
    try:
        async with factory() as session:
            start = time.perf_counter()
            result = await parse_upload(session, data, filename)
            report = await run_import(session, actor, result, filename=filename)
            await session.commit()
            elapsed = time.perf_counter() - start
    finally:
        await engine.dispose()
    assert report.committed, report.message
    return elapsed, report.counts


WARMUP: dict[str, tuple[bytes, str]] = {}


def run_database(kind: str, url: str, files: dict[str, tuple[bytes, str]]) -> list[Figure]:
    migrate(url)
    asyncio.run(prepare(url))
    out = []
    for label, (data, filename) in WARMUP.items():
        # A running server has polars, fastexcel, lxml and SQLAlchemy's statement cache warm.
        asyncio.run(import_once(url, f"Warm-up {label}", data, filename))
    for label, (data, filename) in files.items():
        seconds, counts = asyncio.run(import_once(url, f"Bench {label}", data, filename))
        out.append(Figure(kind, f"{label} {N:,} new", seconds, counts))
    data, filename = files["CSV"]
    seconds, counts = asyncio.run(import_once(url, "Bench CSV", data, filename))
    out.append(Figure(kind, f"CSV {N:,} unchanged", seconds, counts))
    return out


def _peak_rss_mb() -> float:
    """VmHWM (Linux: this process only); else ru_maxrss, which may include the parent's
    memory at fork time — hence the measurement runs before the parent grows."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def memory_child(url: str, path: str) -> None:
    """In a fresh process: import the 50,000-row CSV, print the peak RSS (MB)."""
    data = Path(path).read_bytes()
    seconds, counts = asyncio.run(import_once(url, "Bench memory", data, "big.csv"))
    del data
    print(f"{_peak_rss_mb():.0f} {seconds:.2f} {counts['created']}")


def memory(kind: str, url: str, tmp: Path) -> tuple[str, float, float, int]:
    migrate(url)
    asyncio.run(prepare(url))
    path = tmp / "big.csv"
    if not path.exists():
        path.write_bytes(export_vacancies_csv(records(50_000, "MEM", seed=11)))
    out = subprocess.run(  # noqa: S603 - our own script
        [sys.executable, __file__, "--memory-child", url, str(path)],
        check=True,
        capture_output=True,
        text=True,
    )
    mb, seconds, created = out.stdout.split()[-3:]
    return kind, float(mb), float(seconds), int(created)


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--memory-child":
        memory_child(sys.argv[2], sys.argv[3])
        return
    rows = records(N, "B", seed=7)
    other = records(N, "C", seed=8)  # another landlord's stock: other flats, other addresses
    few = records(50, "W", seed=3)
    WARMUP.update(
        {
            "CSV": (export_vacancies_csv(few), "w.csv"),
            "XLSX": (export_vacancies_xlsx(few), "w.xlsx"),
            "OpenImmo": (make_openimmo(few), "w.xml"),
        }
    )
    files = {
        "CSV": (export_vacancies_csv(rows), "bench.csv"),
        "XLSX": (export_vacancies_xlsx(other), "bench.xlsx"),
        "OpenImmo": (make_openimmo(records(N, "D", seed=9)), "bench.xml"),
    }
    figures: list[Figure] = []
    mem: list[tuple[str, float, float, int]] = []
    pg = postgres_available()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        # Memory first, while this parent process is still small (see _peak_rss_mb).
        mem.append(memory("SQLite", f"sqlite+aiosqlite:///{tmp / 'mem.sqlite3'}", tmp))
        if pg:
            with temporary_postgres_database() as (url, _):
                mem.append(memory("PostgreSQL", url, tmp))
        sqlite_url = f"sqlite+aiosqlite:///{tmp / 'bench.sqlite3'}"
        figures += run_database("SQLite", sqlite_url, files)
        if pg:
            with temporary_postgres_database() as (url, _):
                figures += run_database("PostgreSQL", url, files)
        else:
            print("PostgreSQL not reachable: skipped")
    print(f"Python {sys.version.split()[0]}; parse + plan + write + commit, one transaction")
    print(f"{'database':<11} {'import':<26} {'seconds':>8} {'target':>7}  result")
    for f in figures:
        fmt = f.label.split()[0]
        target = TARGETS[fmt]
        verdict = "ok" if f.seconds <= target else "OVER"
        counts = ", ".join(f"{k} {v}" for k, v in f.counts.items() if v)
        print(
            f"{f.database:<11} {f.label:<26} {f.seconds:8.2f} {target:7.1f}  {verdict} ({counts})"
        )
    for kind, mb, seconds, created in mem:
        verdict = "ok" if mb <= MEMORY_TARGET_MB else "OVER"
        print(
            f"{kind:<11} {'CSV 50,000 new: peak RSS':<26} {mb:6.0f} MB {MEMORY_TARGET_MB:5d} MB  "
            f"{verdict} ({created} created in {seconds:.2f} s)"
        )


if __name__ == "__main__":
    main()
