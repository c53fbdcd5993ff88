from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC
from sqlalchemy.orm import Mapped, mapped_column

from matching.db.base import BigIntAuditBase


class AuditEvent(BigIntAuditBase):
    """Append-only record of who did what to which object; rows form a hash chain."""

    __tablename__ = "audit_events"
    __table_args__ = (
        sa.Index("ix_audit_events_object", "object_type", "object_id"),
        sa.Index("ix_audit_events_actor", "actor_user_id"),
        sa.Index("ix_audit_events_occurred_at", "occurred_at"),
    )

    occurred_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    actor_user_id: Mapped[int | None] = mapped_column()
    actor_label: Mapped[str] = mapped_column(sa.String(100))
    organisation_id: Mapped[int | None] = mapped_column()
    action: Mapped[str] = mapped_column(sa.String(60))
    object_type: Mapped[str] = mapped_column(sa.String(40))
    object_id: Mapped[str | None] = mapped_column(sa.String(40))
    client_address: Mapped[str | None] = mapped_column(sa.String(64))
    details: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(sa.String(64))
    row_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
