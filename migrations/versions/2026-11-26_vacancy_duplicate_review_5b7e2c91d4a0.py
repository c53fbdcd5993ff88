"""vacancy duplicate review: the Fachstelle's verdict on a flagged pair

Revision ID: 5b7e2c91d4a0
Revises: dc1b416a3f00
Create Date: 2026-11-26 14:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC
from alembic import op

sa.DateTimeUTC = DateTimeUTC  # type: ignore[attr-defined]

revision = "5b7e2c91d4a0"
down_revision = "dc1b416a3f00"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("vacancies") as batch:
        batch.add_column(sa.Column("duplicate_review", sa.String(length=16), nullable=True))
        batch.add_column(
            sa.Column("duplicate_reviewed_at", sa.DateTimeUTC(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("vacancies") as batch:
        batch.drop_column("duplicate_reviewed_at")
        batch.drop_column("duplicate_review")
