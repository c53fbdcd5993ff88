"""encrypt free text that may describe a person: decline texts, override justifications,
proposal event notes, outbox bodies and consent form references

Revision ID: 4f8c1a2e6b95
Revises: 9a4e2b7c1d30
Create Date: 2026-12-01 00:40:00.000000

The values are rewritten with the configured key ring (``MATCHING_ENCRYPTION_KEYS``; the app
and ``litestar database upgrade`` configure it). An empty database needs no key.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from alembic import op

revision = "4f8c1a2e6b95"
down_revision = "9a4e2b7c1d30"
branch_labels = None
depends_on = None

COLUMNS = (
    ("proposals", "decline_text"),
    ("proposals", "override_justification"),
    ("proposal_events", "note"),
    ("outbox_messages", "body_text"),
    ("outbox_messages", "body_html"),
    ("consents", "form_reference"),
)


def _rewrite(transform: Callable[[str, str], str]) -> None:
    bind = op.get_bind()
    for table_name, column in COLUMNS:
        table = sa.table(table_name, sa.column("id", sa.BigInteger), sa.column(column, sa.Text))
        rows = bind.execute(
            sa.select(table.c.id, table.c[column]).where(table.c[column].is_not(None))
        ).all()
        for row_id, value in rows:
            bind.execute(
                sa.update(table)
                .where(table.c.id == row_id)
                .values({column: transform(column, value)})
            )


def upgrade() -> None:
    with op.batch_alter_table("consents") as batch:
        batch.alter_column("form_reference", type_=sa.Text(), existing_type=sa.String(length=200))
    from matching.security import crypto

    _rewrite(lambda _column, text: crypto.encrypt(text))


def downgrade() -> None:
    from matching.security import crypto

    def plain(column: str, token: str) -> str:
        text = crypto.decrypt(token)
        return text[:200] if column == "form_reference" else text

    _rewrite(plain)
    with op.batch_alter_table("consents") as batch:
        batch.alter_column("form_reference", type_=sa.String(length=200), existing_type=sa.Text())
