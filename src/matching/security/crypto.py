"""Encryption at rest of personal household fields with a rotatable key ring (MultiFernet).

Why MultiFernet: the first key encrypts, every listed key decrypts, so a new key can be put in
front and old rows re-encrypted at leisure (``rotate``) without downtime.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

_ring: MultiFernet | None = None
_index_keys: tuple[bytes, ...] = ()
_INDEX_LABEL = b"tueroeffner/blind-index/v1"


class KeyRingNotConfigured(RuntimeError):
    """Raised when personal data is touched before the keys were loaded."""


def configure(keys: tuple[str, ...] | list[str]) -> None:
    global _ring
    if not keys:
        raise KeyRingNotConfigured("no encryption keys given (MATCHING_ENCRYPTION_KEYS)")
    _ring = MultiFernet([Fernet(k.encode()) for k in keys])
    global _index_keys
    _index_keys = tuple(index_key(k) for k in keys)


def index_key(fernet_key: str) -> bytes:
    """The blind-index key belonging to one encryption key (HMAC-SHA256 with a fixed label).

    Why derived: it rotates with the encryption key (``rotate-keys`` re-indexes), needs no
    configuration of its own, and knowing it reveals nothing about the encryption key."""
    return hmac.new(base64.urlsafe_b64decode(fernet_key), _INDEX_LABEL, hashlib.sha256).digest()


def index_keys() -> tuple[bytes, ...]:
    """Blind-index keys, newest first (all are searched, so a rotation misses nothing)."""
    if not _index_keys:
        raise KeyRingNotConfigured("encryption keys not configured")
    return _index_keys


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
