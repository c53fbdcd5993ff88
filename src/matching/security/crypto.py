"""Encryption at rest of personal household fields with a rotatable key ring (MultiFernet).

Why MultiFernet: the first key encrypts, every listed key decrypts, so a new key can be put in
front and old rows re-encrypted at leisure (``rotate``) without downtime.
"""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

_ring: MultiFernet | None = None


class KeyRingNotConfigured(RuntimeError):
    """Raised when personal data is touched before the keys were loaded."""


def configure(keys: tuple[str, ...] | list[str]) -> None:
    global _ring
    if not keys:
        raise KeyRingNotConfigured("no encryption keys given (MATCHING_ENCRYPTION_KEYS)")
    _ring = MultiFernet([Fernet(k.encode()) for k in keys])


def ring() -> MultiFernet:
    if _ring is None:
        raise KeyRingNotConfigured("encryption keys not configured")
    return _ring


def encrypt(plaintext: str) -> str:
    return ring().encrypt(plaintext.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return ring().decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken as exc:  # a key was removed too early: fail loudly, never show garbage
        raise KeyRingNotConfigured("no configured key can decrypt this value") from exc


def rotate(token: str) -> str:
    """Re-encrypt a value with the newest key."""
    return ring().rotate(token.encode("ascii")).decode("ascii")


def new_key() -> str:
    return Fernet.generate_key().decode("ascii")
