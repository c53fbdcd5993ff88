from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from matching.db.models.municipality import _Base


class DeclineReason(_Base):
    """Structured reason for a declined or withdrawn proposal (reference data)."""

    __tablename__ = "decline_reasons"

    code: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    side: Mapped[str] = mapped_column(sa.String(16))
    label_de: Mapped[str] = mapped_column(sa.String(200))
    needs_text: Mapped[bool] = mapped_column(default=False)
