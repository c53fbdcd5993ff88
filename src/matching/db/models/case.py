"""Casework tables: a household's cases, their contacts, appointments, referrals and shares.

A *Wohnungssicherung* case keeps the prevention record on the case row itself (one record per
case, read and versioned together); deadlines are never stored, they are computed from these
dates (``matching.cases.deadlines``). Money is held in integer cents.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC
from sqlalchemy.orm import Mapped, mapped_column

from matching.db.base import BigIntAuditBase, EncryptedText, enum_column_type
from matching.enums import (
    ApplicationOutcome,
    ArrearsLegalBasis,
    Authority,
    CaseKind,
    CaseOutcome,
    CaseStatus,
    ContactKind,
    NoticeKind,
    ReferralKind,
    ReferralStatus,
    ShareLevel,
)

MAX_CENTS = 10_000_000  # 100,000 € (the plausibility bound of the issue)


class Case(BigIntAuditBase):
    """A household's case (Fall): prevention of the loss of a home, or the search for one."""

    __tablename__ = "cases"
    __table_args__ = (
        sa.Index("ix_cases_household_id", "household_id"),
        sa.Index("ix_cases_lead_status", "lead_organisation_id", "status"),
        sa.CheckConstraint(
            f"arrears_cents IS NULL OR (arrears_cents >= 0 AND arrears_cents <= {MAX_CENTS})",
            name="arrears_range",
        ),
        sa.CheckConstraint(
            f"application_amount_cents IS NULL OR (application_amount_cents >= 0 "
            f"AND application_amount_cents <= {MAX_CENTS})",
            name="application_amount_range",
        ),
        sa.CheckConstraint(
            f"instalment_cents IS NULL OR (instalment_cents >= 0 "
            f"AND instalment_cents <= {MAX_CENTS})",
            name="instalment_range",
        ),
    )

    household_id: Mapped[int] = mapped_column(sa.ForeignKey("households.id", ondelete="CASCADE"))
    kind: Mapped[CaseKind] = mapped_column(enum_column_type(CaseKind, "case_kind"))
    status: Mapped[CaseStatus] = mapped_column(
        enum_column_type(CaseStatus, "case_status"), default=CaseStatus.OPEN
    )
    lead_organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="RESTRICT")
    )
    counselor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    opened_on: Mapped[date] = mapped_column(sa.Date)
    closed_on: Mapped[date | None] = mapped_column(sa.Date)
    outcome: Mapped[CaseOutcome | None] = mapped_column(
        enum_column_type(CaseOutcome, "case_outcome")
    )
    # -- the tenancy at risk (personal data: encrypted) --------------------------------------
    landlord_name: Mapped[str | None] = mapped_column(EncryptedText)
    tenancy_address: Mapped[str | None] = mapped_column(EncryptedText)
    monthly_rent: Mapped[str | None] = mapped_column(EncryptedText)  # cents, as text
    # -- arrears, notice, suit, court notice, eviction ---------------------------------------
    arrears_cents: Mapped[int | None] = mapped_column(sa.BigInteger)
    arrears_months: Mapped[int | None] = mapped_column()
    arrears_as_of: Mapped[date | None] = mapped_column(sa.Date)
    notice_date: Mapped[date | None] = mapped_column(sa.Date)
    notice_kind: Mapped[NoticeKind | None] = mapped_column(
        enum_column_type(NoticeKind, "notice_kind")
    )
    notice_reason: Mapped[str | None] = mapped_column(EncryptedText)
    suit_filed_on: Mapped[date | None] = mapped_column(sa.Date)
    suit_served_on: Mapped[date | None] = mapped_column(sa.Date)
    court_notice_received_on: Mapped[date | None] = mapped_column(sa.Date)
    eviction_date: Mapped[date | None] = mapped_column(sa.Date)
    # The Schonfrist cured a notice before (§ 569 Abs. 3 Nr. 2 Satz 2 BGB: only once in 2 years).
    schonfrist_cured_on: Mapped[date | None] = mapped_column(sa.Date)
    # -- application to take over the arrears -------------------------------------------------
    application_authority: Mapped[Authority | None] = mapped_column(
        enum_column_type(Authority, "authority")
    )
    application_legal_basis: Mapped[ArrearsLegalBasis | None] = mapped_column(
        enum_column_type(ArrearsLegalBasis, "arrears_legal_basis")
    )
    application_filed_on: Mapped[date | None] = mapped_column(sa.Date)
    application_decided_on: Mapped[date | None] = mapped_column(sa.Date)
    application_outcome: Mapped[ApplicationOutcome | None] = mapped_column(
        enum_column_type(ApplicationOutcome, "application_outcome")
    )
    application_amount_cents: Mapped[int | None] = mapped_column(sa.BigInteger)
    # -- agreements with the landlord ----------------------------------------------------------
    agreement_instalments: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    instalment_cents: Mapped[int | None] = mapped_column(sa.BigInteger)
    agreement_notice_withdrawn: Mapped[bool] = mapped_column(
        default=False, server_default=sa.false()
    )
    agreement_continuation: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    agreement_note: Mapped[str | None] = mapped_column(EncryptedText)
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}

    @property
    def reference(self) -> str:
        """The case number people quote (no personal data): ``FA-2026-00042``."""
        return case_reference(self.id, self.opened_on)


def case_reference(case_id: int, opened_on: date) -> str:
    """A case's number from its id and opening day (for lists that load no whole case)."""
    return f"FA-{opened_on.year}-{case_id:05d}"


class CaseContact(BigIntAuditBase):
    """One dated contact of a case; the town shows where counselling happened."""

    __tablename__ = "case_contacts"
    __table_args__ = (sa.Index("ix_case_contacts_case_id", "case_id"),)

    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="CASCADE"))
    occurred_on: Mapped[date] = mapped_column(sa.Date)
    kind: Mapped[ContactKind] = mapped_column(enum_column_type(ContactKind, "contact_kind"))
    municipality_ags: Mapped[str | None] = mapped_column(sa.String(8))
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="RESTRICT")
    )
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    note: Mapped[str | None] = mapped_column(EncryptedText)


class CaseAppointment(BigIntAuditBase):
    """An appointment of a case; reminders and the calendar file carry reference numbers only."""

    __tablename__ = "case_appointments"
    __table_args__ = (sa.Index("ix_case_appointments_case_starts", "case_id", "starts_at"),)

    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    duration_minutes: Mapped[int] = mapped_column(default=60)
    municipality_ags: Mapped[str | None] = mapped_column(sa.String(8))
    purpose: Mapped[ContactKind] = mapped_column(enum_column_type(ContactKind, "contact_kind"))
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="RESTRICT")
    )
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))


class LocalService(BigIntAuditBase):
    """The admin's catalogue of local services households are referred to."""

    __tablename__ = "local_services"

    name: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[ReferralKind] = mapped_column(enum_column_type(ReferralKind, "referral_kind"))
    municipality_ags: Mapped[str | None] = mapped_column(sa.String(8))
    contact: Mapped[str | None] = mapped_column(sa.String(300))
    active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())


class CaseReferral(BigIntAuditBase):
    """A referral to further help (Vermittlung in weiterführende Hilfen)."""

    __tablename__ = "case_referrals"
    __table_args__ = (sa.Index("ix_case_referrals_case_id", "case_id"),)

    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="CASCADE"))
    kind: Mapped[ReferralKind] = mapped_column(enum_column_type(ReferralKind, "referral_kind"))
    local_service_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("local_services.id", ondelete="SET NULL")
    )
    status: Mapped[ReferralStatus] = mapped_column(
        enum_column_type(ReferralStatus, "referral_status"), default=ReferralStatus.AGREED
    )
    agreed_on: Mapped[date] = mapped_column(sa.Date)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="RESTRICT")
    )
    note: Mapped[str | None] = mapped_column(EncryptedText)


class CaseShare(BigIntAuditBase):
    """Fallkooperation: another counselling office reads or co-works on a case.

    Access lasts while the share is not ended and its consent is neither withdrawn nor past
    its validity: withdrawing the consent ends access at once, without touching this row.
    """

    __tablename__ = "case_shares"
    __table_args__ = (sa.Index("ix_case_shares_org_case", "organisation_id", "case_id"),)

    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="RESTRICT")
    )
    consent_id: Mapped[int] = mapped_column(sa.ForeignKey("consents.id", ondelete="CASCADE"))
    level: Mapped[ShareLevel] = mapped_column(enum_column_type(ShareLevel, "share_level"))
    granted_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    ended_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))


class ShortConsultation(BigIntAuditBase):
    """An anonymous short consultation, counted per town: no personal data at all."""

    __tablename__ = "short_consultations"
    __table_args__ = (sa.Index("ix_short_consultations_org_on", "organisation_id", "occurred_on"),)

    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="RESTRICT")
    )
    municipality_ags: Mapped[str] = mapped_column(sa.String(8))
    occurred_on: Mapped[date] = mapped_column(sa.Date)
    kind: Mapped[CaseKind] = mapped_column(enum_column_type(CaseKind, "case_kind"))
