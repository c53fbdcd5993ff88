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


FREE_TEXT = {  # free text that may describe a person (issue 12)
    "decline": "Zqklartext Absage wegen Schufa",
    "note": "Zqklartext Vermerk Trennung",
    "form": "Zqklartext Formular Akte",
    "body": "Zqklartext Nachricht Räumungsklage",
}


async def _canary_free_text(session: Any, proposal_id: int) -> None:
    from datetime import UTC, datetime

    from matching.db.models import Consent, OutboxMessage, ProposalEvent
    from matching.enums import OutboxStatus

    proposal = await session.get(Proposal, proposal_id)
    proposal.decline_text = FREE_TEXT["decline"]
    proposal.override_justification = FREE_TEXT["decline"]
    session.add(
        ProposalEvent(
            proposal_id=proposal_id, actor_label="test", to_status="sent", note=FREE_TEXT["note"]
        )
    )
    for consent in (await session.scalars(sa.select(Consent))).all():
        consent.form_reference = FREE_TEXT["form"]
    session.add(
        OutboxMessage(
            dedup_key="canary",
            kind="test",
            to_address="canary@example.org",
            subject="Betreff",
            body_text=FREE_TEXT["body"],
            body_html=f"<p>{FREE_TEXT['body']}</p>",
            status=OutboxStatus.SENT,
            attempts=1,
            next_attempt_at=datetime.now(UTC),
        )
    )
    await session.commit()


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
    await _canary_free_text(session, await send_proposal(session, world, hid))
    await session.close()
    await session.bind.dispose()  # checkpoints nothing on its own: read WAL files as well
    raw = await asyncio.to_thread(_raw_sqlite if db.kind == "sqlite" else _pg_dump, db.url)
    assert len(raw) > 10_000
    assert b"Bahnhofstra" in raw or "Bahnhofstraße".encode() in raw  # plain columns are there
    for value in [*CANARY.values(), *FREE_TEXT.values()]:
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
    await _canary_free_text(session, proposal_id)
    old_key = settings.security.encryption_keys[0]
    new_key = Fernet.generate_key().decode()
    factory = async_sessionmaker(session.bind, expire_on_commit=False)
    columns = ["name", "phone", "email", "notes", "landlord_notes"]
    assert ("households", columns) in encrypted_columns()
    try:
        crypto.configure([new_key, old_key])  # the new key in front, as in production
        first = await rotate_all(factory, [new_key, old_key], batch=1)
        assert first.current == 0
        assert first.per_column["proposals.shared_profile.identity_encrypted"] == 1
        for column in (
            "proposals.decline_text",
            "proposals.override_justification",
            "proposal_events.note",
            "consents.form_reference",
            "outbox_messages.body_text",
            "outbox_messages.body_html",
        ):
            assert first.per_column.get(column, 0) >= 1, (column, first.per_column)
        again = await rotate_all(factory, [new_key, old_key], batch=1)
        assert (again.rotated, again.current) == (0, first.rotated)  # idempotent

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
