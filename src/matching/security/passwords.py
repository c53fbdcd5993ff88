"""Password hashing (argon2id) and the password policy."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()  # argon2id with the library's vetted defaults
# Verified against when the e-mail is unknown, so both paths cost the same time.
_DUMMY_HASH = _hasher.hash("dummy-password-for-timing")

MIN_LENGTH = 12


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Constant-work verification: an unknown account still costs one argon2 verify."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    text = resources.files("matching.security").joinpath("common_passwords.txt").read_text("utf-8")
    return frozenset(
        line.strip().lower()
        for line in text.splitlines()
        if line.strip() and not line.startswith("#")
    )


def password_problems(password: str) -> list[str]:
    """German messages for every way the password breaks the policy (empty list = fine)."""
    problems: list[str] = []
    if len(password) < MIN_LENGTH:
        problems.append(f"Das Passwort muss mindestens {MIN_LENGTH} Zeichen lang sein.")
    if password.lower() in _common_passwords():
        problems.append("Dieses Passwort ist zu verbreitet. Bitte wählen Sie ein anderes.")
    return problems
