from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC
from sqlalchemy.orm import Mapped, mapped_column

from matching.db.base import BigIntAuditBase, Money, enum_column_type
from matching.enums import PetsPolicy, VacancySource, VacancyStatus


class Vacancy(BigIntAuditBase):
    """A flat offered by a landlord organisation."""

    __tablename__ = "vacancies"
    __table_args__ = (
        sa.UniqueConstraint("organisation_id", "external_id"),
        sa.CheckConstraint("rooms > 0 AND rooms <= 20", name="rooms_range"),
        sa.CheckConstraint("living_area > 0 AND living_area <= 1000", name="area_range"),
        sa.CheckConstraint("net_cold_rent >= 0", name="rent_non_negative"),
        sa.CheckConstraint("cold_service_charges >= 0", name="charges_non_negative"),
        sa.CheckConstraint("heating_costs IS NULL OR heating_costs >= 0", name="heating_non_neg"),
        sa.CheckConstraint("deposit IS NULL OR deposit >= 0", name="deposit_non_negative"),
        sa.CheckConstraint("min_persons IS NULL OR min_persons >= 1", name="min_persons_pos"),
        sa.CheckConstraint("max_persons IS NULL OR max_persons >= 1", name="max_persons_pos"),
        sa.CheckConstraint(
            "min_persons IS NULL OR max_persons IS NULL OR min_persons <= max_persons",
            name="persons_order",
        ),
        sa.Index("ix_vacancies_status_available", "status", "available_from"),
        sa.Index("ix_vacancies_org_status", "organisation_id", "status"),
        sa.Index("ix_vacancies_municipality", "municipality_ags"),
        sa.Index("ix_vacancies_address", "postal_code", "address_key"),
        sa.Index("ix_vacancies_updated_at", "updated_at"),
    )

    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="RESTRICT")
    )
    external_id: Mapped[str | None] = mapped_column(sa.String(100))
    title: Mapped[str | None] = mapped_column(sa.String(200))
    street: Mapped[str | None] = mapped_column(sa.String(200))
    house_number: Mapped[str | None] = mapped_column(sa.String(20))
    postal_code: Mapped[str] = mapped_column(sa.String(5))
    municipality_ags: Mapped[str] = mapped_column(
        sa.ForeignKey("municipalities.ags", ondelete="RESTRICT")
    )
    # Normalised street + house number, for finding the same flat offered twice.
    address_key: Mapped[str | None] = mapped_column(sa.String(220))
    lat: Mapped[float | None] = mapped_column(sa.Float)
    lon: Mapped[float | None] = mapped_column(sa.Float)
    rooms: Mapped[Decimal] = mapped_column(sa.Numeric(3, 1))
    living_area: Mapped[Decimal] = mapped_column(sa.Numeric(7, 2))
    floor: Mapped[int | None] = mapped_column()
    lift: Mapped[bool] = mapped_column(default=False)
    barrier_free: Mapped[bool] = mapped_column(default=False)
    wheelchair_accessible: Mapped[bool] = mapped_column(default=False)
    net_cold_rent: Mapped[Decimal] = mapped_column(Money)
    cold_service_charges: Mapped[Decimal] = mapped_column(Money)
    heating_costs: Mapped[Decimal | None] = mapped_column(Money)
    deposit: Mapped[Decimal | None] = mapped_column(Money)
    available_from: Mapped[date] = mapped_column(sa.Date)
    wbs_required: Mapped[bool] = mapped_column(default=False)
    pets: Mapped[PetsPolicy] = mapped_column(
        enum_column_type(PetsPolicy, "pets_policy"), default=PetsPolicy.ON_REQUEST
    )
    min_persons: Mapped[int | None] = mapped_column()
    max_persons: Mapped[int | None] = mapped_column()
    description: Mapped[str | None] = mapped_column(sa.Text)
    status: Mapped[VacancyStatus] = mapped_column(
        enum_column_type(VacancyStatus, "vacancy_status"), default=VacancyStatus.OPEN
    )
    source: Mapped[VacancySource] = mapped_column(
        enum_column_type(VacancySource, "vacancy_source"), default=VacancySource.FORM
    )
    # Hash of the delivered content: an unchanged re-delivery is recognised without a write.
    content_hash: Mapped[str | None] = mapped_column(sa.String(64))
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    duplicate_of_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("vacancies.id", ondelete="SET NULL")
    )
    # The Fachstelle's verdict on a flagged duplicate: None (to review), "confirmed", "dismissed".
    duplicate_review: Mapped[str | None] = mapped_column(sa.String(16))
    duplicate_reviewed_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}

    @property
    def gross_cold_rent(self) -> Decimal:
        """Bruttokaltmiete: what the KdU limits compare."""
        return self.net_cold_rent + self.cold_service_charges

    @property
    def warm_rent(self) -> Decimal | None:
        if self.heating_costs is None:
            return None
        return self.gross_cold_rent + self.heating_costs
