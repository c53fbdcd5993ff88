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
from matching.db.models import AuditEvent, User

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
    """Outcome of a chain walk; ``first_bad_id`` names the row to look at first.

    ``kind`` is "modified", "inserted" or "deleted". For a deletion ``first_bad_id`` is the
    first missing id (when ids show a gap) and ``detected_at_id`` the row whose link broke.
    ``head`` is the last row's hash: noted down outside the database, it also reveals rows
    appended at the end by someone able to recompute SHA-256.
    """

    ok: bool
    checked: int
    first_bad_id: int | None = None
    problem: str | None = None
    kind: str | None = None
    detected_at_id: int | None = None
    head: str = GENESIS


@dataclass(frozen=True)
class _Row:
    id: int
    prev_hash: str
    row_hash: str
    content_hash: str  # digest of the row's content chained to the expected predecessor


def _diagnose(expected_prev: str, prev_id: int | None, cur: _Row, nxt: _Row | None) -> ChainReport:
    if cur.prev_hash != expected_prev:
        if cur.content_hash == cur.row_hash:
            return ChainReport(False, 0, cur.id, "Verkettungsfeld verändert", "modified", cur.id)
        if nxt is not None and nxt.prev_hash == expected_prev:
            return ChainReport(False, 0, cur.id, "Zeile eingefügt", "inserted", cur.id)
        first_missing = (prev_id or 0) + 1
        if first_missing < cur.id:
            return ChainReport(
                False,
                0,
                first_missing,
                f"Zeile(n) gelöscht (Nummer {first_missing} bis {cur.id - 1} fehlen)",
                "deleted",
                cur.id,
            )
        if nxt is None:  # last row, no gap: appended, or its predecessor re-hashed
            return ChainReport(
                False,
                0,
                cur.id,
                "Zeile angehängt (oder die Zeile davor mit neu berechnetem Hash verändert)",
                "inserted",
                cur.id,
            )
        return ChainReport(
            False,
            0,
            cur.id,
            "Verkettung unterbrochen (Zeile davor gelöscht, eingefügt oder verändert)",
            "deleted",
            cur.id,
        )
    # Linked correctly, content does not match its own hash.
    if nxt is not None and nxt.prev_hash != cur.row_hash and nxt.prev_hash == expected_prev:
        return ChainReport(False, 0, cur.id, "Zeile eingefügt", "inserted", cur.id)
    return ChainReport(False, 0, cur.id, "Inhalt verändert", "modified", cur.id)


async def verify_chain(session: AsyncSession) -> ChainReport:
    """Walk the chain in id order (one row of look-ahead); name the first broken row.

    A modified row fails its own hash; a deleted row breaks the next row's link (and leaves
    a gap in the ids); an inserted row fails its link while the row after it still links to
    the row before it. A modified row whose hash was recomputed shows as a broken link of the
    following row with no gap in the ids: then the row before is named.
    """
    expected_prev = GENESIS
    prev_id: int | None = None
    checked = 0
    pending: tuple[_Row, str] | None = None  # (row, hash expected as its prev_hash)
    result = await session.stream_scalars(sa.select(AuditEvent).order_by(AuditEvent.id))

    def judge(cur: _Row, expected: str, nxt: _Row | None) -> ChainReport | None:
        if cur.prev_hash == expected and cur.content_hash == cur.row_hash:
            return None
        report = _diagnose(expected, prev_id, cur, nxt)
        if (
            report.kind == "deleted"
            and prev_id is not None
            and cur.id == prev_id + 1
            and report.first_bad_id == cur.id
        ):
            return ChainReport(
                False, checked, prev_id, "Inhalt verändert (Hash neu berechnet)", "modified", cur.id
            )
        return ChainReport(
            False, checked, report.first_bad_id, report.problem, report.kind, report.detected_at_id
        )

    async for event in result:
        if pending is not None:
            cur, expected = pending
            row = _Row(event.id, event.prev_hash, event.row_hash, "")
            bad = judge(cur, expected, row)
            if bad is not None:
                return bad
            checked += 1
            prev_id = cur.id
            expected_prev = cur.row_hash
        fields = _fields(event)
        pending = (
            _Row(event.id, event.prev_hash, event.row_hash, _digest(expected_prev, fields)),
            expected_prev,
        )
    if pending is not None:
        cur, expected = pending
        bad = judge(cur, expected, None)
        if bad is not None:
            return bad
        checked += 1
        expected_prev = cur.row_hash
    return ChainReport(True, checked, head=expected_prev)


@dataclass(frozen=True)
class AuditQuery:
    """Filters of the admin search; every field optional."""

    user_id: int | None = None
    user_email: str | None = None
    object_type: str | None = None
    object_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None


async def search(
    session: AsyncSession, query: AuditQuery, limit: int = 50, offset: int = 0
) -> tuple[list[AuditEvent], int]:
    """Newest first; a person is found by user id or by the e-mail of their account."""
    conditions: list[Any] = []
    if query.user_id is not None:
        conditions.append(AuditEvent.actor_user_id == query.user_id)
    if query.user_email:
        ids = sa.select(User.id).where(sa.func.lower(User.email) == query.user_email.lower())
        conditions.append(AuditEvent.actor_user_id.in_(ids))
    if query.object_type:
        conditions.append(AuditEvent.object_type == query.object_type)
    if query.object_id:
        conditions.append(AuditEvent.object_id == query.object_id)
    if query.since is not None:
        conditions.append(AuditEvent.occurred_at >= query.since)
    if query.until is not None:
        conditions.append(AuditEvent.occurred_at < query.until)
    total = await session.scalar(
        sa.select(sa.func.count()).select_from(AuditEvent).where(*conditions)
    )
    rows = await session.scalars(
        sa.select(AuditEvent)
        .where(*conditions)
        .order_by(AuditEvent.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(rows.all()), int(total or 0)
