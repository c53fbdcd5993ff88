"""Proposal use cases: propose, answer, withdraw, let, view — each in the caller's transaction.

Services never commit: the request (or job) that calls them commits or rolls back, so a
proposal, its events, its audit entries and its e-mails are stored together or not at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from matching.access import (
    actor_kind_for,
    acts_for_counseling_org,
    household_for_counselor,
)
from matching.access import may_read_proposal as may_read
from matching.actors import Actor
from matching.audit import service as audit
from matching.config import Settings, get_settings
from matching.consent.service import check_for_proposal
from matching.db.models import (
    Consent,
    DeclineReason,
    Household,
    Organisation,
    Proposal,
    ProposalEvent,
    User,
    Vacancy,
)
from matching.enums import (
    LIVE_PROPOSAL_STATUSES,
    HouseholdStatus,
    ProposalStatus,
    Role,
    VacancyStatus,
    label,
)
from matching.notifications.outbox import enqueue
from matching.proposals import engine, tokens
from matching.proposals.checker import PairChecker, may_override
from matching.proposals.engine import must
from matching.proposals.errors import (
    Conflict,
    Forbidden,
    NotFound,
    StaleVersion,
)
from matching.proposals.snapshot import build_shared_profile, readable_profile
from matching.proposals.timeutil import berlin_date, respond_by_from, utcnow
from matching.proposals.workflow import (
    Action,
    ActorKind,
    ReasonSide,
    allowed_actions,
    check_transition,
    landlord_may_read_note,
)

MIN_JUSTIFICATION = 20


@dataclass(frozen=True)
class ProposeOutcome:
    """One household's result: a proposal id, or a machine code and a German reason."""

    household_id: int
    code: str  # "sent" | "draft" | a refusal code
    message: str
    proposal_id: int | None = None

    @property
    def ok(self) -> bool:
        return self.proposal_id is not None


class _Refused(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


async def propose(
    session: AsyncSession,
    actor: Actor,
    vacancy_id: int,
    household_ids: Sequence[int],
    *,
    checker: PairChecker,
    justification: str | None = None,
    send: bool = True,
    now: datetime | None = None,
    settings: Settings | None = None,
) -> list[ProposeOutcome]:
    """Propose households for a vacancy; each household succeeds or is refused on its own.

    Limits hold under parallel requests: the vacancy row and then the household rows are
    locked (PostgreSQL ``FOR UPDATE``; SQLite's writer lock) before anything is counted, and
    the partial unique index ``uq_proposals_live_pair`` rejects a second live proposal of
    the same pair (a double-click yields one proposal and one ``already_proposed``).
    """
    moment = now or utcnow()
    cfg = settings or get_settings()
    if actor.kind not in ("user", "api_key") or actor.organisation_id is None:
        raise Forbidden("Nur Beratungsstellen können Haushalte vorschlagen.")
    if actor.role == Role.LANDLORD:
        raise Forbidden("Nur Beratungsstellen können Haushalte vorschlagen.")
    await engine.lock_rows(session, Vacancy, [vacancy_id])
    vacancy = await session.get(Vacancy, vacancy_id)
    if vacancy is None or vacancy.status == VacancyStatus.DRAFT:
        raise NotFound("Wohnungsangebot nicht gefunden.")
    if vacancy.status != VacancyStatus.OPEN:
        raise Conflict(
            f"Das Wohnungsangebot ist nicht mehr offen (Status: {label(vacancy.status)}). "
            "Vorschläge sind nur für offene Angebote möglich.",
            code="vacancy_not_open",
        )
    landlord = must(await session.get(Organisation, vacancy.organisation_id))
    ordered = list(dict.fromkeys(household_ids))
    await engine.lock_rows(session, Household, ordered)  # all before the first audit entry
    per_vacancy = landlord.max_proposals_per_vacancy or cfg.matching.max_proposals_per_vacancy
    results: dict[int, ProposeOutcome] = {}
    for household_id in sorted(ordered):
        try:
            async with session.begin_nested():
                results[household_id] = await _propose_one(
                    session,
                    actor,
                    vacancy,
                    landlord,
                    household_id,
                    checker=checker,
                    justification=justification,
                    send=send,
                    now=moment,
                    settings=cfg,
                    per_vacancy=per_vacancy,
                )
        except _Refused as refused:
            results[household_id] = ProposeOutcome(household_id, refused.code, refused.message)
        except IntegrityError:  # uq_proposals_live_pair: a parallel request was faster
            results[household_id] = _already_proposed(household_id)
    return [results[h] for h in ordered]


def _already_proposed(household_id: int) -> ProposeOutcome:
    return ProposeOutcome(
        household_id,
        "already_proposed",
        "Dieser Haushalt ist für dieses Wohnungsangebot bereits vorgeschlagen.",
    )


async def _count_live(session: AsyncSession, column: Any, value: int) -> int:
    count = await session.scalar(
        sa.select(sa.func.count())
        .select_from(Proposal)
        .where(column == value, Proposal.status.in_(LIVE_PROPOSAL_STATUSES))
    )
    return int(count or 0)


async def _propose_one(
    session: AsyncSession,
    actor: Actor,
    vacancy: Vacancy,
    landlord: Organisation,
    household_id: int,
    *,
    checker: PairChecker,
    justification: str | None,
    send: bool,
    now: datetime,
    settings: Settings,
    per_vacancy: int,
) -> ProposeOutcome:
    household = await session.get(Household, household_id)
    if household is None or not acts_for_counseling_org(actor, household.organisation_id):
        raise _Refused("not_found", "Haushalt nicht gefunden.")
    if household.status != HouseholdStatus.ACTIVE:
        raise _Refused(
            "household_inactive",
            f"Der Haushalt ist nicht aktiv (Status: {label(household.status)}).",
        )
    consent: Consent | None = None
    if send:
        check = await check_for_proposal(session, household.id, landlord.id, berlin_date(now))
        if check.consent is None:
            raise _Refused(check.code or "consent_missing", check.message or "")
        consent = check.consent
    pair_live = await session.scalar(
        sa.select(Proposal.id).where(
            Proposal.vacancy_id == vacancy.id,
            Proposal.household_id == household.id,
            Proposal.status.in_(LIVE_PROPOSAL_STATUSES),
        )
    )
    if pair_live is not None:
        raise _Refused("already_proposed", _already_proposed(household.id).message)
    evaluation = await checker.evaluate(session, vacancy.id, household.id)
    overridden = [code for code, _ in evaluation.exclusions]
    if evaluation.exclusions:
        sentences = " ".join(sentence for _, sentence in evaluation.exclusions)
        if not all(may_override(code) for code in overridden):
            raise _Refused("excluded", sentences)
        if not justification or len(justification.strip()) < MIN_JUSTIFICATION:
            raise _Refused(
                "excluded",
                f"{sentences} Ein Vorschlag ist nur mit einer schriftlichen Begründung "
                f"(mindestens {MIN_JUSTIFICATION} Zeichen) möglich.",
            )
    vacancy_count = await _count_live(session, Proposal.vacancy_id, vacancy.id)
    if vacancy_count >= per_vacancy:
        raise _Refused(
            "limit_vacancy",
            f"Für dieses Wohnungsangebot sind bereits {vacancy_count} Vorschläge offen "
            f"(höchstens {per_vacancy}). Ein weiterer Vorschlag ist erst möglich, wenn einer "
            "beantwortet oder zurückgezogen ist.",
        )
    per_household = settings.matching.max_proposals_per_household
    household_count = await _count_live(session, Proposal.household_id, household.id)
    if household_count >= per_household:
        raise _Refused(
            "limit_household",
            f"Dieser Haushalt hat bereits {household_count} offene Vorschläge (höchstens "
            f"{per_household}). Ziehen Sie einen zurück oder warten Sie auf eine Antwort.",
        )
    proposal = Proposal(
        vacancy_id=vacancy.id,
        household_id=household.id,
        landlord_organisation_id=landlord.id,
        counseling_organisation_id=household.organisation_id,
        proposed_by_id=actor.user_id,
        status=ProposalStatus.DRAFT,
        score=evaluation.score,
        policy_name=evaluation.policy_name or None,
        policy_version=evaluation.policy_version or None,
        explanation={
            "components": dict(evaluation.components),
            "exclusions": [list(e) for e in evaluation.exclusions],
            "overridden": overridden,
        },
        shared_profile={},
        override_justification=justification.strip() if overridden and justification else None,
    )
    session.add(proposal)
    await session.flush()
    session.add(
        ProposalEvent(
            proposal_id=proposal.id,
            actor_user_id=actor.user_id,
            actor_label=actor.label[:100],
            from_status=None,
            to_status=ProposalStatus.DRAFT.value,
        )
    )
    await session.flush()
    await audit.record(
        session,
        actor,
        "proposal.create",
        "proposal",
        proposal.id,
        {"vacancy_id": vacancy.id, "household_id": household.id, "score": evaluation.score},
    )
    if overridden:
        await audit.record(
            session,
            actor,
            "proposal.override",
            "proposal",
            proposal.id,
            {"exclusions": overridden, "justification_chars": len(justification or "")},
        )
    if not send:
        return ProposeOutcome(household.id, "draft", "Als Entwurf gespeichert.", proposal.id)
    assert consent is not None
    await _send(session, actor, proposal, household, vacancy, landlord, consent, now, settings)
    return ProposeOutcome(
        household.id, "sent", "Der Vorschlag wurde an den Vermieter gesendet.", proposal.id
    )


async def _send(
    session: AsyncSession,
    actor: Actor,
    proposal: Proposal,
    household: Household,
    vacancy: Vacancy,
    landlord: Organisation,
    consent: Consent,
    now: datetime,
    settings: Settings,
) -> None:
    """Snapshot exactly what the consent allows, set the deadline, send link and e-mail."""
    counselor = (
        await session.get(User, proposal.proposed_by_id) if proposal.proposed_by_id else None
    )
    counseling = must(await session.get(Organisation, proposal.counseling_organisation_id))
    proposal.shared_profile = build_shared_profile(household, consent, counselor, counseling)
    proposal.sent_at = now
    proposal.respond_by = respond_by_from(now, settings.matching.respond_days)
    await engine.apply_transition(
        session, actor, proposal, Action.SEND, ActorKind.COUNSELOR, now=now, settings=settings
    )
    if not landlord.contact_email:
        return  # no address: the landlord answers in the portal
    raw = await tokens.issue(session, proposal.id, landlord.contact_email, proposal.respond_by)
    ctx = await engine.mail_context(session, proposal)
    data = ctx.as_dict(link=f"{settings.base_url.rstrip('/')}/l/{raw}", composition=None)
    data["composition"] = proposal.shared_profile.get("composition")
    data["cost_coverage"] = proposal.shared_profile.get("cost_coverage")
    await enqueue(
        session,
        "proposal_new",
        landlord.contact_email,
        f"Neuer Vorschlag {ctx.reference_code} für {ctx.vacancy_label}",
        "proposal_new",
        data,
        f"proposal:{proposal.id}:new",
        now=now,
    )


async def preview_profile(
    session: AsyncSession,
    actor: Actor,
    vacancy_id: int,
    household_id: int,
    *,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Exactly what the landlord would see if the household were proposed now (nothing stored).

    Built by the same snapshot function ``_send`` freezes, under the consent it would use, so
    the counselor's preview and the landlord's page cannot differ.
    """
    moment = now or utcnow()
    vacancy = await session.get(Vacancy, vacancy_id)
    if vacancy is None or vacancy.status == VacancyStatus.DRAFT:
        raise NotFound("Wohnungsangebot nicht gefunden.")
    household = await household_for_counselor(session, actor, household_id)
    check = await check_for_proposal(
        session, household.id, vacancy.organisation_id, berlin_date(moment)
    )
    if check.consent is None:
        raise Conflict(check.message or "", code=check.code or "consent_missing")
    counselor = await session.get(User, actor.user_id) if actor.user_id else None
    counseling = must(await session.get(Organisation, household.organisation_id))
    return readable_profile(build_shared_profile(household, check.consent, counselor, counseling))


async def transition(
    session: AsyncSession,
    actor: Actor,
    proposal_id: int,
    action: Action | str,
    *,
    expected_version: int,
    reason_code: str | None = None,
    text: str | None = None,
    now: datetime | None = None,
    settings: Settings | None = None,
) -> Proposal:
    """Apply one workflow action with optimistic locking (``StaleVersion`` when outdated)."""
    moment = now or utcnow()
    cfg = settings or get_settings()
    proposal = await session.get(Proposal, proposal_id, populate_existing=True)
    kind = actor_kind_for(actor, proposal) if proposal is not None else None
    if proposal is None or kind is None:
        raise NotFound("Vorschlag nicht gefunden.")
    rule = check_transition(proposal.status, action, kind)
    touched = [proposal]
    if rule.action == Action.LET:
        touched += await engine.live_proposals(session, vacancy_id=proposal.vacancy_id)
        touched += await engine.live_proposals(session, household_id=proposal.household_id)
    await engine.lock_for_change(session, touched)
    if proposal.version != expected_version:
        raise StaleVersion()
    if rule.action == Action.SEND:
        await _send_draft(session, actor, proposal, moment, cfg)
        return proposal
    await engine.apply_transition(
        session,
        actor,
        proposal,
        rule.action,
        kind,
        reason_code=reason_code,
        text=text,
        now=moment,
        settings=cfg,
    )
    if rule.action == Action.LET:
        await engine.let_cascade(session, proposal, now=moment, settings=cfg)
    return proposal


async def _send_draft(
    session: AsyncSession, actor: Actor, proposal: Proposal, now: datetime, settings: Settings
) -> None:
    vacancy = must(await session.get(Vacancy, proposal.vacancy_id))
    household = must(await session.get(Household, proposal.household_id))
    landlord = must(await session.get(Organisation, proposal.landlord_organisation_id))
    if vacancy.status != VacancyStatus.OPEN:
        raise Conflict(
            f"Das Wohnungsangebot ist nicht mehr offen (Status: {label(vacancy.status)}).",
            code="vacancy_not_open",
        )
    if household.status != HouseholdStatus.ACTIVE:
        raise Conflict(
            f"Der Haushalt ist nicht aktiv (Status: {label(household.status)}).",
            code="household_inactive",
        )
    check = await check_for_proposal(session, household.id, landlord.id, berlin_date(now))
    if check.consent is None:
        raise Conflict(check.message or "", code=check.code or "consent_missing")
    await _send(
        session, actor, proposal, household, vacancy, landlord, check.consent, now, settings
    )


@dataclass(frozen=True)
class ProposalDetail:
    """One proposal as a party sees it, with the actions its buttons may offer."""

    proposal: Proposal
    actor_kind: ActorKind | None
    allowed_actions: list[Action]
    profile: dict[str, Any]
    events: list[ProposalEvent] = field(default_factory=list)
    hidden_notes: frozenset[int] = frozenset()
    """Events whose free text this reader may not see (the office's texts, for a landlord)."""


async def get_proposal(session: AsyncSession, actor: Actor, proposal_id: int) -> Proposal:
    """The proposal if the actor may see it; otherwise ``NotFound`` (existence not revealed)."""
    proposal = await session.get(Proposal, proposal_id)
    if proposal is None or not may_read(actor, proposal):
        raise NotFound("Vorschlag nicht gefunden.")
    return proposal


async def get_detail(session: AsyncSession, actor: Actor, proposal_id: int) -> ProposalDetail:
    """Proposal, history and actions, without the shared profile (see ``mark_viewed``)."""
    proposal = await get_proposal(session, actor, proposal_id)
    return await _detail(session, actor, proposal, profile={})


async def _detail(
    session: AsyncSession, actor: Actor, proposal: Proposal, *, profile: dict[str, Any]
) -> ProposalDetail:
    kind = actor_kind_for(actor, proposal)
    events = (
        await session.scalars(
            sa.select(ProposalEvent)
            .where(ProposalEvent.proposal_id == proposal.id)
            .order_by(ProposalEvent.id)
        )
    ).all()
    actions: list[Action] = [
        a for a in (allowed_actions(proposal.status, kind) if kind else []) if a != Action.OPEN
    ]
    hidden: frozenset[int] = frozenset()
    if kind == ActorKind.LANDLORD:
        own = set(
            (
                await session.scalars(
                    sa.select(DeclineReason.code).where(
                        DeclineReason.side == ReasonSide.LANDLORD.value
                    )
                )
            ).all()
        )
        hidden = frozenset(
            e.id
            for e in events
            if e.note and not landlord_may_read_note(e.to_status, e.reason_code, own)
        )
    return ProposalDetail(proposal, kind, actions, profile, list(events), hidden)


async def mark_viewed(
    session: AsyncSession,
    actor: Actor,
    proposal_id: int,
    *,
    now: datetime | None = None,
    settings: Settings | None = None,
) -> ProposalDetail:
    """Show the shared profile; the landlord's first view moves ``sent`` to ``viewed``.

    Every view is audited ("view_profile"). A withdrawn proposal no longer shows identity
    fields: the consent behind them may be gone.
    """
    moment = now or utcnow()
    proposal = await get_proposal(session, actor, proposal_id)
    kind = actor_kind_for(actor, proposal)
    if kind == ActorKind.LANDLORD and proposal.status == ProposalStatus.SENT:
        try:
            async with session.begin_nested():
                await engine.apply_transition(
                    session,
                    actor,
                    proposal,
                    Action.OPEN,
                    ActorKind.LANDLORD,
                    now=moment,
                    settings=settings,
                )
        except StaleVersion:  # a parallel first view was faster: it is viewed either way
            pass
        await session.refresh(proposal)
    await audit.record(
        session,
        actor,
        "view_profile",
        "proposal",
        proposal.id,
        {"household_id": proposal.household_id, "status": proposal.status.value},
    )
    profile = readable_profile(
        proposal.shared_profile,
        include_identity=proposal.status != ProposalStatus.WITHDRAWN,
    )
    return await _detail(session, actor, proposal, profile=profile)
