"""Read side of the workflow: proposal lists and dashboard figures, scoped to the actor.

One joined query builds the row every list shows (proposal, reference code, flat, town), so
no page loads ORM objects per row. Every query is filtered by the actor's statement from
``matching.access`` (the one place for who may read which proposal).
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from matching.access import (
    landlord_proposals,
    office_proposals,
    readable_households,
    writable_vacancies,
)
from matching.actors import Actor
from matching.db.models import DeclineReason, Household, Municipality, Proposal, Vacancy
from matching.enums import (
    LIVE_PROPOSAL_STATUSES,
    HouseholdStatus,
    ProposalStatus,
    Role,
    VacancyStatus,
    label,
)
from matching.proposals.engine import vacancy_label
from matching.proposals.errors import Forbidden
from matching.proposals.timeutil import as_utc, utcnow
from matching.proposals.workflow import ReasonSide

S = ProposalStatus
AWAITING_ANSWER = (S.SENT, S.VIEWED)
TERMINAL = (S.LET, S.DECLINED, S.WITHDRAWN, S.EXPIRED)


@dataclass(frozen=True)
class ProposalSummary:
    """One row of a proposal list (no personal data: the reference code is the pseudonym)."""

    id: int
    version: int
    status: ProposalStatus
    status_label: str
    vacancy_id: int
    vacancy_label: str
    town: str | None
    household_id: int
    reference_code: str
    landlord_organisation_id: int
    counseling_organisation_id: int
    sent_at: datetime | None
    respond_by: datetime | None
    answered_at: datetime | None
    closed_at: datetime | None
    decline_reason_code: str | None
    score: float | None


def _base_query() -> sa.Select[Proposal, str, Vacancy, str]:
    return (
        sa.select(Proposal, Household.reference_code, Vacancy, Municipality.name)
        .join(Household, Household.id == Proposal.household_id)
        .join(Vacancy, Vacancy.id == Proposal.vacancy_id)
        .outerjoin(Municipality, Municipality.ags == Vacancy.municipality_ags)
    )


def _summary(row: sa.Row[Proposal, str, Vacancy, str]) -> ProposalSummary:
    proposal, reference_code, vacancy, town = row
    return ProposalSummary(
        id=proposal.id,
        version=proposal.version,
        status=proposal.status,
        status_label=label(proposal.status),
        vacancy_id=vacancy.id,
        vacancy_label=vacancy_label(vacancy, town),
        town=town,
        household_id=proposal.household_id,
        reference_code=reference_code,
        landlord_organisation_id=proposal.landlord_organisation_id,
        counseling_organisation_id=proposal.counseling_organisation_id,
        sent_at=proposal.sent_at,
        respond_by=proposal.respond_by,
        answered_at=proposal.answered_at,
        closed_at=proposal.closed_at,
        decline_reason_code=proposal.decline_reason_code,
        score=proposal.score,
    )


async def list_for_counselor(
    session: AsyncSession,
    actor: Actor,
    *,
    statuses: Sequence[ProposalStatus] | None = None,
    household_id: int | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[ProposalSummary]:
    """The counselling organisation's proposals, newest first (the Fachstelle's admin: of
    every organisation, read only)."""
    query = _base_query().where(office_proposals(actor))
    if statuses:
        query = query.where(Proposal.status.in_(statuses))
    if household_id is not None:
        query = query.where(Proposal.household_id == household_id)
    query = query.order_by(Proposal.id.desc()).limit(limit).offset(offset)
    return [_summary(r) for r in (await session.execute(query)).all()]


async def list_for_landlord(
    session: AsyncSession,
    actor: Actor,
    *,
    statuses: Sequence[ProposalStatus] | None = None,
    vacancy_id: int | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[ProposalSummary]:
    """The landlord's proposals: those awaiting an answer first, nearest deadline first."""
    query = _base_query().where(landlord_proposals(actor))
    if statuses:
        query = query.where(Proposal.status.in_(statuses))
    if vacancy_id is not None:
        query = query.where(Proposal.vacancy_id == vacancy_id)
    awaiting_first = sa.case((Proposal.status.in_(AWAITING_ANSWER), 0), else_=1)
    query = (
        query.order_by(awaiting_first, Proposal.respond_by.asc(), Proposal.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return [_summary(r) for r in (await session.execute(query)).all()]


async def overview_counts(session: AsyncSession, actor: Actor) -> dict[str, int]:
    """The figures on top of the overview page, by role: counselors see their organisation's
    active households and all open flats, landlords their own open flats, everyone else
    (the Fachstelle) all active households and open flats."""

    async def count(query: sa.Select[int]) -> int:
        return int(await session.scalar(query) or 0)

    active_households = sa.select(sa.func.count(Household.id)).where(
        Household.status == HouseholdStatus.ACTIVE
    )
    open_vacancies = sa.select(sa.func.count(Vacancy.id)).where(
        Vacancy.status == VacancyStatus.OPEN
    )
    stats: dict[str, int] = {}
    if actor.role == Role.COUNSELOR:
        stats["active_households"] = await count(
            active_households.where(readable_households(actor))
        )
        stats["open_vacancies"] = await count(open_vacancies)
    elif actor.role == Role.LANDLORD:
        stats["open_vacancies"] = await count(open_vacancies.where(writable_vacancies(actor)))
    else:
        stats["active_households"] = await count(active_households)
        stats["open_vacancies"] = await count(open_vacancies)
    return stats


@dataclass(frozen=True)
class HouseholdPipeline:
    household_id: int
    reference_code: str
    live_proposals: int
    next_deadline: datetime | None


@dataclass(frozen=True)
class CounselorDashboard:
    households: list[HouseholdPipeline]
    deadlines_soon: list[ProposalSummary]  # awaiting an answer, deadline within 7 days
    answers_since: list[ProposalSummary]  # landlord answers or endings since ``since``


async def counselor_dashboard(
    session: AsyncSession, actor: Actor, *, since: datetime, now: datetime | None = None
) -> CounselorDashboard:
    moment = now or utcnow()
    mine = office_proposals(actor)
    live = await list_for_counselor(session, actor, statuses=LIVE_PROPOSAL_STATUSES, limit=10_000)
    by_household: dict[int, list[ProposalSummary]] = {}
    for p in live:
        by_household.setdefault(p.household_id, []).append(p)
    households = [
        HouseholdPipeline(
            hid,
            rows[0].reference_code,
            len(rows),
            min((as_utc(r.respond_by) for r in rows if r.respond_by), default=None),
        )
        for hid, rows in by_household.items()
    ]
    households.sort(key=lambda h: (h.next_deadline is None, h.next_deadline, h.reference_code))
    soon = sorted(
        (
            p
            for p in live
            if p.status in AWAITING_ANSWER
            and p.respond_by is not None
            and as_utc(p.respond_by) <= moment + timedelta(days=7)
        ),
        key=lambda p: as_utc(p.respond_by or moment),
    )
    query = (
        _base_query()
        .where(
            mine,
            sa.or_(Proposal.answered_at >= since, Proposal.closed_at >= since),
        )
        .order_by(Proposal.updated_at.desc())
        .limit(200)
    )
    answers = [_summary(r) for r in (await session.execute(query)).all()]
    return CounselorDashboard(households, soon, answers)


@dataclass(frozen=True)
class LandlordDashboard:
    awaiting_answer: list[ProposalSummary]
    counts_by_status: dict[str, int]


async def landlord_dashboard(session: AsyncSession, actor: Actor) -> LandlordDashboard:
    mine = landlord_proposals(actor)
    awaiting = await list_for_landlord(session, actor, statuses=AWAITING_ANSWER, limit=500)
    rows = await session.execute(
        sa.select(Proposal.status, sa.func.count()).where(mine).group_by(Proposal.status)
    )
    return LandlordDashboard(awaiting, {str(s): int(n) for s, n in rows.all()})


@dataclass(frozen=True)
class FachstelleDashboard:
    by_town_and_status: dict[str, dict[str, int]]  # town -> status -> count
    median_hours_to_answer: float | None
    answered: int
    outcomes: dict[str, int]  # terminal status -> count
    decline_reasons: dict[str, int]  # reason code -> count


async def fachstelle_dashboard(
    session: AsyncSession, actor: Actor, *, since: datetime | None = None
) -> FachstelleDashboard:
    """Pipeline and outcomes across the network (Fachstelle admins only)."""
    if not actor.is_admin:
        raise Forbidden("Diese Auswertung ist der Fachstelle vorbehalten.")
    scope = [Proposal.sent_at >= since] if since is not None else []
    town = sa.func.coalesce(Municipality.name, "unbekannt")
    counts = await session.execute(
        sa.select(town, Proposal.status, sa.func.count())
        .select_from(Proposal)
        .join(Vacancy, Vacancy.id == Proposal.vacancy_id)
        .outerjoin(Municipality, Municipality.ags == Vacancy.municipality_ags)
        .where(*scope)
        .group_by(town, Proposal.status)
    )
    by_town: dict[str, dict[str, int]] = {}
    for town_name, status, n in counts.all():
        by_town.setdefault(str(town_name), {})[str(status)] = int(n)
    times = await session.execute(
        sa.select(Proposal.sent_at, Proposal.answered_at).where(
            Proposal.sent_at.is_not(None), Proposal.answered_at.is_not(None), *scope
        )
    )
    hours = [
        (as_utc(answered) - as_utc(sent)).total_seconds() / 3600
        for sent, answered in times.all()
        if sent is not None and answered is not None
    ]
    outcomes: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    rows = await session.execute(
        sa.select(Proposal.status, Proposal.decline_reason_code).where(
            Proposal.status.in_(TERMINAL), *scope
        )
    )
    for status, code in rows.all():
        outcomes[str(status)] += 1
        if code:
            reasons[str(code)] += 1
    return FachstelleDashboard(
        by_town,
        round(statistics.median(hours), 1) if hours else None,
        len(hours),
        dict(outcomes),
        dict(reasons.most_common()),
    )


async def count_for_counselor(
    session: AsyncSession, actor: Actor, *, status: ProposalStatus | None = None
) -> int:
    """How many proposals ``list_for_counselor`` would page through (same filters)."""
    conditions: list[sa.ColumnElement[bool]] = [office_proposals(actor)]
    if status:
        conditions.append(Proposal.status == status)
    total = await session.scalar(
        sa.select(sa.func.count()).select_from(Proposal).where(*conditions)
    )
    return int(total or 0)


async def count_for_landlord(
    session: AsyncSession, actor: Actor, *, status: ProposalStatus | None = None
) -> int:
    """How many proposals ``list_for_landlord`` would page through (never drafts)."""
    conditions: list[sa.ColumnElement[bool]] = [landlord_proposals(actor)]
    if status:
        conditions.append(Proposal.status == status)
    total = await session.scalar(
        sa.select(sa.func.count()).select_from(Proposal).where(*conditions)
    )
    return int(total or 0)


# ------------------------------------------------------------------ page helpers


async def decline_reasons(session: AsyncSession, side: ReasonSide) -> list[DeclineReason]:
    """The decline reasons one side may choose, by code."""
    rows = await session.scalars(
        sa.select(DeclineReason)
        .where(DeclineReason.side == side.value)
        .order_by(DeclineReason.code)
    )
    return list(rows.all())


async def reason_labels(session: AsyncSession) -> dict[str, str]:
    """Decline reason code -> German label (all sides)."""
    rows = await session.execute(sa.select(DeclineReason.code, DeclineReason.label_de))
    return {str(code): str(text) for code, text in rows.all()}


async def vacancy_with_town(session: AsyncSession, vacancy_id: int) -> tuple[Vacancy, str]:
    """The vacancy and its readable label (with the town's name)."""
    row = (
        await session.execute(
            sa.select(Vacancy, Municipality.name)
            .outerjoin(Municipality, Municipality.ags == Vacancy.municipality_ags)
            .where(Vacancy.id == vacancy_id)
        )
    ).one()
    vacancy, town = row
    return vacancy, vacancy_label(vacancy, town)


async def household_history(
    session: AsyncSession, household_id: int, *, limit: int = 200
) -> list[tuple[Proposal, str]]:
    """A household's proposals, newest first, with the vacancy's label.

    The caller has checked access to the household (its organisation's rule)."""
    query = (
        sa.select(Proposal, Vacancy, Municipality.name)
        .join(Vacancy, Vacancy.id == Proposal.vacancy_id)
        .outerjoin(Municipality, Municipality.ags == Vacancy.municipality_ags)
        .where(Proposal.household_id == household_id)
        .order_by(Proposal.id.desc())
        .limit(limit)
    )
    return [(p, vacancy_label(v, town)) for p, v, town in (await session.execute(query)).all()]


async def reference_codes(session: AsyncSession, household_ids: Iterable[int]) -> dict[int, str]:
    """Household id -> reference code (the pseudonym) for the given ids."""
    rows = await session.execute(
        sa.select(Household.id, Household.reference_code).where(
            Household.id.in_(list(household_ids))
        )
    )
    return {int(hid): str(code) for hid, code in rows.all()}


async def reference_code(session: AsyncSession, household_id: int) -> str | None:
    """One household's reference code, None when it is gone."""
    return await session.scalar(
        sa.select(Household.reference_code).where(Household.id == household_id)
    )


async def live_proposal_counts(session: AsyncSession, vacancy_ids: Sequence[int]) -> dict[int, int]:
    """Number of live proposals per vacancy (vacancies without any are left out)."""
    if not vacancy_ids:
        return {}
    rows = await session.execute(
        sa.select(Proposal.vacancy_id, sa.func.count())
        .where(Proposal.vacancy_id.in_(vacancy_ids), Proposal.status.in_(LIVE_PROPOSAL_STATUSES))
        .group_by(Proposal.vacancy_id)
    )
    return {int(vid): int(n) for vid, n in rows}
