"""Turns failures into answers: problem details for programs, German pages for people.

Validation errors always answer 422 and name every bad field; unknown objects and objects of
another organisation answer the same 404; nothing on bad input answers 500.
"""

from __future__ import annotations

import logging
from typing import Any

import msgspec
from litestar import MediaType, Request, Response
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    ValidationException,
)
from litestar.plugins.problem_details import ProblemDetailsException
from litestar.response import Redirect, Template
from litestar.status_codes import (
    HTTP_403_FORBIDDEN,
    HTTP_404_NOT_FOUND,
    HTTP_409_CONFLICT,
    HTTP_422_UNPROCESSABLE_ENTITY,
    HTTP_500_INTERNAL_SERVER_ERROR,
    HTTP_503_SERVICE_UNAVAILABLE,
)
from litestar.utils.scope.state import ScopeState
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from matching.errors import Conflict, Forbidden, NotFound
from matching.proposals import errors as proposal_errors
from matching.validation import FieldError, ValidationFailed, validate

log = logging.getLogger("api.errors")
PROBLEM_BASE = "https://tueroeffner.example/probleme/"

TITLES = {
    400: "Ungültige Anfrage",
    401: "Anmeldung erforderlich",
    403: "Keine Berechtigung",
    404: "Nicht gefunden",
    405: "Methode nicht erlaubt",
    409: "Konflikt",
    412: "Vorbedingung fehlgeschlagen",
    413: "Datei zu groß",
    422: "Ungültige Eingabe",
    429: "Zu viele Anfragen",
    500: "Interner Fehler",
    503: "Wartung",
}


def _is_api(request: Request[Any, Any, Any]) -> bool:
    return request.url.path.startswith("/api/")


def _field_errors_from_body(request: Request[Any, Any, Any]) -> list[FieldError] | None:
    """Re-validate the cached raw body field by field, so a 422 names every bad field."""
    handler = request.scope.get("route_handler")
    body = ScopeState.from_scope(request.scope).body
    if handler is None or not isinstance(body, bytes) or not body:
        return None
    struct_type = None
    for name, field in handler.parsed_fn_signature.parameters.items():
        if (
            name == "data"
            and isinstance(field.annotation, type)
            and issubclass(field.annotation, msgspec.Struct)
        ):
            struct_type = field.annotation
    if struct_type is None:
        return None
    try:
        payload = msgspec.json.decode(body)
    except msgspec.DecodeError:
        return [FieldError("__body__", "Der Inhalt ist kein gültiges JSON.")]
    if not isinstance(payload, dict):
        return [FieldError("__body__", "Erwartet wird ein JSON-Objekt.")]
    try:
        validate(struct_type, payload)
    except ValidationFailed as exc:
        return exc.errors
    return None


def problem(
    status: int,
    detail: str,
    *,
    code: str,
    errors: list[FieldError] | None = None,
    headers: dict[str, str] | None = None,
) -> ProblemDetailsException:
    extra: dict[str, Any] = {"code": code}
    if errors:
        extra["errors"] = [{"field": e.field, "message": e.message} for e in errors]
    return ProblemDetailsException(
        detail=detail,
        status_code=status,
        title=TITLES.get(status, "Fehler"),
        type_=PROBLEM_BASE + code,
        extra=extra,
        headers=headers,
    )


def _classify(request: Request[Any, Any, Any], exc: Exception) -> ProblemDetailsException:
    if isinstance(exc, ProblemDetailsException):
        return exc
    if isinstance(exc, ValidationFailed):
        return problem(
            HTTP_422_UNPROCESSABLE_ENTITY,
            "Die Eingabe ist ungültig.",
            code="validation",
            errors=exc.errors,
        )
    if isinstance(exc, ValidationException):
        errors = _field_errors_from_body(request)
        if errors is None:
            errors = [
                FieldError(
                    str(e.get("key") or e.get("source") or "__request__"), "Ungültiger Wert."
                )
                for e in (exc.extra if isinstance(exc.extra, list) else [])
                if isinstance(e, dict)
            ]
        return problem(
            HTTP_422_UNPROCESSABLE_ENTITY,
            "Die Eingabe ist ungültig.",
            code="validation",
            errors=errors,
        )
    if isinstance(exc, proposal_errors.DomainError):
        return _domain_problem(exc)
    if isinstance(exc, NotFound):
        return problem(HTTP_404_NOT_FOUND, str(exc), code="not-found")
    if isinstance(exc, Conflict):
        return problem(HTTP_409_CONFLICT, str(exc), code="conflict")
    if isinstance(exc, Forbidden):
        return problem(HTTP_403_FORBIDDEN, str(exc) or TITLES[403], code="forbidden")
    if isinstance(exc, (OperationalError, PoolTimeout, DBAPIError, OSError)):
        log.error("database unavailable: %s", type(exc).__name__)
        return problem(
            HTTP_503_SERVICE_UNAVAILABLE,
            "Die Datenbank ist vorübergehend nicht erreichbar. Bitte später erneut versuchen.",
            code="unavailable",
            headers={"Retry-After": "30"},
        )
    if isinstance(exc, HTTPException):
        status = exc.status_code
        detail = exc.detail if status < 500 else TITLES[500]
        if status == 404:
            detail = "Nicht gefunden."
        if status == 413:  # the body limit cut the upload off before the handler saw it
            detail = "Die Anfrage ist zu groß. Erlaubt sind höchstens 20 MB pro Datei."
        return problem(
            status,
            detail,
            code=TITLES.get(status, "error").lower().replace(" ", "-"),
            headers=exc.headers,
        )
    log.exception("unhandled error", exc_info=exc)
    return problem(HTTP_500_INTERNAL_SERVER_ERROR, TITLES[500], code="internal")


def _domain_problem(exc: proposal_errors.DomainError) -> ProblemDetailsException:
    """Workflow and consent errors carry their own status, code and German message."""
    errors = None
    if isinstance(exc, proposal_errors.ValidationFailed):
        errors = [FieldError(exc.field, exc.message)]
    pd = problem(exc.http_status, exc.message, code=exc.code, errors=errors)
    if isinstance(exc, proposal_errors.TransitionNotAllowed) and isinstance(pd.extra, dict):
        pd.extra["allowed"] = list(exc.allowed)
    return pd


def exception_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    pd = _classify(request, exc)
    if _is_api(request) or request.url.path in ("/ready", "/health"):
        return pd.to_response(request)
    if isinstance(exc, NotAuthorizedException):
        return Redirect("/login")
    try:
        return Template(
            template_name="error.html",
            context={"status": pd.status_code, "title": pd.title, "detail": pd.detail},
            status_code=pd.status_code,
            media_type=MediaType.HTML,
        )
    except Exception:  # the template engine itself failed: plain text is all we can do
        return Response(
            content=f"{pd.title}: {pd.detail}",
            status_code=pd.status_code,
            media_type=MediaType.TEXT,
        )
