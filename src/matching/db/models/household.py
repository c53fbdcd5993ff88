from __future__ import annotations

from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from matching.db.base import BigIntAuditBase, EncryptedText, Money, enum_column_type
from matching.enums import HouseholdStatus, IncomeBasis, Urgency


class Household(BigIntAuditBase):
    """A client household seeking a flat.

    Personal fields (name, contact, internal notes, notes for landlords) are encrypted at rest;
    every other column is what the matching needs and is read column-wise into the ranking snapshot.
    """

    __tablename__ = "households"
    __table_args__ = (
        sa.CheckConstraint("adults >= 1", name="adults_positive"),
        sa.CheckConstraint("persons >= 1 AND persons <= 20", name="persons_range"),
        sa.CheckConstraint("own_max_rent IS NULL OR own_max_rent >= 0", name="budget_non_negative"),
        sa.CheckConstraint(
            "max_distance_km IS NULL OR max_distance_km > 0", name="distance_positive"
        ),
        sa.CheckConstraint(
            "max_floor_without_lift IS NULL OR max_floor_without_lift >= 0",
            name="max_floor_non_negative",
        ),
        sa.Index("ix_households_org_status", "organisation_id", "status"),
        sa.Index("ix_households_status_id", "status", "id"),
        sa.Index("ix_households_counselor_id", "counselor_id"),
        # The ranking snapshot refreshes by reading rows changed since its last load.
        sa.Index("ix_households_updated_at", "updated_at"),
    )

    reference_code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="RESTRICT")
    )
    counselor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    adults: Mapped[int] = mapped_column(default=1)
    children_ages: Mapped[list[int]] = mapped_column(sa.JSON, default=list)
    persons: Mapped[int] = mapped_column()
    income_basis: Mapped[IncomeBasis] = mapped_column(enum_column_type(IncomeBasis, "income"))
    own_max_rent: Mapped[Decimal | None] = mapped_column(Money)
    wbs_valid_until: Mapped[date | None] = mapped_column(sa.Date)
    wbs_rooms: Mapped[int | None] = mapped_column()
    needs_barrier_free: Mapped[bool] = mapped_column(default=False)
    needs_wheelchair: Mapped[bool] = mapped_column(default=False)
    needs_ground_floor: Mapped[bool] = mapped_column(default=False)
    max_floor_without_lift: Mapped[int | None] = mapped_column()
    has_pets: Mapped[bool] = mapped_column(default=False)
    preferred_ags: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    preferences_hard: Mapped[bool] = mapped_column(default=False)
    max_distance_km: Mapped[float | None] = mapped_column(sa.Float)
    earliest_move_in: Mapped[date | None] = mapped_column(sa.Date)
    urgency: Mapped[Urgency] = mapped_column(enum_column_type(Urgency, "urgency"))
    notice_date: Mapped[date | None] = mapped_column(sa.Date)
    eviction_date: Mapped[date | None] = mapped_column(sa.Date)
    homeless_since: Mapped[date | None] = mapped_column(sa.Date)
    registered_at: Mapped[date] = mapped_column(sa.Date)
    status: Mapped[HouseholdStatus] = mapped_column(
        enum_column_type(HouseholdStatus, "household_status"), default=HouseholdStatus.ACTIVE
    )
    closed_at: Mapped[date | None] = mapped_column(sa.Date)
    anonymised_at: Mapped[date | None] = mapped_column(sa.Date)
    # Personal data (§ 35 SGB I): encrypted, never logged, never in URLs.
    name: Mapped[str | None] = mapped_column(EncryptedText)
    phone: Mapped[str | None] = mapped_column(EncryptedText)
    email: Mapped[str | None] = mapped_column(EncryptedText)
    notes: Mapped[str | None] = mapped_column(EncryptedText)  # internal: never leaves the office
    # Written for the landlord; shared only under a consent naming "Hinweise für Vermieter".
    landlord_notes: Mapped[str | None] = mapped_column(EncryptedText)
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}
