"""The same flat offered twice: flagged for the Fachstelle to review, never merged or dropped.

Two active vacancies are duplicates when street + house number (``address_key``), postal code
and floor agree and the living areas differ by at most 2 m² — whether one organisation offers
it under two ids or two organisations offer it. The newer one points to the older one through
``duplicate_of_id``; the Fachstelle marks the pair ``confirmed`` or ``dismissed`` ("kein
Duplikat"), and a dismissed pair is not flagged again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import cast

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from matching.actors import Actor
from matching.audit import service as audit
from matching.db.models import Vacancy
from matching.enums import VacancyStatus
from matching.errors import NotFound

AREA_TOLERANCE = Decimal("2")
ACTIVE = (VacancyStatus.DRAFT, VacancyStatus.OPEN, VacancyStatus.RESERVED)
CONFIRMED = "confirmed"
DISMISSED = "dismissed"
REVIEWS = (CONFIRMED, DISMISSED)


@dataclass(frozen=True)
class _State:
    duplicate_of_id: int | None
    review: str | None


async def flag(
    session: AsyncSession,
    *,
    vacancy_ids: Sequence[int] | None = None,
    organisation_id: int | None = None,
) -> int:
    """Recompute the duplicate flags of these vacancies (or all of one organisation) in one
    query; returns how many flags were set or cleared."""
    if not vacancy_ids and organisation_id is None:
        return 0
    a, b = aliased(Vacancy), aliased(Vacancy)
    candidates = sa.and_(a.status.in_(ACTIVE), a.address_key.is_not(None))
    if vacancy_ids:
        candidates = sa.and_(candidates, a.id.in_(list(vacancy_ids)))
    else:
        candidates = sa.and_(candidates, a.organisation_id == organisation_id)
    stmt = (
        sa.select(
            a.id,
            a.duplicate_of_id,
            a.duplicate_review,
            b.id,
            b.duplicate_of_id,
            b.duplicate_review,
        )
        .join(
            b,
            sa.and_(
                b.postal_code == a.postal_code,
                b.address_key == a.address_key,
                b.id != a.id,
                b.status.in_(ACTIVE),
                b.floor.is_not_distinct_from(a.floor),
                b.living_area <= a.living_area + AREA_TOLERANCE,
                b.living_area >= a.living_area - AREA_TOLERANCE,
            ),
            isouter=True,
        )
        .where(candidates)
    )
    rows = (await session.execute(stmt)).all()
    state: dict[int, _State] = {}
    older: dict[int, int] = {}  # newer id -> oldest matching id
    for a_id, a_dup, a_rev, b_id, b_dup, b_rev in rows:
        state[a_id] = _State(a_dup, a_rev)
        if b_id is None:
            continue
        state[b_id] = _State(b_dup, b_rev)
        new, old = (a_id, b_id) if a_id > b_id else (b_id, a_id)
        if old < older.get(new, new):
            older[new] = old
    recomputed = {r[0] for r in rows}
    changes: list[dict[str, object]] = []
    for vid, current in state.items():
        target = older.get(vid)
        if vid not in recomputed:
            # A partner of a recomputed vacancy: flag it if it is newer and not yet flagged;
            # its own matches were not all looked at, so nothing else is decided for it.
            if target is not None and current.duplicate_of_id is None and current.review is None:
                changes.append({"b_id": vid, "b_dup": target, "b_review": None})
            continue
        if target is None:
            # No match (any more): a pending flag goes; a reviewed one is history, kept.
            if current.duplicate_of_id is not None and current.review is None:
                changes.append({"b_id": vid, "b_dup": None, "b_review": None})
            continue
        if current.duplicate_of_id != target:
            changes.append({"b_id": vid, "b_dup": target, "b_review": None})
    if changes:
        table = cast("sa.Table", Vacancy.__table__)
        await session.execute(
            sa.update(table)
            .where(table.c.id == sa.bindparam("b_id"))
            .values(
                duplicate_of_id=sa.bindparam("b_dup"),
                duplicate_review=sa.bindparam("b_review"),
                duplicate_reviewed_at=None,
            )
            .execution_options(synchronize_session=False),
            changes,
        )
    return len(changes)


@dataclass(frozen=True)
class DuplicatePair:
    vacancy: Vacancy
    original: Vacancy


async def pairs(session: AsyncSession, *, reviewed: bool = False) -> list[DuplicatePair]:
    """Flagged pairs, newest first: those to review, or (``reviewed``) the decided ones."""
    newer, older = aliased(Vacancy), aliased(Vacancy)
    review = newer.duplicate_review.is_not(None) if reviewed else newer.duplicate_review.is_(None)
    stmt = (
        sa.select(newer, older)
        .join(older, older.id == newer.duplicate_of_id)
        .where(review)
        .order_by(newer.id.desc())
        .limit(500)
    )
    return [DuplicatePair(v, o) for v, o in (await session.execute(stmt)).all()]


async def review(session: AsyncSession, actor: Actor, vacancy_id: int, verdict: str) -> None:
    """The Fachstelle's verdict on a flagged pair (the flag itself stays, for history)."""
    if verdict not in REVIEWS:
        raise ValueError(verdict)
    vacancy = await session.get(Vacancy, vacancy_id)
    if vacancy is None or vacancy.duplicate_of_id is None:
        raise NotFound("Dublette")
    await session.execute(
        sa.update(cast("sa.Table", Vacancy.__table__))
        .where(Vacancy.id == vacancy_id)
        .values(duplicate_review=verdict, duplicate_reviewed_at=datetime.now(UTC))
        .execution_options(synchronize_session=False)
    )
    await session.refresh(vacancy)
    await audit.record(
        session,
        actor,
        f"duplicate.{verdict}",
        "vacancy",
        vacancy_id,
        {"duplicate_of_id": vacancy.duplicate_of_id},
    )
