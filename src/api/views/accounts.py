"""Account pages: the admin edits a user and sends a reset link; everyone changes their own
password; a reset link sets a new one (no login needed, the link is the proof)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import Provide
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from api.dependencies import provide_actor
from api.guards import admin_only, any_user
from api.views.forms import flash, form_dict, render
from matching.accounts import passwords
from matching.actors import Actor
from matching.db.models import User
from matching.errors import NotFound
from matching.validation import ValidationFailed


async def _user(session: AsyncSession, user_id: int) -> User:
    user = await session.get(User, user_id)
    if user is None:
        raise NotFound("Benutzerkonto")
    return user


async def _edit_page(
    request: Request[Any, Any, Any],
    session: AsyncSession,
    user_id: int,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
) -> Template:
    """The admin's page of one account; with ``errors``, the form again as it was sent."""
    user = await _user(session, user_id)
    if values is None:
        values = {"name": user.name, "email": user.email, "is_org_admin": user.is_org_admin}
    return render(
        request,
        "account/user_edit.html",
        status_code=422 if errors else 200,
        user=user,
        values=values,
        errors=errors or {},
    )


class UserAdminPages(Controller):
    path = "/admin/benutzer/{user_id:int}"
    guards = [admin_only]
    include_in_schema = False
    dependencies = {"actor": Provide(provide_actor)}

    @get("/")
    async def edit_page(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, user_id: int
    ) -> Template:
        return await _edit_page(request, db_session, user_id)

    @post("/")
    async def save(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        db_session: AsyncSession,
        user_id: int,
    ) -> Template | Redirect:
        raw = await form_dict(request)
        try:
            await passwords.update_user(
                db_session,
                actor,
                user_id,
                name=str(raw.get("name") or ""),
                email=str(raw.get("email") or ""),
                is_org_admin=bool(raw.get("is_org_admin")),
            )
        except ValidationFailed as exc:
            return await _edit_page(request, db_session, user_id, raw, exc.as_dict())
        flash(request, "Konto gespeichert.")
        return Redirect(f"/admin/benutzer/{user_id}")

    @post("/passwort-link")
    async def send_reset(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        db_session: AsyncSession,
        user_id: int,
    ) -> Template | Redirect:
        settings = request.app.state.settings
        try:
            await passwords.request_reset(db_session, actor, user_id, base_url=settings.base_url)
        except ValidationFailed as exc:
            return await _edit_page(request, db_session, user_id, errors=exc.as_dict())
        flash(
            request,
            "Ein Link zum Festlegen eines neuen Passworts wurde per E-Mail verschickt "
            f"(einmal verwendbar, {int(passwords.RESET_VALID.total_seconds() // 3600)} Stunden "
            "gültig).",
        )
        return Redirect(f"/admin/benutzer/{user_id}")


class OwnAccountPages(Controller):
    path = "/konto"
    guards = [any_user]
    include_in_schema = False
    dependencies = {"actor": Provide(provide_actor)}

    @get("/")
    async def page(
        self, request: Request[Any, Any, Any], actor: Actor, db_session: AsyncSession
    ) -> Template:
        user = await _user(db_session, actor.user_id or 0)
        return render(request, "account/own.html", user=user, errors={})

    @post("/passwort")
    async def change(
        self, request: Request[Any, Any, Any], actor: Actor, db_session: AsyncSession
    ) -> Template | Redirect:
        raw = await form_dict(request)
        try:
            await passwords.change_password(
                db_session,
                actor,
                str(raw.get("current_password") or "")[:1024],
                str(raw.get("new_password") or "")[:1024],
            )
        except ValidationFailed as exc:
            user = await _user(db_session, actor.user_id or 0)
            return render(
                request, "account/own.html", status_code=422, user=user, errors=exc.as_dict()
            )
        flash(request, "Ihr Passwort wurde geändert.")
        return Redirect("/konto")


@get("/passwort-neu/{token:str}", include_in_schema=False)
async def reset_page(
    request: Request[Any, Any, Any], db_session: AsyncSession, token: str
) -> Template:
    user = await passwords.reset_user(db_session, token)
    return render(
        request,
        "account/reset.html",
        status_code=200 if user else 404,
        valid=user is not None,
        token=token,
        errors={},
    )


@post("/passwort-neu/{token:str}", include_in_schema=False)
async def reset(
    request: Request[Any, Any, Any], db_session: AsyncSession, token: str
) -> Template | Redirect:
    raw = await form_dict(request)
    try:
        await passwords.reset_password(db_session, token, str(raw.get("password") or "")[:1024])
    except ValidationFailed as exc:
        return render(
            request,
            "account/reset.html",
            status_code=422,
            valid=True,
            token=token,
            errors=exc.as_dict(),
        )
    except NotFound:
        return render(
            request,
            "account/reset.html",
            status_code=404,
            valid=False,
            token="",  # nosec B106 - no token: the page says the link is invalid
            errors={},
        )
    request.clear_session()
    flash(request, "Ihr neues Passwort gilt. Bitte melden Sie sich damit an.")
    return Redirect("/login")


ROUTES: list[Any] = [UserAdminPages, OwnAccountPages, reset_page, reset]
