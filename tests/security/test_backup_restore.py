"""Backup and restore (SQLite online backup API, PostgreSQL pg_dump/pg_restore): back up,
change data, restore, and the counts and values are those of the backup again."""

from __future__ import annotations

import asyncio
import stat
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from matching.db.models import Household, Vacancy
from matching.security.backup import BackupError, backup, default_name, restore, target_from_url
from tests.support.world import household_values

pytestmark = pytest.mark.anyio


async def _snapshot(session: Any) -> dict[str, Any]:
    conn = await session.connection()
    names = await conn.run_sync(lambda c: sa.inspect(c).get_table_names())
    counts = {
        n: await session.scalar(sa.text(f'SELECT count(*) FROM "{n}"'))  # noqa: S608
        for n in sorted(names)
    }
    names_by_id = dict((await session.execute(sa.select(Household.id, Household.name))).all())
    rents = dict((await session.execute(sa.select(Vacancy.id, Vacancy.net_cold_rent))).all())
    await session.commit()
    return {"counts": counts, "names": names_by_id, "rents": rents}


async def test_backup_change_restore_compare(
    session: Any, world: Any, db: Any, tmp_path: Path
) -> None:
    before = await _snapshot(session)
    assert before["names"][world.households["a"].id] == "Erika Mustermann"
    target = tmp_path / "sicherung" / default_name(target_from_url(db.url).kind)
    await asyncio.to_thread(backup, db.url, target)
    assert target.stat().st_size > 0
    assert stat.S_IMODE(target.stat().st_mode) == 0o600

    household = await session.get(Household, world.households["a"].id)
    household.name = "Nach der Sicherung geändert"
    session.add(Household(**household_values(world.orgs["counseling_a"].id, reference_code="X-1")))
    await session.execute(sa.delete(Vacancy).where(Vacancy.id == world.vacancies["b"].id))
    await session.commit()
    changed = await _snapshot(session)
    assert changed != before

    await session.close()
    await session.bind.dispose()  # the app is stopped for a restore
    await asyncio.to_thread(restore, db.url, target)
    session.expunge_all()
    assert await _snapshot(session) == before


async def test_restore_refuses_a_missing_or_broken_file(db: Any, tmp_path: Path) -> None:
    with pytest.raises(BackupError):
        restore(db.url, tmp_path / "gibt-es-nicht")
    broken = tmp_path / "kaputt.sqlite3"
    broken.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
    with pytest.raises(BackupError):
        await asyncio.to_thread(restore, db.url, broken)


def test_in_memory_sqlite_is_refused() -> None:
    with pytest.raises(BackupError):
        target_from_url("sqlite+aiosqlite:///:memory:")
    env = target_from_url("postgresql+asyncpg://u:geheim@db.example:6543/t").env or {}
    assert (env["PGHOST"], env["PGPORT"], env["PGPASSWORD"]) == ("db.example", "6543", "geheim")
