"""Proposal pages: propose households, follow them, answer them (counselor and landlord).

Controllers parse and authorise, call one service of ``matching.proposals``, render. A refused
action rolls back and shows the domain's German message with its status (409, 422, 404).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from typing import Annotated, Any, cast

from litestar import Controller, Request, get, post
from litestar.di import Provide
from litestar.params import Parameter
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from api.dependencies import provide_actor
from api.guards import counselor_only, counselor_or_admin, landlord_only, requires_link_or_landlord
from api.views.forms import flash, form_dict, render
from matching.accounts.queries import user_names
from matching.actors import Actor
from matching.config import Settings
from matching.consent.service import FIELD_LABELS_DE
from matching.db.models import ProposalEvent, Vacancy
from matching.enums import (
    LIVE_PROPOSAL_STATUSES,
    ProposalStatus,
    VacancyStatus,
    label,
)
from matching.households.service import HouseholdService
from matching.proposals import queries, service
from matching.proposals.candidates import CandidatePage, candidate_page
from matching.proposals.checker import PairChecker, UnavailableChecker
from matching.proposals.errors import DomainError, NotFound, ValidationFailed
from matching.proposals.service import MIN_JUSTIFICATION, ProposalDetail
from matching.proposals.snapshot import readable_profile
from matching.proposals.workflow import ACTION_LABELS_DE, Action, ActorKind, ReasonSide
from matching.ranking import RankingService
from matching.validation import ValidationFailed as RankingInputError

PAGE_SIZE = 25
MAX_TEXT = 2000
UNAVAILABLE = (
    "Die Rangliste ist gerade nicht verfügbar; ohne Prüfung der Ausschlussregeln wird nichts "
    "vorgeschlagen. Bitte versuchen Sie es in einigen Minuten erneut."
)
PROPOSE_RESULTS_KEY = "propose_results"

ACTION_DONE_DE: dict[Action, str] = {
    Action.SEND: "Vorschlag gesendet.",
    Action.ARRANGE_VIEWING: "Besichtigung vereinbart. Die Beratungsstelle wird informiert.",
    Action.ACCEPT: "Zusage gespeichert. Die Wohnung ist jetzt reserviert.",
    Action.LET: (
        "Als vermietet gespeichert. Alle anderen offenen Vorschläge für diese Wohnung und "
        "diesen Haushalt wurden zurückgezogen."
    ),
    Action.DECLINE: "Absage gespeichert.",
    Action.WITHDRAW: "Vorschlag zurückgezogen.",
}
# The landlord's buttons, in the words of DESIGN §10.
LANDLORD_BUTTONS_DE: dict[Action, str] = {
    Action.ARRANGE_VIEWING: "Besichtigung vereinbaren",
    Action.ACCEPT: "Zusagen",
    Action.DECLINE: "Absagen mit Grund",
    Action.LET: "Vermietet",
}


def app_settings(request: Request[Any, Any, Any]) -> Settings:
    """The app's settings (base URL of the e-mailed links, limits), not the process default."""
    settings: Settings = request.app.state.settings
    return settings


def pair_checker(request: Request[Any, Any, Any]) -> PairChecker:
    """The hard-rule check for proposals: the ranking service.

    The one place that decides it. Without a ranking service it fails closed: every proposal
    is refused (503) rather than sent unchecked.
    """
    ranking = getattr(request.app.state, "ranking", None)
    if ranking is not None and callable(getattr(ranking, "evaluate", None)):
        return cast(PairChecker, ranking)
    return UnavailableChecker()


def _int(raw: Any) -> int | None:
    try:
        return int(str(raw).strip())
    except (TypeError, ValueError):
        return None


def _text(raw: Any) -> str | None:
    text = str(raw or "").strip()
    return text[:MAX_TEXT] or None


ReRender = Callable[[str, int, str | None], Awaitable[Template]]


async def apply_action(
    request: Request[Any, Any, Any],
    session: AsyncSession,
    actor: Actor,
    proposal_id: int,
    *,
    back_to: str,
    again: ReRender,
) -> Template | Redirect:
    """One workflow action from a form; refused ones roll back and re-render with the reason."""
    data = await form_dict(request)
    version = _int(data.get("expected_version"))
    reason_code = _text(data.get("reason_code"))
    text = _text(data.get("text"))
    action = str(data.get("action") or "")
    if version is None:
        return await again(
            "Die Anfrage ist unvollständig. Bitte laden Sie die Seite neu.", 422, None
        )
    try:
        await service.transition(
            session,
            actor,
            proposal_id,
            action,
            expected_version=version,
            reason_code=reason_code,
            text=text,
            settings=app_settings(request),
        )
    except NotFound:
        raise
    except DomainError as exc:
        await session.rollback()
        field = exc.field if isinstance(exc, ValidationFailed) else None
        return await again(exc.message, exc.http_status, field)
    flash(request, ACTION_DONE_DE.get(Action(action), "Gespeichert."))
    return Redirect(back_to)


def action_forms(detail: ProposalDetail) -> list[dict[str, Any]]:
    """The buttons this actor may use now (workflow table order), with their labels."""
    forms = []
    for action in detail.allowed_actions:
        text = ACTION_LABELS_DE[action]
        if detail.actor_kind == ActorKind.LANDLORD:
            text = LANDLORD_BUTTONS_DE.get(action, text)
        elif action == Action.DECLINE:
            text = "Absage des Haushalts erfassen"
        forms.append({"action": action.value, "label": text})
    return forms


def event_rows(
    events: Sequence[ProposalEvent],
    reasons: dict[str, str],
    people: dict[int, str],
    *,
    hidden_notes: frozenset[int] = frozenset(),
) -> list[dict[str, Any]]:
    """A proposal's history in words, without the texts this reader may not see
    (``hidden_notes``: event ids)."""
    return [
        {
            "when": e.created_at,
            "from": label(e.from_status) if e.from_status else None,
            "to": label(e.to_status),
            "by": people.get(e.actor_user_id or 0) or _who(e.actor_label),
            "reason": reasons.get(e.reason_code, "anderer Grund") if e.reason_code else None,
            "note": None if e.id in hidden_notes else e.note,
        }
        for e in events
    ]


def _who(actor_label: str) -> str:
    if actor_label.startswith("system"):
        return "automatisch"
    if actor_label.startswith("link"):
        return "Vermieter (E-Mail-Link)"
    if actor_label.startswith("api_key"):
        return "Schnittstelle"
    return "gelöschtes Konto"


# ------------------------------------------------------------------ counselor


class ProposalPages(Controller):
    """The counselor's proposals: list by status, detail with history and actions."""

    path = "/vorschlaege"
    guards = [counselor_or_admin]
    include_in_schema = False
    dependencies = {"actor": Provide(provide_actor)}

    @get("/")
    async def list_page(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        db_session: AsyncSession,
        status: ProposalStatus | None = None,
    ) -> Template:
        everything = await queries.list_for_counselor(db_session, actor, limit=1000)
        counts = Counter(p.status for p in everything)
        rows = [p for p in everything if status is None or p.status == status]
        live = [p for p in rows if p.status in LIVE_PROPOSAL_STATUSES]
        closed = [p for p in rows if p.status not in LIVE_PROPOSAL_STATUSES]
        return render(
            request,
            "proposals/list.html",
            live=live,
            closed=closed,
            counts=[(s, counts[s]) for s in ProposalStatus if counts[s]],
            selected=status,
            total=len(everything),
        )

    @get("/{proposal_id:int}")
    async def detail(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        db_session: AsyncSession,
        proposal_id: int,
    ) -> Template:
        return await self._page(request, db_session, actor, proposal_id)

    @post("/{proposal_id:int}/aktion", guards=[counselor_only])
    async def act(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        db_session: AsyncSession,
        proposal_id: int,
    ) -> Template | Redirect:
        async def again(message: str, status: int, field: str | None) -> Template:
            return await self._page(
                request, db_session, actor, proposal_id, error=message, status=status, field=field
            )

        return await apply_action(
            request,
            db_session,
            actor,
            proposal_id,
            back_to=f"/vorschlaege/{proposal_id}",
            again=again,
        )

    async def _page(
        self,
        request: Request[Any, Any, Any],
        session: AsyncSession,
        actor: Actor,
        proposal_id: int,
        *,
        error: str | None = None,
        status: int = 200,
        field: str | None = None,
    ) -> Template:
        detail = await service.get_detail(session, actor, proposal_id)
        proposal = detail.proposal
        vacancy, vacancy_text = await queries.vacancy_with_town(session, proposal.vacancy_id)
        reasons = await queries.reason_labels(session)
        shared = readable_profile(proposal.shared_profile, include_identity=False)
        return render(
            request,
            "proposals/detail.html",
            status_code=status,
            proposal=proposal,
            vacancy=vacancy,
            vacancy_label=vacancy_text,
            reference_code=await queries.reference_code(session, proposal.household_id) or "",
            events=event_rows(detail.events, reasons, await user_names(session)),
            actions=action_forms(detail),
            reasons=await queries.decline_reasons(session, ReasonSide.HOUSEHOLD),
            reason_label=reasons.get(proposal.decline_reason_code or ""),
            shared=shared,
            shared_fields=[FIELD_LABELS_DE.get(f, f) for f in shared.get("scope", [])],
            error=error,
            error_field=field,
        )


class ProposePages(Controller):
    """Propose one or several of the counselor's households for a vacancy."""

    path = "/wohnungen/{vacancy_id:int}/vorschlagen"
    guards = [counselor_only]
    include_in_schema = False
    dependencies = {"actor": Provide(provide_actor)}

    @get("/")
    async def page(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        db_session: AsyncSession,
        vacancy_id: int,
    ) -> Template:
        session_data = request.scope.get("session")
        results = None
        if isinstance(session_data, dict):
            results = session_data.pop(PROPOSE_RESULTS_KEY, None)
        return await _propose_page(request, db_session, actor, vacancy_id, results=results)

    @get("/vorschau/{household_id:int}")
    async def preview(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        db_session: AsyncSession,
        vacancy_id: int,
        household_id: int,
    ) -> Template:
        """What the landlord will see, rendered by the landlord page's own macro."""
        _, vacancy_text = await queries.vacancy_with_town(db_session, vacancy_id)
        error, status, profile = None, 200, {}
        try:
            profile = await service.preview_profile(db_session, actor, vacancy_id, household_id)
        except NotFound:
            raise
        except DomainError as exc:
            error, status = exc.message, exc.http_status
        vacancy = await db_session.get(Vacancy, vacancy_id)
        return render(
            request,
            "proposals/preview.html",
            status_code=status,
            vacancy=vacancy,
            vacancy_label=vacancy_text,
            household_id=household_id,
            profile=profile,
            shared_fields=[FIELD_LABELS_DE.get(f, f) for f in profile.get("scope", [])],
            error=error,
        )

    @post("/suche")
    async def search(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        db_session: AsyncSession,
        vacancy_id: int,
    ) -> Template:
        """Search by reference code or name: sent in the body, so a name never reaches a URL
        or the access log."""
        data = await form_dict(request)
        return await _propose_page(
            request,
            db_session,
            actor,
            vacancy_id,
            search=_text(data.get("suche")) or "",
            offset=max(0, min(_int(data.get("offset")) or 0, 1_000_000)),
        )

    @post("/")
    async def propose(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        db_session: AsyncSession,
        vacancy_id: int,
    ) -> Template | Redirect:
        data = await form_dict(request, lists=("household_ids",))
        ids = [i for i in (_int(x) for x in data["household_ids"]) if i is not None][:50]
        justification = _text(data.get("justification"))
        if not ids:
            return await _propose_page(
                request,
                db_session,
                actor,
                vacancy_id,
                error="Bitte wählen Sie mindestens einen Haushalt aus.",
                status=422,
                justification=justification,
            )
        outcomes = await service.propose(
            db_session,
            actor,
            vacancy_id,
            ids,
            checker=pair_checker(request),
            justification=justification,
            settings=app_settings(request),
        )
        codes = await queries.reference_codes(db_session, ids)
        sent = [o for o in outcomes if o.ok]
        results = [
            {
                "reference_code": codes.get(o.household_id, f"Haushalt {o.household_id}"),
                "ok": o.ok,
                "message": o.message,
                "proposal_id": o.proposal_id,
            }
            for o in outcomes
        ]
        session_data = request.scope.get("session")
        if isinstance(session_data, dict):
            session_data[PROPOSE_RESULTS_KEY] = results
        if sent:
            flash(
                request,
                "Vorschlag gesendet." if len(sent) == 1 else f"{len(sent)} Vorschläge gesendet.",
            )
        return Redirect(f"/wohnungen/{vacancy_id}/vorschlagen")


async def _propose_page(
    request: Request[Any, Any, Any],
    session: AsyncSession,
    actor: Actor,
    vacancy_id: int,
    *,
    results: Any = None,
    error: str | None = None,
    status: int = 200,
    justification: str | None = None,
    search: str | None = None,
    offset: int | None = None,
) -> Template:
    """The vacancy's ranking for the counselor's office, paged, with search and consents
    (a search comes in the form body; ``suche`` in the query is kept for code links)."""
    vacancy = await session.get(Vacancy, vacancy_id)
    if vacancy is None or vacancy.status == VacancyStatus.DRAFT:
        raise NotFound("Wohnungsangebot nicht gefunden.")
    _, vacancy_text = await queries.vacancy_with_town(session, vacancy_id)
    ranking: RankingService | None = getattr(request.app.state, "ranking", None)
    if search is None:
        search = request.query_params.get("suche") or ""
    search = search.strip()[:40]
    page: CandidatePage | None = None
    problems: list[str] = []
    if vacancy.status == VacancyStatus.OPEN and ranking is None:
        problems.append(UNAVAILABLE)
        status = 503
    elif vacancy.status == VacancyStatus.OPEN and ranking is not None:
        try:
            page = await candidate_page(
                session,
                actor,
                vacancy,
                ranking,
                offset=_offset(request) if offset is None else offset,
                limit=PAGE_SIZE,
                search=search,
            )
        except RankingInputError as exc:
            problems = [e.message for e in exc.errors]
    return render(
        request,
        "proposals/propose.html",
        status_code=status,
        vacancy=vacancy,
        vacancy_label=vacancy_text,
        page=page,
        search=search,
        problems=problems,
        results=results if isinstance(results, list) else None,
        error=error,
        justification=justification or "",
        min_justification=MIN_JUSTIFICATION,
    )


def _offset(request: Request[Any, Any, Any]) -> int:
    value = _int(request.query_params.get("offset")) or 0
    return max(0, min(value, 1_000_000))


@get(
    "/haushalte/{household_id:int}/vorschlaege",
    guards=[counselor_or_admin],
    include_in_schema=False,
)
async def household_proposals(
    request: Request[Any, Any, Any], db_session: AsyncSession, household_id: int
) -> Template:
    """The proposal history of one household (a partial for the household page)."""
    actor = await provide_actor(request)
    # The same organisation rule as every household page (404 for another office's).
    household = await HouseholdService(session=db_session).get_for(
        actor, household_id, audit_read=False
    )
    rows = [
        {"proposal": p, "vacancy_label": text}
        for p, text in await queries.household_history(db_session, household_id, limit=200)
    ]
    return render(request, "proposals/household_history.html", rows=rows, household=household)


# ------------------------------------------------------------------ landlord


class LandlordProposalPages(Controller):
    """What the landlord sees: proposals awaiting an answer first, the shared profile, answers.

    Reached by logged-in landlords and by the short session of a secure e-mail link.
    """

    path = "/vermieter/vorschlaege"
    guards = [requires_link_or_landlord]
    include_in_schema = False
    dependencies = {"actor": Provide(provide_actor)}

    @get("/", guards=[landlord_only])
    async def list_page(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        db_session: AsyncSession,
        page: Annotated[int, Parameter(ge=1, le=10_000)] = 1,
    ) -> Template:
        rows = await queries.list_for_landlord(
            db_session, actor, limit=100, offset=(page - 1) * 100
        )
        awaiting = [p for p in rows if p.status in queries.AWAITING_ANSWER]
        others = [p for p in rows if p.status not in queries.AWAITING_ANSWER]
        return render(request, "landlord/list.html", awaiting=awaiting, others=others, page=page)

    @get("/{proposal_id:int}")
    async def view(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        db_session: AsyncSession,
        proposal_id: int,
    ) -> Template:
        return await self._page(request, db_session, actor, proposal_id)

    @get("/{proposal_id:int}/druck")
    async def sheet(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        db_session: AsyncSession,
        proposal_id: int,
    ) -> Template:
        return await self._page(
            request, db_session, actor, proposal_id, template="landlord/sheet.html"
        )

    @post("/{proposal_id:int}/aktion")
    async def act(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        db_session: AsyncSession,
        proposal_id: int,
    ) -> Template | Redirect:
        async def again(message: str, status: int, field: str | None) -> Template:
            return await self._page(
                request, db_session, actor, proposal_id, error=message, status=status, field=field
            )

        return await apply_action(
            request,
            db_session,
            actor,
            proposal_id,
            back_to=f"/vermieter/vorschlaege/{proposal_id}",
            again=again,
        )

    async def _page(
        self,
        request: Request[Any, Any, Any],
        session: AsyncSession,
        actor: Actor,
        proposal_id: int,
        *,
        template: str = "landlord/proposal.html",
        error: str | None = None,
        status: int = 200,
        field: str | None = None,
    ) -> Template:
        detail = await service.mark_viewed(  # the audited view
            session, actor, proposal_id, settings=app_settings(request)
        )
        proposal = detail.proposal
        vacancy, vacancy_text = await queries.vacancy_with_town(session, proposal.vacancy_id)
        reasons = await queries.reason_labels(session)
        return render(
            request,
            template,
            status_code=status,
            proposal=proposal,
            vacancy=vacancy,
            vacancy_label=vacancy_text,
            profile=detail.profile,
            shared_fields=[FIELD_LABELS_DE.get(f, f) for f in detail.profile.get("scope", [])],
            events=event_rows(
                detail.events,
                reasons,
                await user_names(session),
                hidden_notes=detail.hidden_notes,
            ),
            actions=action_forms(detail) if detail.actor_kind == ActorKind.LANDLORD else [],
            reasons=await queries.decline_reasons(session, ReasonSide.LANDLORD),
            reason_label=reasons.get(proposal.decline_reason_code or ""),
            via_link=actor.kind == "link",
            error=error,
            error_field=field,
        )


ROUTES: list[Any] = [ProposalPages, ProposePages, household_proposals, LandlordProposalPages]
