from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from matching.db.models.municipality import _Base


class HouseholdNameToken(_Base):
    """Blind index of household names: one keyed digest per normalised name token.

    Why: names are encrypted at rest (random IVs), so SQL cannot compare them. The HMAC of
    each token (key derived from the encryption key) can be compared without revealing the
    name; see ``matching.households.name_index``. The key (digest, office, household) lets a
    search of one office be answered from the index alone.
    """

    __tablename__ = "household_name_tokens"
    __table_args__ = (sa.Index("ix_household_name_tokens_household_id", "household_id"),)

    digest: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True
    )
    household_id: Mapped[int] = mapped_column(
        sa.ForeignKey("households.id", ondelete="CASCADE"), primary_key=True
    )
