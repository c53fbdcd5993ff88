from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC
from sqlalchemy.orm import Mapped, mapped_column

from matching.db.base import BigIntAuditBase


class PasswordResetToken(BigIntAuditBase):
    """A one-time link to set a new password; only the SHA-256 of the token is stored.

    Single use (``used_at``), expiring (``expires_at``); issuing a new one or using one
    voids the user's other open tokens."""

    __tablename__ = "password_reset_tokens"
    __table_args__ = (sa.Index("ix_password_reset_tokens_user_id", "user_id"),)

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
