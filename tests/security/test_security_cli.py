"""The operator commands run end to end through Litestar's CLI (in-process)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from matching import clock
from matching.db.models import Household
from matching.enums import HouseholdStatus
from matching.gdpr.anonymise import months_before
from tests.security.conftest import run_cli

pytestmark = [pytest.mark.anyio, pytest.mark.parametrize("database", ["sqlite"], indirect=True)]


async def test_backup_anonymise_and_rotate_commands(
    session: Any, world: Any, settings: Any, monkeypatch: Any, tmp_path: Path
) -> None:
    target = tmp_path / "sicherung.sqlite3"
    made = await asyncio.to_thread(
        run_cli, settings, monkeypatch, "backup", "--output", str(target)
    )
    assert made.exit_code == 0, made.output
    assert target.stat().st_size > 0 and "Sicherung geschrieben" in made.output

    await session.execute(
        sa.update(Household)
        .where(Household.id == world.households["b"].id)
        .values(status=HouseholdStatus.CLOSED, closed_at=months_before(clock.today(), 30))
    )
    await session.commit()
    dry = await asyncio.to_thread(run_cli, settings, monkeypatch, "anonymise", "--dry-run")
    assert dry.exit_code == 0 and "1 Haushalte wären zu anonymisieren" in dry.output
    done = await asyncio.to_thread(run_cli, settings, monkeypatch, "anonymise")
    assert done.exit_code == 0 and "1 Haushalte anonymisiert" in done.output

    rotated = await asyncio.to_thread(run_cli, settings, monkeypatch, "rotate-keys")
    assert rotated.exit_code == 0 and "Neu verschlüsselt: 0 Werte" in rotated.output

    restored = await asyncio.to_thread(
        run_cli, settings, monkeypatch, "restore", "--input", str(target), "--yes"
    )
    assert restored.exit_code == 0, restored.output
    session.expunge_all()
    household = await session.get(Household, world.households["b"].id)
    assert household.name == "Erika Mustermann"  # as in the backup, before anonymisation
