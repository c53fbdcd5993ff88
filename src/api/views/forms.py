"""Helpers for HTML forms: read the form, keep the input, show errors beside the fields."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.response import Template


async def form_dict(request: Request[Any, Any, Any], lists: tuple[str, ...] = ()) -> dict[str, Any]:
    form = await request.form()
    data: dict[str, Any] = {}
    for key in form:
        if key == "_csrf_token":
            continue
        data[key] = form.getall(key) if key in lists else form.get(key)
    for key in lists:
        data.setdefault(key, [])
    return data


def render(
    request: Request[Any, Any, Any], template: str, status_code: int = 200, **context: Any
) -> Template:
    actor = request.scope.get("user")
    flash = None
    session = request.scope.get("session")
    if isinstance(session, dict) and "flash" in session:
        flash = session.pop("flash")
    return Template(
        template_name=template,
        context={"actor": actor, "flash": flash, "path": request.url.path, **context},
        status_code=status_code,
    )


def flash(request: Request[Any, Any, Any], message: str) -> None:
    """A one-time confirmation shown on the next page ("Haushalt gespeichert.")."""
    session = request.scope.get("session")
    if isinstance(session, dict):
        session["flash"] = message
    else:
        request.set_session({"flash": message})
