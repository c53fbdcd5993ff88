"""Data access for one household (GDPR Art. 15 and 20): a readable page and a JSON file.

Both call the same export, which checks access (counselor of the owning organisation or an
admin; everyone else gets 404) and writes the audit entry.
"""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

from litestar import MediaType, Request, Response, get
from litestar.di import Provide
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from api.dependencies import provide_actor
from api.guards import counselor_or_admin
from api.templating import de_date, money, yes_no
from api.views.forms import render
from matching.accounts.queries import user_names
from matching.actors import Actor
from matching.audit import wording
from matching.enums import label
from matching.gdpr.export import export_household
from matching.german import FIELD_LABELS
from matching.reference.queries import municipalities

# The household's stored fields in the order the data access page lists them.
HOUSEHOLD_FIELDS = (
    "reference_code",
    "name",
    "phone",
    "email",
    "notes",
    "landlord_notes",
    "adults",
    "children_ages",
    "persons",
    "income_basis",
    "own_max_rent",
    "wbs_valid_until",
    "wbs_rooms",
    "needs_barrier_free",
    "needs_wheelchair",
    "needs_ground_floor",
    "max_floor_without_lift",
    "has_pets",
    "preferred_ags",
    "preferences_hard",
    "max_distance_km",
    "earliest_move_in",
    "urgency",
    "notice_date",
    "eviction_date",
    "homeless_since",
    "registered_at",
    "status",
    "closed_at",
    "anonymised_at",
    "organisation_id",
    "counselor_id",
    "created_at",
    "updated_at",
    "version",
)


def _who(event: dict[str, Any], names: wording.Names) -> str:
    """Who changed a proposal's status: the person's name, else the kind of actor."""
    line = SimpleNamespace(
        actor_user_id=event.get("actor_user_id"),
        actor_label=str(event.get("actor_label") or "system"),
        organisation_id=None,
        action="",
        object_type="proposal",
        object_id=None,
        details={},
    )
    return wording.describe(line, names).who


def _shown(key: str, value: Any, names: wording.Names, towns: dict[str, str]) -> str:
    """One stored value as a person reads it: names for ids, labels for codes, German dates."""
    if value is None or value == "" or value == []:
        return "–"
    if isinstance(value, bool):
        return yes_no(value)
    if key == "organisation_id":
        return names.organisations.get(int(value), "–")
    if key == "counselor_id":
        return names.users.get(int(value), "–")
    if key == "preferred_ags":
        return ", ".join(towns.get(str(a), "unbekannte Kommune") for a in value)
    if key == "children_ages":
        return ", ".join(str(a) for a in value) + " Jahre"
    if key == "own_max_rent":
        return money(value)
    if key in ("created_at", "updated_at") or key.endswith(("_at", "_until", "_date", "_since")):
        return de_date(value)
    if key in ("earliest_move_in",):
        return de_date(value)
    return label(value) if isinstance(value, str) else str(value)


@get(
    "/haushalte/{household_id:int}/auskunft",
    guards=[counselor_or_admin],
    dependencies={"actor": Provide(provide_actor)},
    include_in_schema=False,
)
async def export_page(
    request: Request[Any, Any, Any], actor: Actor, db_session: AsyncSession, household_id: int
) -> Template:
    data = await export_household(db_session, actor, household_id, fmt="html")
    household = data["household"]
    events = [SimpleNamespace(**a) for a in data["audit_events"]]
    names = await wording.names_for(db_session, events)
    names.users.update(await user_names(db_session))
    towns = {m.ags: m.name for m in await municipalities(db_session)}
    rows = [
        (FIELD_LABELS.get(key, key), _shown(key, household.get(key), names, towns))
        for key in HOUSEHOLD_FIELDS
        if key in household
    ]
    return render(
        request,
        "gdpr/export.html",
        data=data,
        household=household,
        rows=rows,
        audit_lines=[(e, wording.describe(e, names)) for e in events],
        who=lambda event: _who(event, names),
        org_names=names.organisations,
        reasons=names.reasons,
    )


@get(
    "/haushalte/{household_id:int}/auskunft.json",
    guards=[counselor_or_admin],
    dependencies={"actor": Provide(provide_actor)},
    include_in_schema=False,
)
async def export_json(actor: Actor, db_session: AsyncSession, household_id: int) -> Response[bytes]:
    data = await export_household(db_session, actor, household_id, fmt="json")
    body = json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")
    return Response(
        content=body,
        media_type=MediaType.JSON,
        headers={
            "Content-Disposition": f'attachment; filename="auskunft-haushalt-{household_id}.json"'
        },
    )


ROUTES: list[Any] = [export_page, export_json]
