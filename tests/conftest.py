"""Shared fixtures: every database test runs on a migrated SQLite file and on PostgreSQL.

Each PostgreSQL run works in its own throw-away database; set MATCHING_REQUIRE_POSTGRES=1
(as .ci/run does) to turn a missing server into a failure instead of a skip.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from matching.config import DatabaseSettings, SecuritySettings, Settings
from matching.db.engine import make_engine, make_session_factory
from matching.reference.loader import load_reference_data
from matching.security import crypto, passwords
from tests.support.apps import TEST_KEY
from tests.support.cheap_argon2 import PRODUCTION_DUMMY_HASH, PRODUCTION_HASHER
from tests.support.databases import migrate, postgres_available, temporary_postgres_database
from tests.support.reference import REFERENCE_TABLES, restore_shipped_rent_limits

# A loaded 2-core machine can take seconds to hand out a PostgreSQL connection: tests wait
# longer than production's 2 s (read by every DatabaseSettings() built from here on) ...
os.environ.setdefault("MATCHING_DATABASE_CONNECT_TIMEOUT", "30")
CONNECT_ATTEMPTS = 4


@dataclass(frozen=True)
class Database:
    kind: str
    url: str  # async SQLAlchemy URL


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def production_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    """The product's argon2 parameters for this test (request it before ``world``)."""
    monkeypatch.setattr(passwords, "_hasher", PRODUCTION_HASHER)
    monkeypatch.setattr(passwords, "_DUMMY_HASH", PRODUCTION_DUMMY_HASH)


@pytest.fixture(scope="session", autouse=True)
def _encryption_keys() -> None:
    crypto.configure([TEST_KEY])


@pytest.fixture(scope="session", autouse=True)
def _patient_postgres_connections() -> Iterator[None]:
    """... and retry a connection set-up that still times out or is refused (tests only)."""
    import asyncpg

    original = asyncpg.connect

    async def connect(*args: Any, **kwargs: Any) -> Any:
        for attempt in range(1, CONNECT_ATTEMPTS + 1):
            try:
                return await original(*args, **kwargs)
            except (TimeoutError, asyncpg.CannotConnectNowError):  # slow, not down
                if attempt == CONNECT_ATTEMPTS:
                    raise
                await asyncio.sleep(0.5 * attempt)
        raise AssertionError("unreachable")

    asyncpg.connect = connect
    yield
    asyncpg.connect = original


async def _load_reference(url: str) -> None:
    engine = make_engine(DatabaseSettings(url=url))
    async with make_session_factory(engine)() as session:
        await load_reference_data(session)
        await session.commit()
    await engine.dispose()


def _prepare(url: str) -> None:
    migrate(url)
    asyncio.run(_load_reference(url))


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Database]:
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("db") / "test.sqlite3"
        url = f"sqlite+aiosqlite:///{path}"
        _prepare(url)
        yield Database("sqlite", url)
        return
    if not postgres_available():
        if os.environ.get("MATCHING_REQUIRE_POSTGRES") == "1":
            pytest.fail("PostgreSQL is required (MATCHING_REQUIRE_POSTGRES=1) but unreachable")
        pytest.skip("PostgreSQL not reachable")
    with temporary_postgres_database() as (url, _sync_url):
        _prepare(url)
        yield Database("postgres", url)


_DELETE_ORDER: dict[str, list[str]] = {}


def _delete_order(conn: sa.Connection) -> list[str]:
    """Every table but the reference data, children before parents (for plain DELETEs)."""
    ordered = sa.inspect(conn).get_sorted_table_and_fkc_names()
    names = [name for name, _ in ordered if name is not None]
    return [n for n in reversed(names) if n not in REFERENCE_TABLES]


def _clean(db: Database) -> None:
    """Empty every table but the reference data, so each test starts from the same state.

    PostgreSQL: DELETE children before parents and reset the tables' sequences. A TRUNCATE
    of the 25 tables costs about 0.2 s (it swaps their files), the DELETEs of a test's few
    rows about 0.015 s, which over some 800 PostgreSQL tests is minutes of the suite.
    """

    async def run() -> None:
        engine = make_engine(DatabaseSettings(url=db.url))
        async with engine.begin() as conn:
            if db.url not in _DELETE_ORDER:
                _DELETE_ORDER[db.url] = await conn.run_sync(_delete_order)
            tables = _DELETE_ORDER[db.url]
            if db.kind == "postgres":
                for name in tables:
                    await conn.execute(sa.text(f'DELETE FROM "{name}"'))  # noqa: S608 (own table names)
                await conn.execute(
                    sa.text(
                        "SELECT setval(seq.oid, 1, false) FROM pg_class seq "
                        "JOIN pg_depend d ON d.objid = seq.oid AND d.deptype IN ('a', 'i') "
                        "JOIN pg_class tbl ON tbl.oid = d.refobjid "
                        "WHERE seq.relkind = 'S' AND tbl.relname = ANY(:tables)"
                    ),
                    {"tables": tables},
                )
            else:
                await conn.execute(sa.text("PRAGMA foreign_keys=OFF"))
                for name in tables:
                    await conn.execute(sa.text(f'DELETE FROM "{name}"'))  # noqa: S608 (own table names)
                await conn.execute(sa.text("PRAGMA foreign_keys=ON"))
            await restore_shipped_rent_limits(conn)
        await engine.dispose()

    asyncio.run(run())


@pytest.fixture
def db(database: Database) -> Iterator[Database]:
    yield database
    _clean(database)


@pytest.fixture
def settings(db: Database, tmp_path: Path) -> Settings:
    base = Settings()
    return replace(
        base,
        database=DatabaseSettings(url=db.url, pool_size=5),
        security=SecuritySettings(
            secret_key="test-secret-key-with-enough-entropy-0123456789",
            encryption_keys=(TEST_KEY,),
            session_store="memory",
        ),
        var_dir=tmp_path,
    )


@pytest.fixture
async def session(settings: Settings) -> AsyncIterator[Any]:
    engine = make_engine(settings.database)
    async with make_session_factory(engine)() as s:
        yield s
    await engine.dispose()


@pytest.fixture
async def world(session: Any) -> Any:
    from tests.support.world import build_world

    return await build_world(session)


@pytest.fixture
async def app(settings: Settings) -> Any:
    from api.app import create_app

    return create_app(settings)


@pytest.fixture
async def client(app: Any) -> AsyncIterator[Any]:
    from litestar.testing import AsyncTestClient

    async with AsyncTestClient(app=app, base_url="http://testserver.local") as c:
        yield c


async def login(client: Any, email: str, password: str) -> Any:
    """Log in through the real form (CSRF cookie first), as a browser does."""
    await client.get("/login")
    token = client.cookies.get("tueroeffner_csrf")
    return await client.post(
        "/login",
        data={"email": email, "password": password},
        headers={"x-csrftoken": token},
    )


def csrf_headers(client: Any) -> dict[str, str]:
    return {"x-csrftoken": client.cookies.get("tueroeffner_csrf") or ""}
