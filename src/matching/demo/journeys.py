"""A lived-in first run: consents for most demo households and live proposals in every state.

Why through the real services: the demo proposals carry the same events, audit entries,
snapshots and e-mails (in the outbox, so the admin's "Postausgang" shows them) as real ones,
and every demo login meets each step of the journey: sent, viewed, viewing arranged,
accepted, let, declined with reasons (by the landlord and by the household) and expired.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import numpy as np
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from matching.actors import Actor
from matching.config import Settings, get_settings
from matching.consent.service import checks_for_proposal
from matching.db.models import Consent, Household, Organisation, Proposal, User, Vacancy
from matching.demo.accounts import LANDLORD_A, LANDLORD_B
from matching.enums import (
    ConsentRecipients,
    HouseholdStatus,
    OrganisationKind,
    Role,
    VacancyStatus,
)
from matching.proposals import engine, service
from matching.proposals.errors import DomainError
from matching.proposals.timeutil import berlin_date
from matching.proposals.workflow import Action, ActorKind
from matching.ranking.service import RankingService
from matching.validation import ValidationFailed

CONSENT_SHARE = 0.85
CHUNK = 5_000

# Each script: days ago the proposal was sent, then (action, actor side, reason, text) steps.
Step = tuple[Action, str, str | None, str | None]
SCRIPTS: tuple[tuple[int, tuple[Step, ...]], ...] = (
    (1, ()),  # sent
    (3, ((Action.OPEN, "landlord", None, None),)),  # viewed
    (4, ((Action.ARRANGE_VIEWING, "landlord", None, "Besichtigung Do., 10 Uhr vor Ort"),)),
    (
        6,
        (
            (Action.ARRANGE_VIEWING, "landlord", None, "Besichtigung Mo., 15 Uhr"),
            (Action.ACCEPT, "landlord", None, None),
        ),
    ),
    (
        12,
        (
            (Action.ARRANGE_VIEWING, "landlord", None, None),
            (Action.ACCEPT, "landlord", None, None),
            (Action.LET, "landlord", None, None),
        ),
    ),
    (
        5,
        (
            (Action.OPEN, "landlord", None, None),
            (Action.DECLINE, "landlord", "L_OTHER_APPLICANT", None),
        ),
    ),
    (5, ((Action.DECLINE, "counselor", "H_LOCATION", None),)),
    (14, ((Action.EXPIRE, "system", engine.REASON_EXPIRED, None),)),  # expired
)


@dataclass(frozen=True)
class _People:
    counselors: list[Actor]
    landlords: dict[int, Actor]  # organisation id -> actor


def _user_actor(user: User, kind: OrganisationKind) -> Actor:
    return Actor(
        kind="user",
        organisation_id=user.organisation_id,
        role=user.role,
        organisation_kind=kind,
        user_id=user.id,
        label=f"user:{user.id}",
    )


async def _people(session: AsyncSession) -> _People:
    rows = (
        await session.execute(
            sa.select(User, Organisation.kind)
            .join(Organisation, Organisation.id == User.organisation_id)
            .order_by(User.id)
        )
    ).all()
    counselors = [_user_actor(u, k) for u, k in rows if u.role == Role.COUNSELOR]
    landlords: dict[int, Actor] = {}
    for user, kind in rows:
        if user.role == Role.LANDLORD and user.organisation_id not in landlords:
            landlords[user.organisation_id] = _user_actor(user, kind)
    return _People(counselors, landlords)


async def add_consents(session: AsyncSession, today: date, seed: int) -> int:
    """Consents (network-wide, signed forms on file) for most households without one."""
    rng = np.random.default_rng(seed + 7)
    have = sa.select(Consent.household_id)
    rows = (
        await session.execute(
            sa.select(Household.id, Household.registered_at, Household.counselor_id)
            .where(Household.id.not_in(have))
            .order_by(Household.id)
        )
    ).all()
    picked = rng.random(len(rows)) < CONSENT_SHARE
    identity = rng.random(len(rows)) < 0.6
    now = datetime.now(UTC)
    values = []
    for k, (household_id, registered, counselor_id) in enumerate(rows):
        if not picked[k]:
            continue
        given = max(registered, today - timedelta(days=300))
        scope = ["composition", "income_basis"]
        if identity[k]:
            scope += ["name", "phone", "email", "landlord_notes"]
        values.append(
            {
                "household_id": household_id,
                "scope": sorted(scope),
                "recipients": ConsentRecipients.NETWORK.value,
                "recipient_organisation_ids": [],
                "given_at": given,
                "valid_until": given + timedelta(days=365 + int(rng.integers(0, 300))),
                "recorded_by_id": counselor_id,
                "form_reference": f"Demo-Akte {household_id}/{given.year}",
                "created_at": now,
                "updated_at": now,
            }
        )
    for start in range(0, len(values), CHUNK):
        await session.execute(sa.insert(Consent), values[start : start + CHUNK])
    return len(values)


def _at(today: date, days_ago: int) -> datetime:
    return datetime.combine(today - timedelta(days=days_ago), time(9, 30), tzinfo=UTC)


async def _candidate(
    session: AsyncSession,
    ranking: RankingService,
    counselor: Actor,
    vacancy: Vacancy,
    used: set[int],
    on_date: date,
) -> int | None:
    """The best-ranked household of the office with a consent on that day, not yet used."""
    try:
        result = await ranking.rank_vacancy(session, counselor, vacancy, limit=50)
    except ValidationFailed:
        return None
    ids = [r.household_id for r in result.rows if r.household_id not in used]
    checks = await checks_for_proposal(session, ids, vacancy.organisation_id, on_date)
    return next((h for h in ids if checks[h].consent is not None), None)


async def _play(
    session: AsyncSession,
    people: _People,
    proposal_id: int,
    steps: tuple[Step, ...],
    start: datetime,
    settings: Settings,
) -> None:
    """Apply the script's steps a day apart, each by its side."""
    for k, (action, side, reason, text) in enumerate(steps, start=1):
        moment = start + timedelta(days=k)
        proposal = await session.get(Proposal, proposal_id, populate_existing=True)
        assert proposal is not None
        if action == Action.OPEN:
            landlord = people.landlords[proposal.landlord_organisation_id]
            await service.mark_viewed(session, landlord, proposal_id, now=moment, settings=settings)
        elif side == "system":
            await engine.apply_transition(
                session,
                engine.system_actor("Frist abgelaufen"),
                proposal,
                action,
                ActorKind.SYSTEM,
                reason_code=reason,
                now=start + timedelta(days=settings.matching.respond_days, hours=1),
                settings=settings,
            )
        else:
            actor = (
                people.landlords[proposal.landlord_organisation_id]
                if side == "landlord"
                else next(
                    c
                    for c in people.counselors
                    if c.organisation_id == proposal.counseling_organisation_id
                )
            )
            await service.transition(
                session,
                actor,
                proposal_id,
                action,
                expected_version=proposal.version,
                reason_code=reason,
                text=text,
                now=moment,
                settings=settings,
            )


async def add_proposals(
    session: AsyncSession,
    ranking: RankingService,
    today: date,
    settings: Settings,
) -> int:
    """For each of the two demo landlords, one proposal per script, from the rankings.

    All households are chosen first and proposed afterwards: the rankings then read one
    snapshot instead of reloading it after every change.
    """
    people = await _people(session)
    if not people.counselors:
        return 0
    landlord_ids = (
        await session.scalars(
            sa.select(Organisation.id).where(Organisation.name.in_([LANDLORD_A, LANDLORD_B]))
        )
    ).all()
    used: set[int] = set()
    plan: list[tuple[Actor, int, int, tuple[int, tuple[Step, ...]]]] = []
    for n, landlord_id in enumerate(sorted(landlord_ids)):
        vacancies = iter(
            (
                await session.scalars(
                    sa.select(Vacancy)
                    .where(
                        Vacancy.organisation_id == landlord_id,
                        Vacancy.status == VacancyStatus.OPEN,
                    )
                    .order_by(Vacancy.id)
                    .limit(200)
                )
            ).all()
        )
        for k, script in enumerate(SCRIPTS):
            counselor = people.counselors[(n + k) % len(people.counselors)]
            on_date = berlin_date(_at(today, script[0]))
            for vacancy in vacancies:
                found = await _candidate(session, ranking, counselor, vacancy, used, on_date)
                if found is not None:
                    used.add(found)
                    plan.append((counselor, vacancy.id, found, script))
                    break
    made = 0
    for counselor, vacancy_id, household_id, (days_ago, steps) in plan:
        start = _at(today, days_ago)
        [outcome] = await service.propose(
            session,
            counselor,
            vacancy_id,
            [household_id],
            checker=ranking,
            now=start,
            settings=settings,
        )
        if outcome.proposal_id is None:
            continue
        made += 1
        try:
            await _play(session, people, outcome.proposal_id, steps, start, settings)
        except DomainError:
            continue  # the proposal stays in the state it reached
    return made


async def load_demo_journeys(
    session: AsyncSession,
    *,
    today: date,
    seed: int,
    ranking: RankingService | None = None,
    settings: Settings | None = None,
) -> dict[str, int]:
    """Consents for most households, then the demo proposals (idempotent per household)."""
    consents = await add_consents(session, today, seed)
    await session.flush()
    active = await session.scalar(
        sa.select(sa.func.count())
        .select_from(Household)
        .where(Household.status == HouseholdStatus.ACTIVE)
    )
    proposals = 0
    if active:
        proposals = await add_proposals(
            session, ranking or RankingService(), today, settings or get_settings()
        )
    return {"consents": consents, "proposals": proposals}
