"""landlord notes: "Hinweise für Vermieter" apart from the internal notes

Revision ID: 3f9a1c7e5d21
Revises: d0594b251e1f
Create Date: 2026-11-30 23:50:00.000000

The consent option "Hinweise für Vermieter" used to share the internal notes (scope key
``notes``). It now shares the new field ``landlord_notes``; stored consents are rewritten to
the new scope key so they keep meaning what the household signed ("Hinweise für Vermieter"),
while the internal notes stop being shareable at all.
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "3f9a1c7e5d21"
down_revision = "d0594b251e1f"
branch_labels = None
depends_on = None

_consents = sa.table("consents", sa.column("id", sa.BigInteger), sa.column("scope", sa.JSON))


def _rename_scope(old: str, new: str) -> None:
    bind = op.get_bind()
    for consent_id, scope in bind.execute(sa.select(_consents.c.id, _consents.c.scope)).all():
        keys = json.loads(scope) if isinstance(scope, str) else list(scope or [])
        if old in keys:
            renamed = sorted({new if k == old else k for k in keys})
            bind.execute(
                _consents.update().where(_consents.c.id == consent_id).values(scope=renamed)
            )


def upgrade() -> None:
    with op.batch_alter_table("households") as batch:
        batch.add_column(sa.Column("landlord_notes", sa.Text(), nullable=True))
    _rename_scope("notes", "landlord_notes")


def downgrade() -> None:
    _rename_scope("landlord_notes", "notes")
    with op.batch_alter_table("households") as batch:
        batch.drop_column("landlord_notes")
