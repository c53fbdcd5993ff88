"""Reference data shipped with the product: towns, example rent limits, decline reasons.

Loading is idempotent: rows are matched on their natural keys, changed ones updated, new ones
inserted; rent limits the admin entered are never touched.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from importlib import resources
from io import StringIO

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from matching.db.models import DeclineReason, Municipality, RentLimit

EXAMPLE_SOURCE = (
    "Beispielwerte (nicht amtlich) – bitte durch die geltende Tabelle des Kreises ersetzen"
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
    rent_limit_area: str


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
            rent_limit_area=r["kdu_market_type"],
        )
        for r in _read("municipalities.csv")
    ]


def example_rent_limits() -> list[dict[str, object]]:
    """The example KdU table: persons 1..5 per market type, plus the per-person increment."""
    rows: list[dict[str, object]] = []
    for r in _read("rent_limits_example.csv"):
        increment = r["persons"].startswith("+")
        rows.append(
            {
                "area": r["market_type"],
                "persons": 6 if increment else int(r["persons"]),
                "is_increment": increment,
                "max_gross_cold_rent": Decimal(r["max_gross_cold_rent_eur"]),
                "max_heating_cost": None,
                "valid_from": date.fromisoformat(r["valid_from"]),
                "valid_to": None,
                "source": EXAMPLE_SOURCE,
                "is_example": True,
            }
        )
    return rows


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
    # Example limits only go in while no limits exist at all: once the admin maintains the
    # table, shipping new examples must not mix into the official figures.
    has_limits = (await session.scalar(sa.select(sa.func.count()).select_from(RentLimit))) or 0
    if not has_limits:
        rows = example_rent_limits()
        await session.execute(sa.insert(RentLimit), rows)
        written["rent_limits"] = len(rows)
    await session.flush()
    return written
