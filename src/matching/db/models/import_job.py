from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC
from sqlalchemy.orm import Mapped, mapped_column

from matching.db.base import BigIntAuditBase, enum_column_type
from matching.enums import ImportStatus


class ImportJob(BigIntAuditBase):
    """One upload of a vacancy file: its progress, counts and per-row report (not the file)."""

    __tablename__ = "import_jobs"
    __table_args__ = (sa.Index("ix_import_jobs_org_created", "organisation_id", "created_at"),)

    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="CASCADE")
    )
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    filename: Mapped[str] = mapped_column(sa.String(255))
    file_format: Mapped[str] = mapped_column(sa.String(16))
    status: Mapped[ImportStatus] = mapped_column(
        enum_column_type(ImportStatus, "import_status"), default=ImportStatus.QUEUED
    )
    mode: Mapped[str | None] = mapped_column(sa.String(16))
    total_rows: Mapped[int] = mapped_column(default=0)
    processed_rows: Mapped[int] = mapped_column(default=0)
    counts: Mapped[dict[str, int]] = mapped_column(sa.JSON, default=dict)
    report: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    finished_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
