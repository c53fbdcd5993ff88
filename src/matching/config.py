"""Settings, one dataclass per concern, read from the environment (prefix ``MATCHING_``).

Why a cached getter: the app, the CLI and background jobs must agree on one configuration
per process, and tests replace it by clearing the cache after changing the environment.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
VAR_DIR = Path(os.environ.get("MATCHING_VAR_DIR", PROJECT_ROOT / "var"))


def _env(name: str, default: str = "") -> str:
    return os.environ.get(f"MATCHING_{name}", default)


def _env_bool(name: str, default: bool) -> bool:
    raw = _env(name)
    if not raw:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def _env_int(name: str, default: int) -> int:
    raw = _env(name)
    return int(raw) if raw else default


def default_database_url() -> str:
    return f"sqlite+aiosqlite:///{VAR_DIR / 'tueroeffner.sqlite3'}"


@dataclass(frozen=True)
class DatabaseSettings:
    url: str = field(default_factory=lambda: _env("DATABASE_URL") or default_database_url())
    echo: bool = field(default_factory=lambda: _env_bool("DATABASE_ECHO", False))
    pool_size: int = field(default_factory=lambda: _env_int("DATABASE_POOL_SIZE", 10))
    connect_timeout: int = field(default_factory=lambda: _env_int("DATABASE_CONNECT_TIMEOUT", 2))

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")


@dataclass(frozen=True)
class SecuritySettings:
    # A development secret is derived on first start and kept under var/ (see ensure_secrets);
    # production sets MATCHING_SECRET_KEY and MATCHING_ENCRYPTION_KEYS explicitly.
    secret_key: str = field(default_factory=lambda: _env("SECRET_KEY"))
    # Comma-separated Fernet keys, newest first; the first encrypts, all decrypt.
    encryption_keys: tuple[str, ...] = field(
        default_factory=lambda: tuple(
            k.strip() for k in _env("ENCRYPTION_KEYS").split(",") if k.strip()
        )
    )
    session_idle_minutes: int = field(default_factory=lambda: _env_int("SESSION_IDLE_MINUTES", 30))
    session_absolute_hours: int = field(
        default_factory=lambda: _env_int("SESSION_ABSOLUTE_HOURS", 12)
    )
    secure_cookies: bool = field(default_factory=lambda: _env_bool("SECURE_COOKIES", False))
    # "memory", "file" (var/sessions) or a redis:// URL for several app instances.
    session_store: str = field(default_factory=lambda: _env("SESSION_STORE", "file"))
    # Reverse proxies whose X-Forwarded-For is believed (addresses or CIDR networks,
    # comma-separated); none by default, so the header is ignored.
    trusted_proxies: tuple[str, ...] = field(
        default_factory=lambda: tuple(
            p.strip() for p in _env("TRUSTED_PROXIES").split(",") if p.strip()
        )
    )


@dataclass(frozen=True)
class MatchingSettings:
    default_policy: str = field(default_factory=lambda: _env("DEFAULT_POLICY", "dringlichkeit"))
    max_proposals_per_vacancy: int = field(
        default_factory=lambda: _env_int("MAX_PROPOSALS_PER_VACANCY", 3)
    )
    max_proposals_per_household: int = field(
        default_factory=lambda: _env_int("MAX_PROPOSALS_PER_HOUSEHOLD", 2)
    )
    respond_days: int = field(default_factory=lambda: _env_int("RESPOND_DAYS", 7))


def _scheduler_default() -> bool:
    """MATCHING_SCHEDULER=1/0 decides; unset, the app runs it — except inside a test run."""
    return _env_bool("SCHEDULER", "pytest" not in sys.modules)


@dataclass(frozen=True)
class Settings:
    database: DatabaseSettings = field(default_factory=DatabaseSettings)
    security: SecuritySettings = field(default_factory=SecuritySettings)
    matching: MatchingSettings = field(default_factory=MatchingSettings)
    base_url: str = field(default_factory=lambda: _env("BASE_URL", "http://127.0.0.1:8000"))
    timezone: str = "Europe/Berlin"
    var_dir: Path = VAR_DIR
    # Closed households are anonymised this many months after closing (GDPR storage limit).
    retention_months: int = field(default_factory=lambda: _env_int("RETENTION_MONTHS", 24))
    # The deadline jobs and the outbox worker run in the app process (several processes may:
    # a database lease lets one of them do each job); tests do not start it unless asked.
    scheduler_enabled: bool = field(default_factory=_scheduler_default)
    scheduler_interval_seconds: float = field(
        default_factory=lambda: float(_env("SCHEDULER_INTERVAL", "30"))
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
