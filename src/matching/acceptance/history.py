"""Past proposals as training rows: the raw feature columns and the landlord's answer.

A proposal counts as answered by the landlord when it was accepted (``accepted`` / ``let``)
or declined with a landlord reason; withdrawn, expired and household declines say nothing
about the landlord and are left out. Features use what the proposal snapshot froze (what the
consent shared, when it was sent) and the flat's and household's stored facts.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

import polars as pl
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from matching.acceptance.features import IDENTITY_SCOPE, RAW_SCHEMA
from matching.db.models import DeclineReason, Household, Proposal, Vacancy
from matching.enums import ProposalStatus
from scoring import Municipalities, RentLimits
from scoring.geo import haversine_km
from scoring.reference import reference_rent_limit

__all__ = ["AnsweredProposals", "PairFacts", "answered_proposals", "raw_row"]

ACCEPTED = (ProposalStatus.ACCEPTED.value, ProposalStatus.LET.value)


@dataclass(frozen=True)
class AnsweredProposals:
    raw: pl.DataFrame
    accepted: list[bool]
    sent_at: list[dt.datetime]
    household_ids: list[int]


class PairFacts:
    """Town distances and rent limits, computed once per town pair / (area, day, size)."""

    def __init__(self, towns: Municipalities, limits: RentLimits) -> None:
        self.towns, self.limits = towns, limits
        self.distance: Callable[[str, str], float] = cache(self._distance)
        self.limit: Callable[[str, dt.date, int], float | None] = cache(self._limit)

    def _distance(self, a: str, b: str) -> float:
        i, j = self.towns.index_of(a), self.towns.index_of(b)
        if i is None or j is None:
            return math.nan
        t = self.towns
        return haversine_km(float(t.lat[i]), float(t.lon[i]), float(t.lat[j]), float(t.lon[j]))

    def _limit(self, ags: str, day: dt.date, persons: int) -> float | None:
        cents = reference_rent_limit(self.limits, ags, day, persons)[0]
        return None if cents is None else cents / 100

    def nearest(self, town: str, preferred: tuple[str, ...] | list[str]) -> float | None:
        """km from ``town`` to the nearest preferred town (0 inside; None: no preference)."""
        if not preferred:
            return None
        if town in preferred:
            return 0.0
        km = min(self.distance(town, a) for a in preferred)
        return None if math.isnan(km) else km


def raw_row(
    facts: PairFacts,
    *,
    town: str,
    available_from: dt.date,
    gross_cold_rent: float,
    heating_costs: float | None,
    rooms: float,
    living_area: float,
    landlord_id: int,
    persons: int,
    income_basis: str,
    own_max_rent: float | None,
    preferred: tuple[str, ...] | list[str],
    registered_at: dt.date,
    on: dt.date,
    scope: list[str] | tuple[str, ...],
) -> dict[str, Any]:
    """One row of :data:`RAW_SCHEMA` for a (flat, household) pair on day ``on``."""
    return {
        "gross_cold_rent": gross_cold_rent,
        "warm_rent": gross_cold_rent + (heating_costs or 0.0),
        "rent_limit": facts.limit(town, available_from, persons),
        "own_max_rent": own_max_rent,
        "income_basis": income_basis,
        "persons": persons,
        "rooms": rooms,
        "living_area": living_area,
        "distance_km": facts.nearest(town, preferred),
        "waiting_days": max(0, (on - registered_at).days),
        "shares_identity": any(s in scope for s in IDENTITY_SCOPE),
        "shares_income": "income_basis" in scope,
        "landlord_id": landlord_id,
    }


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


async def answered_proposals(
    session: AsyncSession,
    facts: PairFacts,
    *,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> AnsweredProposals:
    """Every proposal the landlord answered (optionally sent since ``since``), oldest first."""
    p, v, h = Proposal.__table__.c, Vacancy.__table__.c, Household.__table__.c
    landlord_reasons = sa.select(DeclineReason.code).where(DeclineReason.side == "landlord")
    query = (
        sa.select(
            p.status,
            p.household_id,
            p.sent_at,
            p.shared_profile,
            p.landlord_organisation_id,
            v.municipality_ags,
            v.available_from,
            v.net_cold_rent,
            v.cold_service_charges,
            v.heating_costs,
            v.rooms,
            v.living_area,
            h.persons,
            h.income_basis,
            h.own_max_rent,
            h.preferred_ags,
            h.registered_at,
        )
        .join(Vacancy.__table__, v.id == p.vacancy_id)
        .join(Household.__table__, h.id == p.household_id)
        .where(
            p.sent_at.is_not(None),
            p.status.in_(ACCEPTED)
            | (
                (p.status == ProposalStatus.DECLINED.value)
                & p.decline_reason_code.in_(landlord_reasons)
            ),
        )
        .order_by(p.sent_at, p.id)
    )
    if since is not None:
        query = query.where(p.sent_at >= since)
    if until is not None:
        query = query.where(p.sent_at < until)
    rows, accepted, sent, households = [], [], [], []
    for r in (await session.execute(query)).all():
        when: dt.datetime = r.sent_at if r.sent_at.tzinfo else r.sent_at.replace(tzinfo=dt.UTC)
        rows.append(
            raw_row(
                facts,
                town=r.municipality_ags,
                available_from=r.available_from or when.date(),
                gross_cold_rent=float(r.net_cold_rent or 0) + float(r.cold_service_charges or 0),
                heating_costs=_float(r.heating_costs),
                rooms=float(r.rooms or 1),
                living_area=float(r.living_area or 0),
                landlord_id=int(r.landlord_organisation_id),
                persons=int(r.persons),
                income_basis=str(r.income_basis),
                own_max_rent=_float(r.own_max_rent),
                preferred=list(r.preferred_ags or []),
                registered_at=r.registered_at,
                on=when.date(),
                scope=list((r.shared_profile or {}).get("scope") or []),
            )
        )
        accepted.append(r.status in ACCEPTED)
        sent.append(when)
        households.append(int(r.household_id))
    raw = pl.DataFrame(rows, schema=RAW_SCHEMA) if rows else pl.DataFrame(schema=RAW_SCHEMA)
    return AnsweredProposals(raw, accepted, sent, households)
