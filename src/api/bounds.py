"""One bound for every integer path parameter of every route (ids and anything else).

Why a middleware and not a per-handler annotation: it covers every route, including routes
added later, without each handler having to remember it. Database ids are signed 64-bit
integers, so a larger number cannot name an object: it answers 404, like an unknown id,
instead of overflowing inside the database driver.
"""

from __future__ import annotations

from litestar.exceptions import NotFoundException
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

#: Largest id a database row can have (BIGINT / SQLite INTEGER).
MAX_ID = 2**63 - 1


def id_in_range(value: int) -> bool:
    return -MAX_ID <= value <= MAX_ID


class PathBoundsMiddleware(ASGIMiddleware):
    """404 for integer path parameters outside the 64-bit range (before auth, guards, SQL)."""

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        for value in (scope.get("path_params") or {}).values():
            if isinstance(value, int) and not isinstance(value, bool) and not id_in_range(value):
                raise NotFoundException()
        await next_app(scope, receive, send)
