"""The secure e-mail link ``/l/{token}``: exchanged for a short session, then out of the URL.

Why the redirect: a token left in the address bar ends up in browser history, screenshots and
forwarded links; after the exchange the landlord works on ``/vermieter/vorschlaege/{id}``.
A tampered or guessed token is looked up like any other and answers the same 404 page as an
unknown one; an expired or revoked link says what to do instead.
"""

from __future__ import annotations

import time
from typing import Any

from litestar import Request, get
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from api.auth import client_address, start_session
from api.guards import current_actor
from api.views.forms import render
from matching.actors import Actor
from matching.audit import service as audit
from matching.db.models import Proposal
from matching.enums import Role
from matching.proposals import tokens

LINK_SESSION_SECONDS = 2 * 3600  # the short session a link opens

PROBLEM_STATUS = {
    tokens.TokenProblem.UNKNOWN: 404,
    tokens.TokenProblem.EXPIRED: 410,
    tokens.TokenProblem.REVOKED: 410,
}
PROBLEM_TITLE = {
    tokens.TokenProblem.UNKNOWN: "Link ungültig",
    tokens.TokenProblem.EXPIRED: "Link abgelaufen",
    tokens.TokenProblem.REVOKED: "Link nicht mehr gültig",
}


@get("/l/{token:str}", include_in_schema=False)
async def open_link(
    request: Request[Any, Any, Any], db_session: AsyncSession, token: str
) -> Template | Redirect:
    redemption = await tokens.redeem(db_session, token)
    if redemption.proposal_id is None or redemption.problem is not None:
        problem = redemption.problem or tokens.TokenProblem.UNKNOWN
        return render(
            request,
            "landlord/link_problem.html",
            status_code=PROBLEM_STATUS[problem],
            title=PROBLEM_TITLE[problem],
            message=redemption.message_de or tokens.TOKEN_PROBLEM_DE[problem],
        )
    proposal = await db_session.get(Proposal, redemption.proposal_id)
    assert proposal is not None  # the token's foreign key
    target = f"/vermieter/vorschlaege/{proposal.id}"
    actor = current_actor(request)
    if (
        actor is not None
        and actor.kind == "user"
        and actor.role == Role.LANDLORD
        and actor.organisation_id == proposal.landlord_organisation_id
    ):
        return Redirect(target)  # already logged in to the portal: keep that session
    token_expires = await tokens.expires_at(db_session, token)
    now = time.time()
    expires = now + LINK_SESSION_SECONDS
    if token_expires is not None:
        expires = min(expires, token_expires.timestamp())
    link_actor = Actor(
        kind="link",
        organisation_id=proposal.landlord_organisation_id,
        proposal_id=proposal.id,
        label=f"link:{proposal.id}",
        client_address=client_address(request),
    )
    await audit.record(
        db_session,
        link_actor,
        "link.open",
        "proposal",
        proposal.id,
        {"first_use": redemption.first_use},
    )
    # A fresh session id (whatever session came before is gone) and CSRF token.
    csrf_cookie = start_session(
        request,
        {
            "link": {
                "proposal_id": proposal.id,
                "organisation_id": proposal.landlord_organisation_id,
                "expires": expires,
                "token_hash": tokens.hash_token(token),
            }
        },
    )
    return Redirect(target, cookies=[csrf_cookie])


ROUTES: list[Any] = [open_link]
