"""indexes on updated_at for the incremental ranking snapshot refresh

Revision ID: 7c3d9e1f2a6b
Revises: 5b7e2c91d4a0
Create Date: 2026-11-26 11:55:00
"""

from __future__ import annotations

from alembic import op

revision = "7c3d9e1f2a6b"
down_revision = "5b7e2c91d4a0"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("households", schema=None) as batch_op:
        batch_op.create_index("ix_households_updated_at", ["updated_at"], unique=False)
    with op.batch_alter_table("vacancies", schema=None) as batch_op:
        batch_op.create_index("ix_vacancies_updated_at", ["updated_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("vacancies", schema=None) as batch_op:
        batch_op.drop_index("ix_vacancies_updated_at")
    with op.batch_alter_table("households", schema=None) as batch_op:
        batch_op.drop_index("ix_households_updated_at")
