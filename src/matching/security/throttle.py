"""Login throttling per (account, address) pair and per address, with growing delays.

Why these keys: a per-account counter lets an attacker lock the owner out from everywhere
with three wrong passwords; the pair key slows down only the guesser at their address, and
the address key bounds password spraying over many accounts from one address. The counters
live in the database (``DatabaseThrottleStore``), so several app instances share them; a
counter resets on success and decays ``WINDOW_SECONDS`` after the last failure. Addresses
come from ``api.auth.client_address`` (X-Forwarded-For only from configured proxies).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from matching.db.models import LoginAttempt

WINDOW_SECONDS = 15 * 60
FREE_ATTEMPTS = 3
#: Spraying from one address over many accounts gets more free attempts before it slows.
FREE_ATTEMPTS_PER_ADDRESS = 10
MAX_DELAY = 300.0


@dataclass
class Entry:
    failures: int = 0
    last: float = 0.0


class ThrottleStore(Protocol):
    async def entries(self, keys: Iterable[str]) -> dict[str, Entry]: ...
    async def failed(self, keys: Iterable[str], now: float) -> None: ...
    async def clear(self, key: str) -> None: ...


@dataclass
class MemoryThrottleStore:
    """One process only (unit tests, tools)."""

    _entries: dict[str, Entry] = field(default_factory=dict)

    async def entries(self, keys: Iterable[str]) -> dict[str, Entry]:
        return {k: self._entries[k] for k in keys if k in self._entries}

    async def failed(self, keys: Iterable[str], now: float) -> None:
        for key in keys:
            entry = self._entries.setdefault(key, Entry())
            if now - entry.last > WINDOW_SECONDS:
                entry.failures = 0
            entry.failures += 1
            entry.last = now

    async def clear(self, key: str) -> None:
        self._entries.pop(key, None)


@dataclass
class DatabaseThrottleStore:
    """Shared by all instances: one row per hashed key, updated atomically (upsert)."""

    session_factory: async_sessionmaker[AsyncSession]

    async def entries(self, keys: Iterable[str]) -> dict[str, Entry]:
        async with self.session_factory() as session:
            rows = await session.execute(
                sa.select(LoginAttempt.key, LoginAttempt.failures, LoginAttempt.last_at).where(
                    LoginAttempt.key.in_(list(keys))
                )
            )
            return {r.key: Entry(r.failures, r.last_at) for r in rows}

    async def failed(self, keys: Iterable[str], now: float) -> None:
        async with self.session_factory() as session, session.begin():
            dialect = session.get_bind().dialect.name
            insert: Any
            if dialect == "postgresql":
                from sqlalchemy.dialects.postgresql import insert
            else:
                from sqlalchemy.dialects.sqlite import insert
            for key in keys:
                statement = insert(LoginAttempt).values(key=key, failures=1, last_at=now)
                fresh = LoginAttempt.last_at < now - WINDOW_SECONDS
                await session.execute(
                    statement.on_conflict_do_update(
                        index_elements=[LoginAttempt.key],
                        set_={
                            "failures": sa.case((fresh, 1), else_=LoginAttempt.failures + 1),
                            "last_at": now,
                        },
                    )
                )
            await session.execute(
                sa.delete(LoginAttempt).where(LoginAttempt.last_at < now - 4 * WINDOW_SECONDS)
            )

    async def clear(self, key: str) -> None:
        async with self.session_factory() as session, session.begin():
            await session.execute(sa.delete(LoginAttempt).where(LoginAttempt.key == key))


def _key(kind: str, value: str) -> str:
    return hashlib.sha256(f"{kind}:{value}".encode()).hexdigest()


def _delay(entry: Entry | None, free: int, now: float) -> float:
    if entry is None or now - entry.last > WINDOW_SECONDS or entry.failures < free:
        return 0.0
    delay = min(MAX_DELAY, 2.0 ** (entry.failures - free + 1))
    return max(0.0, entry.last + delay - now)


@dataclass
class LoginThrottle:
    store: ThrottleStore = field(default_factory=MemoryThrottleStore)
    clock: Callable[[], float] = time.time  # wall time: instances compare it

    @staticmethod
    def keys(account: str, address: str) -> tuple[str, str]:
        return _key("pair", f"{account}|{address}"), _key("ip", address)

    async def delay_for(self, account: str, address: str) -> float:
        pair, ip = self.keys(account, address)
        entries = await self.store.entries((pair, ip))
        now = self.clock()
        return max(
            _delay(entries.get(pair), FREE_ATTEMPTS, now),
            _delay(entries.get(ip), FREE_ATTEMPTS_PER_ADDRESS, now),
        )

    async def failed(self, account: str, address: str) -> None:
        await self.store.failed(self.keys(account, address), self.clock())

    async def succeeded(self, account: str, address: str) -> None:
        await self.store.clear(self.keys(account, address)[0])
