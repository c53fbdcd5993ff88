"""Everything stored about one household, decrypted, as plain JSON-ready data.

Why one function for JSON and HTML: the page is a rendering of the same dictionary, so what a
person reads and what a program receives can never differ. The export itself is audited.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from matching import access
from matching.actors import Actor
from matching.audit import service as audit
from matching.db.models import (
    AuditEvent,
    Consent,
    Household,
    OutboxMessage,
    Proposal,
    ProposalEvent,
    ProposalToken,
    Vacancy,
)
from matching.errors import NotFound
from matching.proposals.snapshot import readable_profile

FORMAT_VERSION = 1


def plain(value: Any) -> Any:
    """A JSON-safe copy: dates as ISO text, decimals as text, enums as their value."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def row_dict(obj: Any, *, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    """Every mapped column of an ORM object (encrypted ones come back decrypted)."""
    mapper = sa.inspect(obj).mapper
    return {a.key: plain(getattr(obj, a.key)) for a in mapper.column_attrs if a.key not in skip}


def may_export(actor: Actor, household: Household) -> bool:
    """A counselor of the owning organisation, or an admin of the Fachstelle; people only."""
    return actor.kind == "user" and access.may_read_household(actor, household)


async def export_household(
    session: AsyncSession, actor: Actor, household_id: int, *, fmt: str = "json"
) -> dict[str, Any]:
    """The complete record; raises NotFound for anyone else (existence not revealed)."""
    household = await session.get(Household, household_id)
    if household is None or not may_export(actor, household):
        raise NotFound("Haushalt")
    consents = (
        await session.scalars(
            sa.select(Consent).where(Consent.household_id == household.id).order_by(Consent.id)
        )
    ).all()
    proposals = (
        await session.scalars(
            sa.select(Proposal).where(Proposal.household_id == household.id).order_by(Proposal.id)
        )
    ).all()
    proposal_ids = [p.id for p in proposals]
    proposal_out: list[dict[str, Any]] = []
    for proposal in proposals:
        events = (
            await session.scalars(
                sa.select(ProposalEvent)
                .where(ProposalEvent.proposal_id == proposal.id)
                .order_by(ProposalEvent.id)
            )
        ).all()
        tokens = (
            await session.scalars(
                sa.select(ProposalToken)
                .where(ProposalToken.proposal_id == proposal.id)
                .order_by(ProposalToken.id)
            )
        ).all()
        vacancy = await session.get(Vacancy, proposal.vacancy_id)
        entry = row_dict(proposal, skip=("shared_profile",))
        entry["shared_profile"] = plain(readable_profile(proposal.shared_profile or {}))
        entry["vacancy"] = (
            {
                "id": vacancy.id,
                "title": vacancy.title,
                "address": " ".join(
                    x for x in (vacancy.street, vacancy.house_number, vacancy.postal_code) if x
                ),
            }
            if vacancy
            else None
        )
        entry["events"] = [row_dict(e) for e in events]
        entry["links"] = [row_dict(t, skip=("token_hash",)) for t in tokens]
        proposal_out.append(entry)
    mails: list[OutboxMessage] = []
    if proposal_ids:
        mails = list(
            (
                await session.scalars(
                    sa.select(OutboxMessage)
                    .where(
                        sa.or_(
                            *(
                                OutboxMessage.dedup_key.like(f"proposal:{pid}:%")
                                for pid in proposal_ids
                            )
                        )
                    )
                    .order_by(OutboxMessage.id)
                )
            ).all()
        )
    objects = [("household", [household.id]), ("consent", [c.id for c in consents])]
    objects.append(("proposal", proposal_ids))
    audit_filter = sa.or_(
        *(
            sa.and_(AuditEvent.object_type == kind, AuditEvent.object_id.in_([str(i) for i in ids]))
            for kind, ids in objects
            if ids
        )
    )
    # The export's own audit entry comes first, so it appears in what it exports.
    await audit.record(session, actor, "export", "household", household.id, {"format": fmt})
    audit_rows = (
        await session.scalars(sa.select(AuditEvent).where(audit_filter).order_by(AuditEvent.id))
    ).all()
    return {
        "format_version": FORMAT_VERSION,
        "exported_at": plain(datetime.now().astimezone()),
        "household": row_dict(household),
        "consents": [row_dict(c) for c in consents],
        "proposals": proposal_out,
        "emails": [row_dict(m) for m in mails],
        "audit_events": [
            row_dict(a, skip=("prev_hash", "row_hash", "client_address")) for a in audit_rows
        ],
    }
