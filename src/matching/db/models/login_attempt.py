from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from matching.db.models.municipality import _Base


class LoginAttempt(_Base):
    """Failed logins per throttle key, shared by every app instance.

    The key is a SHA-256 of "pair:<account>|<address>" or "ip:<address>", so the table holds
    neither e-mail addresses nor client addresses. ``last_at`` is Unix time in seconds.
    """

    __tablename__ = "login_attempts"

    key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(sa.Integer, default=0)
    last_at: Mapped[float] = mapped_column(sa.Float)
