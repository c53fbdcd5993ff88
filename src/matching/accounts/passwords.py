"""Managing accounts after they exist: the admin edits and resets, every user changes their
own password.

A reset is a one-time link e-mailed through the outbox: the raw token exists only in the
e-mail (the delivered row keeps the body with the token cut out), the database keeps its
SHA-256. A link works once, expires after ``RESET_VALID`` and a newer link voids older ones.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from matching.accounts.service import USER_CHECKS, user_actor
from matching.actors import Actor
from matching.audit import service as audit
from matching.db.models import Organisation, PasswordResetToken, User
from matching.errors import Forbidden, NotFound
from matching.notifications.outbox import enqueue
from matching.proposals.timeutil import as_utc, utcnow
from matching.security.passwords import hash_password, password_problems, verify_password
from matching.validation import FieldError, ValidationFailed
from matching.validators import check_fields

RESET_VALID = timedelta(hours=24)
RESET_PATH = "/passwort-neu/"
TOKEN_BYTES = 32


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


async def _user(session: AsyncSession, user_id: int) -> User:
    user = await session.get(User, user_id)
    if user is None:
        raise NotFound("Benutzerkonto")
    return user


async def update_user(
    session: AsyncSession,
    actor: Actor,
    user_id: int,
    *,
    name: str,
    email: str,
    is_org_admin: bool,
) -> User:
    """The admin corrects a user's name, e-mail address or organisation-admin flag."""
    if not actor.is_admin:
        raise Forbidden("Konten bearbeitet die Fachstelle.")
    user = await _user(session, user_id)
    email = email.strip().lower()
    errors = check_fields({"email": email, "name": name}, USER_CHECKS)
    if not name.strip() or len(name) > 200:
        errors.append(FieldError("name", "Bitte einen Namen (höchstens 200 Zeichen) angeben."))
    if not email or len(email) > 254:
        errors.append(FieldError("email", "Bitte eine gültige E-Mail-Adresse angeben."))
    elif not any(e.field == "email" for e in errors) and await session.scalar(
        sa.select(User.id).where(User.email == email, User.id != user.id)
    ):
        errors.append(FieldError("email", "Diese E-Mail-Adresse ist bereits vergeben."))
    if errors:
        raise ValidationFailed(errors)
    changed = sorted(
        field
        for field, old, new in (
            ("name", user.name, name.strip()),
            ("email", user.email, email),
            ("is_org_admin", user.is_org_admin, is_org_admin),
        )
        if old != new
    )
    user.name, user.email, user.is_org_admin = name.strip(), email, is_org_admin
    if changed:
        await audit.record(session, actor, "update", "user", user.id, {"fields": changed})
    return user


async def request_reset(
    session: AsyncSession, actor: Actor, user_id: int, *, base_url: str
) -> PasswordResetToken:
    """Issue a one-time link for ``user_id`` and put the e-mail into the outbox."""
    if not actor.is_admin:
        raise Forbidden("Passwörter setzt die Fachstelle zurück.")
    user = await _user(session, user_id)
    if not user.is_active:
        raise ValidationFailed(
            [FieldError("__root__", "Das Konto ist deaktiviert. Bitte zuerst aktivieren.")]
        )
    now = utcnow()
    await _void_open_tokens(session, user.id, now)
    raw = secrets.token_urlsafe(TOKEN_BYTES)
    token = PasswordResetToken(
        user_id=user.id,
        token_hash=_digest(raw),
        expires_at=now + RESET_VALID,
        created_by_id=actor.user_id,
    )
    session.add(token)
    await session.flush()
    await enqueue(
        session,
        "password_reset",
        user.email,
        "Türöffner: Passwort neu festlegen",
        "password_reset",
        {
            "name": user.name,
            "link": f"{base_url.rstrip('/')}{RESET_PATH}{raw}",
            "valid_until": token.expires_at,
        },
        f"password_reset:{token.id}",
        now=now,
    )
    await audit.record(session, actor, "password.reset_request", "user", user.id)
    return token


async def _void_open_tokens(session: AsyncSession, user_id: int, now: datetime) -> None:
    await session.execute(
        sa.update(PasswordResetToken)
        .where(PasswordResetToken.user_id == user_id, PasswordResetToken.used_at.is_(None))
        .values(used_at=now)
    )


async def reset_user(session: AsyncSession, raw: str) -> User | None:
    """The active user a reset link belongs to, or None when it is unknown, used or expired."""
    if not raw or len(raw) > 100:
        return None
    token = await session.scalar(
        sa.select(PasswordResetToken).where(PasswordResetToken.token_hash == _digest(raw))
    )
    if token is None or token.used_at is not None or as_utc(token.expires_at) <= utcnow():
        return None
    user = await session.get(User, token.user_id)
    if user is None or not user.is_active:
        return None
    org = await session.get(Organisation, user.organisation_id)
    return user if org is not None and org.is_active else None


async def reset_password(session: AsyncSession, raw: str, new_password: str) -> User:
    """Set a new password through a reset link; the link (and any other) is used up."""
    user = await reset_user(session, raw)
    if user is None:
        raise NotFound("Link")
    _check_new(new_password)
    now = utcnow()
    user.password_hash = hash_password(new_password)
    await _void_open_tokens(session, user.id, now)
    await audit.record(session, user_actor(user), "password.reset", "user", user.id)
    return user


async def change_password(
    session: AsyncSession, actor: Actor, current: str, new_password: str
) -> None:
    """A signed-in user replaces their own password; the current one is required."""
    if actor.user_id is None:
        raise Forbidden("Nur angemeldete Personen haben ein Passwort.")
    user = await _user(session, actor.user_id)
    if not verify_password(user.password_hash, current):
        raise ValidationFailed(
            [FieldError("current_password", "Das bisherige Passwort stimmt nicht.")]
        )
    _check_new(new_password, field="new_password")
    if verify_password(user.password_hash, new_password):
        raise ValidationFailed(
            [
                FieldError(
                    "new_password", "Das neue Passwort muss sich vom bisherigen unterscheiden."
                )
            ]
        )
    user.password_hash = hash_password(new_password)
    await _void_open_tokens(session, user.id, utcnow())
    await audit.record(session, actor, "password.change", "user", user.id)


def _check_new(password: str, field: str = "password") -> None:
    if problems := password_problems(password):
        raise ValidationFailed([FieldError(field, " ".join(problems))])
