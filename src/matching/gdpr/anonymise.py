"""Anonymisation of closed households after the retention period (default 24 months).

What remains is what the statistics need and what cannot point back to a person: the
organisation, composition counts (adults, persons), income basis, urgency, needs, wished-for
towns, the month of registration and of closing, and the proposals' course (status, dates,
scores, decline reason codes). Everything else personal is removed:

* the household's name, phone, e-mail, notes and notes for landlords (encrypted fields) and
  the children's ages;
  exact dates (notice, eviction, homeless since, WBS, move-in) are cleared, registration and
  closing are cut to the first of the month, and the counselor link is dropped;
* the reference code becomes ``ANON-<id>``: the old code was printed in letters and e-mails
  and is therefore a pseudonym that others can resolve; ``ANON-<id>`` stays unique and shows
  at a glance that the record is anonymised;
* consent form references (file numbers) are cleared;
* proposal snapshots lose the shared profile (including the encrypted identity), free texts
  (decline text, override justification, event notes) are cleared, secure links deleted;
* e-mails in the outbox about its proposals (or naming its old reference code) are deleted.

The audit trail is kept unchanged: it holds ids and actions, never personal values, and its
hash chain must stay verifiable. Each household is anonymised in its own transaction with an
audit entry; a second run finds nothing left to do.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from matching.actors import Actor
from matching.audit import service as audit
from matching.db import versioning
from matching.db.models import (
    Consent,
    Household,
    OutboxMessage,
    Proposal,
    ProposalEvent,
    ProposalToken,
)
from matching.enums import HouseholdStatus

log = logging.getLogger(__name__)

ANON_PREFIX = "ANON-"
DEFAULT_RETENTION_MONTHS = 24
ANONYMISER = Actor(kind="system", organisation_id=None, label="system: Anonymisierung")


def months_before(day: date, months: int) -> date:
    """The same day ``months`` earlier (clamped to the month's end: 31.03. - 1 = 28./29.02.)."""
    index = day.year * 12 + (day.month - 1) - months
    year, month0 = divmod(index, 12)
    for last in (31, 30, 29, 28):
        try:
            return date(year, month0 + 1, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover - 28 always exists


def anonymous_code(household_id: int) -> str:
    return f"{ANON_PREFIX}{household_id}"


@dataclass(frozen=True)
class AnonymisationResult:
    household_id: int
    proposals: int
    emails_deleted: int


async def anonymise_household(
    session: AsyncSession, household: Household, today: date
) -> AnonymisationResult:
    """Strip one household of everything personal, in the caller's transaction."""
    old_code = household.reference_code
    household.name = None
    household.phone = None
    household.email = None
    household.notes = None
    household.landlord_notes = None
    household.children_ages = []
    household.notice_date = None
    household.eviction_date = None
    household.homeless_since = None
    household.wbs_valid_until = None
    household.earliest_move_in = None
    household.counselor_id = None
    household.registered_at = household.registered_at.replace(day=1)
    if household.closed_at is not None:
        household.closed_at = household.closed_at.replace(day=1)
    household.reference_code = anonymous_code(household.id)
    household.anonymised_at = today

    await session.execute(
        sa.update(Consent)
        .where(Consent.household_id == household.id)
        .values(form_reference="")
        .execution_options(synchronize_session=False)
    )
    proposal_ids = list(
        (
            await session.scalars(
                sa.select(Proposal.id).where(Proposal.household_id == household.id)
            )
        ).all()
    )
    # Bodies are encrypted at rest: SQL can only pre-select by subject and key; every body is
    # read and checked in Python (see _delete_mails).
    mail_match = [
        OutboxMessage.subject.contains(old_code, autoescape=True),
        OutboxMessage.body_text.is_not(None),
    ]
    if proposal_ids:
        # Core UPDATE: the proposal's optimistic-lock version is irrelevant for a closed case.
        await session.execute(
            sa.update(Proposal)
            .where(Proposal.id.in_(proposal_ids))
            .values(
                shared_profile={"anonymised": True},
                decline_text=None,
                override_justification=None,
            )
            .execution_options(synchronize_session=False)
        )
        await session.execute(
            sa.update(ProposalEvent)
            .where(ProposalEvent.proposal_id.in_(proposal_ids))
            .values(note=None)
            .execution_options(synchronize_session=False)
        )
        await session.execute(
            sa.delete(ProposalToken)
            .where(ProposalToken.proposal_id.in_(proposal_ids))
            .execution_options(synchronize_session=False)
        )
        mail_match += [OutboxMessage.dedup_key.like(f"proposal:{pid}:%") for pid in proposal_ids]
    emails_deleted = await _delete_mails(session, mail_match, old_code, proposal_ids)
    await session.flush()
    await versioning.bump(session, versioning.HOUSEHOLDS)
    await audit.record(
        session,
        ANONYMISER,
        "anonymise",
        "household",
        household.id,
        {"proposals": len(proposal_ids), "emails_deleted": emails_deleted},
    )
    return AnonymisationResult(household.id, len(proposal_ids), emails_deleted)


async def _delete_mails(
    session: AsyncSession, match: list[Any], old_code: str, proposal_ids: list[int]
) -> int:
    """Delete the outbox rows about the household (the SQL match is a superset: re-check)."""
    whole_code = re.compile(rf"(?<![\w-]){re.escape(old_code)}(?!\w)")
    keys = tuple(f"proposal:{pid}:" for pid in proposal_ids)
    rows = (
        await session.execute(
            sa.select(
                OutboxMessage.id,
                OutboxMessage.dedup_key,
                OutboxMessage.subject,
                OutboxMessage.body_text,
            ).where(sa.or_(*match))
        )
    ).all()
    doomed = [
        row_id
        for row_id, key, subject, body in rows
        if (keys and key.startswith(keys))
        or whole_code.search(subject or "")
        or whole_code.search(body or "")
    ]
    if doomed:
        await session.execute(
            sa.delete(OutboxMessage)
            .where(OutboxMessage.id.in_(doomed))
            .execution_options(synchronize_session=False)
        )
    return len(doomed)


async def due_household_ids(session: AsyncSession, today: date, retention_months: int) -> list[int]:
    cutoff = months_before(today, retention_months)
    ids = await session.scalars(
        sa.select(Household.id)
        .where(
            Household.status == HouseholdStatus.CLOSED,
            Household.closed_at.is_not(None),
            Household.closed_at < cutoff,
            Household.anonymised_at.is_(None),
        )
        .order_by(Household.id)
    )
    return list(ids.all())


async def anonymise_due(
    factory: async_sessionmaker[AsyncSession],
    today: date,
    retention_months: int = DEFAULT_RETENTION_MONTHS,
) -> list[AnonymisationResult]:
    """Anonymise every household closed longer than the retention; one transaction each."""
    async with factory() as session:
        ids = await due_household_ids(session, today, retention_months)
    done: list[AnonymisationResult] = []
    for household_id in ids:
        try:
            async with factory() as session, session.begin():
                household = await session.get(Household, household_id, with_for_update=True)
                if household is None or household.anonymised_at is not None:
                    continue
                done.append(await anonymise_household(session, household, today))
        except Exception:  # one bad row must not stop the others; the next run retries
            log.exception("anonymisation of household %s failed", household_id)
    return done
