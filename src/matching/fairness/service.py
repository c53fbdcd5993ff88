"""The fairness monitor's figures for one period, by group of households.

Groups are built only from what the data holds (household size, children, single parent,
income basis, barrier-free or wheelchair needs, preferred town); no protected attribute is
stored or added. The age of the main person is not recorded, so there is no age band.

Figures per group, each compared with the best-served group (see :mod:`.stats`):
visibility in the top 10 of the current rankings of open flats, proposal rate, landlords'
acceptance rate (overall and per landlord with enough cases), the share housed in the period
and the median days from registration to a flat; beside the acceptance rate the acceptance
model's mean predicted chance for the same proposals.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import polars as pl
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from matching import clock
from matching.acceptance.history import ACCEPTED, PairFacts, answered_proposals
from matching.acceptance.service import AcceptanceService
from matching.actors import Actor
from matching.db.models import (
    DeclineReason,
    Household,
    Municipality,
    Organisation,
    Proposal,
    Vacancy,
)
from matching.enums import ProposalStatus, VacancyStatus, label
from matching.errors import Forbidden
from matching.fairness.stats import GroupRate, compare_groups
from matching.ranking import RankingService
from matching.reports.period import custom_period
from matching.reports.suppression import MIN_COUNT
from matching.validation import FieldError, ValidationFailed

__all__ = ["DIMENSIONS", "Dimension", "FairnessReport", "Figure", "fairness_report"]

TOP = 10
MAX_VACANCIES = 150
"""Visibility is measured on the most recent open flats (each ranking costs milliseconds)."""
MIN_LANDLORD_CASES = 30


@dataclass(frozen=True)
class Figure:
    key: str
    title: str
    rows: list[GroupRate]
    predicted: dict[str, float | None] = field(default_factory=dict)


@dataclass(frozen=True)
class Dimension:
    key: str
    title: str
    shares: list[tuple[str, int | None, float | None]]
    """(group, households, share of the eligible) – None where fewer than 5."""
    figures: list[Figure]
    median_days: dict[str, int | None]
    landlords: list[tuple[str, list[GroupRate]]]


@dataclass(frozen=True)
class FairnessReport:
    start: dt.date
    end: dt.date
    eligible: int
    vacancies_ranked: int
    model_shown: bool
    dimensions: list[Dimension]

    @property
    def alarms(self) -> list[tuple[str, str, str, GroupRate]]:
        """(dimension, figure, group, rate) for every alarm, for the summary at the top."""
        out = []
        for d in self.dimensions:
            for f in d.figures:
                out += [(d.title, f.title, r.group, r) for r in f.rows if r.alarm]
            for name, rows in d.landlords:
                out += [(d.title, f"Zusagequote bei {name}", r.group, r) for r in rows if r.alarm]
        return out


def _size_band(p: int) -> str:
    return (
        "1 Person"
        if p == 1
        else "2 Personen"
        if p == 2
        else ("3–4 Personen" if p <= 4 else "5 und mehr Personen")
    )


DIMENSIONS: list[tuple[str, str, Callable[[dict[str, Any]], str]]] = [
    ("size", "Haushaltsgröße", lambda h: _size_band(int(h["persons"]))),
    ("children", "Kinder", lambda h: "mit Kindern" if h["children"] else "ohne Kinder"),
    (
        "single_parent",
        "Alleinerziehend",
        lambda h: (
            "alleinerziehend" if h["children"] and h["adults"] == 1 else "nicht alleinerziehend"
        ),
    ),
    ("income", "Leistungsbezug", lambda h: label(h["income_basis"])),
    (
        "needs",
        "Bedarf Barrierefreiheit",
        lambda h: (
            "barrierefrei oder rollstuhlgerecht nötig"
            if h["needs_barrier_free"] or h["needs_wheelchair"]
            else "kein solcher Bedarf"
        ),
    ),
    ("town", "Wunschkommune (erste)", lambda h: h["town"]),
]


async def _households(session: AsyncSession, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    h = Household.__table__.c
    names = dict(
        (await session.execute(sa.select(Municipality.ags, Municipality.name))).tuples().all()
    )
    rows = await session.execute(
        sa.select(
            h.id,
            h.persons,
            h.adults,
            h.children_ages,
            h.income_basis,
            h.needs_barrier_free,
            h.needs_wheelchair,
            h.preferred_ags,
            h.registered_at,
        ).where(
            h.registered_at <= end,
            h.anonymised_at.is_(None),
            h.closed_at.is_(None) | (h.closed_at >= start),
        )
    )
    out = []
    for r in rows.mappings():
        prefs = list(r["preferred_ags"] or [])
        out.append(
            dict(
                r,
                children=bool(r["children_ages"]),
                town=names.get(prefs[0], "unbekannt") if prefs else "ohne Wunschkommune",
            )
        )
    return out


async def _proposals(session: AsyncSession, start: dt.date, end: dt.date) -> pl.DataFrame:
    p = Proposal.__table__.c
    landlord_reasons = sa.select(DeclineReason.code).where(DeclineReason.side == "landlord")
    since = dt.datetime.combine(start, dt.time(), tzinfo=dt.UTC)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    rows = await session.execute(
        sa.select(
            p.household_id,
            p.landlord_organisation_id,
            p.status,
            p.closed_at,
            p.status.in_(ACCEPTED).label("accepted"),
            (
                p.status.in_(ACCEPTED)
                | (
                    (p.status == ProposalStatus.DECLINED.value)
                    & p.decline_reason_code.in_(landlord_reasons)
                )
            ).label("answered"),
        ).where(p.sent_at >= since, p.sent_at < until)
    )
    schema: dict[str, pl.DataType | type[pl.DataType]] = {
        "household_id": pl.Int64,
        "landlord_id": pl.Int64,
        "status": pl.String,
        "closed_at": pl.Datetime("us", "UTC"),
        "accepted": pl.Boolean,
        "answered": pl.Boolean,
    }
    data = [tuple(r) for r in rows.all()]
    return pl.DataFrame(data, schema=schema, orient="row")


async def _visible(
    session: AsyncSession, actor: Actor, ranking: RankingService
) -> tuple[set[int], int]:
    """Households in the top 10 of at least one current ranking of an open flat."""
    v = Vacancy.__table__.c
    ids = (
        await session.scalars(
            sa.select(v.id)
            .where(v.status == VacancyStatus.OPEN.value)
            .order_by(v.created_at.desc(), v.id.desc())
            .limit(MAX_VACANCIES)
        )
    ).all()
    seen: set[int] = set()
    ranked = 0
    for vacancy_id in ids:
        vacancy = await session.get(Vacancy, vacancy_id)
        try:
            result = await ranking.rank_vacancy(session, actor, vacancy, limit=TOP)  # type: ignore[arg-type]
        except ValidationFailed:
            continue  # a flat missing a field cannot be ranked; it shows nobody
        ranked += 1
        seen.update(row.household_id for row in result.rows)
    return seen, ranked


async def fairness_report(
    session: AsyncSession,
    actor: Actor,
    ranking: RankingService,
    acceptance: AcceptanceService,
    start: dt.date,
    end: dt.date,
) -> FairnessReport:
    """All figures of the fairness page for ``[start, end]`` (Fachstelle only)."""
    if not actor.is_admin:
        raise Forbidden("Der Fairness-Monitor ist der Fachstelle vorbehalten.")
    today = clock.today()
    custom_period(start, end, today)  # the reports' rule: in order, 2000…next year
    if start > today:  # nothing has happened yet: every active household would count
        raise ValidationFailed(
            [
                FieldError(
                    "von",
                    "Der Zeitraum beginnt in der Zukunft; bitte einen vergangenen "
                    "oder laufenden Zeitraum wählen.",
                )
            ]
        )
    households = await _households(session, start, end)
    proposals = await _proposals(session, start, end)
    visible, ranked = await _visible(session, actor, ranking)
    by_id = {h["id"]: h for h in households}
    proposed = set(proposals["household_id"].to_list())
    let = proposals.filter(pl.col("status") == ProposalStatus.LET.value)
    housed = {
        hid: (closed.date() - by_id[hid]["registered_at"]).days
        for hid, closed in zip(let["household_id"], let["closed_at"], strict=True)
        if hid in by_id and closed is not None and start <= closed.date() <= end
    }
    answered = proposals.filter(pl.col("answered") & pl.col("household_id").is_in(list(by_id)))
    predicted = await _predicted(session, acceptance, ranking, start, end)
    org_names = dict(
        (await session.execute(sa.select(Organisation.id, Organisation.name))).tuples().all()
    )
    dims = []
    for key, title, group_of in DIMENSIONS:
        labels = {h["id"]: group_of(h) for h in households}
        dims.append(
            _dimension(
                key, title, labels, visible, proposed, housed, answered, predicted, org_names
            )
        )
    return FairnessReport(start, end, len(households), ranked, bool(predicted), dims)


async def _predicted(
    session: AsyncSession,
    acceptance: AcceptanceService,
    ranking: RankingService,
    start: dt.date,
    end: dt.date,
) -> dict[int, list[float]]:
    """Model's predicted chance per household for its answered proposals in the period."""
    if not acceptance.status().available:
        return {}
    ref = await ranking.reference.get(session)
    history = await answered_proposals(
        session,
        PairFacts(ref.municipalities, ref.rent_limits),
        since=dt.datetime.combine(start, dt.time(), tzinfo=dt.UTC),
        until=dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC),
    )
    chances = acceptance.predict(history.raw) or []
    out: dict[int, list[float]] = {}
    for hid, chance in zip(history.household_ids, chances, strict=True):
        out.setdefault(hid, []).append(chance.probability)
    return out


def _dimension(
    key: str,
    title: str,
    labels: dict[int, str],
    visible: set[int],
    proposed: set[int],
    housed: dict[int, int],
    answered: pl.DataFrame,
    predicted: dict[int, list[float]],
    org_names: dict[int, str],
) -> Dimension:
    ids = list(labels)
    groups = [labels[i] for i in ids]
    total = len(ids)
    counts: dict[str, int] = {}
    for g in groups:
        counts[g] = counts.get(g, 0) + 1
    shares = [
        (g, n if n >= MIN_COUNT else None, n / total if n >= MIN_COUNT and total else None)
        for g, n in sorted(counts.items())
    ]
    answer_groups = [labels[h] for h in answered["household_id"].to_list()]
    accepted = answered["accepted"].to_list()
    acceptance_rows = compare_groups(answer_groups, accepted)
    model: dict[str, float | None] = {}
    if predicted:
        sums: dict[str, list[float]] = {}
        for hid, values in predicted.items():
            if hid in labels:
                sums.setdefault(labels[hid], []).extend(values)
        model = {g: (sum(v) / len(v) if len(v) >= MIN_COUNT else None) for g, v in sums.items()}
    figures = [
        Figure(
            "visible",
            f"In den Top {TOP} einer Rangliste",
            compare_groups(groups, [i in visible for i in ids]),
        ),
        Figure("proposed", "Vorgeschlagen", compare_groups(groups, [i in proposed for i in ids])),
        Figure("accepted", "Zusage des Vermieters", acceptance_rows, model),
        Figure("housed", "Wohnung erhalten", compare_groups(groups, [i in housed for i in ids])),
    ]
    days: dict[str, list[int]] = {}
    for hid, d in housed.items():
        if hid in labels:
            days.setdefault(labels[hid], []).append(d)
    median_days = {
        g: (int(sorted(v)[len(v) // 2]) if len(v) >= MIN_COUNT else None) for g, v in days.items()
    }
    landlords = []
    for landlord_id, part in answered.group_by("landlord_id"):
        if part.height < MIN_LANDLORD_CASES:
            continue
        lid = int(landlord_id[0])
        rows = compare_groups(
            [labels[h] for h in part["household_id"].to_list()], part["accepted"].to_list()
        )
        landlords.append((org_names.get(lid, "Vermieter"), rows))
    landlords.sort(key=lambda item: item[0])
    return Dimension(key, title, shares, figures, median_days, landlords)
