from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC
from sqlalchemy.orm import Mapped, mapped_column, relationship

from matching.db.base import BigIntAuditBase, enum_column_type
from matching.db.models.organisation import Organisation
from matching.enums import Role


class User(BigIntAuditBase):
    """A person who logs in; bound to exactly one organisation and one role."""

    __tablename__ = "users"
    __table_args__ = (sa.Index("ix_users_organisation_id", "organisation_id"),)

    # Stored lower-cased by the service, so uniqueness is case-insensitive on every database.
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    role: Mapped[Role] = mapped_column(enum_column_type(Role, "user_role"))
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="RESTRICT")
    )
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    is_active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    is_org_admin: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    last_login_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))

    organisation: Mapped[Organisation] = relationship(lazy="joined", innerjoin=True)
