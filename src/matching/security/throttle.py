"""Login throttling per account and per client address, with growing delays.

Why in-process counters with a clock: the delay only needs to make guessing slow; it resets
on success and decays after 15 minutes. Several app instances each throttle on their own,
which still bounds the guessing rate by the number of instances.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

WINDOW_SECONDS = 15 * 60
FREE_ATTEMPTS = 3
MAX_DELAY = 300.0


@dataclass
class _Entry:
    failures: int = 0
    last: float = 0.0


@dataclass
class LoginThrottle:
    clock: Callable[[], float] = time.monotonic
    _entries: dict[str, _Entry] = field(default_factory=dict)

    def _delay(self, key: str) -> float:
        entry = self._entries.get(key)
        if entry is None:
            return 0.0
        now = self.clock()
        if now - entry.last > WINDOW_SECONDS:
            del self._entries[key]
            return 0.0
        if entry.failures < FREE_ATTEMPTS:
            return 0.0
        delay = min(MAX_DELAY, 2.0 ** (entry.failures - FREE_ATTEMPTS + 1))
        return max(0.0, entry.last + delay - now)

    def delay_for(self, account: str, address: str) -> float:
        return max(self._delay("a:" + account), self._delay("ip:" + address))

    def failed(self, account: str, address: str) -> None:
        now = self.clock()
        for key in ("a:" + account, "ip:" + address):
            entry = self._entries.setdefault(key, _Entry())
            entry.failures += 1
            entry.last = now

    def succeeded(self, account: str, address: str) -> None:
        self._entries.pop("a:" + account, None)
