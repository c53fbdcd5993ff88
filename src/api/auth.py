"""Authentication: server-side sessions for people, bearer API keys for programs.

The JSON API accepts only API keys (so CSRF cannot apply there); pages accept only sessions.
Idle (30 min) and absolute (12 h) timeouts are enforced here on every request.
"""

from __future__ import annotations

import time
from typing import Any

import sqlalchemy as sa
from litestar.connection import ASGIConnection
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult
from litestar.middleware.session.server_side import (
    ServerSideSessionBackend,
    ServerSideSessionConfig,
)
from sqlalchemy.ext.asyncio import async_sessionmaker

from matching.accounts.service import resolve_api_key, user_actor
from matching.actors import Actor
from matching.config import Settings
from matching.db.models import User

ROTATE_FLAG = "tueroeffner.rotate_session"


def client_address(connection: ASGIConnection[Any, Any, Any, Any]) -> str | None:
    return connection.client.host if connection.client else None


class RotatingSessionBackend(ServerSideSessionBackend):
    """Issues a fresh session id when asked (at login), so a planted id is worthless."""

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
        data["seen_at"] = now
        async with factory() as session:
            user = await session.scalar(sa.select(User).where(User.id == int(user_id)))
            if user is None or not user.is_active or not user.organisation.is_active:
                connection.scope["session"] = {}
                return None
            return user_actor(user, address)
