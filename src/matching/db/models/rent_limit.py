from __future__ import annotations

from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from matching.db.base import BigIntAuditBase, Money


class RentLimit(BigIntAuditBase):
    """Max. Bruttokaltmiete the Jobcenter accepts for an area and household size.

    ``is_increment`` rows hold the amount added for each person beyond the largest listed
    size (``persons`` is then the first size the increment applies to).
    """

    __tablename__ = "rent_limits"
    __table_args__ = (
        sa.CheckConstraint("persons >= 1", name="persons_positive"),
        sa.CheckConstraint("max_gross_cold_rent >= 0", name="rent_non_negative"),
        sa.CheckConstraint(
            "max_heating_cost IS NULL OR max_heating_cost >= 0", name="heating_non_negative"
        ),
        sa.CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="valid_range"),
        sa.UniqueConstraint("area", "persons", "is_increment", "valid_from"),
        sa.Index("ix_rent_limits_lookup", "area", "valid_from"),
    )

    area: Mapped[str] = mapped_column(sa.String(16))
    persons: Mapped[int] = mapped_column()
    is_increment: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    max_gross_cold_rent: Mapped[Decimal] = mapped_column(Money)
    max_heating_cost: Mapped[Decimal | None] = mapped_column(Money)
    valid_from: Mapped[date] = mapped_column(sa.Date)
    valid_to: Mapped[date | None] = mapped_column(sa.Date)
    source: Mapped[str] = mapped_column(sa.String(300))
    is_example: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
