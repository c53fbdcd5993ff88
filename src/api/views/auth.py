"""Login and logout pages."""

from __future__ import annotations

import time
from typing import Any

from litestar import Request, get, post
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from api.auth import client_address, start_session
from api.guards import current_actor
from api.views.forms import form_dict, render
from matching.accounts.service import authenticate, user_actor
from matching.audit import service as audit
from matching.security.throttle import LoginThrottle

LOGIN_FAILED = "E-Mail-Adresse oder Passwort ist falsch, oder das Konto ist gesperrt."


@get("/login", include_in_schema=False)
async def login_page(request: Request[Any, Any, Any]) -> Template:
    session = request.scope.get("session")
    expired = isinstance(session, dict) and bool(session.get("expired"))
    notice = "Ihre Sitzung ist abgelaufen. Bitte melden Sie sich erneut an." if expired else None
    return render(request, "login.html", notice=notice, email="")


@post("/login", include_in_schema=False)
async def login(request: Request[Any, Any, Any], db_session: AsyncSession) -> Template | Redirect:
    data = await form_dict(request)
    email = str(data.get("email") or "").strip().lower()[:254]
    password = str(data.get("password") or "")[:1024]
    throttle: LoginThrottle = request.app.state.login_throttle
    address = client_address(request) or "?"
    wait = await throttle.delay_for(email, address)
    if wait > 0:
        return render(
            request,
            "login.html",
            status_code=429,
            email=email,
            error=f"Zu viele Anmeldeversuche. Bitte warten Sie {int(wait) + 1} Sekunden.",
        )
    user = await authenticate(db_session, email, password)
    if user is None:
        await throttle.failed(email, address)
        return render(request, "login.html", status_code=400, email=email, error=LOGIN_FAILED)
    await throttle.succeeded(email, address)
    await audit.record(db_session, user_actor(user, address), "login", "user", user.id)
    now = time.time()
    csrf_cookie = start_session(request, {"user_id": user.id, "login_at": now, "seen_at": now})
    return Redirect("/", cookies=[csrf_cookie])


@post("/logout", include_in_schema=False)
async def logout(request: Request[Any, Any, Any]) -> Redirect:
    request.clear_session()
    return Redirect("/login")


@get("/", include_in_schema=False)
async def home(request: Request[Any, Any, Any]) -> Redirect:
    actor = current_actor(request)
    if actor is None or actor.kind != "user":
        return Redirect("/login")
    return Redirect("/uebersicht")
