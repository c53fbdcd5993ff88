"""Rent-limit tables (Angemessenheitsgrenzen, KdU) as the Fachstelle maintains them.

A table has a validity and a status (example/official) and consists of areas
(Vergleichsräume); each area has its towns and its amounts per household size. The
town→area assignment belongs to the table, so tables may group the towns differently; the
database keeps a town in at most one area per table.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC
from sqlalchemy.orm import Mapped, mapped_column, relationship

from matching.db.base import BigIntAuditBase, Money, enum_column_type
from matching.enums import RentLimitStatus


class RentLimitTable(BigIntAuditBase):
    """One table of limits with its legal source and validity (``valid_to`` inclusive)."""

    __tablename__ = "rent_limit_tables"
    __table_args__ = (
        sa.CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="valid_range"),
        sa.Index("ix_rent_limit_tables_validity", "is_active", "valid_from"),
    )

    name: Mapped[str] = mapped_column(sa.String(200))
    legal_source: Mapped[str] = mapped_column(sa.String(300))
    valid_from: Mapped[date] = mapped_column(sa.Date)
    valid_to: Mapped[date | None] = mapped_column(sa.Date)
    status: Mapped[RentLimitStatus] = mapped_column(
        enum_column_type(RentLimitStatus, "rent_limit_status")
    )
    is_active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    deactivated_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    # Who imported or deactivated it is in the audit trail (no foreign key to users: tables
    # outlive accounts and are reference data).

    areas: Mapped[list[RentLimitArea]] = relationship(
        back_populates="table",
        cascade="all, delete-orphan",
        order_by="RentLimitArea.position",
        lazy="selectin",
    )


class RentLimitArea(BigIntAuditBase):
    """A Vergleichsraum of one table: its towns and amounts."""

    __tablename__ = "rent_limit_areas"
    __table_args__ = (sa.UniqueConstraint("table_id", "name"),)

    table_id: Mapped[int] = mapped_column(sa.ForeignKey("rent_limit_tables.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(sa.String(50))
    position: Mapped[int] = mapped_column(default=0)

    table: Mapped[RentLimitTable] = relationship(back_populates="areas")
    towns: Mapped[list[RentLimitAreaTown]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="RentLimitAreaTown.municipality_ags"
    )
    amounts: Mapped[list[RentLimitAmount]] = relationship(
        cascade="all, delete-orphan",
        lazy="selectin",
        order_by=lambda: [RentLimitAmount.is_increment, RentLimitAmount.persons],
    )


class RentLimitAreaTown(BigIntAuditBase):
    """A town in an area; unique per table (a town belongs to one area of a table)."""

    __tablename__ = "rent_limit_area_towns"
    __table_args__ = (sa.UniqueConstraint("table_id", "municipality_ags"),)

    table_id: Mapped[int] = mapped_column(sa.ForeignKey("rent_limit_tables.id", ondelete="CASCADE"))
    area_id: Mapped[int] = mapped_column(sa.ForeignKey("rent_limit_areas.id", ondelete="CASCADE"))
    municipality_ags: Mapped[str] = mapped_column(
        sa.ForeignKey("municipalities.ags", ondelete="RESTRICT")
    )

    table: Mapped[RentLimitTable] = relationship()


class RentLimitAmount(BigIntAuditBase):
    """Max Bruttokaltmiete (and optional heating) for one household size of an area.

    ``is_increment`` rows hold the amount for each person beyond the largest listed size.
    """

    __tablename__ = "rent_limit_amounts"
    __table_args__ = (
        sa.CheckConstraint("persons >= 1", name="persons_positive"),
        sa.CheckConstraint(
            "max_gross_cold_rent >= 0 AND max_gross_cold_rent <= 5000", name="rent_range"
        ),
        sa.CheckConstraint(
            "max_heating_cost IS NULL OR (max_heating_cost >= 0 AND max_heating_cost <= 5000)",
            name="heating_range",
        ),
        sa.UniqueConstraint("area_id", "persons", "is_increment"),
    )

    area_id: Mapped[int] = mapped_column(sa.ForeignKey("rent_limit_areas.id", ondelete="CASCADE"))
    persons: Mapped[int] = mapped_column()
    is_increment: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    max_gross_cold_rent: Mapped[Decimal] = mapped_column(Money)
    max_heating_cost: Mapped[Decimal | None] = mapped_column(Money)


class RentLimitImport(BigIntAuditBase):
    """A parsed upload waiting for "Übernehmen": the preview is confirmed from this row, never
    from a re-posted form. Deleted when confirmed or discarded; stale rows are removed."""

    __tablename__ = "rent_limit_imports"

    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    filename: Mapped[str] = mapped_column(sa.String(255))
    payload: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
