"""Turns failures into answers: problem details for programs, German pages for people.

Validation errors always answer 422 and name every bad field; unknown objects and objects of
another organisation answer the same 404; nothing on bad input answers 500.
"""

from __future__ import annotations

import logging
import re
import traceback
from enum import Enum
from http import HTTPStatus
from typing import Any, get_args

import msgspec
from litestar import MediaType, Request, Response
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    SerializationException,
    ValidationException,
)
from litestar.plugins.problem_details import ProblemDetailsException
from litestar.response import Redirect, Template
from litestar.status_codes import (
    HTTP_400_BAD_REQUEST,
    HTTP_403_FORBIDDEN,
    HTTP_404_NOT_FOUND,
    HTTP_409_CONFLICT,
    HTTP_422_UNPROCESSABLE_ENTITY,
    HTTP_500_INTERNAL_SERVER_ERROR,
    HTTP_503_SERVICE_UNAVAILABLE,
)
from litestar.utils.scope.state import ScopeState
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
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


CODES = {
    400: "bad-request",
    401: "unauthorized",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    413: "too-large",
    415: "unsupported-media-type",
    429: "too-many-requests",
    500: "internal",
    503: "unavailable",
}
#: German details for what the framework itself raises (its messages are English).
GENERIC_DETAILS = {
    400: "Die Anfrage ist fehlerhaft.",
    401: "Bitte melden Sie sich an.",
    403: "Dafür fehlt Ihnen die Berechtigung.",
    404: "Nicht gefunden.",
    405: "Diese Methode ist für diese Adresse nicht erlaubt.",
    413: "Die Anfrage ist zu groß. Erlaubt sind höchstens 20 MB pro Datei.",
    415: "Dieses Inhaltsformat wird nicht unterstützt.",
    429: "Zu viele Anfragen. Bitte später erneut versuchen.",
}
INVALID_JSON = (
    "Der Inhalt ist kein gültiges JSON (abgebrochen, fehlerhaft, zu tief verschachtelt "
    "oder nicht UTF-8-kodiert)."
)
#: Fragments of the framework's English messages -> (status, German detail).
_FRAMEWORK_MESSAGES = (
    ("entity too large", 413, GENERIC_DETAILS[413]),
    (
        "multipart",
        400,
        "Die Formulardaten (multipart/form-data) sind unvollständig oder fehlerhaft.",
    ),
    ("content-length", 400, "Die Längenangabe der Anfrage (Content-Length) ist ungültig."),
    ("host header", 400, "Die Host-Angabe der Anfrage ist ungültig."),
    ("json", 400, INVALID_JSON),
    ("utf-8", 400, INVALID_JSON),
    ("truncated", 400, INVALID_JSON),
    ("malformed", 400, INVALID_JSON),
)


def _framework_detail(exc: HTTPException) -> tuple[int, str]:
    """(status, German detail): the framework's English messages are replaced, ours kept."""
    status = exc.status_code
    if status >= 500:
        return status, TITLES.get(status, TITLES[500])
    if isinstance(exc.__cause__, (SerializationException, msgspec.DecodeError, UnicodeError)):
        return 400, INVALID_JSON
    detail = str(exc.detail or "")
    lowered = detail.casefold()
    for fragment, new_status, german in _FRAMEWORK_MESSAGES:
        if fragment in lowered:
            return new_status, german
    if not detail or detail == HTTPStatus(status).phrase:
        return status, GENERIC_DETAILS.get(status, TITLES.get(status, "Fehler"))
    return status, detail


_CONSTRAINT_COLUMNS = re.compile(r"(?:\.|_)(external_id|email|name|reference_code|dedup_key)\b")


def _constraint_field(exc: IntegrityError) -> str:
    """The field a unique constraint protects, from the driver's constraint text (only the
    constraint/column names are read, never the values)."""
    orig = exc.orig
    driver = getattr(orig, "__cause__", None) or orig  # asyncpg's error behind the adapter
    text = " ".join(
        str(x)
        for x in (getattr(driver, "constraint_name", None), getattr(driver, "column_name", None))
        if x
    )
    if not text and orig is not None and orig.args:
        text = str(orig.args[0]).split("DETAIL")[0]
    match = _CONSTRAINT_COLUMNS.search(text)
    return match.group(1) if match else "__root__"


def _parameter_error(request: Request[Any, Any, Any] | None, name: str) -> FieldError:
    """A bad parameter; for a closed set (an enum) the message lists the allowed values."""
    handler = request.scope.get("route_handler") if request is not None else None
    field = handler.parsed_fn_signature.parameters.get(name) if handler is not None else None
    annotation = getattr(field, "annotation", None)
    for candidate in (annotation, *get_args(annotation)):
        if isinstance(candidate, type) and issubclass(candidate, Enum):
            allowed = ", ".join(str(m.value) for m in candidate)
            return FieldError(name, f"Unbekannter Wert. Verfügbar: {allowed}.")
    return FieldError(name, "Ungültiger Wert.")


def _while_decoding_json(exc: BaseException) -> bool:
    """Deep nesting (RecursionError) or bad bytes (UnicodeError) in a body: a client error."""
    frames = traceback.extract_tb(exc.__traceback__)
    return any(f.name in {"decode_json", "json"} for f in frames)


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
                _parameter_error(request, str(e.get("key") or e.get("source") or "__request__"))
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
    if isinstance(exc, IntegrityError):  # a race past the services' own checks: the client's
        field = _constraint_field(exc)
        return problem(
            HTTP_409_CONFLICT,
            "Der Wert kollidiert mit einem vorhandenen Eintrag.",
            code="conflict",
            errors=[FieldError(field, "Dieser Wert ist bereits vergeben.")],
        )
    if isinstance(exc, (OperationalError, PoolTimeout, DBAPIError, OSError)):
        log.error("database unavailable: %s", type(exc).__name__)
        return problem(
            HTTP_503_SERVICE_UNAVAILABLE,
            "Die Datenbank ist vorübergehend nicht erreichbar. Bitte später erneut versuchen.",
            code="unavailable",
            headers={"Retry-After": "30"},
        )
    if isinstance(exc, (RecursionError, UnicodeError)) and _while_decoding_json(exc):
        return problem(HTTP_400_BAD_REQUEST, INVALID_JSON, code="bad-request")
    if isinstance(exc, HTTPException):
        status, detail = _framework_detail(exc)
        return problem(
            status,
            detail,
            code=CODES.get(status, "error"),
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
