"""Accounts: login, organisations, users and API keys."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from matching.access import manageable_api_keys, may_manage_api_key
from matching.actors import Actor
from matching.audit import service as audit
from matching.db.models import ApiKey, Organisation, User
from matching.enums import OrganisationKind, Role
from matching.errors import NotFound
from matching.security.passwords import (
    hash_password,
    needs_rehash,
    password_problems,
    verify_password,
)
from matching.validation import FieldError, ValidationFailed
from matching.validators import EMAIL, SINGLE_LINE, check_fields

KEY_PREFIX = "tk_"
SCOPES: tuple[str, ...] = (
    "vacancies:read",
    "vacancies:write",
    "households:read",
    "households:write",
    "proposals:read",
    "proposals:write",
    "cases:read",
    "cases:write",
)
# Which role a user of each kind of organisation has.
ROLE_FOR_KIND = {
    OrganisationKind.FACHSTELLE: Role.ADMIN,
    OrganisationKind.COUNSELING: Role.COUNSELOR,
    OrganisationKind.LANDLORD: Role.LANDLORD,
}


def user_actor(user: User, client_address: str | None = None) -> Actor:
    return Actor(
        kind="user",
        organisation_id=user.organisation_id,
        role=user.role,
        organisation_kind=user.organisation.kind,
        user_id=user.id,
        label=f"user:{user.id}",
        client_address=client_address,
    )


async def authenticate(session: AsyncSession, email: str, password: str) -> User | None:
    """The user for these credentials, or None – same work whether or not the e-mail exists."""
    user = await session.scalar(sa.select(User).where(User.email == email.strip().lower()))
    ok = verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.is_active or not user.organisation.is_active:
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = datetime.now(UTC)
    return user


#: Addresses and names that reach e-mail headers (see matching.validators).
ORGANISATION_CHECKS = {"name": SINGLE_LINE, "contact_email": EMAIL}
USER_CHECKS = {"email": EMAIL, "name": SINGLE_LINE}


async def create_organisation(
    session: AsyncSession,
    actor: Actor,
    name: str,
    kind: OrganisationKind,
    contact_email: str | None,
) -> Organisation:
    name = name.strip()
    contact_email = (contact_email or "").strip() or None
    errors = check_fields({"name": name, "contact_email": contact_email}, ORGANISATION_CHECKS)
    if not name or len(name) > 200:
        errors.append(FieldError("name", "Bitte einen Namen (höchstens 200 Zeichen) angeben."))
    elif errors:
        pass
    elif await session.scalar(sa.select(Organisation.id).where(Organisation.name == name)):
        errors.append(FieldError("name", "Eine Organisation mit diesem Namen gibt es schon."))
    if errors:
        raise ValidationFailed(errors)
    org = Organisation(name=name, kind=kind, contact_email=contact_email)
    session.add(org)
    await session.flush()
    await audit.record(session, actor, "create", "organisation", org.id)
    return org


async def create_user(
    session: AsyncSession,
    actor: Actor,
    *,
    email: str,
    name: str,
    organisation_id: int,
    password: str,
    is_org_admin: bool = False,
) -> User:
    email = email.strip().lower()
    errors = [FieldError("password", p) for p in password_problems(password)]
    errors += check_fields({"email": email, "name": name}, USER_CHECKS)
    if not email or len(email) > 254:
        errors.append(FieldError("email", "Bitte eine gültige E-Mail-Adresse angeben."))
    elif any(e.field == "email" for e in errors):
        pass
    elif await session.scalar(sa.select(User.id).where(User.email == email)):
        errors.append(FieldError("email", "Diese E-Mail-Adresse ist bereits vergeben."))
    if not name.strip() or len(name) > 200:
        errors.append(FieldError("name", "Bitte einen Namen angeben."))
    org = await session.get(Organisation, organisation_id)
    if org is None:
        errors.append(FieldError("organisation_id", "Unbekannte Organisation."))
    if errors:
        raise ValidationFailed(errors)
    assert org is not None
    user = User(
        email=email,
        name=name.strip(),
        role=ROLE_FOR_KIND[org.kind],
        organisation_id=org.id,
        password_hash=hash_password(password),
        is_org_admin=is_org_admin,
    )
    session.add(user)
    await session.flush()
    await audit.record(session, actor, "create", "user", user.id)
    return user


async def set_active(
    session: AsyncSession,
    actor: Actor,
    model: type[User] | type[Organisation],
    obj_id: int,
    active: bool,
) -> None:
    obj: User | Organisation | None = await session.get(model, obj_id)
    if obj is None:
        raise NotFound()
    obj.is_active = active
    await audit.record(
        session, actor, "activate" if active else "deactivate", model.__tablename__, obj_id
    )


# -- API keys ------------------------------------------------------------------------------
def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedKey:
    key: ApiKey
    raw: str  # shown once, never stored


async def issue_api_key(
    session: AsyncSession, actor: Actor, organisation_id: int, name: str, scopes: list[str]
) -> IssuedKey:
    bad = [s for s in scopes if s not in SCOPES]
    errors = []
    if bad or not scopes:
        errors.append(FieldError("scopes", "Bitte gültige Berechtigungen auswählen."))
    if not name.strip() or len(name) > 100:
        errors.append(FieldError("name", "Bitte eine Bezeichnung angeben."))
    if errors:
        raise ValidationFailed(errors)
    raw = KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey(
        organisation_id=organisation_id,
        name=name.strip(),
        prefix=raw[:10],
        key_hash=_digest(raw),
        scopes=sorted(set(scopes)),
        created_by_id=actor.user_id,
    )
    session.add(key)
    await session.flush()
    await audit.record(session, actor, "create", "api_key", key.id, {"scopes": key.scopes})
    return IssuedKey(key, raw)


async def resolve_api_key(
    session: AsyncSession, raw: str, client_address: str | None = None
) -> Actor | None:
    """The actor for a presented key, or None for unknown, revoked or inactive ones."""
    if not raw.startswith(KEY_PREFIX) or len(raw) > 100:
        return None
    key = await session.scalar(sa.select(ApiKey).where(ApiKey.key_hash == _digest(raw)))
    if key is None or key.revoked_at is not None:
        return None
    org = await session.get(Organisation, key.organisation_id)
    if org is None or not org.is_active:
        return None
    key.last_used_at = datetime.now(UTC)
    return api_key_actor(key, org.kind, client_address)


def api_key_actor(key: ApiKey, kind: OrganisationKind, client_address: str | None = None) -> Actor:
    return Actor(
        kind="api_key",
        organisation_id=key.organisation_id,
        organisation_kind=kind,
        api_key_id=key.id,
        scopes=frozenset(key.scopes),
        label=f"api_key:{key.id}",
        client_address=client_address,
    )


async def revoke_api_key(session: AsyncSession, actor: Actor, key_id: int) -> None:
    key = await session.get(ApiKey, key_id)
    if key is None or not may_manage_api_key(actor, key):
        raise NotFound("API-Schlüssel")
    if key.revoked_at is None:
        key.revoked_at = datetime.now(UTC)
        await audit.record(session, actor, "revoke", "api_key", key.id)


async def list_api_keys(
    session: AsyncSession, actor: Actor, organisation_id: int | None = None
) -> list[ApiKey]:
    """Keys of the actor's organisation (admin: of one or all organisations), newest first."""
    query = (
        sa.select(ApiKey)
        .where(manageable_api_keys(actor))
        .order_by(ApiKey.revoked_at.is_not(None), ApiKey.id.desc())
    )
    if organisation_id is not None:
        query = query.where(ApiKey.organisation_id == organisation_id)
    return list((await session.scalars(query)).all())
