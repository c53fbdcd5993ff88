"""Key rotation: re-encrypt every encrypted value with the newest key, in batches.

How keys are used: ``MATCHING_ENCRYPTION_KEYS`` lists Fernet keys, newest first; the first
encrypts, all of them decrypt. To rotate: put a new key in front, restart, run
``litestar tueroeffner rotate-keys``; when it reports nothing left under an old key, that key
can be removed from the list.

Why raw column access: the values are rotated token to token (``MultiFernet.rotate``) without
the ORM, so the household's optimistic-lock version stays as it is and an open edit form is
not refused because of a rotation. Values already under the newest key are skipped, so a
second run changes nothing (idempotent) and an interrupted run can simply be repeated: each
batch is its own transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from matching.db.base import EncryptedText, metadata
from matching.households import name_index
from matching.security import crypto

SNAPSHOT_KEY = "identity_encrypted"
DEFAULT_BATCH = 500


@dataclass
class RotationReport:
    rotated: int = 0
    current: int = 0  # already under the newest key
    per_column: dict[str, int] = field(default_factory=dict)
    reindexed: int = 0  # households whose name index was rebuilt under the newest key


def encrypted_columns() -> list[tuple[str, list[str]]]:
    """(table, [column, …]) for every column of type EncryptedText in the metadata."""
    import matching.db.models  # noqa: F401  (every table registered on the metadata)

    found: list[tuple[str, list[str]]] = []
    for table in metadata.sorted_tables:
        cols = [c.name for c in table.columns if isinstance(c.type, EncryptedText)]
        if cols:
            found.append((table.name, cols))
    return found


class _Rotator:
    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise crypto.KeyRingNotConfigured("no encryption keys given")
        fernets = [Fernet(k.encode()) for k in keys]
        self.newest = fernets[0]
        self.ring = MultiFernet(fernets)

    def is_current(self, token: str) -> bool:
        try:
            self.newest.decrypt(token.encode("ascii"))
        except (InvalidToken, ValueError):
            return False
        return True

    def rotate(self, token: str) -> str | None:
        """The re-encrypted token, or None when it already uses the newest key."""
        if self.is_current(token):
            return None
        return self.ring.rotate(token.encode("ascii")).decode("ascii")


async def _rotate_table(
    factory: async_sessionmaker[AsyncSession],
    rotator: _Rotator,
    table_name: str,
    columns: list[str],
    batch: int,
    report: RotationReport,
) -> None:
    # Untyped columns: the raw tokens, no decrypting type decorator in between.
    table = sa.table(table_name, sa.column("id"), *(sa.column(c) for c in columns))
    last_id = 0
    while True:
        async with factory() as session, session.begin():
            rows = (
                await session.execute(
                    sa.select(table).where(table.c.id > last_id).order_by(table.c.id).limit(batch)
                )
            ).all()
            if not rows:
                return
            for row in rows:
                changes: dict[str, Any] = {}
                for col in columns:
                    token = row._mapping[col]
                    if token is None:
                        continue
                    new = rotator.rotate(str(token))
                    if new is None:
                        report.current += 1
                    else:
                        changes[col] = new
                        key = f"{table_name}.{col}"
                        report.per_column[key] = report.per_column.get(key, 0) + 1
                if changes:
                    report.rotated += len(changes)
                    await session.execute(
                        sa.update(table).where(table.c.id == row._mapping["id"]).values(**changes)
                    )
            last_id = int(rows[-1]._mapping["id"])


async def _rotate_snapshots(
    factory: async_sessionmaker[AsyncSession],
    rotator: _Rotator,
    batch: int,
    report: RotationReport,
) -> None:
    """Proposal snapshots keep the consented identity as one Fernet token inside JSON."""
    table = sa.table("proposals", sa.column("id"), sa.column("shared_profile", sa.JSON))
    text = sa.cast(table.c.shared_profile, sa.Text)
    last_id = 0
    while True:
        async with factory() as session, session.begin():
            rows = (
                await session.execute(
                    sa.select(table.c.id, table.c.shared_profile)
                    .where(table.c.id > last_id, text.like(f"%{SNAPSHOT_KEY}%"))
                    .order_by(table.c.id)
                    .limit(batch)
                )
            ).all()
            if not rows:
                return
            for row_id, profile in rows:
                token = profile.get(SNAPSHOT_KEY) if isinstance(profile, dict) else None
                if not token:
                    continue
                new = rotator.rotate(str(token))
                if new is None:
                    report.current += 1
                    continue
                report.rotated += 1
                key = f"proposals.shared_profile.{SNAPSHOT_KEY}"
                report.per_column[key] = report.per_column.get(key, 0) + 1
                await session.execute(
                    sa.update(table)
                    .where(table.c.id == row_id)
                    .values(shared_profile={**profile, SNAPSHOT_KEY: new})
                )
            last_id = int(rows[-1][0])


async def rotate_all(
    factory: async_sessionmaker[AsyncSession],
    keys: Sequence[str],
    *,
    batch: int = DEFAULT_BATCH,
) -> RotationReport:
    """Re-encrypt every encrypted column and snapshot with ``keys[0]`` and rebuild the name
    index under it; one transaction a batch."""
    rotator = _Rotator(keys)
    report = RotationReport()
    for table_name, columns in encrypted_columns():
        await _rotate_table(factory, rotator, table_name, columns, batch, report)
    await _rotate_snapshots(factory, rotator, batch, report)
    # The blind index of names is keyed by the encryption key: rebuilt under the newest one.
    report.reindexed = await name_index.rebuild_all(factory, keys, batch=batch)
    return report
