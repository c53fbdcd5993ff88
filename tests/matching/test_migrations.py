"""The Alembic history and the models agree, and the history runs both ways on both databases."""

from __future__ import annotations

import asyncio

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import matching.db.models  # noqa: F401
from matching.config import DatabaseSettings
from matching.db.base import metadata
from matching.db.engine import make_engine
from tests.conftest import Database
from tests.support.databases import downgrade, migrate


def _diff(url: str) -> list[object]:
    async def run() -> list[object]:
        engine = make_engine(DatabaseSettings(url=url))
        async with engine.connect() as conn:
            diff = await conn.run_sync(
                lambda c: compare_metadata(
                    MigrationContext.configure(
                        c, opts={"compare_type": True, "version_table": "alembic_versions"}
                    ),
                    metadata,
                )
            )
        await engine.dispose()
        return list(diff)

    return asyncio.run(run())


def _tables(url: str) -> set[str]:
    async def run() -> set[str]:
        engine = make_engine(DatabaseSettings(url=url))
        async with engine.connect() as conn:
            names = await conn.run_sync(lambda c: set(sa.inspect(c).get_table_names()))
        await engine.dispose()
        return names

    return asyncio.run(run())


def test_models_and_migrations_agree(database: Database) -> None:
    assert _diff(database.url) == []


def test_history_downgrades_and_upgrades_again(database: Database, tmp_path_factory) -> None:  # type: ignore[no-untyped-def]
    if database.kind == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('mig') / 'm.sqlite3'}"
        migrate(url)
        assert "households" in _tables(url)
        downgrade(url)
        assert _tables(url) <= {"alembic_versions"}
        migrate(url)
        assert _diff(url) == []
    else:
        from tests.support.databases import temporary_postgres_database

        with temporary_postgres_database() as (url, _):
            migrate(url)
            downgrade(url)
            assert _tables(url) <= {"alembic_versions"}
            migrate(url)
            assert _diff(url) == []
