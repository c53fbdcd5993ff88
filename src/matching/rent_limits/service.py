"""Rent-limit tables: import with preview and confirmation, deactivation, overview, engine view.

Rules that live here: overlapping validity of active tables of the same status is refused
(an official table takes precedence over an example table, so those may overlap: the example
values stay only where no official table covers the date); a table's towns must exist; every
change is audited. Nothing of an upload is stored as a table until it is confirmed; the parsed
upload waits server-side in a pending-import row, bound to the user who uploaded it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from matching import clock
from matching.actors import Actor
from matching.audit import service as audit
from matching.db.models import (
    RentLimitAmount,
    RentLimitArea,
    RentLimitAreaTown,
    RentLimitImport,
    RentLimitTable,
)
from matching.enums import RentLimitStatus
from matching.errors import Conflict, Forbidden, NotFound
from matching.rent_limits import repository as repo
from matching.rent_limits.parser import (
    AreaDraft,
    LineProblem,
    TableDraft,
    parse_rent_limit_csv,
)
from matching.validation import FieldError, ValidationFailed
from scoring import AreaLimits, RentLimits
from scoring import RentLimitTable as EngineTable
from scoring.limits import to_cents

__all__ = [
    "Gap",
    "ImportPreview",
    "Overview",
    "confirm_import",
    "deactivate_table",
    "discard_import",
    "engine_rent_limits",
    "find_gaps",
    "import_file",
    "overview",
    "preview_import",
    "table_detail",
    "town_names",
]


def format_period(start: dt.date, end: dt.date | None) -> str:
    return f"{start:%d.%m.%Y} – {'offen' if end is None else f'{end:%d.%m.%Y}'}"


@dataclass(frozen=True)
class ImportPreview:
    """What the admin sees before "Übernehmen"; ``pending_id`` only when it can be stored."""

    draft: TableDraft
    name: str
    legal_source: str
    filename: str
    town_names: dict[str, str]
    pending_id: int | None


@dataclass(frozen=True)
class Gap:
    """A period no active table covers (between the first and the last table)."""

    start: dt.date
    end: dt.date


@dataclass(frozen=True)
class Overview:
    tables: list[RentLimitTable]
    gaps: list[Gap]


def _require_admin(actor: Actor) -> None:
    if not actor.is_admin and actor.kind != "system":
        raise Forbidden("Mietobergrenzen pflegt die Fachstelle.")


def _default_name(draft: TableDraft) -> str:
    label = "Beispielwerte" if draft.status == RentLimitStatus.EXAMPLE else "Mietobergrenzen"
    return f"{label} ab {draft.valid_from:%d.%m.%Y}" if draft.valid_from else label


async def _check(session: AsyncSession, draft: TableDraft, name: str, source: str) -> None:
    """Add the problems only the database can see (overlap) and the missing labels."""
    if not name.strip():
        draft.problems.append(LineProblem(None, "Bitte einen Namen für die Tabelle angeben."))
    if not source.strip():
        draft.problems.append(LineProblem(None, "Bitte die Rechtsgrundlage (Quelle) angeben."))
    if draft.valid_from is None or (draft.valid_to and draft.valid_to < draft.valid_from):
        return
    for other in await repo.overlapping(session, draft.status, draft.valid_from, draft.valid_to):
        draft.problems.append(
            LineProblem(
                draft.lines[0].line if draft.lines else None,
                f"Der Zeitraum {format_period(draft.valid_from, draft.valid_to)} überschneidet "
                f"sich mit der aktiven Tabelle „{other.name}“ "
                f"({format_period(other.valid_from, other.valid_to)}). Bitte diese zuerst "
                "deaktivieren oder die Daten anpassen.",
            )
        )
    draft.problems.sort(key=lambda p: p.line or 0)


async def preview_import(
    session: AsyncSession,
    actor: Actor,
    *,
    filename: str,
    data: bytes,
    name: str = "",
    legal_source: str = "",
    example: bool = False,
    today: dt.date | None = None,
) -> ImportPreview:
    """Parse and check an upload; only a problem-free upload is kept (as pending) to confirm."""
    _require_admin(actor)
    towns = await repo.towns(session)
    draft = parse_rent_limit_csv(data, towns=towns, today=today or clock.today(), example=example)
    name = (name.strip() or _default_name(draft))[:200]
    legal_source = legal_source.strip()[:300]
    await _check(session, draft, name, legal_source)
    pending_id = None
    if draft.ok:
        pending = await repo.add_pending(
            session,
            RentLimitImport(
                created_by_id=actor.user_id,
                filename=filename[:255],
                payload={
                    "draft": msgspec.to_builtins(draft),
                    "name": name,
                    "legal_source": legal_source,
                },
            ),
        )
        pending_id = pending.id
    return ImportPreview(
        draft, name, legal_source, filename, {t.ags: t.name for t in towns}, pending_id
    )


async def confirm_import(session: AsyncSession, actor: Actor, import_id: int) -> RentLimitTable:
    """Store the table of a pending upload ("Übernehmen"), re-checking what may have changed."""
    _require_admin(actor)
    pending = await repo.get_pending(session, import_id, actor.user_id)
    if pending is None:
        raise NotFound("Vorschau")
    draft = msgspec.convert(pending.payload["draft"], TableDraft)
    draft.problems.clear()
    name, source = str(pending.payload["name"]), str(pending.payload["legal_source"])
    await _check(session, draft, name, source)
    if not draft.ok:
        raise Conflict(" ".join(p.message for p in draft.problems))
    table = await _store(session, actor, draft, name, source, pending.filename)
    await repo.remove_pending(session, pending)
    return table


async def discard_import(session: AsyncSession, actor: Actor, import_id: int) -> None:
    _require_admin(actor)
    pending = await repo.get_pending(session, import_id, actor.user_id)
    if pending is not None:
        await repo.remove_pending(session, pending)


async def import_file(
    session: AsyncSession,
    actor: Actor,
    *,
    filename: str,
    data: bytes,
    name: str = "",
    legal_source: str = "",
    example: bool = False,
    today: dt.date | None = None,
) -> tuple[RentLimitTable | None, TableDraft]:
    """Parse, check and store in one step (CLI, reference data); nothing stored on problems."""
    _require_admin(actor)
    towns = await repo.towns(session)
    draft = parse_rent_limit_csv(data, towns=towns, today=today or clock.today(), example=example)
    name = (name.strip() or _default_name(draft))[:200]
    await _check(session, draft, name, legal_source.strip())
    if not draft.ok:
        return None, draft
    return await _store(session, actor, draft, name, legal_source.strip(), filename), draft


async def _store(
    session: AsyncSession,
    actor: Actor,
    draft: TableDraft,
    name: str,
    source: str,
    filename: str,
) -> RentLimitTable:
    assert draft.valid_from is not None  # a problem otherwise
    table = RentLimitTable(
        name=name,
        legal_source=source,
        valid_from=draft.valid_from,
        valid_to=draft.valid_to,
        status=draft.status,
        is_active=True,
    )
    table.areas = [_area(table, position, area) for position, area in enumerate(draft.areas)]
    await repo.add_table(session, table)
    await audit.record(
        session,
        actor,
        "rent_limits.import",
        "rent_limit_table",
        table.id,
        {
            "name": name,
            "status": draft.status.value,
            "valid_from": draft.valid_from.isoformat(),
            "valid_to": draft.valid_to.isoformat() if draft.valid_to else None,
            "areas": len(draft.areas),
            "file": filename[:100],
        },
    )
    return table


def _area(table: RentLimitTable, position: int, area: AreaDraft) -> RentLimitArea:
    top = max((int(size) for size in area.gross_cold if size.isdigit()), default=0)
    return RentLimitArea(
        name=area.name,
        position=position,
        towns=[RentLimitAreaTown(table=table, municipality_ags=ags) for ags in area.municipalities],
        amounts=[
            RentLimitAmount(
                persons=int(size) if size.isdigit() else top + 1,
                is_increment=not size.isdigit(),
                max_gross_cold_rent=Decimal(value),
                max_heating_cost=Decimal(area.heating[size]) if size in area.heating else None,
            )
            for size, value in area.gross_cold.items()
        ],
    )


async def deactivate_table(session: AsyncSession, actor: Actor, table_id: int) -> RentLimitTable:
    """Take a table out of use (kept for history; the engine no longer applies it)."""
    _require_admin(actor)
    table = await repo.get_table(session, table_id)
    if table is None:
        raise NotFound("Tabelle")
    if not table.is_active:
        raise Conflict("Die Tabelle ist bereits deaktiviert.")
    table.is_active = False
    table.deactivated_at = dt.datetime.now(dt.UTC)
    await session.flush()
    await audit.record(
        session, actor, "rent_limits.deactivate", "rent_limit_table", table.id, {"name": table.name}
    )
    return table


def find_gaps(tables: list[RentLimitTable]) -> list[Gap]:
    """Periods between the first and the last active table that no active table covers."""
    spans = sorted((t.valid_from, t.valid_to) for t in tables if t.is_active)
    gaps: list[Gap] = []
    covered_to: dt.date | None = None
    for start, end in spans:
        if covered_to is not None and start > covered_to + dt.timedelta(days=1):
            gaps.append(Gap(covered_to + dt.timedelta(days=1), start - dt.timedelta(days=1)))
        if end is None:
            break
        covered_to = end if covered_to is None else max(covered_to, end)
    return gaps


async def overview(session: AsyncSession) -> Overview:
    tables = await repo.all_tables(session)
    return Overview(tables, find_gaps(tables))


async def table_detail(session: AsyncSession, table_id: int) -> RentLimitTable:
    table = await repo.get_table(session, table_id)
    if table is None:
        raise NotFound("Tabelle")
    return table


def area_matrix(area: RentLimitArea) -> dict[str, Any]:
    """Sizes → amounts of an area, with the increment apart (for pages and the API)."""
    sizes = {a.persons: a for a in area.amounts if not a.is_increment}
    increment = next((a for a in area.amounts if a.is_increment), None)
    return {"sizes": dict(sorted(sizes.items())), "increment": increment}


async def engine_rent_limits(session: AsyncSession) -> tuple[tuple[object, ...], RentLimits]:
    """The active tables as the engine's :class:`scoring.RentLimits` (amounts in cents),
    with the rows they were built from (a key to cache on)."""
    rows = await repo.engine_rows(session)
    return rows, rent_limits_from_rows(rows)


def rent_limits_from_rows(rows: tuple[tuple[object, ...], ...]) -> RentLimits:
    tables: dict[int, dict[str, Any]] = {}
    for table_id, start, end, status, area_id, name, towns, persons, inc, gross, heat in rows:
        t = tables.setdefault(
            int(str(table_id)),
            {"start": start, "end": end, "example": status == "example", "areas": {}},
        )
        a = t["areas"].setdefault(area_id, {"name": name, "towns": towns, "sizes": {}})
        a["sizes"][None if inc else persons] = (to_cents(gross), to_cents(heat))
    try:
        return RentLimits(
            tuple(
                EngineTable(
                    id=table_id,
                    valid_from=t["start"],
                    valid_to=t["end"],
                    is_example=t["example"],
                    areas=tuple(_engine_area(a) for a in t["areas"].values()),
                )
                for table_id, t in tables.items()
            )
        )
    except Exception as exc:  # stored tables were validated; a broken row must still be named
        raise ValidationFailed([FieldError("rent_limits", str(exc))]) from exc


def _engine_area(a: dict[str, Any]) -> AreaLimits:
    sizes: dict[int | None, tuple[int | None, int | None]] = a["sizes"]
    listed = sorted(p for p in sizes if p is not None)
    increment = sizes.get(None, (None, None))
    heating = tuple(sizes[p][1] for p in listed)
    return AreaLimits(
        name=str(a["name"]),
        municipalities=tuple(a["towns"]),
        gross_cold=tuple(int(sizes[p][0] or 0) for p in listed),
        increment=increment[0],
        heating=heating if any(h is not None for h in heating) else (),
        heating_increment=increment[1],
    )


async def town_names(session: AsyncSession) -> dict[str, str]:
    """AGS → town name, for pages and the API."""
    return {t.ags: t.name for t in await repo.towns(session)}
