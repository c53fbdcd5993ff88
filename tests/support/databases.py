"""Test databases: a migrated SQLite file and a throw-away PostgreSQL database per run."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from alembic import command
from alembic.config import Config

ROOT = Path(__file__).resolve().parents[2]
POSTGRES_ADMIN_URL = os.environ.get(
    "MATCHING_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)


def alembic_config(async_url: str) -> Config:
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    cfg.attributes["url"] = async_url
    return cfg


def migrate(async_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(async_url), revision)


def downgrade(async_url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(async_url), revision)


def postgres_available() -> bool:
    for _attempt in range(3):  # a loaded machine may be slow to answer, not down
        try:
            with psycopg.connect(POSTGRES_ADMIN_URL, connect_timeout=10):
                return True
        except psycopg.OperationalError:
            continue
    return False


def _with_driver(url: str, dbname: str) -> str:
    base = url.rsplit("/", 1)[0]
    return f"{base}/{dbname}".replace("postgresql://", "postgresql+asyncpg://", 1)


@contextmanager
def temporary_postgres_database() -> Iterator[tuple[str, str]]:
    """Create a uniquely named database, yield (async url, sync url), drop it afterwards."""
    name = f"tueroeffner_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    sync_url = POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        yield _with_driver(POSTGRES_ADMIN_URL, name), sync_url
    finally:
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
