"""Blind index of household names: find a household by name while names stay encrypted.

Each word of a name is normalised (case, umlauts, accents) and stored only as a keyed HMAC
digest (``household_name_tokens``); a search computes the same digests for the words typed
and asks for households holding all of them. The database never sees a name in clear, and
without the key the digests cannot be tested against a list of common names.

The rows follow the name: a mapper event rewrites them whenever a household is inserted or
its name changes through the ORM (service, anonymisation); bulk writers (demo data) call
``backfill``; ``rebuild_all`` re-indexes under the newest key after ``rotate-keys``.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from collections.abc import Sequence
from typing import Any, cast

import sqlalchemy as sa
from cryptography.fernet import Fernet, MultiFernet
from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Mapper

from matching.db.models import Household, HouseholdNameToken
from matching.security import crypto

DIGEST_CHARS = 32  # 128 bits of the HMAC: collisions are negligible among a Kreis' names
MAX_TOKENS = 8
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_SPLIT = re.compile(r"[^0-9a-z]+")
_TOKENS = cast("sa.Table", HouseholdNameToken.__table__)
_RAW = sa.table("households", sa.column("id"), sa.column("organisation_id"), sa.column("name"))


def tokens(text: str | None) -> list[str]:
    """Words of a name as compared: "Müller-Lüdenscheidt, Zoë" -> müller spelled "mueller",
    "luedenscheidt", "zoe". Single letters (initials) are left out."""
    if not text:
        return []
    folded = text.casefold().translate(_UMLAUTS)
    plain = "".join(
        c for c in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(c)
    )
    seen: dict[str, None] = {}
    for word in _SPLIT.split(plain):
        if len(word) >= 2:
            seen.setdefault(word, None)
    return list(seen)[:MAX_TOKENS]


def digest(key: bytes, token: str) -> str:
    return hmac.new(key, token.encode(), hashlib.sha256).hexdigest()[:DIGEST_CHARS]


def _rows(
    household_id: int, organisation_id: int, name: str | None, key: bytes
) -> list[dict[str, Any]]:
    return [
        {"digest": digest(key, t), "organisation_id": organisation_id, "household_id": household_id}
        for t in tokens(name)
    ]


def query_digests(text: str) -> list[set[str]]:
    """Per word typed, its digests under every configured key (a rotation in progress)."""
    return [{digest(k, t) for k in crypto.index_keys()} for t in tokens(text)]


def matching_ids(text: str, organisation_id: int | None = None) -> sa.Select[Any] | None:
    """Ids of households (of one office, or all) whose name holds every word of ``text``;
    None when ``text`` has no word to match. Answered from the index's key alone."""
    words = query_digests(text)
    if not words:
        return None
    wanted = set().union(*words)
    stmt = sa.select(_TOKENS.c.household_id).where(_TOKENS.c.digest.in_(sorted(wanted)))
    if organisation_id is not None:
        stmt = stmt.where(_TOKENS.c.organisation_id == organisation_id)
    stmt = stmt.group_by(_TOKENS.c.household_id)
    if len(words) > 1:  # (digest, office, household) is the key: one row per word found
        stmt = stmt.having(sa.func.count() >= len(words))
    return stmt


def _write(connection: Connection, household: Household) -> None:
    connection.execute(sa.delete(_TOKENS).where(_TOKENS.c.household_id == household.id))
    rows = _rows(household.id, household.organisation_id, household.name, crypto.index_keys()[0])
    if rows:
        connection.execute(sa.insert(_TOKENS), rows)


@event.listens_for(Household, "after_insert")
def _after_insert(_mapper: Mapper[Any], connection: Connection, target: Household) -> None:
    if target.name:
        _write(connection, target)


@event.listens_for(Household, "after_update")
def _after_update(_mapper: Mapper[Any], connection: Connection, target: Household) -> None:
    attrs = sa.inspect(target).attrs
    if attrs.name.history.has_changes() or attrs.organisation_id.history.has_changes():
        _write(connection, target)


async def backfill(session: AsyncSession, names_by_code: dict[str, str] | None = None) -> int:
    """Index households that have a name but no index rows yet; returns how many.

    ``names_by_code`` (reference code -> name) spares the decryption when the caller has
    just written the names itself (bulk demo data)."""
    unindexed = ~sa.exists().where(_TOKENS.c.household_id == Household.id)
    key = crypto.index_keys()[0]
    rows: list[dict[str, Any]] = []
    count = 0
    if names_by_code is not None:
        found = await session.execute(
            sa.select(Household.id, Household.organisation_id, Household.reference_code).where(
                Household.name.is_not(None), unindexed
            )
        )
        triples = [(int(i), int(o), names_by_code.get(str(c))) for i, o, c in found]
    else:
        found = await session.execute(
            sa.select(Household.id, Household.organisation_id, Household.name).where(
                Household.name.is_not(None), unindexed
            )
        )
        triples = [(int(i), int(o), n) for i, o, n in found]
    for household_id, organisation_id, name in triples:
        rows.extend(_rows(household_id, organisation_id, name, key))
        count += 1
    for start in range(0, len(rows), 5000):
        await session.execute(sa.insert(_TOKENS), rows[start : start + 5000])
    return count


async def rebuild_all(
    factory: async_sessionmaker[AsyncSession], keys: Sequence[str], *, batch: int = 1000
) -> int:
    """Re-index every named household under ``keys[0]`` (after a key rotation); batches of
    ``batch`` households, one transaction each, so an interrupted run can be repeated."""
    ring = MultiFernet([Fernet(k.encode()) for k in keys])
    key = crypto.index_key(keys[0])
    last_id, total = 0, 0
    while True:
        async with factory() as session, session.begin():
            found = (
                await session.execute(
                    sa.select(_RAW.c.id, _RAW.c.organisation_id, _RAW.c.name)
                    .where(_RAW.c.id > last_id, _RAW.c.name.is_not(None))
                    .order_by(_RAW.c.id)
                    .limit(batch)
                )
            ).all()
            if not found:
                return total
            ids = [int(row[0]) for row in found]
            await session.execute(sa.delete(_TOKENS).where(_TOKENS.c.household_id.in_(ids)))
            rows = [
                row
                for household_id, organisation_id, token in found
                for row in _rows(int(household_id), int(organisation_id), _plain(ring, token), key)
            ]
            if rows:
                await session.execute(sa.insert(_TOKENS), rows)
            total += len(found)
            last_id = ids[-1]


def _plain(ring: MultiFernet, token: Any) -> str:
    return ring.decrypt(str(token).encode("ascii")).decode("utf-8")
