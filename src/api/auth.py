"""Authentication: server-side sessions for people, bearer API keys for programs.

The JSON API accepts only API keys (so CSRF cannot apply there); pages accept only sessions.
Idle (30 min) and absolute (12 h) timeouts are enforced here on every request.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import time
from hmac import compare_digest
from typing import Any

import sqlalchemy as sa
from litestar import Request
from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie
from litestar.exceptions import PermissionDeniedException
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult
from litestar.middleware.csrf import generate_csrf_token
from litestar.middleware.session.server_side import (
    ServerSideSessionBackend,
    ServerSideSessionConfig,
)
from litestar.stores.base import Store
from litestar.types import Empty, Message, ScopeSession
from litestar.utils.scope.state import ScopeState
from sqlalchemy.ext.asyncio import async_sessionmaker

from matching.accounts.service import resolve_api_key, user_actor
from matching.actors import Actor
from matching.config import Settings
from matching.db.models import User
from matching.proposals import tokens

log = logging.getLogger("api.auth")
ROTATE_FLAG = "tueroeffner.rotate_session"
CSRF_KEY = "csrf"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
CSRF_NOT_BOUND = (
    "Das Formular gehört nicht zu Ihrer Sitzung. Bitte laden Sie die Seite neu und "
    "versuchen Sie es noch einmal."
)


def _trusted(host: str, proxies: tuple[str, ...]) -> bool:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host in proxies
    for proxy in proxies:
        try:
            if address in ipaddress.ip_network(proxy, strict=False):
                return True
        except ValueError:
            continue
    return False


def forwarded_client(peer: str, forwarded_for: str, proxies: tuple[str, ...]) -> str:
    """The client behind trusted proxies: X-Forwarded-For read from the right, skipping
    trusted hops; from an untrusted peer (or with no proxies configured) the peer itself."""
    if not proxies or not _trusted(peer, proxies):
        return peer
    hops = [h.strip() for h in forwarded_for.split(",") if h.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, proxies):
            return hop
    return hops[0] if hops else peer


def client_address(connection: ASGIConnection[Any, Any, Any, Any]) -> str | None:
    """The address throttling and the audit trail see (MATCHING_TRUSTED_PROXIES decides
    whether X-Forwarded-For counts)."""
    if not connection.client:
        return None
    settings: Settings = connection.app.state.settings
    header = connection.headers.get("x-forwarded-for", "")
    return forwarded_client(connection.client.host, header, settings.security.trusted_proxies)


class RotatingSessionBackend(ServerSideSessionBackend):
    """Issues a fresh session id when asked (at login), so a planted id is worthless; stores
    nothing for a request whose session holds no data (health checks, static files, the API,
    anonymous pages), and removes a stored session once it is emptied."""

    async def store_in_message(
        self,
        scope_session: ScopeSession,
        message: Message,
        connection: ASGIConnection[Any, Any, Any, Any],
    ) -> None:
        old_id = connection.cookies.get(self.config.key)
        if scope_session is Empty or not scope_session:
            if old_id:  # had one: delete it, expire the cookie
                await super().store_in_message(Empty, message, connection)
            return
        if old_id and connection.scope.get("state", {}).get(ROTATE_FLAG):
            await self.delete(old_id, store=self.config.get_store_from_app(connection.scope["app"]))
        await super().store_in_message(scope_session, message, connection)

    def get_session_id(self, connection: ASGIConnection[Any, Any, Any, Any]) -> str:
        state = connection.scope.setdefault("state", {})
        if state.get(ROTATE_FLAG):
            new_id = state.get(ROTATE_FLAG + ".id")
            if not new_id:
                new_id = self.generate_session_id()
                state[ROTATE_FLAG + ".id"] = new_id
            return str(new_id)
        return super().get_session_id(connection)


class RotatingSessionConfig(ServerSideSessionConfig):
    _backend_class = RotatingSessionBackend


def mark_rotation(connection: ASGIConnection[Any, Any, Any, Any]) -> None:
    connection.scope.setdefault("state", {})[ROTATE_FLAG] = True


def start_session(request: Request[Any, Any, Any], data: dict[str, Any]) -> Cookie:
    """A fresh session id holding ``data`` and a fresh CSRF token bound to it; returns the
    CSRF cookie for the response (a token from before, e.g. planted, is no longer accepted)."""
    config = request.app.csrf_config
    assert config is not None
    # Without a CSRF cookie on the request, Litestar's CSRF middleware sets the token it just
    # generated for this request after our cookie, so that one must be the session's token.
    # It is fresh (not planted); with a cookie present, a new token replaces it.
    pending = ScopeState.from_scope(request.scope).csrf_token
    if config.cookie_name not in request.cookies and isinstance(pending, str):
        token = pending
    else:
        token = generate_csrf_token(secret=config.secret)
    mark_rotation(request)
    request.set_session({**data, CSRF_KEY: token})
    return Cookie(
        key=config.cookie_name,
        value=token,
        path=config.cookie_path,
        secure=config.cookie_secure,
        httponly=config.cookie_httponly,
        samesite=config.cookie_samesite,
        domain=config.cookie_domain,
    )


def _csrf_bound(connection: ASGIConnection[Any, Any, Any, Any], data: dict[str, Any]) -> bool:
    """A state-changing request of a signed-in session must carry the session's own token."""
    if connection.scope.get("method", "GET") in SAFE_METHODS:
        return True
    config = connection.app.csrf_config
    cookie = connection.cookies.get(config.cookie_name if config else "", "")
    expected = str(data.get(CSRF_KEY) or "")
    return bool(expected) and compare_digest(cookie, expected)


class AuthMiddleware(AbstractAuthenticationMiddleware):
    """Sets ``request.user`` to an Actor or None; guards decide what anonymous may do."""

    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        app_state = connection.app.state
        settings: Settings = app_state.settings
        factory: async_sessionmaker[Any] = app_state.session_factory
        address = client_address(connection)
        path = connection.scope["path"]
        if path.startswith("/api/"):
            header = connection.headers.get("authorization", "")
            scheme, _, raw = header.partition(" ")
            if scheme.lower() != "bearer" or not raw.strip():
                return AuthenticationResult(user=None, auth=None)
            async with factory() as session:
                key_actor = await resolve_api_key(session, raw.strip(), address)
                if key_actor is None:
                    return AuthenticationResult(user=None, auth=None)
                await session.commit()  # last-used time
            return AuthenticationResult(user=key_actor, auth=raw)
        actor = await self._from_session(connection, settings, factory, address)
        return AuthenticationResult(user=actor, auth=None)

    async def _from_session(
        self,
        connection: ASGIConnection[Any, Any, Any, Any],
        settings: Settings,
        factory: async_sessionmaker[Any],
        address: str | None,
    ) -> Actor | None:
        raw_session = connection.scope.get("session")
        data: dict[str, Any] = raw_session if isinstance(raw_session, dict) else {}
        user_id = data.get("user_id")
        if not user_id:
            link = data.get("link")
            if isinstance(link, dict) and link.get("expires", 0) > time.time():
                if not await self._link_still_valid(factory, link):
                    connection.scope["session"] = {}
                    return None
                if not _csrf_bound(connection, data):
                    raise PermissionDeniedException(CSRF_NOT_BOUND)
                return Actor(
                    kind="link",
                    organisation_id=int(link["organisation_id"]),
                    proposal_id=int(link["proposal_id"]),
                    label=f"link:{link['proposal_id']}",
                    client_address=address,
                )
            return None
        now = time.time()
        sec = settings.security
        if (
            now - float(data.get("login_at", 0)) > sec.session_absolute_hours * 3600
            or now - float(data.get("seen_at", 0)) > sec.session_idle_minutes * 60
        ):
            connection.scope["session"] = {"expired": True}
            return None
        if not _csrf_bound(connection, data):
            raise PermissionDeniedException(CSRF_NOT_BOUND)
        data["seen_at"] = now
        async with factory() as session:
            user = await session.scalar(sa.select(User).where(User.id == int(user_id)))
            if user is None or not user.is_active or not user.organisation.is_active:
                connection.scope["session"] = {}
                return None
            return user_actor(user, address)

    @staticmethod
    async def _link_still_valid(factory: async_sessionmaker[Any], link: dict[str, Any]) -> bool:
        """Every request re-checks the link and its proposal: revoked, expired or withdrawn
        ends the link session at once, not when it times out."""
        async with factory() as session:
            return await tokens.link_session_valid(
                session, str(link.get("token_hash") or ""), int(link["proposal_id"])
            )


SESSION_SWEEP_SECONDS = 15 * 60


async def sweep_expired_sessions(store: Store) -> None:
    """Delete expired sessions from a file or memory store (Redis expires them itself)."""
    delete_expired = getattr(store, "delete_expired", None)
    if delete_expired is not None:
        await delete_expired()


async def sweep_sessions_forever(store: Store, stop: asyncio.Event) -> None:
    """The scheduled job: without it, expired session files would stay on disk for ever."""
    while not stop.is_set():
        try:
            await sweep_expired_sessions(store)
        except OSError:
            log.warning("session sweep failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=SESSION_SWEEP_SECONDS)
