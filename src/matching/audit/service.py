"""Append-only audit trail whose rows form a SHA-256 hash chain.

Each row's hash covers its content and the previous row's hash, so a modified, inserted or
deleted row breaks the chain at a point ``verify_chain`` can name.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from matching.actors import Actor
from matching.db.models import AuditEvent

GENESIS = "0" * 64
_CHAIN_LOCK_KEY = 7_734_211  # pg advisory lock id serialising appends to the chain


def _digest(prev_hash: str, fields: dict[str, Any]) -> str:
    payload = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(f"{prev_hash}|{payload}".encode()).hexdigest()


def _fields(event: AuditEvent | dict[str, Any]) -> dict[str, Any]:
    get = event.get if isinstance(event, dict) else lambda k: getattr(event, k)
    occurred = get("occurred_at")
    if isinstance(occurred, datetime):
        occurred = occurred.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds")
    return {
        "occurred_at": occurred,
        "actor_user_id": get("actor_user_id"),
        "actor_label": get("actor_label"),
        "organisation_id": get("organisation_id"),
        "action": get("action"),
        "object_type": get("object_type"),
        "object_id": get("object_id"),
        "client_address": get("client_address"),
        "details": get("details") or {},
    }


async def record(
    session: AsyncSession,
    actor: Actor,
    action: str,
    object_type: str,
    object_id: object | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Append one event in the caller's transaction (details must hold no personal data)."""
    if session.get_bind().dialect.name == "postgresql":
        # Serialise appenders so two transactions cannot both chain onto the same row.
        await session.execute(sa.select(sa.func.pg_advisory_xact_lock(_CHAIN_LOCK_KEY)))
    prev = await session.scalar(
        sa.select(AuditEvent.row_hash).order_by(AuditEvent.id.desc()).limit(1)
    )
    values: dict[str, Any] = {
        "occurred_at": datetime.now(UTC),
        "actor_user_id": actor.user_id,
        "actor_label": actor.label[:100],
        "organisation_id": actor.organisation_id,
        "action": action,
        "object_type": object_type,
        "object_id": None if object_id is None else str(object_id),
        "client_address": actor.client_address,
        "details": details or {},
    }
    prev_hash = prev or GENESIS
    session.add(
        AuditEvent(**values, prev_hash=prev_hash, row_hash=_digest(prev_hash, _fields(values)))
    )
    await session.flush()


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    first_bad_id: int | None = None
    problem: str | None = None


async def verify_chain(session: AsyncSession) -> ChainReport:
    """Walk the chain in id order; name the first row whose link or content does not match."""
    prev_hash = GENESIS
    checked = 0
    result = await session.stream_scalars(sa.select(AuditEvent).order_by(AuditEvent.id))
    async for event in result:
        if event.prev_hash != prev_hash:
            return ChainReport(
                False,
                checked,
                event.id,
                "Verkettung unterbrochen (Zeile davor gelöscht oder eingefügt)",
            )
        if _digest(prev_hash, _fields(event)) != event.row_hash:
            return ChainReport(False, checked, event.id, "Inhalt verändert")
        prev_hash = event.row_hash
        checked += 1
    return ChainReport(True, checked)
