"""A migrated SQLite database with reference data, and app settings pointing at it.

For the route-wide tests (access matrix, hostile input, schema fuzzing) that drive one app
over many requests outside the per-test fixtures.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

from matching.config import DatabaseSettings, SecuritySettings, Settings
from matching.db.engine import make_engine, make_session_factory
from matching.reference.loader import load_reference_data
from tests.support.databases import migrate

# Fixed (not generated per import), so every module importing it agrees on the key.
TEST_KEY = "dHVlcm9lZmZuZXItdGVzdC1rZXktMzItYnl0ZXMtISE="


async def _load_reference(url: str) -> None:
    engine = make_engine(DatabaseSettings(url=url))
    async with make_session_factory(engine)() as session:
        await load_reference_data(session)
        await session.commit()
    await engine.dispose()


def sqlite_app_settings(tmp_path: Path, name: str) -> tuple[str, Path, Settings]:
    """(async URL, database file, settings) of a fresh, migrated SQLite database."""
    db_file = tmp_path / f"{name}.sqlite3"
    url = f"sqlite+aiosqlite:///{db_file}"
    migrate(url)
    asyncio.run(_load_reference(url))
    settings = replace(
        Settings(),
        database=DatabaseSettings(url=url),
        security=SecuritySettings(
            secret_key=f"{name}-secret-key-0123456789-0123456789",
            encryption_keys=(TEST_KEY,),
            session_store="memory",
        ),
        var_dir=tmp_path,
    )
    return url, db_file, settings
