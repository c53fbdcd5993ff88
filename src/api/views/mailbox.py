"""The admin's mailbox page ("Postausgang"): every e-mail the app wrote, failed ones retryable."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.di import Provide
from litestar.params import Parameter
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from api.dependencies import provide_actor
from api.guards import admin_only
from api.views.forms import flash, render
from matching.actors import Actor
from matching.enums import OutboxStatus
from matching.notifications import mailbox

STATUS_WORDS: dict[OutboxStatus, str] = {
    OutboxStatus.PENDING: "wartet",
    OutboxStatus.SENT: "versendet",
    OutboxStatus.FAILED: "fehlgeschlagen",
}


class MailboxPages(Controller):
    path = "/admin/postausgang"
    guards = [admin_only]
    include_in_schema = False
    dependencies = {"actor": Provide(provide_actor)}

    @get("/")
    async def list_page(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        db_session: AsyncSession,
        status: OutboxStatus | None = None,
        offset: Annotated[int, Parameter(ge=0, le=1_000_000)] = 0,
    ) -> Template:
        page = await mailbox.mailbox(db_session, actor, status=status, offset=offset)
        return render(
            request,
            "admin/mailbox.html",
            page=page,
            selected=status,
            offset=offset,
            page_size=mailbox.PAGE_SIZE,
            words=STATUS_WORDS,
        )

    @get("/{message_id:int}")
    async def show(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        db_session: AsyncSession,
        message_id: Annotated[int, Parameter(ge=1, le=2**62)],
    ) -> Template:
        found = await mailbox.message(db_session, actor, message_id)
        return render(request, "admin/mail.html", mail=found, words=STATUS_WORDS)

    @post("/{message_id:int}/erneut")
    async def retry(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        db_session: AsyncSession,
        message_id: Annotated[int, Parameter(ge=1, le=2**62)],
    ) -> Redirect:
        await mailbox.retry(db_session, actor, message_id)
        flash(request, "Die E-Mail wird erneut versendet.")
        return Redirect("/admin/postausgang?status=failed")


ROUTES: list[Any] = [MailboxPages]
