from __future__ import annotations

import sqlalchemy as sa
from advanced_alchemy.base import CommonTableAttributes, orm_registry
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class _Base(CommonTableAttributes, DeclarativeBase):
    __abstract__ = True
    registry = orm_registry


class Municipality(_Base):
    """One of the 11 towns of the Kreis; keyed by its AGS (reference data)."""

    __tablename__ = "municipalities"

    ags: Mapped[str] = mapped_column(sa.String(8), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    postal_codes: Mapped[list[str]] = mapped_column(sa.JSON)
    lat: Mapped[float] = mapped_column(sa.Float)
    lon: Mapped[float] = mapped_column(sa.Float)
    population: Mapped[int] = mapped_column()
    wohngeld_mietstufe: Mapped[str] = mapped_column(sa.String(4))
    # The rent-limit area of a town belongs to each rent-limit table (RentLimitAreaTown).
