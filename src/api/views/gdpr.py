"""Data access for one household (GDPR Art. 15 and 20): a readable page and a JSON file.

Both call the same export, which checks access (counselor of the owning organisation or an
admin; everyone else gets 404) and writes the audit entry.
"""

from __future__ import annotations

import json
from typing import Any

from litestar import MediaType, Request, Response, get
from litestar.di import Provide
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from api.dependencies import provide_actor
from api.guards import counselor_or_admin
from api.views.forms import render
from matching.actors import Actor
from matching.gdpr.export import export_household

HOUSEHOLD_LABELS = {
    "reference_code": "Kennung",
    "name": "Name",
    "phone": "Telefon",
    "email": "E-Mail",
    "notes": "Notizen",
    "adults": "Erwachsene",
    "children_ages": "Alter der Kinder",
    "persons": "Personen",
    "income_basis": "Leistungsbezug",
    "own_max_rent": "Höchstmiete (warm)",
    "wbs_valid_until": "WBS gültig bis",
    "wbs_rooms": "WBS Zimmer",
    "needs_barrier_free": "barrierefrei nötig",
    "needs_wheelchair": "rollstuhlgerecht nötig",
    "needs_ground_floor": "Erdgeschoss nötig",
    "max_floor_without_lift": "höchstes Geschoss ohne Aufzug",
    "has_pets": "Haustier",
    "preferred_ags": "Wunschorte (Gemeindeschlüssel)",
    "preferences_hard": "nur Wunschorte",
    "max_distance_km": "max. Entfernung (km)",
    "earliest_move_in": "Einzug frühestens",
    "urgency": "Dringlichkeit",
    "notice_date": "Kündigung vom",
    "eviction_date": "Räumungstermin",
    "homeless_since": "wohnungslos seit",
    "registered_at": "registriert am",
    "status": "Status",
    "closed_at": "abgeschlossen am",
    "anonymised_at": "anonymisiert am",
    "organisation_id": "Beratungsstelle (Nr.)",
    "counselor_id": "Beraterin/Berater (Nr.)",
    "id": "Nummer",
    "created_at": "angelegt",
    "updated_at": "zuletzt geändert",
    "version": "Version",
}


def _shown(value: Any) -> str:
    if value is None or value == "" or value == []:
        return "–"
    if value is True:
        return "ja"
    if value is False:
        return "nein"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


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
    rows = [
        (HOUSEHOLD_LABELS.get(k, k), _shown(v))
        for k, v in household.items()
        if k in HOUSEHOLD_LABELS
    ]
    return render(
        request, "gdpr/export.html", data=data, household=household, rows=rows, shown=_shown
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
