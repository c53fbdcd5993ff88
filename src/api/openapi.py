"""A truthful OpenAPI document: every status an operation can answer, problem details, auth.

Why one post-processing step: the problem answers (400 broken JSON, 401 missing key, 403
missing scope, 404, 405, 422, 503, …) come from guards, the error handler and the framework,
not from the handlers' return types, so Litestar cannot see them. ``TruthfulOpenAPIPlugin``
adds them to every ``/api/`` operation - also to operations added later - with the
``application/problem+json`` schema, the bearer security scheme, and
``additionalProperties: false`` for request bodies that refuse unknown fields.

For statuses only some operations answer (409, 412, 413, …) use ``problem_responses`` in the
route decorator: ``@post(..., responses=problem_responses(409, 413))``.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar._openapi.plugin import OpenAPIPlugin
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import (
    Components,
    OpenAPI,
    OpenAPIMediaType,
    OpenAPIResponse,
    Reference,
    Schema,
    SecurityScheme,
)
from litestar.openapi.spec.enums import OpenAPIType

from api.errors import TITLES

PROBLEM_MEDIA_TYPE = "application/problem+json"
BEARER = "ApiKey"
PROBLEM_REF = "#/components/schemas/ProblemDetails"


class FieldProblem(msgspec.Struct):
    field: str
    message: str


class ProblemDetails(msgspec.Struct, kw_only=True):
    """RFC 9457 problem details, German texts; ``errors`` names every bad field."""

    status: int
    title: str
    detail: str
    type: str
    code: str
    errors: list[FieldProblem] | None = None
    allowed: list[str] | None = None


PROBLEM_SCHEMA = Schema(
    type=OpenAPIType.OBJECT,
    required=["status", "title", "detail", "type", "code"],
    properties={
        "status": Schema(type=OpenAPIType.INTEGER),
        "title": Schema(type=OpenAPIType.STRING),
        "detail": Schema(type=OpenAPIType.STRING),
        "type": Schema(type=OpenAPIType.STRING),
        "code": Schema(type=OpenAPIType.STRING),
        "errors": Schema(
            type=OpenAPIType.ARRAY,
            items=Schema(
                type=OpenAPIType.OBJECT,
                required=["field", "message"],
                properties={
                    "field": Schema(type=OpenAPIType.STRING),
                    "message": Schema(type=OpenAPIType.STRING),
                },
            ),
        ),
        "allowed": Schema(type=OpenAPIType.ARRAY, items=Schema(type=OpenAPIType.STRING)),
    },
)

DESCRIPTIONS = {
    400: "Anfrage fehlerhaft (z. B. kein gültiges JSON, ungültiger Parameter)",
    401: "API-Schlüssel fehlt oder ist ungültig",
    403: "Dem Schlüssel fehlt die Berechtigung",
    404: "Nicht gefunden (auch: gehört einer anderen Organisation)",
    405: "Methode für diese Adresse nicht erlaubt (Allow nennt die erlaubten)",
    409: "Konflikt mit dem aktuellen Stand",
    412: "If-Match passt nicht zum aktuellen Stand (ETag)",
    413: "Datei oder Anfrage zu groß",
    415: "Inhaltsformat nicht unterstützt",
    422: "Eingabe ungültig; errors nennt jedes Feld",
    429: "Zu viele Anfragen",
    500: "Interner Fehler",
    503: "Datenbank vorübergehend nicht erreichbar (Retry-After)",
}
#: Every /api/ operation can answer these (guards, the error handler, the database).
COMMON = (400, 401, 403, 404, 405, 422, 500, 503)
WITH_BODY = (409, 413, 415)


def problem_responses(*statuses: int) -> dict[int, ResponseSpec]:
    """``responses=`` for a route decorator: the given problem statuses, documented."""
    return {
        status: ResponseSpec(
            data_container=ProblemDetails,
            description=DESCRIPTIONS.get(status, TITLES.get(status, "Fehler")),
            media_type=PROBLEM_MEDIA_TYPE,
        )
        for status in statuses
    }


def _problem_response(status: int) -> OpenAPIResponse:
    return OpenAPIResponse(
        description=DESCRIPTIONS.get(status, TITLES.get(status, "Fehler")),
        content={
            PROBLEM_MEDIA_TYPE: OpenAPIMediaType(
                schema=Reference("#/components/schemas/ProblemDetails")
            )
        },
    )


def _statuses_for(path: str, method: str, operation: Any) -> list[int]:
    statuses = list(COMMON)  # 404 also without a path id: referenced objects (ids in bodies)
    if operation.request_body is not None:
        statuses.extend(WITH_BODY)
    if any(getattr(p, "name", "").lower() == "if-match" for p in operation.parameters or []):
        statuses.append(412)
    return statuses


def _close_request_bodies(openapi: OpenAPI, operation: Any) -> None:
    """Request structs refuse unknown fields: say so (``additionalProperties: false``)."""
    body = operation.request_body
    if body is None or openapi.components is None or not openapi.components.schemas:
        return
    for media in (body.content or {}).values():
        ref = getattr(media.schema, "ref", None)
        if ref and ref.startswith("#/components/schemas/"):
            schema = openapi.components.schemas.get(ref.rsplit("/", 1)[1])
            if isinstance(schema, Schema):
                schema.additional_properties = False


def make_truthful(openapi: OpenAPI) -> OpenAPI:
    components = openapi.components or Components()
    components.schemas = {**(components.schemas or {}), "ProblemDetails": PROBLEM_SCHEMA}
    components.security_schemes = {
        **(components.security_schemes or {}),
        BEARER: SecurityScheme(
            type="http",
            scheme="bearer",
            description="API-Schlüssel der Organisation (Verwaltung → API-Schlüssel)",
        ),
    }
    openapi.components = components
    for path, item in (openapi.paths or {}).items():
        if not path.startswith("/api/"):
            continue
        for method in ("get", "put", "post", "delete", "patch"):
            operation = getattr(item, method, None)
            if operation is None:
                continue
            operation.security = [{BEARER: []}]
            responses = operation.responses or {}
            for status in _statuses_for(path, method, operation):
                existing = responses.get(str(status))
                if existing is None or status == 400:  # Litestar's 400 says application/json
                    responses[str(status)] = _problem_response(status)
            operation.responses = responses
            _close_request_bodies(openapi, operation)
    return openapi


class TruthfulOpenAPIPlugin(OpenAPIPlugin):
    """Litestar's OpenAPI plugin, with ``make_truthful`` applied to the built document."""

    __slots__ = ()

    def _build_openapi(self) -> OpenAPI:
        return make_truthful(super()._build_openapi())


def install(app: Any) -> None:
    """Swap the app's OpenAPI plugin for the truthful one (the document is built lazily)."""
    plugin = app.plugins.get(OpenAPIPlugin)
    plugin.__class__ = TruthfulOpenAPIPlugin
