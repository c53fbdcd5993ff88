from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC
from sqlalchemy.orm import Mapped, mapped_column

from matching.db.base import BigIntAuditBase, EncryptedText, enum_column_type
from matching.enums import ConsentRecipients


class Consent(BigIntAuditBase):
    """The household's written consent to share named fields with named landlords."""

    __tablename__ = "consents"
    __table_args__ = (sa.Index("ix_consents_household_id", "household_id"),)

    household_id: Mapped[int] = mapped_column(sa.ForeignKey("households.id", ondelete="CASCADE"))
    # Field keys that may be shared: composition, income_basis, name, phone, email,
    # landlord_notes (the internal notes are never shareable).
    scope: Mapped[list[str]] = mapped_column(sa.JSON)
    recipients: Mapped[ConsentRecipients] = mapped_column(
        enum_column_type(ConsentRecipients, "consent_recipients")
    )
    recipient_organisation_ids: Mapped[list[int]] = mapped_column(sa.JSON, default=list)
    given_at: Mapped[date] = mapped_column(sa.Date)
    valid_until: Mapped[date] = mapped_column(sa.Date)
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    recorded_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    form_reference: Mapped[str] = mapped_column(EncryptedText)
