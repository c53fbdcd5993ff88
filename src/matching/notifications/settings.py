"""SMTP settings from the environment (prefix ``MATCHING_SMTP_``)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field


def _env(name: str, default: str = "") -> str:
    return os.environ.get(f"MATCHING_SMTP_{name}", default)


def _flag(name: str) -> bool:
    return _env(name).strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class SmtpSettings:
    """Where the outbox worker delivers; ``tls`` is implicit TLS (465), ``starttls`` upgrades."""

    host: str = field(default_factory=lambda: _env("HOST", "localhost"))
    port: int = field(default_factory=lambda: int(_env("PORT", "25")))
    user: str | None = field(default_factory=lambda: _env("USER") or None)
    password: str | None = field(default_factory=lambda: _env("PASSWORD") or None)
    starttls: bool = field(default_factory=lambda: _flag("STARTTLS"))
    tls: bool = field(default_factory=lambda: _flag("TLS"))
    from_address: str = field(
        default_factory=lambda: _env("FROM", "Türöffner <noreply@tueroeffner.invalid>")
    )
    timeout_seconds: float = field(default_factory=lambda: float(_env("TIMEOUT", "10")))

    def __repr__(self) -> str:  # never print the password
        return (
            f"SmtpSettings(host={self.host!r}, port={self.port}, user={self.user!r}, "
            f"starttls={self.starttls}, tls={self.tls}, from_address={self.from_address!r})"
        )


def smtp_configured() -> bool:
    """Whether an SMTP server is set up (``MATCHING_SMTP_HOST``); without one, e-mails stay in
    the local mailbox ("Postausgang") for the admin to read instead of failing unseen."""
    return bool(_env("HOST").strip())
