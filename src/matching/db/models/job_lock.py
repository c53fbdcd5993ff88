from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC
from sqlalchemy.orm import Mapped, mapped_column

from matching.db.models.municipality import _Base


class JobLock(_Base):
    """A lease so a scheduled job runs in one app process at a time."""

    __tablename__ = "job_locks"

    name: Mapped[str] = mapped_column(sa.String(60), primary_key=True)
    holder: Mapped[str | None] = mapped_column(sa.String(100))
    locked_until: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    last_run_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
