"""Applying transitions: status, ProposalEvent, AuditEvent, e-mails and the side effects.

Every path that changes a proposal's status (counselor, landlord, link, scheduler, consent
withdrawal, the ``let`` cascade) goes through ``apply_transition``, so none of them can skip
the event, the audit entry or the e-mail. Services never commit; the caller does.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from matching.actors import Actor
from matching.audit import service as audit
from matching.cases.service import close_search_case
from matching.config import Settings, get_settings
from matching.db import versioning
from matching.db.models import (
    DeclineReason,
    Household,
    Municipality,
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
    VacancyStatus,
    label,
)
from matching.notifications.outbox import enqueue
from matching.proposals import tokens
from matching.proposals.errors import StaleVersion
from matching.proposals.timeutil import berlin_date
from matching.proposals.workflow import (
    TERMINAL_STATUSES,
    Action,
    ActorKind,
    ReasonInfo,
    Transition,
    check_reason,
    check_transition,
)

S = ProposalStatus
_LANDLORD_ANSWERS = frozenset({Action.ARRANGE_VIEWING, Action.ACCEPT, Action.DECLINE, Action.LET})

REASON_VACANCY_LET = "S_VACANCY_LET"
REASON_VACANCY_WITHDRAWN = "S_VACANCY_WITHDRAWN"
# The vacancy ended on the landlord's side: tell the counselor, never mail the landlord.
_VACANCY_ENDED = (REASON_VACANCY_LET, REASON_VACANCY_WITHDRAWN)
REASON_HOUSEHOLD_HOUSED = "S_HOUSEHOLD_HOUSED"
REASON_CONSENT_WITHDRAWN = "S_CONSENT_WITHDRAWN"
REASON_EXPIRED = "S_EXPIRED"


T = TypeVar("T")


def must(value: T | None) -> T:
    """A row the foreign keys guarantee; its absence is a bug, not a user error."""
    if value is None:
        raise RuntimeError("referenced row missing")
    return value


def dialect_name(session: AsyncSession) -> str:
    return session.get_bind().dialect.name


def system_actor(why: str) -> Actor:
    """The scheduler or a cascade, labelled with what caused it (shown in the audit log)."""
    return Actor(kind="system", organisation_id=None, label=f"system: {why}")


async def lock_rows(
    session: AsyncSession,
    model: type[Vacancy] | type[Household] | type[Proposal],
    ids: Iterable[int],
) -> None:
    """Serialise writers on these rows until the transaction ends.

    PostgreSQL: ``SELECT … FOR UPDATE`` in id order (and the loaded objects are refreshed).
    SQLite: a no-op UPDATE takes the database's single writer lock (busy_timeout waits).
    Lock order everywhere: vacancy, then households, then proposals, and all of them before
    the first audit entry (the audit chain holds a transaction-wide lock of its own), so two
    transactions can never wait on each other in a circle.
    """
    id_list = sorted(set(ids))
    if not id_list:
        return
    if dialect_name(session) == "postgresql":
        await session.execute(
            sa.select(model)
            .where(model.id.in_(id_list))
            .order_by(model.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    else:
        table = model.__table__.name  # type: ignore[attr-defined]
        await session.execute(
            sa.text(f"UPDATE {table} SET id = id WHERE id IN :ids").bindparams(  # noqa: S608  # nosec B608 # model table name
                sa.bindparam("ids", expanding=True)
            ),
            {"ids": id_list},
        )


async def lock_for_change(session: AsyncSession, proposals: Sequence[Proposal]) -> None:
    """Lock the vacancies, households and proposals a transition (or its cascade) may write."""
    await lock_rows(session, Vacancy, [p.vacancy_id for p in proposals])
    await lock_rows(session, Household, [p.household_id for p in proposals])
    await lock_rows(session, Proposal, [p.id for p in proposals])


async def load_reason(session: AsyncSession, code: str | None) -> ReasonInfo | None:
    if not code:
        return None
    row = await session.get(DeclineReason, code)
    if row is None:
        return None
    return ReasonInfo(row.code, row.side, row.label_de, row.needs_text)


async def flush_or_stale(session: AsyncSession) -> None:
    """Flush; a concurrent update of a versioned row becomes ``StaleVersion``."""
    try:
        await session.flush()
    except StaleDataError as exc:
        raise StaleVersion() from exc


@dataclass(frozen=True)
class MailContext:
    """Names and addresses for the e-mails of one proposal (no household identity)."""

    proposal: Proposal
    vacancy: Vacancy
    reference_code: str
    vacancy_label: str
    landlord_name: str
    landlord_email: str | None
    counseling_name: str
    counselor_name: str | None
    counselor_email: str | None

    def as_dict(self, **extra: Any) -> dict[str, Any]:
        p = self.proposal
        return {
            "reference_code": self.reference_code,
            "vacancy_label": self.vacancy_label,
            "landlord_name": self.landlord_name,
            "counseling_name": self.counseling_name,
            "counselor_name": self.counselor_name,
            "counselor_email": self.counselor_email,
            "status_label": label(p.status),
            "respond_by": p.respond_by,
            "proposal_id": p.id,
            **extra,
        }


async def mail_context(session: AsyncSession, proposal: Proposal) -> MailContext:
    vacancy = must(await session.get(Vacancy, proposal.vacancy_id))
    household = must(await session.get(Household, proposal.household_id))
    landlord = must(await session.get(Organisation, proposal.landlord_organisation_id))
    counseling = must(await session.get(Organisation, proposal.counseling_organisation_id))
    counselor = (
        await session.get(User, proposal.proposed_by_id) if proposal.proposed_by_id else None
    )
    town = await session.scalar(
        sa.select(Municipality.name).where(Municipality.ags == vacancy.municipality_ags)
    )
    return MailContext(
        proposal=proposal,
        vacancy=vacancy,
        reference_code=household.reference_code,
        vacancy_label=vacancy_label(vacancy, town),
        landlord_name=landlord.name,
        landlord_email=landlord.contact_email,
        counseling_name=counseling.name,
        counselor_name=counselor.name if counselor else None,
        counselor_email=(counselor.email if counselor else None) or counseling.contact_email,
    )


def vacancy_label(vacancy: Vacancy, town: str | None) -> str:
    street = " ".join(x for x in (vacancy.street, vacancy.house_number) if x)
    place = " ".join(x for x in (vacancy.postal_code, town) if x)
    address = ", ".join(x for x in (street, place) if x)
    if vacancy.title:
        return f"{vacancy.title} ({address})" if address else vacancy.title
    return address or f"Wohnungsangebot {vacancy.id}"


async def apply_transition(
    session: AsyncSession,
    actor: Actor,
    proposal: Proposal,
    action: Action | str,
    actor_kind: ActorKind,
    *,
    reason_code: str | None = None,
    text: str | None = None,
    now: datetime,
    settings: Settings | None = None,
) -> Transition:
    """Check and apply one transition with its event, audit entry, e-mails and side effects."""
    transition = check_transition(proposal.status, action, actor_kind)
    reason = await load_reason(session, reason_code)
    check_reason(transition, reason, text, code=reason_code)
    from_status = proposal.status
    proposal.status = transition.target
    clean_text = text.strip() if text and text.strip() else None
    if transition.action in (Action.DECLINE, Action.WITHDRAW, Action.EXPIRE):
        proposal.decline_reason_code = reason_code
        proposal.decline_text = clean_text
    if actor_kind == ActorKind.LANDLORD and transition.action in _LANDLORD_ANSWERS:
        proposal.answered_at = proposal.answered_at or now
    if transition.target in TERMINAL_STATUSES:
        proposal.closed_at = now
    event = ProposalEvent(
        proposal_id=proposal.id,
        actor_user_id=actor.user_id,
        actor_label=actor.label[:100],
        from_status=from_status.value,
        to_status=transition.target.value,
        reason_code=reason_code,
        note=clean_text,
    )
    session.add(event)
    await flush_or_stale(session)
    await audit.record(
        session,
        actor,
        f"proposal.{transition.action.value}",
        "proposal",
        proposal.id,
        {
            "from": from_status.value,
            "to": transition.target.value,
            "reason_code": reason_code,
            "has_text": clean_text is not None,
            "version": proposal.version,
        },
    )
    await _side_effects(session, proposal, transition, from_status, now)
    await _notify(session, proposal, transition, from_status, event.id, reason, settings)
    return transition


async def _side_effects(
    session: AsyncSession,
    proposal: Proposal,
    transition: Transition,
    from_status: ProposalStatus,
    now: datetime,
) -> None:
    if transition.target in (S.WITHDRAWN, S.DECLINED):
        await tokens.revoke_for_proposal(session, proposal.id, now)
    if transition.action == Action.ACCEPT:
        vacancy = await session.get(Vacancy, proposal.vacancy_id)
        if vacancy is not None and vacancy.status == VacancyStatus.OPEN:
            vacancy.status = VacancyStatus.RESERVED
            await versioning.bump(session, versioning.VACANCIES)
            await flush_or_stale(session)
    elif from_status == S.ACCEPTED and transition.target != S.LET:
        await _reopen_vacancy_if_free(session, proposal)


async def _reopen_vacancy_if_free(session: AsyncSession, proposal: Proposal) -> None:
    """An accepted proposal fell through: the reserved flat is open again."""
    vacancy = await session.get(Vacancy, proposal.vacancy_id)
    if vacancy is None or vacancy.status != VacancyStatus.RESERVED:
        return
    others = await session.scalar(
        sa.select(sa.func.count())
        .select_from(Proposal)
        .where(
            Proposal.vacancy_id == vacancy.id,
            Proposal.status == S.ACCEPTED,
            Proposal.id != proposal.id,
        )
    )
    if not others:
        vacancy.status = VacancyStatus.OPEN
        await versioning.bump(session, versioning.VACANCIES)
        await flush_or_stale(session)


async def _notify(
    session: AsyncSession,
    proposal: Proposal,
    transition: Transition,
    from_status: ProposalStatus,
    event_id: int,
    reason: ReasonInfo | None,
    settings: Settings | None,
) -> None:
    """E-mails for the answer (to the counselor) and the end of a proposal (to the landlord)."""
    action, actor = transition.action, transition.actor
    to_counselor = (actor == ActorKind.LANDLORD and action in _LANDLORD_ANSWERS) or (
        action == Action.WITHDRAW
        and actor == ActorKind.SYSTEM
        and reason is not None
        and reason.code in _VACANCY_ENDED
    )
    to_landlord = (
        action in (Action.WITHDRAW, Action.DECLINE)
        and actor != ActorKind.LANDLORD
        and from_status != S.DRAFT  # the landlord never saw a draft
        and not (reason is not None and reason.code in _VACANCY_ENDED)
    )
    is_expiry = action == Action.EXPIRE
    if not (to_counselor or to_landlord or is_expiry):
        return
    ctx = await mail_context(session, proposal)
    data = ctx.as_dict(
        reason_label=reason.label_de if reason else None,
        decline_text=proposal.decline_text if actor == ActorKind.LANDLORD else None,
        action=action.value,
        base_url=(settings or get_settings()).base_url,
    )
    ref = ctx.reference_code
    if is_expiry and ctx.counselor_email:
        await enqueue(
            session,
            "proposal_expired",
            ctx.counselor_email,
            f"Frist abgelaufen: Vorschlag {ref}",
            "proposal_expired",
            data,
            f"event:{event_id}:counselor",
        )
    if to_counselor and ctx.counselor_email:
        subject = (
            f"Vorschlag {ref} zurückgezogen: Wohnung anderweitig vergeben"
            if action == Action.WITHDRAW
            else f"Antwort des Vermieters: {label(proposal.status)} – Vorschlag {ref}"
        )
        await enqueue(
            session,
            "proposal_answer",
            ctx.counselor_email,
            subject,
            "proposal_answer",
            data,
            f"event:{event_id}:counselor",
        )
    if to_landlord and ctx.landlord_email:
        verb = "abgesagt" if action == Action.DECLINE else "zurückgezogen"
        await enqueue(
            session,
            "proposal_withdrawn",
            ctx.landlord_email,
            f"Vorschlag {ref} {verb}",
            "proposal_withdrawn",
            data,
            f"event:{event_id}:landlord",
        )


async def withdraw_live(
    session: AsyncSession,
    proposals: Sequence[Proposal],
    reason_code: str,
    *,
    now: datetime,
    settings: Settings | None = None,
) -> list[int]:
    """Withdraw live proposals automatically (system actor) with an S_ reason."""
    actor = system_actor(reason_code)
    done: list[int] = []
    for proposal in proposals:
        if proposal.status in LIVE_PROPOSAL_STATUSES:
            await apply_transition(
                session,
                actor,
                proposal,
                Action.WITHDRAW,
                ActorKind.SYSTEM,
                reason_code=reason_code,
                now=now,
                settings=settings,
            )
            done.append(proposal.id)
    return done


async def live_proposals(
    session: AsyncSession,
    *,
    vacancy_id: int | None = None,
    household_id: int | None = None,
    exclude_id: int | None = None,
) -> list[Proposal]:
    query = sa.select(Proposal).where(Proposal.status.in_(LIVE_PROPOSAL_STATUSES))
    if vacancy_id is not None:
        query = query.where(Proposal.vacancy_id == vacancy_id)
    if household_id is not None:
        query = query.where(Proposal.household_id == household_id)
    if exclude_id is not None:
        query = query.where(Proposal.id != exclude_id)
    return list((await session.scalars(query.order_by(Proposal.id))).all())


async def let_cascade(
    session: AsyncSession, proposal: Proposal, *, now: datetime, settings: Settings | None
) -> list[int]:
    """The flat is let: vacancy let, household housed, every other live proposal of both ends."""
    vacancy = must(await session.get(Vacancy, proposal.vacancy_id))
    household = must(await session.get(Household, proposal.household_id))
    vacancy.status = VacancyStatus.LET
    household.status = HouseholdStatus.HOUSED
    await flush_or_stale(session)
    await close_search_case(session, household.id, berlin_date(now))
    await versioning.bump(session, versioning.VACANCIES)
    await versioning.bump(session, versioning.HOUSEHOLDS)
    withdrawn = await withdraw_live(
        session,
        await live_proposals(session, vacancy_id=vacancy.id, exclude_id=proposal.id),
        REASON_VACANCY_LET,
        now=now,
        settings=settings,
    )
    withdrawn += await withdraw_live(
        session,
        await live_proposals(session, household_id=household.id, exclude_id=proposal.id),
        REASON_HOUSEHOLD_HOUSED,
        now=now,
        settings=settings,
    )
    return withdrawn
