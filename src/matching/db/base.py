"""Declarative base and column types shared by all models.

advanced-alchemy's bases carry a naming convention, so constraint names (and therefore the
Alembic history) are deterministic on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from advanced_alchemy.base import BigIntAuditBase, orm_registry
from sqlalchemy.types import TypeDecorator

from matching.security import crypto

__all__ = ["BigIntAuditBase", "EncryptedText", "Money", "enum_column_type", "metadata"]

metadata = orm_registry.metadata

# Money and areas: exact decimals in the database, two places.
Money = sa.Numeric(10, 2)


def enum_column_type(enum: type[StrEnum], name: str) -> sa.Enum:
    """A portable enum: VARCHAR with a CHECK constraint holding the values (not native types)."""
    return sa.Enum(
        enum,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )


class EncryptedText(TypeDecorator[str]):
    """Text encrypted at rest with the configured key ring (see ``matching.security.crypto``)."""

    impl = sa.Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Any) -> str | None:
        if value is None:
            return None
        return crypto.encrypt(value)

    def process_result_value(self, value: str | None, dialect: Any) -> str | None:
        if value is None:
            return None
        return crypto.decrypt(value)
