"""One bound for every integer path parameter of every route (ids and anything else).

Why a middleware and not a per-handler annotation: it covers every route, including routes
added later, without each handler having to remember it. Database ids are signed 64-bit
integers, so a larger number cannot name an object: it answers 404, like an unknown id,
instead of overflowing inside the database driver.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import Any

from litestar import Request
from litestar.exceptions import NotFoundException
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from matching.validation import FieldError, ValidationFailed

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


#: Handler parameters that are never query parameters.
_NOT_QUERY = frozenset(
    {"request", "data", "state", "scope", "headers", "cookies", "query", "body", "socket"}
)


@dataclass(frozen=True)
class _QueryNames:
    known: frozenset[str]
    """Every query parameter the handler declares."""
    no_null: frozenset[str]
    """Those for which the text ``null`` is no value (every type but plain text)."""


# Keyed by the handler object itself, weakly: an ``id()`` key is reused once a handler of an
# earlier app is collected, and a second app in the process then saw the wrong names.
_known_query: weakref.WeakKeyDictionary[Any, _QueryNames] = weakref.WeakKeyDictionary()


def _text_typed(field: Any) -> bool:
    """A plain ``str`` parameter (optional or not): there ``null`` is text like any other."""
    types = [t.annotation for t in field.inner_types] if field.is_optional else [field.annotation]
    return any(t is str for t in types)


def _query_names(handler: Any) -> _QueryNames:
    """The query parameters a JSON API handler declares (cached per handler)."""
    cached = _known_query.get(handler)
    if cached is not None:
        return cached
    provided = set(handler.resolve_dependencies())
    names: set[str] = set()
    no_null: set[str] = set()
    for name, field in handler.parsed_fn_signature.parameters.items():
        if name in _NOT_QUERY or name in provided:
            continue
        kwarg = field.kwarg_definition
        if kwarg is not None and (getattr(kwarg, "header", None) or getattr(kwarg, "cookie", None)):
            continue
        query_name = getattr(kwarg, "query", None) or name
        names.add(query_name)
        if not _text_typed(field):
            no_null.add(query_name)
    _known_query[handler] = _QueryNames(frozenset(names), frozenset(no_null))
    return _known_query[handler]


async def reject_unknown_query(request: Request[Any, Any, Any]) -> None:
    """The JSON API refuses query parameters it does not know (a typo must not be ignored
    silently: ``?statsu=open`` would list everything), and ``null`` as the value of a
    filter: a query string has no null (Litestar would read ``?status=null`` as "no filter"
    and list everything); a filter not wanted is left out."""
    if not request.url.path.startswith("/api/"):
        return
    from api.errors import problem

    names = _query_names(request.route_handler)
    unknown = sorted(set(request.query_params) - names.known - set(request.path_params))
    if unknown:
        raise problem(
            400,
            "Unbekannte Parameter in der Anfrage.",
            code="bad-request",
            errors=[FieldError(name[:100], "Unbekannter Parameter.") for name in unknown[:20]],
        )
    nulls = sorted(
        name
        for name in names.no_null
        if any(v.strip().lower() == "null" for v in request.query_params.getall(name, []))
    )
    if nulls:  # the app's one mapping of ValidationFailed: 422 problem details
        raise ValidationFailed(
            [
                FieldError(
                    name, "„null“ ist kein Wert; einen Filter weglassen, statt ihn leer zu senden."
                )
                for name in nulls
            ]
        )
