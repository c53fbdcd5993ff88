"""Who may read and change which object: the one place for access rules.

Like Polar's ``get_readable_statement``: every rule is a SQL condition per actor (for lists
and counts) with a twin predicate on a loaded object (for single reads), and every service
builds on them. Why NotFound instead of "forbidden" for objects out of reach: nobody may
learn that another organisation's household, case, proposal or vacancy exists.

Rules in short:
- households: the owning counselling organisation reads and writes; the Fachstelle's admins
  read and correct all (oversight).
- cases: the lead organisation and the household's organisation read and write; an office
  the case is shared with reads (``Einsicht``) or also writes (``Mitarbeit``) while the share
  is not ended and its consent neither withdrawn nor expired; admins read all.
- proposals: the parties (counselling office, landlord; a secure link its one proposal) and
  admins read; the parties act (``actor_kind_for``).
- vacancies: the landlord reads and writes its own; counselling offices read open and
  reserved ones; admins read all.
- import jobs and API keys: the organisation's own; admins read (and revoke) all.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from matching.actors import Actor
from matching.db.models import (
    ApiKey,
    Case,
    CaseShare,
    Consent,
    Household,
    ImportJob,
    Proposal,
    Vacancy,
)
from matching.enums import ProposalStatus, Role, ShareLevel, VacancyStatus
from matching.errors import NotFound
from matching.proposals import errors as proposal_errors
from matching.proposals.workflow import ActorKind

VISIBLE_TO_COUNSELORS = (VacancyStatus.OPEN, VacancyStatus.RESERVED)
CaseAccess = Literal["owner", "cowork", "read", "oversight"]


# -- who the actor is --------------------------------------------------------------------------
def acts_for_counseling_org(actor: Actor, organisation_id: int | None) -> bool:
    """A counselor (or the org's admin or API key) of the counselling organisation."""
    return (
        organisation_id is not None
        and actor.kind in ("user", "api_key")
        and actor.organisation_id == organisation_id
        and actor.role != Role.LANDLORD
    )


def counseling_org(actor: Actor) -> int | None:
    """The counselling organisation the actor works for, if any."""
    if actor.is_counseling and actor.organisation_id is not None:
        return actor.organisation_id
    return None


# -- households --------------------------------------------------------------------------------
def household_scope(actor: Actor, what: str = "Haushalt") -> int | None:
    """Organisation whose households the actor may see; ``None`` = all (admin)."""
    if actor.is_admin:
        return None
    if (org := counseling_org(actor)) is not None:
        return org
    raise NotFound(what)


def readable_households(actor: Actor) -> ColumnElement[bool]:
    scope = household_scope(actor)
    return sa.true() if scope is None else Household.organisation_id == scope


def may_read_household(actor: Actor, household: Household) -> bool:
    return actor.is_admin or counseling_org(actor) == household.organisation_id


async def household_for_counselor(
    session: AsyncSession, actor: Actor, household_id: int
) -> Household:
    """A household the actor's counselling organisation owns (consents, proposals)."""
    household = await session.get(Household, household_id)
    if household is None or not acts_for_counseling_org(actor, household.organisation_id):
        raise proposal_errors.NotFound("Haushalt nicht gefunden.")
    return household


# -- cases ---------------------------------------------------------------------------------------
def active_share(organisation_id: int, today: date, *, cowork: bool = False) -> ColumnElement[bool]:
    """A share of ``Case`` with the organisation that is live today (consent included)."""
    conditions = [
        CaseShare.case_id == Case.id,
        CaseShare.organisation_id == organisation_id,
        CaseShare.ended_at.is_(None),
        Consent.id == CaseShare.consent_id,
        Consent.withdrawn_at.is_(None),
        Consent.valid_until >= today,
    ]
    if cowork:
        conditions.append(CaseShare.level == ShareLevel.COWORK)
    return sa.exists(sa.select(CaseShare.id).where(*conditions).correlate(Case))


def _owns_case(org: int) -> ColumnElement[bool]:
    owner = aliased(Household)  # the outer query may join households itself
    own_household = sa.exists(
        sa.select(owner.id)
        .where(owner.id == Case.household_id, owner.organisation_id == org)
        .correlate(Case)
    )
    return sa.or_(Case.lead_organisation_id == org, own_household)


def readable_cases(actor: Actor, today: date) -> ColumnElement[bool]:
    if actor.is_admin:
        return sa.true()
    org = counseling_org(actor)
    if org is None:
        return sa.false()
    return sa.or_(_owns_case(org), active_share(org, today))


def writable_cases(actor: Actor, today: date) -> ColumnElement[bool]:
    org = counseling_org(actor)
    if org is None:
        return sa.false()
    return sa.or_(_owns_case(org), active_share(org, today, cowork=True))


def readable_cases_statement(actor: Actor, today: date) -> sa.Select[Any]:
    return sa.select(Case).where(readable_cases(actor, today))


async def case_access(
    session: AsyncSession, actor: Actor, case: Case, today: date
) -> CaseAccess | None:
    """The actor's relation to one case: owner, co-worker, reader, oversight or none."""
    org = counseling_org(actor)
    if org is not None:
        owner = await session.scalar(sa.select(_owns_case(org)).where(Case.id == case.id))
        if owner:
            return "owner"
        level = await session.scalar(
            sa.select(CaseShare.level)
            .join(Consent, Consent.id == CaseShare.consent_id)
            .where(
                CaseShare.case_id == case.id,
                CaseShare.organisation_id == org,
                CaseShare.ended_at.is_(None),
                Consent.withdrawn_at.is_(None),
                Consent.valid_until >= today,
            )
            .order_by(sa.case((CaseShare.level == ShareLevel.COWORK, 0), else_=1))
            .limit(1)
        )
        if level is not None:
            return "cowork" if level == ShareLevel.COWORK else "read"
    if actor.is_admin:
        return "oversight"
    return None


# -- proposals -----------------------------------------------------------------------------------
def actor_kind_for(actor: Actor, proposal: Proposal) -> ActorKind | None:
    """The actor's relation to this proposal, or None when it may not touch it at all."""
    if actor.kind == "system":
        return ActorKind.SYSTEM
    if actor.kind == "link":
        return ActorKind.LANDLORD if actor.proposal_id == proposal.id else None
    if acts_for_counseling_org(actor, proposal.counseling_organisation_id):
        return ActorKind.COUNSELOR
    if (
        actor.kind in ("user", "api_key")
        and actor.organisation_id == proposal.landlord_organisation_id
        and actor.role in (Role.LANDLORD, None)
    ):
        return ActorKind.LANDLORD
    return None


def may_read_proposal(actor: Actor, proposal: Proposal) -> bool:
    """Parties of the proposal, and the Fachstelle's admins (pipeline oversight)."""
    return actor_kind_for(actor, proposal) is not None or actor.is_admin


def _office_proposals(organisation_id: int) -> ColumnElement[bool]:
    return Proposal.counseling_organisation_id == organisation_id


def _landlord_proposals(organisation_id: int) -> ColumnElement[bool]:
    """A landlord sees sent proposals only: a draft has not been sent to anyone yet."""
    return sa.and_(
        Proposal.landlord_organisation_id == organisation_id,
        Proposal.status != ProposalStatus.DRAFT,
    )


def readable_proposals(actor: Actor) -> ColumnElement[bool]:
    """Proposals an actor may list: its office's, its landlord's (sent ones), or all (admin)."""
    if actor.is_admin:
        return sa.true()
    if actor.kind == "link":
        return Proposal.id == actor.proposal_id
    if actor.kind not in ("user", "api_key") or actor.organisation_id is None:
        return sa.false()
    if actor.role == Role.LANDLORD or actor.is_landlord:
        return _landlord_proposals(actor.organisation_id)
    return _office_proposals(actor.organisation_id)


def office_proposals(actor: Actor) -> ColumnElement[bool]:
    """The counselling office's proposal lists and figures; an admin's: every office's
    (oversight, read only). Anyone not working for a counselling office is refused."""
    if actor.is_admin:
        return readable_proposals(actor)
    org = actor.organisation_id
    if org is None or not acts_for_counseling_org(actor, org):
        raise proposal_errors.Forbidden("Diese Übersicht ist Beratungsstellen vorbehalten.")
    return _office_proposals(org)


def landlord_proposals(actor: Actor) -> ColumnElement[bool]:
    """The landlord organisation's proposal lists and figures (sent ones only)."""
    org = actor.organisation_id
    if (
        actor.kind not in ("user", "api_key")
        or org is None
        or actor.role
        not in (
            Role.LANDLORD,
            None,
        )
    ):
        raise proposal_errors.Forbidden("Diese Übersicht ist Vermietern vorbehalten.")
    return _landlord_proposals(org)


# -- imports and API keys (an organisation's own; admins all) -----------------------------------
def _own_or_admin(actor: Actor, column: Any) -> ColumnElement[bool]:
    if actor.is_admin:
        return sa.true()
    if actor.organisation_id is None:
        return sa.false()
    return column == actor.organisation_id  # type: ignore[no-any-return]


def readable_imports(actor: Actor) -> ColumnElement[bool]:
    """Import jobs: the organisation's own; the Fachstelle's admins read every one."""
    return _own_or_admin(actor, ImportJob.organisation_id)


def may_read_import(actor: Actor, job: ImportJob) -> bool:
    return actor.is_admin or (
        actor.organisation_id is not None and job.organisation_id == actor.organisation_id
    )


def manageable_api_keys(actor: Actor) -> ColumnElement[bool]:
    """API keys an actor lists and revokes: its organisation's; admins every one."""
    return _own_or_admin(actor, ApiKey.organisation_id)


def may_manage_api_key(actor: Actor, key: ApiKey) -> bool:
    return actor.is_admin or (
        actor.organisation_id is not None and key.organisation_id == actor.organisation_id
    )


# -- vacancies -----------------------------------------------------------------------------------
def readable_vacancies(actor: Actor) -> ColumnElement[bool]:
    if actor.is_admin:
        return sa.true()
    if actor.is_landlord:
        return Vacancy.organisation_id == actor.organisation_id
    if actor.is_counseling:
        return Vacancy.status.in_(VISIBLE_TO_COUNSELORS)
    return sa.false()


def writable_vacancies(actor: Actor) -> ColumnElement[bool]:
    if actor.is_landlord:
        return Vacancy.organisation_id == actor.organisation_id
    return sa.false()


def may_read_vacancy(actor: Actor, vacancy: Vacancy, *, write: bool = False) -> bool:
    if actor.is_landlord and vacancy.organisation_id == actor.organisation_id:
        return True
    if write:
        return False
    return actor.is_admin or (actor.is_counseling and vacancy.status in VISIBLE_TO_COUNSELORS)
