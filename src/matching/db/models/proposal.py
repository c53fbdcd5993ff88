from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC
from sqlalchemy.orm import Mapped, mapped_column

from matching.db.base import BigIntAuditBase, EncryptedText, enum_column_type
from matching.enums import LIVE_PROPOSAL_STATUSES, ProposalStatus

_LIVE = "status IN ({})".format(", ".join(f"'{s.value}'" for s in LIVE_PROPOSAL_STATUSES))


class Proposal(BigIntAuditBase):
    """A counselor proposes a household for a vacancy; the landlord answers."""

    __tablename__ = "proposals"
    __table_args__ = (
        # At most one live proposal per (vacancy, household), enforced by the database.
        sa.Index(
            "uq_proposals_live_pair",
            "vacancy_id",
            "household_id",
            unique=True,
            postgresql_where=sa.text(_LIVE),
            sqlite_where=sa.text(_LIVE),
        ),
        sa.Index("ix_proposals_vacancy_status", "vacancy_id", "status"),
        sa.Index("ix_proposals_household_status", "household_id", "status"),
        sa.Index("ix_proposals_status_respond_by", "status", "respond_by"),
        sa.Index("ix_proposals_landlord_org_status", "landlord_organisation_id", "status"),
    )

    vacancy_id: Mapped[int] = mapped_column(sa.ForeignKey("vacancies.id", ondelete="RESTRICT"))
    household_id: Mapped[int] = mapped_column(sa.ForeignKey("households.id", ondelete="RESTRICT"))
    landlord_organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="RESTRICT")
    )
    counseling_organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="RESTRICT")
    )
    proposed_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    status: Mapped[ProposalStatus] = mapped_column(
        enum_column_type(ProposalStatus, "proposal_status"), default=ProposalStatus.DRAFT
    )
    respond_by: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    answered_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    reminder_sent_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    score: Mapped[float | None] = mapped_column(sa.Float)
    policy_name: Mapped[str | None] = mapped_column(sa.String(50))
    policy_version: Mapped[str | None] = mapped_column(sa.String(20))
    explanation: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    shared_profile: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    override_justification: Mapped[str | None] = mapped_column(EncryptedText)
    decline_reason_code: Mapped[str | None] = mapped_column(
        sa.ForeignKey("decline_reasons.code", ondelete="RESTRICT")
    )
    decline_text: Mapped[str | None] = mapped_column(EncryptedText)
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}


class ProposalEvent(BigIntAuditBase):
    """One state change of a proposal: who, when, from → to, note."""

    __tablename__ = "proposal_events"
    __table_args__ = (sa.Index("ix_proposal_events_proposal_id", "proposal_id"),)

    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("proposals.id", ondelete="CASCADE"))
    actor_user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    actor_label: Mapped[str] = mapped_column(sa.String(100))
    from_status: Mapped[str | None] = mapped_column(sa.String(32))
    to_status: Mapped[str] = mapped_column(sa.String(32))
    reason_code: Mapped[str | None] = mapped_column(sa.String(40))
    note: Mapped[str | None] = mapped_column(EncryptedText)


class ProposalToken(BigIntAuditBase):
    """A secure link for a landlord recipient; only the SHA-256 of the token is stored."""

    __tablename__ = "proposal_tokens"
    __table_args__ = (sa.Index("ix_proposal_tokens_proposal_id", "proposal_id"),)

    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("proposals.id", ondelete="CASCADE"))
    recipient_email: Mapped[str] = mapped_column(sa.String(254))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    first_used_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
