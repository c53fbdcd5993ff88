"""Object-level access: which proposals and households an actor may reach.

Why NotFound instead of "forbidden": a landlord or counselor must not learn that another
organisation's object exists, so both cases look the same from outside.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from matching.actors import Actor
from matching.db.models import Household, Proposal
from matching.enums import Role
from matching.proposals.errors import NotFound
from matching.proposals.workflow import ActorKind


def acts_for_counseling_org(actor: Actor, organisation_id: int) -> bool:
    """A counselor (or the org's admin or API key) of the counselling organisation."""
    return (
        actor.kind in ("user", "api_key")
        and actor.organisation_id == organisation_id
        and actor.role != Role.LANDLORD
    )


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


def may_read(actor: Actor, proposal: Proposal) -> bool:
    """Parties of the proposal, and the Fachstelle's admins (pipeline oversight)."""
    return actor_kind_for(actor, proposal) is not None or actor.is_admin


async def household_for_counselor(
    session: AsyncSession, actor: Actor, household_id: int
) -> Household:
    household = await session.get(Household, household_id)
    if household is None or not acts_for_counseling_org(actor, household.organisation_id):
        raise NotFound("Haushalt nicht gefunden.")
    return household
