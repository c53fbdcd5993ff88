"""casework: cases (Wohnungssicherung / Wohnungssuche), contacts, appointments, referrals,
local services, case shares and anonymous short consultations; every existing household gets
one open search case (its search and proposals hang there)

Revision ID: ce6994a4232b
Revises: 7c3d9e1f2a6b
Create Date: 2026-11-30 23:40:50.063140
"""

from __future__ import annotations

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC
from alembic import op

sa.DateTimeUTC = DateTimeUTC  # type: ignore[attr-defined]

revision = "ce6994a4232b"
down_revision = "7c3d9e1f2a6b"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "local_services",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "debt_counselling",
                "addiction_counselling",
                "sgb12_67",
                "youth_welfare",
                "legal_guardianship",
                "supported_living",
                "jobcenter",
                "sozialamt",
                "other_help",
                name="referral_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("municipality_ags", sa.String(length=8), nullable=True),
        sa.Column("contact", sa.String(length=300), nullable=True),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("created_at", sa.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTimeUTC(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_local_services")),
    )
    op.create_table(
        "short_consultations",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "organisation_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("municipality_ags", sa.String(length=8), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "prevention",
                "search",
                name="case_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_short_consultations_organisation_id_organisations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_short_consultations")),
    )
    with op.batch_alter_table("short_consultations", schema=None) as batch_op:
        batch_op.create_index(
            "ix_short_consultations_org_on", ["organisation_id", "occurred_on"], unique=False
        )

    op.create_table(
        "cases",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "household_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "kind",
            sa.Enum(
                "prevention",
                "search",
                name="case_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "closed",
                name="case_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "lead_organisation_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
        ),
        sa.Column(
            "counselor_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column(
            "outcome",
            sa.Enum(
                "home_kept",
                "moved",
                "home_lost",
                "contact_lost",
                "housed",
                name="case_outcome",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("landlord_name", sa.Text(), nullable=True),
        sa.Column("tenancy_address", sa.Text(), nullable=True),
        sa.Column("monthly_rent", sa.Text(), nullable=True),
        sa.Column("arrears_cents", sa.BigInteger(), nullable=True),
        sa.Column("arrears_months", sa.Integer(), nullable=True),
        sa.Column("arrears_as_of", sa.Date(), nullable=True),
        sa.Column("notice_date", sa.Date(), nullable=True),
        sa.Column(
            "notice_kind",
            sa.Enum(
                "without_notice",
                "ordinary",
                "without_notice_or_ordinary",
                name="notice_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("notice_reason", sa.Text(), nullable=True),
        sa.Column("suit_filed_on", sa.Date(), nullable=True),
        sa.Column("suit_served_on", sa.Date(), nullable=True),
        sa.Column("court_notice_received_on", sa.Date(), nullable=True),
        sa.Column("eviction_date", sa.Date(), nullable=True),
        sa.Column("schonfrist_cured_on", sa.Date(), nullable=True),
        sa.Column(
            "application_authority",
            sa.Enum(
                "jobcenter",
                "sozialamt",
                name="authority",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column(
            "application_legal_basis",
            sa.Enum(
                "sgb2_22_8",
                "sgb12_36",
                name="arrears_legal_basis",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("application_filed_on", sa.Date(), nullable=True),
        sa.Column("application_decided_on", sa.Date(), nullable=True),
        sa.Column(
            "application_outcome",
            sa.Enum(
                "loan",
                "grant",
                "rejected",
                name="application_outcome",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("application_amount_cents", sa.BigInteger(), nullable=True),
        sa.Column("agreement_instalments", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("instalment_cents", sa.BigInteger(), nullable=True),
        sa.Column(
            "agreement_notice_withdrawn", sa.Boolean(), server_default=sa.false(), nullable=False
        ),
        sa.Column(
            "agreement_continuation", sa.Boolean(), server_default=sa.false(), nullable=False
        ),
        sa.Column("agreement_note", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("created_at", sa.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTimeUTC(timezone=True), nullable=False),
        sa.CheckConstraint(
            "application_amount_cents IS NULL OR (application_amount_cents >= 0 AND application_amount_cents <= 10000000)",
            name=op.f("ck_cases_application_amount_range"),
        ),
        sa.CheckConstraint(
            "arrears_cents IS NULL OR (arrears_cents >= 0 AND arrears_cents <= 10000000)",
            name=op.f("ck_cases_arrears_range"),
        ),
        sa.CheckConstraint(
            "instalment_cents IS NULL OR (instalment_cents >= 0 AND instalment_cents <= 10000000)",
            name=op.f("ck_cases_instalment_range"),
        ),
        sa.ForeignKeyConstraint(
            ["counselor_id"],
            ["users.id"],
            name=op.f("fk_cases_counselor_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_cases_household_id_households"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["lead_organisation_id"],
            ["organisations.id"],
            name=op.f("fk_cases_lead_organisation_id_organisations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
    )
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index("ix_cases_household_id", ["household_id"], unique=False)
        batch_op.create_index(
            "ix_cases_lead_status", ["lead_organisation_id", "status"], unique=False
        )

    op.create_table(
        "case_appointments",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("case_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("starts_at", sa.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("municipality_ags", sa.String(length=8), nullable=True),
        sa.Column(
            "purpose",
            sa.Enum(
                "first_consultation",
                "consultation",
                "outreach",
                "accompaniment",
                "phone_call",
                "mail",
                name="contact_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "organisation_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("created_at", sa.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_case_appointments_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_case_appointments_organisation_id_organisations"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_case_appointments_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_appointments")),
    )
    with op.batch_alter_table("case_appointments", schema=None) as batch_op:
        batch_op.create_index(
            "ix_case_appointments_case_starts", ["case_id", "starts_at"], unique=False
        )

    op.create_table(
        "case_contacts",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("case_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "first_consultation",
                "consultation",
                "outreach",
                "accompaniment",
                "phone_call",
                "mail",
                name="contact_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("municipality_ags", sa.String(length=8), nullable=True),
        sa.Column(
            "organisation_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_case_contacts_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_case_contacts_organisation_id_organisations"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_case_contacts_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_contacts")),
    )
    with op.batch_alter_table("case_contacts", schema=None) as batch_op:
        batch_op.create_index("ix_case_contacts_case_id", ["case_id"], unique=False)

    op.create_table(
        "case_referrals",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("case_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "debt_counselling",
                "addiction_counselling",
                "sgb12_67",
                "youth_welfare",
                "legal_guardianship",
                "supported_living",
                "jobcenter",
                "sozialamt",
                "other_help",
                name="referral_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "local_service_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column(
            "status",
            sa.Enum(
                "agreed",
                "attended",
                "completed",
                "refused",
                name="referral_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("agreed_on", sa.Date(), nullable=False),
        sa.Column(
            "organisation_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_case_referrals_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["local_service_id"],
            ["local_services.id"],
            name=op.f("fk_case_referrals_local_service_id_local_services"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_case_referrals_organisation_id_organisations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_referrals")),
    )
    with op.batch_alter_table("case_referrals", schema=None) as batch_op:
        batch_op.create_index("ix_case_referrals_case_id", ["case_id"], unique=False)

    op.create_table(
        "case_shares",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("case_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "organisation_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "consent_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "level",
            sa.Enum(
                "read",
                "cowork",
                name="share_level",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "granted_by_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("ended_at", sa.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_shares_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["consent_id"],
            ["consents.id"],
            name=op.f("fk_case_shares_consent_id_consents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["granted_by_id"],
            ["users.id"],
            name=op.f("fk_case_shares_granted_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_case_shares_organisation_id_organisations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_shares")),
    )
    with op.batch_alter_table("case_shares", schema=None) as batch_op:
        batch_op.create_index(
            "ix_case_shares_org_case", ["organisation_id", "case_id"], unique=False
        )

    _open_search_cases()


def downgrade() -> None:
    with op.batch_alter_table("case_shares", schema=None) as batch_op:
        batch_op.drop_index("ix_case_shares_org_case")

    op.drop_table("case_shares")
    with op.batch_alter_table("case_referrals", schema=None) as batch_op:
        batch_op.drop_index("ix_case_referrals_case_id")

    op.drop_table("case_referrals")
    with op.batch_alter_table("case_contacts", schema=None) as batch_op:
        batch_op.drop_index("ix_case_contacts_case_id")

    op.drop_table("case_contacts")
    with op.batch_alter_table("case_appointments", schema=None) as batch_op:
        batch_op.drop_index("ix_case_appointments_case_starts")

    op.drop_table("case_appointments")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_lead_status")
        batch_op.drop_index("ix_cases_household_id")

    op.drop_table("cases")
    with op.batch_alter_table("short_consultations", schema=None) as batch_op:
        batch_op.drop_index("ix_short_consultations_org_on")

    op.drop_table("short_consultations")
    op.drop_table("local_services")


def _open_search_cases() -> None:
    """Each existing household gets one search case, open unless the household is closed."""
    op.execute(
        sa.text(
            "INSERT INTO cases (household_id, kind, status, lead_organisation_id, counselor_id, "
            "opened_on, closed_on, outcome, agreement_instalments, agreement_notice_withdrawn, "
            "agreement_continuation, version, created_at, updated_at) "
            "SELECT id, 'search', "
            "CASE WHEN status IN ('housed', 'closed') THEN 'closed' ELSE 'open' END, "
            "organisation_id, counselor_id, registered_at, "
            "CASE WHEN status IN ('housed', 'closed') THEN COALESCE(closed_at, registered_at) END, "
            "CASE WHEN status = 'housed' THEN 'housed' END, "
            ":no, :no, :no, 1, created_at, updated_at FROM households ORDER BY id"
        ).bindparams(no=False)
    )
