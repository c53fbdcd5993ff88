"""initial schema

Revision ID: dc1b416a3f00
Revises:
Create Date: 2026-11-26 10:28:10.986163
"""

from __future__ import annotations

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC
from alembic import op

sa.DateTimeUTC = DateTimeUTC  # type: ignore[attr-defined]

revision = "dc1b416a3f00"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("occurred_at", sa.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("actor_user_id", sa.Integer(), nullable=True),
        sa.Column("actor_label", sa.String(length=100), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("object_type", sa.String(length=40), nullable=False),
        sa.Column("object_id", sa.String(length=40), nullable=True),
        sa.Column("client_address", sa.String(length=64), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("row_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTimeUTC(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
        sa.UniqueConstraint("row_hash", name=op.f("uq_audit_events_row_hash")),
    )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index("ix_audit_events_actor", ["actor_user_id"], unique=False)
        batch_op.create_index("ix_audit_events_object", ["object_type", "object_id"], unique=False)
        batch_op.create_index("ix_audit_events_occurred_at", ["occurred_at"], unique=False)

    op.create_table(
        "data_versions",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_data_versions")),
    )
    op.create_table(
        "decline_reasons",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("side", sa.String(length=16), nullable=False),
        sa.Column("label_de", sa.String(length=200), nullable=False),
        sa.Column("needs_text", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_decline_reasons")),
    )
    op.create_table(
        "job_locks",
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("holder", sa.String(length=100), nullable=True),
        sa.Column("locked_until", sa.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("last_run_at", sa.DateTimeUTC(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_job_locks")),
    )
    op.create_table(
        "municipalities",
        sa.Column("ags", sa.String(length=8), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("postal_codes", sa.JSON(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("population", sa.Integer(), nullable=False),
        sa.Column("wohngeld_mietstufe", sa.String(length=4), nullable=False),
        sa.Column("rent_limit_area", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("ags", name=op.f("pk_municipalities")),
        sa.UniqueConstraint("name", name=op.f("uq_municipalities_name")),
    )
    op.create_table(
        "organisations",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "fachstelle",
                "counseling",
                "landlord",
                name="org_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("contact_email", sa.String(length=254), nullable=True),
        sa.Column("max_proposals_per_vacancy", sa.Integer(), server_default="3", nullable=False),
        sa.Column(
            "policy_name", sa.String(length=50), server_default="dringlichkeit", nullable=False
        ),
        sa.Column("is_active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("created_at", sa.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTimeUTC(timezone=True), nullable=False),
        sa.CheckConstraint(
            "max_proposals_per_vacancy >= 1", name=op.f("ck_organisations_max_proposals_positive")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisations")),
        sa.UniqueConstraint("name", name=op.f("uq_organisations_name")),
    )
    op.create_table(
        "outbox_messages",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("dedup_key", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("to_address", sa.String(length=254), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body_text", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "sent",
                "failed",
                name="outbox_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTimeUTC(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_messages")),
        sa.UniqueConstraint("dedup_key", name=op.f("uq_outbox_messages_dedup_key")),
    )
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_status_next", ["status", "next_attempt_at"], unique=False)

    op.create_table(
        "rent_limits",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("area", sa.String(length=16), nullable=False),
        sa.Column("persons", sa.Integer(), nullable=False),
        sa.Column("is_increment", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("max_gross_cold_rent", sa.Numeric(precision=10, scale=2), nullable=False),
        sa.Column("max_heating_cost", sa.Numeric(precision=10, scale=2), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.Column("is_example", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("created_at", sa.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTimeUTC(timezone=True), nullable=False),
        sa.CheckConstraint(
            "max_gross_cold_rent >= 0", name=op.f("ck_rent_limits_rent_non_negative")
        ),
        sa.CheckConstraint(
            "max_heating_cost IS NULL OR max_heating_cost >= 0",
            name=op.f("ck_rent_limits_heating_non_negative"),
        ),
        sa.CheckConstraint("persons >= 1", name=op.f("ck_rent_limits_persons_positive")),
        sa.CheckConstraint(
            "valid_to IS NULL OR valid_to >= valid_from", name=op.f("ck_rent_limits_valid_range")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rent_limits")),
        sa.UniqueConstraint(
            "area", "persons", "is_increment", "valid_from", name=op.f("uq_rent_limits_area")
        ),
    )
    with op.batch_alter_table("rent_limits", schema=None) as batch_op:
        batch_op.create_index("ix_rent_limits_lookup", ["area", "valid_from"], unique=False)

    op.create_table(
        "users",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "admin",
                "counselor",
                "landlord",
                name="user_role",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "organisation_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("is_active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("is_org_admin", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("last_login_at", sa.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_users_organisation_id_organisations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.create_index("ix_users_organisation_id", ["organisation_id"], unique=False)

    op.create_table(
        "vacancies",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "organisation_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("external_id", sa.String(length=100), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=True),
        sa.Column("street", sa.String(length=200), nullable=True),
        sa.Column("house_number", sa.String(length=20), nullable=True),
        sa.Column("postal_code", sa.String(length=5), nullable=False),
        sa.Column("municipality_ags", sa.String(length=8), nullable=False),
        sa.Column("address_key", sa.String(length=220), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("rooms", sa.Numeric(precision=3, scale=1), nullable=False),
        sa.Column("living_area", sa.Numeric(precision=7, scale=2), nullable=False),
        sa.Column("floor", sa.Integer(), nullable=True),
        sa.Column("lift", sa.Boolean(), nullable=False),
        sa.Column("barrier_free", sa.Boolean(), nullable=False),
        sa.Column("wheelchair_accessible", sa.Boolean(), nullable=False),
        sa.Column("net_cold_rent", sa.Numeric(precision=10, scale=2), nullable=False),
        sa.Column("cold_service_charges", sa.Numeric(precision=10, scale=2), nullable=False),
        sa.Column("heating_costs", sa.Numeric(precision=10, scale=2), nullable=True),
        sa.Column("deposit", sa.Numeric(precision=10, scale=2), nullable=True),
        sa.Column("available_from", sa.Date(), nullable=False),
        sa.Column("wbs_required", sa.Boolean(), nullable=False),
        sa.Column(
            "pets",
            sa.Enum(
                "yes",
                "no",
                "on_request",
                name="pets_policy",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("min_persons", sa.Integer(), nullable=True),
        sa.Column("max_persons", sa.Integer(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "open",
                "reserved",
                "let",
                "withdrawn",
                "expired",
                name="vacancy_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "source",
            sa.Enum(
                "form",
                "api",
                "csv",
                "xlsx",
                "openimmo",
                "demo",
                name="vacancy_source",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("content_hash", sa.String(length=64), nullable=True),
        sa.Column("confirmed_at", sa.DateTimeUTC(timezone=True), nullable=True),
        sa.Column(
            "duplicate_of_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("created_at", sa.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTimeUTC(timezone=True), nullable=False),
        sa.CheckConstraint(
            "cold_service_charges >= 0", name=op.f("ck_vacancies_charges_non_negative")
        ),
        sa.CheckConstraint(
            "deposit IS NULL OR deposit >= 0", name=op.f("ck_vacancies_deposit_non_negative")
        ),
        sa.CheckConstraint(
            "heating_costs IS NULL OR heating_costs >= 0", name=op.f("ck_vacancies_heating_non_neg")
        ),
        sa.CheckConstraint(
            "living_area > 0 AND living_area <= 1000", name=op.f("ck_vacancies_area_range")
        ),
        sa.CheckConstraint(
            "max_persons IS NULL OR max_persons >= 1", name=op.f("ck_vacancies_max_persons_pos")
        ),
        sa.CheckConstraint(
            "min_persons IS NULL OR max_persons IS NULL OR min_persons <= max_persons",
            name=op.f("ck_vacancies_persons_order"),
        ),
        sa.CheckConstraint(
            "min_persons IS NULL OR min_persons >= 1", name=op.f("ck_vacancies_min_persons_pos")
        ),
        sa.CheckConstraint("net_cold_rent >= 0", name=op.f("ck_vacancies_rent_non_negative")),
        sa.CheckConstraint("rooms > 0 AND rooms <= 20", name=op.f("ck_vacancies_rooms_range")),
        sa.ForeignKeyConstraint(
            ["duplicate_of_id"],
            ["vacancies.id"],
            name=op.f("fk_vacancies_duplicate_of_id_vacancies"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["municipality_ags"],
            ["municipalities.ags"],
            name=op.f("fk_vacancies_municipality_ags_municipalities"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_vacancies_organisation_id_organisations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vacancies")),
        sa.UniqueConstraint(
            "organisation_id", "external_id", name=op.f("uq_vacancies_organisation_id")
        ),
    )
    with op.batch_alter_table("vacancies", schema=None) as batch_op:
        batch_op.create_index("ix_vacancies_address", ["postal_code", "address_key"], unique=False)
        batch_op.create_index("ix_vacancies_municipality", ["municipality_ags"], unique=False)
        batch_op.create_index(
            "ix_vacancies_org_status", ["organisation_id", "status"], unique=False
        )
        batch_op.create_index(
            "ix_vacancies_status_available", ["status", "available_from"], unique=False
        )

    op.create_table(
        "api_keys",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "organisation_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column(
            "created_by_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("last_used_at", sa.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_api_keys_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_api_keys_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_keys")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_api_keys_key_hash")),
    )
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.create_index("ix_api_keys_organisation_id", ["organisation_id"], unique=False)

    op.create_table(
        "households",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("reference_code", sa.String(length=20), nullable=False),
        sa.Column(
            "organisation_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "counselor_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("adults", sa.Integer(), nullable=False),
        sa.Column("children_ages", sa.JSON(), nullable=False),
        sa.Column("persons", sa.Integer(), nullable=False),
        sa.Column(
            "income_basis",
            sa.Enum(
                "sgb2",
                "sgb12",
                "asylblg",
                "wohngeld",
                "own_income",
                name="income",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("own_max_rent", sa.Numeric(precision=10, scale=2), nullable=True),
        sa.Column("wbs_valid_until", sa.Date(), nullable=True),
        sa.Column("wbs_rooms", sa.Integer(), nullable=True),
        sa.Column("needs_barrier_free", sa.Boolean(), nullable=False),
        sa.Column("needs_wheelchair", sa.Boolean(), nullable=False),
        sa.Column("needs_ground_floor", sa.Boolean(), nullable=False),
        sa.Column("max_floor_without_lift", sa.Integer(), nullable=True),
        sa.Column("has_pets", sa.Boolean(), nullable=False),
        sa.Column("preferred_ags", sa.JSON(), nullable=False),
        sa.Column("preferences_hard", sa.Boolean(), nullable=False),
        sa.Column("max_distance_km", sa.Float(), nullable=True),
        sa.Column("earliest_move_in", sa.Date(), nullable=True),
        sa.Column(
            "urgency",
            sa.Enum(
                "eviction_scheduled",
                "homeless",
                "notice_received",
                "inadequate_housing",
                "threatened",
                "none",
                name="urgency",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("notice_date", sa.Date(), nullable=True),
        sa.Column("eviction_date", sa.Date(), nullable=True),
        sa.Column("homeless_since", sa.Date(), nullable=True),
        sa.Column("registered_at", sa.Date(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "active",
                "paused",
                "housed",
                "closed",
                name="household_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("closed_at", sa.Date(), nullable=True),
        sa.Column("anonymised_at", sa.Date(), nullable=True),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("phone", sa.Text(), nullable=True),
        sa.Column("email", sa.Text(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("created_at", sa.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTimeUTC(timezone=True), nullable=False),
        sa.CheckConstraint("adults >= 1", name=op.f("ck_households_adults_positive")),
        sa.CheckConstraint(
            "max_distance_km IS NULL OR max_distance_km > 0",
            name=op.f("ck_households_distance_positive"),
        ),
        sa.CheckConstraint(
            "max_floor_without_lift IS NULL OR max_floor_without_lift >= 0",
            name=op.f("ck_households_max_floor_non_negative"),
        ),
        sa.CheckConstraint(
            "own_max_rent IS NULL OR own_max_rent >= 0",
            name=op.f("ck_households_budget_non_negative"),
        ),
        sa.CheckConstraint(
            "persons >= 1 AND persons <= 20", name=op.f("ck_households_persons_range")
        ),
        sa.ForeignKeyConstraint(
            ["counselor_id"],
            ["users.id"],
            name=op.f("fk_households_counselor_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_households_organisation_id_organisations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_households")),
        sa.UniqueConstraint("reference_code", name=op.f("uq_households_reference_code")),
    )
    with op.batch_alter_table("households", schema=None) as batch_op:
        batch_op.create_index("ix_households_counselor_id", ["counselor_id"], unique=False)
        batch_op.create_index(
            "ix_households_org_status", ["organisation_id", "status"], unique=False
        )
        batch_op.create_index("ix_households_status_id", ["status", "id"], unique=False)

    op.create_table(
        "import_jobs",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "organisation_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("file_format", sa.String(length=16), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "queued",
                "parsing",
                "preview",
                "committing",
                "done",
                "failed",
                name="import_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("mode", sa.String(length=16), nullable=True),
        sa.Column("total_rows", sa.Integer(), nullable=False),
        sa.Column("processed_rows", sa.Integer(), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.Column("finished_at", sa.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_import_jobs_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_import_jobs_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_jobs")),
    )
    with op.batch_alter_table("import_jobs", schema=None) as batch_op:
        batch_op.create_index(
            "ix_import_jobs_org_created", ["organisation_id", "created_at"], unique=False
        )

    op.create_table(
        "consents",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "household_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("scope", sa.JSON(), nullable=False),
        sa.Column(
            "recipients",
            sa.Enum(
                "named",
                "network",
                name="consent_recipients",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("recipient_organisation_ids", sa.JSON(), nullable=False),
        sa.Column("given_at", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("withdrawn_at", sa.DateTimeUTC(timezone=True), nullable=True),
        sa.Column(
            "recorded_by_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("form_reference", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_consents_household_id_households"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["users.id"],
            name=op.f("fk_consents_recorded_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consents")),
    )
    with op.batch_alter_table("consents", schema=None) as batch_op:
        batch_op.create_index("ix_consents_household_id", ["household_id"], unique=False)

    op.create_table(
        "proposals",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "vacancy_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "household_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "landlord_organisation_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
        ),
        sa.Column(
            "counseling_organisation_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
        ),
        sa.Column(
            "proposed_by_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "sent",
                "viewed",
                "viewing_arranged",
                "accepted",
                "let",
                "declined",
                "withdrawn",
                "expired",
                name="proposal_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("respond_by", sa.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("answered_at", sa.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("reminder_sent_at", sa.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("policy_name", sa.String(length=50), nullable=True),
        sa.Column("policy_version", sa.String(length=20), nullable=True),
        sa.Column("explanation", sa.JSON(), nullable=False),
        sa.Column("shared_profile", sa.JSON(), nullable=False),
        sa.Column("override_justification", sa.Text(), nullable=True),
        sa.Column("decline_reason_code", sa.String(length=40), nullable=True),
        sa.Column("decline_text", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("created_at", sa.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["counseling_organisation_id"],
            ["organisations.id"],
            name=op.f("fk_proposals_counseling_organisation_id_organisations"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["decline_reason_code"],
            ["decline_reasons.code"],
            name=op.f("fk_proposals_decline_reason_code_decline_reasons"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_proposals_household_id_households"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["landlord_organisation_id"],
            ["organisations.id"],
            name=op.f("fk_proposals_landlord_organisation_id_organisations"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["proposed_by_id"],
            ["users.id"],
            name=op.f("fk_proposals_proposed_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["vacancy_id"],
            ["vacancies.id"],
            name=op.f("fk_proposals_vacancy_id_vacancies"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposals")),
    )
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.create_index(
            "ix_proposals_household_status", ["household_id", "status"], unique=False
        )
        batch_op.create_index(
            "ix_proposals_landlord_org_status", ["landlord_organisation_id", "status"], unique=False
        )
        batch_op.create_index(
            "ix_proposals_status_respond_by", ["status", "respond_by"], unique=False
        )
        batch_op.create_index("ix_proposals_vacancy_status", ["vacancy_id", "status"], unique=False)
        batch_op.create_index(
            "uq_proposals_live_pair",
            ["vacancy_id", "household_id"],
            unique=True,
            postgresql_where=sa.text(
                "status IN ('draft', 'sent', 'viewed', 'viewing_arranged', 'accepted')"
            ),
            sqlite_where=sa.text(
                "status IN ('draft', 'sent', 'viewed', 'viewing_arranged', 'accepted')"
            ),
        )

    op.create_table(
        "proposal_events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "proposal_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "actor_user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("actor_label", sa.String(length=100), nullable=False),
        sa.Column("from_status", sa.String(length=32), nullable=True),
        sa.Column("to_status", sa.String(length=32), nullable=False),
        sa.Column("reason_code", sa.String(length=40), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_user_id"],
            ["users.id"],
            name=op.f("fk_proposal_events_actor_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposals.id"],
            name=op.f("fk_proposal_events_proposal_id_proposals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposal_events")),
    )
    with op.batch_alter_table("proposal_events", schema=None) as batch_op:
        batch_op.create_index("ix_proposal_events_proposal_id", ["proposal_id"], unique=False)

    op.create_table(
        "proposal_tokens",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "proposal_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("recipient_email", sa.String(length=254), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("first_used_at", sa.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposals.id"],
            name=op.f("fk_proposal_tokens_proposal_id_proposals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposal_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_proposal_tokens_token_hash")),
    )
    with op.batch_alter_table("proposal_tokens", schema=None) as batch_op:
        batch_op.create_index("ix_proposal_tokens_proposal_id", ["proposal_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("proposal_tokens", schema=None) as batch_op:
        batch_op.drop_index("ix_proposal_tokens_proposal_id")

    op.drop_table("proposal_tokens")
    with op.batch_alter_table("proposal_events", schema=None) as batch_op:
        batch_op.drop_index("ix_proposal_events_proposal_id")

    op.drop_table("proposal_events")
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_proposals_live_pair",
            postgresql_where=sa.text(
                "status IN ('draft', 'sent', 'viewed', 'viewing_arranged', 'accepted')"
            ),
            sqlite_where=sa.text(
                "status IN ('draft', 'sent', 'viewed', 'viewing_arranged', 'accepted')"
            ),
        )
        batch_op.drop_index("ix_proposals_vacancy_status")
        batch_op.drop_index("ix_proposals_status_respond_by")
        batch_op.drop_index("ix_proposals_landlord_org_status")
        batch_op.drop_index("ix_proposals_household_status")

    op.drop_table("proposals")
    with op.batch_alter_table("consents", schema=None) as batch_op:
        batch_op.drop_index("ix_consents_household_id")

    op.drop_table("consents")
    with op.batch_alter_table("import_jobs", schema=None) as batch_op:
        batch_op.drop_index("ix_import_jobs_org_created")

    op.drop_table("import_jobs")
    with op.batch_alter_table("households", schema=None) as batch_op:
        batch_op.drop_index("ix_households_status_id")
        batch_op.drop_index("ix_households_org_status")
        batch_op.drop_index("ix_households_counselor_id")

    op.drop_table("households")
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.drop_index("ix_api_keys_organisation_id")

    op.drop_table("api_keys")
    with op.batch_alter_table("vacancies", schema=None) as batch_op:
        batch_op.drop_index("ix_vacancies_status_available")
        batch_op.drop_index("ix_vacancies_org_status")
        batch_op.drop_index("ix_vacancies_municipality")
        batch_op.drop_index("ix_vacancies_address")

    op.drop_table("vacancies")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index("ix_users_organisation_id")

    op.drop_table("users")
    with op.batch_alter_table("rent_limits", schema=None) as batch_op:
        batch_op.drop_index("ix_rent_limits_lookup")

    op.drop_table("rent_limits")
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_status_next")

    op.drop_table("outbox_messages")
    op.drop_table("organisations")
    op.drop_table("municipalities")
    op.drop_table("job_locks")
    op.drop_table("decline_reasons")
    op.drop_table("data_versions")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_events_occurred_at")
        batch_op.drop_index("ix_audit_events_object")
        batch_op.drop_index("ix_audit_events_actor")

    op.drop_table("audit_events")
