"""The outbox writer: render a German e-mail and store it in the caller's transaction.

Why an outbox: the e-mail exists exactly when the change that caused it is committed; a
rolled-back change sends nothing, and a crashed SMTP server loses nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from functools import lru_cache
from typing import Any

import jinja2
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from matching.config import PROJECT_ROOT
from matching.db.models import OutboxMessage
from matching.enums import OutboxStatus, label
from matching.german import count
from matching.proposals.timeutil import format_date_de, utcnow

TEMPLATE_DIR = PROJECT_ROOT / "templates" / "email"


def _datum(value: date | datetime | None) -> str:
    return "" if value is None else format_date_de(value)


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2",), default=False),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["datum"] = _datum
    env.filters["label"] = label
    env.filters["count"] = count
    return env


def render(template: str, context: Mapping[str, Any]) -> tuple[str, str | None]:
    """Text body (required) and HTML body (when ``<template>.html.j2`` exists)."""
    env = environment()
    text = env.get_template(f"{template}.txt.j2").render(context)
    try:
        html: str | None = env.get_template(f"{template}.html.j2").render(context)
    except jinja2.TemplateNotFound:
        html = None
    return text, html


async def enqueue(
    session: AsyncSession,
    kind: str,
    to: str,
    subject: str,
    template: str,
    context: Mapping[str, Any],
    dedup_key: str,
    *,
    now: datetime | None = None,
) -> OutboxMessage | None:
    """Store one message; a second message with the same ``dedup_key`` is dropped (None)."""
    existing = await session.scalar(
        sa.select(OutboxMessage.id).where(OutboxMessage.dedup_key == dedup_key)
    )
    if existing is not None:
        return None
    text, html = render(template, context)
    message = OutboxMessage(
        dedup_key=dedup_key[:200],
        kind=kind,
        to_address=to,
        subject=subject[:300],
        body_text=text,
        body_html=html,
        status=OutboxStatus.PENDING,
        attempts=0,
        next_attempt_at=now or utcnow(),
    )
    try:
        async with session.begin_nested():
            session.add(message)
    except IntegrityError:  # a parallel transaction wrote the same event first
        return None
    return message
