from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from matching.db.base import BigIntAuditBase, enum_column_type
from matching.enums import OrganisationKind


class Organisation(BigIntAuditBase):
    """A counselling office, the Fachstelle itself, or a landlord (housing company)."""

    __tablename__ = "organisations"
    __table_args__ = (
        sa.CheckConstraint("max_proposals_per_vacancy >= 1", name="max_proposals_positive"),
    )

    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    kind: Mapped[OrganisationKind] = mapped_column(enum_column_type(OrganisationKind, "org_kind"))
    contact_email: Mapped[str | None] = mapped_column(sa.String(254))
    max_proposals_per_vacancy: Mapped[int] = mapped_column(default=3, server_default="3")
    policy_name: Mapped[str] = mapped_column(
        sa.String(50), default="dringlichkeit", server_default="dringlichkeit"
    )
    is_active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
