"""Admin page: search the audit trail by person, object and time; check the hash chain."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

import sqlalchemy as sa
from litestar import Controller, Request, get
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from api.guards import admin_only
from api.views.forms import render
from matching.audit import service as audit
from matching.audit import wording
from matching.clock import BERLIN
from matching.db.models import AuditEvent
from matching.numbers import plain_int

PAGE_SIZE = 50
FILTERS = ("person", "object_type", "object_id", "since", "until")


def _day(raw: str) -> date | None:
    """Accept the date input's ISO form and the German 31.12.2026."""
    for fmt in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    return None


def _query(values: dict[str, str]) -> tuple[audit.AuditQuery, dict[str, str]]:
    errors: dict[str, str] = {}
    person = values["person"]
    user_id: int | None = None
    email: str | None = None
    if (number := plain_int(person)) is not None:
        user_id = number
    elif person:
        if "@" not in person:
            errors["person"] = "Bitte eine Benutzernummer oder eine E-Mail-Adresse angeben."
        email = person
    since = until = None
    for key in ("since", "until"):
        if values[key]:
            day = _day(values[key])
            if day is None:
                errors[key] = "Bitte ein Datum wie 31.12.2026 angeben."
            elif key == "since":
                since = datetime.combine(day, time(), BERLIN)
            else:
                until = datetime.combine(day + timedelta(days=1), time(), BERLIN)
    object_id = values["object_id"]
    if object_id and not object_id.replace("-", "").isalnum():
        errors["object_id"] = "Bitte eine Objektnummer angeben."
    return (
        audit.AuditQuery(
            user_id=user_id,
            user_email=email,
            object_type=values["object_type"] or None,
            object_id=object_id or None,
            since=since,
            until=until,
        ),
        errors,
    )


class AuditPages(Controller):
    path = "/admin/audit"
    guards = [admin_only]
    include_in_schema = False

    @get("/")
    async def search_page(
        self, request: Request[Any, Any, Any], db_session: AsyncSession
    ) -> Template:
        values = {k: str(request.query_params.get(k) or "").strip()[:254] for k in FILTERS}
        raw_page = str(request.query_params.get("page") or "1")
        number = plain_int(raw_page)
        page = number if number is not None and 0 < number < 1_000_000 else 1
        query, errors = _query(values)
        rows: list[Any] = []
        total = 0
        if not errors:
            rows, total = await audit.search(db_session, query, PAGE_SIZE, (page - 1) * PAGE_SIZE)
        names = await wording.names_for(db_session, rows)
        types = (
            await db_session.scalars(
                sa.select(AuditEvent.object_type).distinct().order_by(AuditEvent.object_type)
            )
        ).all()
        kept = {k: v for k, v in values.items() if v}
        return render(
            request,
            "admin/audit.html",
            status_code=422 if errors else 200,
            events=[(e, wording.describe(e, names)) for e in rows],
            total=total,
            page=page,
            pages=max(1, -(-total // PAGE_SIZE)),
            values=values,
            errors=errors,
            object_types=[(t, wording.OBJECTS.get(t, "sonstige")) for t in types],
            prev_url="?" + urlencode({**kept, "page": page - 1}),
            next_url="?" + urlencode({**kept, "page": page + 1}),
        )

    @get("/pruefung")
    async def verify_page(
        self, request: Request[Any, Any, Any], db_session: AsyncSession
    ) -> Template:
        report = await audit.verify_chain(db_session)
        return render(request, "admin/audit_verify.html", report=report)
