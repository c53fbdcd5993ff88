"""Encryption at rest: no plaintext personal data in the SQLite file or a PostgreSQL dump, and
a key rotation after which the old key can be dropped."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import async_sessionmaker

from matching.db.models import Household, Proposal
from matching.proposals.snapshot import readable_profile
from matching.security import crypto
from matching.security.rotation import encrypted_columns, rotate_all
from tests.security.conftest import send_proposal

pytestmark = pytest.mark.anyio
CANARY = {
    "name": "Zqklartext Kanarienname",
    "phone": "0571 4242 31337",
    "email": "zqklartext@kanarien.example",
    "notes": "Zqklartext Notiz Suchterkrankung",
}


async def _canary_household(session: Any, world: Any) -> int:
    household = world.households["a"]
    for key, value in CANARY.items():
        setattr(household, key, value)
    await session.commit()
    return int(household.id)


def _raw_sqlite(url: str) -> bytes:
    path = Path(make_url(url).database or "")
    data = b""
    for suffix in ("", "-wal", "-shm"):
        part = path.with_name(path.name + suffix)
        if part.exists():
            data += part.read_bytes()
    return data


def _pg_dump(url: str) -> bytes:
    parsed = make_url(url)
    libpq = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
    pg_dump = shutil.which("pg_dump")
    assert pg_dump, "pg_dump must be installed"
    result = subprocess.run(
        [pg_dump, "--data-only", "--inserts", libpq], capture_output=True, check=True
    )
    return result.stdout


async def test_no_plaintext_in_the_raw_database(session: Any, world: Any, db: Any) -> None:
    hid = await _canary_household(session, world)
    await send_proposal(session, world, hid)
    await session.close()
    await session.bind.dispose()  # checkpoints nothing on its own: read WAL files as well
    raw = await asyncio.to_thread(_raw_sqlite if db.kind == "sqlite" else _pg_dump, db.url)
    assert len(raw) > 10_000
    assert b"Bahnhofstra" in raw or "Bahnhofstraße".encode() in raw  # plain columns are there
    for value in CANARY.values():
        for encoding in ("utf-8", "utf-16-le"):
            assert value.encode(encoding) not in raw, f"{value!r} stored in plaintext"
        assert value.split()[-1].encode() not in raw
    # …while the application still reads them.
    async with async_sessionmaker(session.bind)() as fresh:
        household = await fresh.get(Household, hid)
        assert household is not None and household.name == CANARY["name"]


async def test_rotation_reencrypts_everything_and_the_old_key_can_go(
    session: Any, world: Any, settings: Any
) -> None:
    hid = await _canary_household(session, world)
    proposal_id = await send_proposal(session, world, hid)
    old_key = settings.security.encryption_keys[0]
    new_key = Fernet.generate_key().decode()
    factory = async_sessionmaker(session.bind, expire_on_commit=False)
    columns = ["name", "phone", "email", "notes", "landlord_notes"]
    assert ("households", columns) in encrypted_columns()
    try:
        crypto.configure([new_key, old_key])  # the new key in front, as in production
        first = await rotate_all(factory, [new_key, old_key], batch=1)
        # 4 fields of the canary household, the name of household b, one snapshot.
        assert first.rotated == 6 and first.current == 0
        assert first.per_column["proposals.shared_profile.identity_encrypted"] == 1
        again = await rotate_all(factory, [new_key, old_key], batch=1)
        assert (again.rotated, again.current) == (0, 6)  # idempotent

        crypto.configure([new_key])  # the old key dropped
        session.expunge_all()
        household = await session.get(Household, hid)
        assert (household.name, household.notes) == (CANARY["name"], CANARY["notes"])
        proposal = await session.get(Proposal, proposal_id)
        assert readable_profile(proposal.shared_profile)["identity"]["phone"] == CANARY["phone"]
        raw = await session.scalar(sa.text("SELECT name FROM households WHERE id = :i"), {"i": hid})
        with pytest.raises(Exception):  # noqa: B017 - InvalidToken: the old key no longer reads it
            Fernet(old_key.encode()).decrypt(raw.encode())
        assert Fernet(new_key.encode()).decrypt(raw.encode()).decode() == CANARY["name"]
        token = json.loads(json.dumps(proposal.shared_profile))["identity_encrypted"]
        assert Fernet(new_key.encode()).decrypt(token.encode())
    finally:
        crypto.configure([old_key, new_key])
        await rotate_all(factory, [old_key, new_key])  # leave the database as the suite expects
        crypto.configure([old_key])


async def test_a_value_without_a_matching_key_fails_loudly(
    session: Any, world: Any, settings: Any
) -> None:
    await _canary_household(session, world)
    try:
        crypto.configure([Fernet.generate_key().decode()])
        session.expunge_all()
        with pytest.raises(crypto.KeyRingNotConfigured):
            await session.get(Household, world.households["a"].id)
    finally:
        crypto.configure(list(settings.security.encryption_keys))
