"""Route guards: every route declares who may call it (the access matrix test checks them)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from matching.actors import Actor
from matching.enums import Role

Guard = Callable[[ASGIConnection[Any, Any, Any, Any], BaseRouteHandler], None]


def current_actor(connection: ASGIConnection[Any, Any, Any, Any]) -> Actor | None:
    user = connection.scope.get("user")
    return user if isinstance(user, Actor) else None


def requires_login(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    actor = current_actor(connection)
    if actor is None or actor.kind != "user":
        raise NotAuthorizedException("Bitte melden Sie sich an.")


def requires_role(*roles: Role) -> Guard:
    def guard(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
        requires_login(connection, handler)
        actor = current_actor(connection)
        assert actor is not None
        if actor.role not in roles:
            raise PermissionDeniedException("Dafür fehlt Ihnen die Berechtigung.")

    guard.__name__ = f"requires_role({','.join(r.value for r in roles)})"
    return guard


def requires_scope(scope: str) -> Guard:
    """API routes: a valid API key carrying ``scope``."""

    def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        actor = current_actor(connection)
        if actor is None or actor.kind != "api_key":
            raise NotAuthorizedException("API-Schlüssel fehlt oder ist ungültig.")
        if scope not in actor.scopes:
            raise PermissionDeniedException(f"Dem API-Schlüssel fehlt die Berechtigung {scope}.")

    guard.__name__ = f"requires_scope({scope})"
    return guard


def requires_link_or_landlord(
    connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
) -> None:
    actor = current_actor(connection)
    if actor is None:
        raise NotAuthorizedException("Bitte melden Sie sich an.")
    if actor.kind == "link" or (actor.kind == "user" and actor.role in (Role.LANDLORD, Role.ADMIN)):
        return
    raise PermissionDeniedException("Dafür fehlt Ihnen die Berechtigung.")


admin_only = requires_role(Role.ADMIN)
counselor_only = requires_role(Role.COUNSELOR)
landlord_only = requires_role(Role.LANDLORD)
counselor_or_admin = requires_role(Role.COUNSELOR, Role.ADMIN)
landlord_or_admin = requires_role(Role.LANDLORD, Role.ADMIN)
any_user = requires_role(Role.ADMIN, Role.COUNSELOR, Role.LANDLORD)
