"""Structured JSON logs with a request id, and nothing personal in them.

Why so strict: a log line travels further than the database (log shippers, support tickets),
so it carries only what an operator needs to follow a request: the route *template* (never the
concrete path with ids, never a query string), method, status, duration and the request id.
Exception messages are dropped too (database errors quote the statement's parameters); only the
exception type and the code locations are kept.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
import time
import traceback
import uuid
from datetime import UTC, datetime
from typing import Any

from litestar.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_ID_HEADER = "x-request-id"
_SANE_ID = re.compile(r"^[A-Za-z0-9._\-]{8,64}$")
_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "tueroeffner_request_id", default=None
)
_HANDLER_MARK = "_tueroeffner_json"
# Libraries whose chatty levels would print SQL parameters or full URLs (with query strings).
_QUIET = {
    "sqlalchemy": logging.WARNING,
    "sqlalchemy.engine": logging.WARNING,
    "aiosqlite": logging.WARNING,
    "asyncpg": logging.WARNING,
    "httpx": logging.WARNING,
    "httpcore": logging.WARNING,
    "multipart": logging.WARNING,
    "python_multipart": logging.WARNING,
}
# Extra attributes the formatter copies from a record (set via ``extra=``).
_REQUEST_FIELDS = ("method", "path", "status", "duration_ms")


def current_request_id() -> str | None:
    return _request_id.get()


def _exception_summary(exc_info: Any) -> dict[str, Any]:
    """Type and code locations only: messages may quote personal data (SQL parameters)."""
    exc_type, _exc, tb = exc_info
    frames = [f"{f.filename}:{f.lineno} in {f.name}" for f in traceback.extract_tb(tb)][-10:]
    return {"type": getattr(exc_type, "__name__", str(exc_type)), "frames": frames}


class JsonFormatter(logging.Formatter):
    """One JSON object per line."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or current_request_id(),
        }
        for name in _REQUEST_FIELDS:
            if hasattr(record, name):
                entry[name] = getattr(record, name)
        if record.exc_info and record.exc_info[0] is not None:
            entry["exception"] = _exception_summary(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging(level: int = logging.INFO) -> None:
    """Install the JSON handler on the root logger once; quieten libraries that overshare.

    Runs after uvicorn's own set-up (the app is imported later), so uvicorn's access log –
    which prints the full URL including the query string – is switched off here; our request
    line replaces it.
    """
    root = logging.getLogger()
    if not any(getattr(h, _HANDLER_MARK, False) for h in root.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonFormatter())
        setattr(handler, _HANDLER_MARK, True)
        root.addHandler(handler)
    root.setLevel(level)
    for name, lib_level in _QUIET.items():
        logging.getLogger(name).setLevel(lib_level)
    access = logging.getLogger("uvicorn.access")
    access.handlers.clear()
    access.propagate = False
    access.disabled = True
    for name in ("uvicorn", "uvicorn.error"):
        uv = logging.getLogger(name)
        uv.handlers.clear()
        uv.propagate = True


_SAFE_SEGMENT = re.compile(r"^[a-z][a-z0-9_.-]{0,30}$")


def redacted_path(path: str) -> str:
    """A path that matched no route: only its first segment (when it looks like one of ours),
    the rest replaced - it may hold a token or a name (``/l/<token>/x``)."""
    segments = path.strip("/").split("/")
    first = segments[0] if segments and _SAFE_SEGMENT.match(segments[0]) else "…"
    return "/" + first + ("/…" if len(segments) > 1 else "")


def _incoming_id(scope: Scope) -> str | None:
    for key, value in scope.get("headers", []):
        if key == b"x-request-id":
            text = value.decode("latin-1")
            return text if _SANE_ID.match(text) else None
    return None


class RequestLogMiddleware:
    """Wraps the whole ASGI app (also unknown paths and error answers) to log one line each."""

    log = logging.getLogger("api.request")

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if str(scope["type"]) != "http":  # websockets and lifespan pass through
            await self.app(scope, receive, send)
            return
        request_id = _incoming_id(scope) or uuid.uuid4().hex
        token = _request_id.set(request_id)
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode("latin-1")))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            template = scope.get("path_template") or redacted_path(str(scope.get("path", "")))
            self.log.info(
                "request",
                extra={
                    "request_id": request_id,
                    "method": scope.get("method"),
                    "path": str(template)[:200],
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
            _request_id.reset(token)
