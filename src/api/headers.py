"""Security headers on every response (CSP without inline scripts, no framing, no referrer).

Set in a ``before_send`` hook, because that runs for every response – including 404s for
unknown paths and answers built by exception handlers, which bypass route-level headers.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from litestar.datastructures import MutableScopeHeaders

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


#: The only responses that may be cached: the app's own CSS and scripts. Everything else may
#: carry personal data (pages, exports, JSON, even error pages naming an object).
CACHEABLE = ("/static/",)


def security_headers_hook(behind_tls: bool) -> Callable[[Any, Any], Awaitable[None]]:
    headers = {
        "Content-Security-Policy": CSP,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "X-Frame-Options": "DENY",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    }
    if behind_tls:
        headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains"

    async def before_send(message: Any, scope: Any) -> None:
        if message["type"] == "http.response.start":
            mutable = MutableScopeHeaders.from_message(message)
            for name, value in headers.items():
                mutable[name] = value
            if not scope.get("path", "").startswith(CACHEABLE):
                mutable["Cache-Control"] = "no-store"

    return before_send
