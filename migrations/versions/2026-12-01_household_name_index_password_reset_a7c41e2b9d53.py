"""blind index of household names (keyed digests of name tokens) and one-time password
reset links (token hashes); existing names are indexed by the app on start or by rotate-keys

Revision ID: a7c41e2b9d53
Revises: 3f9a1c7e5d21
Create Date: 2026-12-01 00:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC
from alembic import op

revision = "a7c41e2b9d53"
down_revision = "3f9a1c7e5d21"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "household_name_tokens",
        sa.Column("digest", sa.String(length=32), nullable=False),
        sa.Column("organisation_id", _ID, nullable=False),
        sa.Column("household_id", _ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_household_name_tokens_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_household_name_tokens_household_id_households"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "digest", "organisation_id", "household_id", name=op.f("pk_household_name_tokens")
        ),
    )
    with op.batch_alter_table("household_name_tokens", schema=None) as batch_op:
        batch_op.create_index(
            "ix_household_name_tokens_household_id", ["household_id"], unique=False
        )
    op.create_table(
        "password_reset_tokens",
        sa.Column("id", _ID, nullable=False),
        sa.Column("user_id", _ID, nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("used_at", DateTimeUTC(timezone=True), nullable=True),
        sa.Column("created_by_id", _ID, nullable=True),
        sa.Column("created_at", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_password_reset_tokens_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_password_reset_tokens_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_password_reset_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_password_reset_tokens_token_hash")),
    )
    with op.batch_alter_table("password_reset_tokens", schema=None) as batch_op:
        batch_op.create_index("ix_password_reset_tokens_user_id", ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("password_reset_tokens", schema=None) as batch_op:
        batch_op.drop_index("ix_password_reset_tokens_user_id")
    op.drop_table("password_reset_tokens")
    with op.batch_alter_table("household_name_tokens", schema=None) as batch_op:
        batch_op.drop_index("ix_household_name_tokens_household_id")
    op.drop_table("household_name_tokens")
