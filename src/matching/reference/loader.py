"""Reference data shipped with the product: towns, rent-limit tables, decline reasons.

Loading is idempotent: rows are matched on their natural keys, changed ones updated, new ones
inserted. The shipped rent-limit tables (the example table, marked as example, and the Kreis'
official 2013 table) are loaded once each, through the same parser and service as the admin
page, and only where they do not overlap a table the admin entered; tables the admin
maintains are never touched.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources
from io import StringIO

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from matching.actors import Actor
from matching.db.models import DeclineReason, Municipality
from matching.rent_limits import repository as rent_limit_repo
from matching.rent_limits.service import import_file

EXAMPLE_SOURCE = (
    "Beispielwerte (nicht amtlich) – bitte durch die geltende Tabelle des Kreises ersetzen"
)
SHIPPED_TABLES = (
    ("rent_limits_example.csv", "Beispielwerte ab 01.01.2025", EXAMPLE_SOURCE, True),
    (
        "rent_limits_2013_official.csv",
        "Mietrichtwerte des Kreises Minden-Lübbecke 2013",
        "Kreis Minden-Lübbecke, Mietrichtwerte für Unterkunftskosten (SGB II/XII), "
        "gültig ab 01.01.2013 bis zum Konzept 2017",
        False,
    ),
)


@dataclass(frozen=True)
class MunicipalityRow:
    ags: str
    name: str
    postal_codes: list[str]
    lat: float
    lon: float
    population: int
    wohngeld_mietstufe: str


def _read(name: str) -> list[dict[str, str]]:
    text = resources.files("matching.reference").joinpath(name).read_text("utf-8")
    return list(csv.DictReader(StringIO(text)))


def municipalities() -> list[MunicipalityRow]:
    return [
        MunicipalityRow(
            ags=r["ags"],
            name=r["name"],
            postal_codes=r["postal_codes"].split(";"),
            lat=float(r["lat"]),
            lon=float(r["lon"]),
            population=int(r["population"]),
            wohngeld_mietstufe=r["wohngeld_mietstufe"],
        )
        for r in _read("municipalities.csv")
    ]


@cache
def market_types() -> dict[str, str]:
    """AGS → the town's KdU market type (I..IV) in the Kreis' concept since 2017; maps the
    example table's areas to towns."""
    return {r["ags"]: r["kdu_market_type"] for r in _read("municipalities.csv")}


def decline_reasons() -> list[dict[str, object]]:
    return [
        {
            "code": r["code"],
            "side": r["side"],
            "label_de": r["label_de"],
            "needs_text": r["needs_text"] == "true",
        }
        for r in _read("decline_reasons.csv")
    ]


async def load_reference_data(session: AsyncSession) -> dict[str, int]:
    """Insert or update the reference tables; returns how many rows were written per table."""
    written = {"municipalities": 0, "decline_reasons": 0, "rent_limits": 0}
    existing_m = {m.ags: m for m in (await session.scalars(sa.select(Municipality))).all()}
    for row in municipalities():
        values = row.__dict__
        current = existing_m.get(row.ags)
        if current is None:
            session.add(Municipality(**values))
            written["municipalities"] += 1
        elif any(getattr(current, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(current, k, v)
            written["municipalities"] += 1
    existing_r = {r.code: r for r in (await session.scalars(sa.select(DeclineReason))).all()}
    for values in decline_reasons():
        current_r = existing_r.get(str(values["code"]))
        if current_r is None:
            session.add(DeclineReason(**values))
            written["decline_reasons"] += 1
        elif any(getattr(current_r, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(current_r, k, v)
            written["decline_reasons"] += 1
    await session.flush()
    # Each shipped table goes in once (matched by name, also when deactivated since), and only
    # where it fits: a table the admin entered for the same period wins, nothing is mixed in.
    system = Actor(kind="system", organisation_id=None, label="Referenzdaten")
    for filename, name, source, example in SHIPPED_TABLES:
        if await rent_limit_repo.has_table_named(session, name):
            continue
        data = resources.files("matching.reference").joinpath(filename).read_bytes()
        table, draft = await import_file(
            session,
            system,
            filename=filename,
            data=data,
            name=name,
            legal_source=source,
            example=example,
        )
        if table is not None:
            written["rent_limits"] += len(draft.lines)
    return written
