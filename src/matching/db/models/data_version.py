from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from matching.db.models.municipality import _Base


class DataVersion(_Base):
    """A counter per data set, bumped in the same transaction as every change of it.

    Why: each app instance caches the household snapshot and compares this stamp before
    ranking, so no instance ever serves a stale ranking.
    """

    __tablename__ = "data_versions"

    name: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    version: Mapped[int] = mapped_column(sa.BigInteger, default=0)
