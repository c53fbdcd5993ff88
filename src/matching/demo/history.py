"""A year of demo proposal history whose landlord answers follow a documented synthetic rule.

Why: the reports need something to show on first start, and the acceptance model
(:mod:`matching.acceptance`) needs past answers to learn from; its recovery test proves that
it finds this rule again.

What is written: past vacancies (created over the last 365 days; now let, withdrawn or
expired), and for each one to three proposals of demo households, sent one after the other.
Each sent proposal is answered with probability 0.85 (else it expires); a landlord answer is
"accept" with probability ``sigmoid(z)``, where, over the model's own features
(:func:`matching.acceptance.features.feature_frame`)::

    z = 0.6 + landlord effect                    (+0.6, -0.6, 0.0 for the three demo landlords)
          - 6.0 * rent_margin                    (rent / limit or budget - 1; 0 when unknown)
          - 0.06 * distance_km                   (to the nearest preferred town; 0 if none)
          - 1.5 * |size_fit - 1|                 (living area / appropriate area)
          + 0.5 * shares_identity                (the consent lets the landlord see a name)

No group attribute (household size, income basis, children, age, town) enters the rule
directly: differences between groups in the reports arise only through rents, sizes and
distances. The first accepted proposal lets the flat (the household becomes "versorgt"); the
vacancy's later proposals are withdrawn. Declines carry a landlord reason that fits the
strongest negative term.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from matching.acceptance.features import IDENTITY_SCOPE, feature_frame
from matching.db.models import Household, Proposal, Vacancy
from matching.enums import HouseholdStatus, ProposalStatus, VacancyStatus

__all__ = [
    "HISTORY_DAYS",
    "LANDLORD_EFFECTS",
    "HistoryPlan",
    "acceptance_logit",
    "draw_answers",
    "history_vacancy_count",
    "pair_rows",
    "write_history",
]

HISTORY_DAYS = 365
LANDLORD_EFFECTS = (0.6, -0.6, 0.0)
ANSWER_RATE = 0.85
SCOPES = (
    ["composition", "income_basis"],
    ["composition", "income_basis", "name", "phone"],
    ["composition", "income_basis", "name", "phone", "email", "notes"],
    ["composition"],
)
SCOPE_WEIGHTS = (0.35, 0.35, 0.2, 0.1)


def history_vacancy_count(households: int) -> int:
    """Past vacancies for a demo of ``households`` (about 1.6 proposals each): enough for the
    default demo (2,000 households) to show a trained chance on first start."""
    return int(min(6_000, max(min(150, households), households // 2)))


def acceptance_logit(features: pl.DataFrame, landlord_effect: npt.NDArray[np.float64]) -> Any:
    """The synthetic rule's log-odds (see the module docstring) for feature rows."""
    margin = features["rent_margin"].fill_null(0.0).to_numpy()
    distance = features["distance_km"].fill_null(0.0).to_numpy()
    size = features["size_fit"].to_numpy()
    identity = features["shares_identity"].to_numpy()
    return (
        0.6
        + landlord_effect
        - 6.0 * margin
        - 0.06 * distance
        - 1.5 * np.abs(size - 1.0)
        + 0.5 * identity
    )


def draw_answers(
    raw: pl.DataFrame, landlords: list[int], rng: np.random.Generator
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_], npt.NDArray[np.float64]]:
    """(answered, accepted, probability) for raw pair rows under the synthetic rule."""
    effects = {lid: LANDLORD_EFFECTS[i % len(LANDLORD_EFFECTS)] for i, lid in enumerate(landlords)}
    effect = np.array([effects.get(int(x), 0.0) for x in raw["landlord_id"]], dtype=np.float64)
    z = acceptance_logit(feature_frame(raw, landlords), effect)
    p = 1.0 / (1.0 + np.exp(-z))
    answered = rng.random(raw.height) < ANSWER_RATE
    accepted = answered & (rng.random(raw.height) < p)
    return answered, accepted, p


@dataclass(frozen=True)
class HistoryPlan:
    """Inputs the history needs from the generator (all drawn there already)."""

    households: pl.DataFrame
    """id, organisation_id, counselor_id, persons, income_basis, own_max_rent, preferred_ags,
    registered_at"""
    vacancies: list[dict[str, Any]]  # vacancy rows as drawn by ``vacancy_rows``
    landlords: list[int]
    towns: dict[str, tuple[float, float]]  # ags -> (lat, lon)
    limits: dict[tuple[str, int], float]  # (ags, persons 1..5) -> max Bruttokaltmiete
    today: date


def _town_distances(towns: dict[str, tuple[float, float]]) -> dict[tuple[str, str], float]:
    out = {}
    for a, (la, lo) in towns.items():
        for b, (lb, lob) in towns.items():
            p1, p2 = math.radians(la), math.radians(lb)
            h = (
                math.sin((p2 - p1) / 2) ** 2
                + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lob - lo) / 2) ** 2
            )
            out[(a, b)] = 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(h)))
    return out


def _limit(limits: dict[tuple[str, int], float], ags: str, persons: int) -> float | None:
    sizes = [p for (a, p) in limits if a == ags]
    if not sizes:
        return None
    return limits[(ags, min(persons, max(sizes)))]


def pair_rows(plan: HistoryPlan, rng: np.random.Generator) -> tuple[pl.DataFrame, list[int]]:
    """Raw pair rows (one per proposal, in sending order) and each pair's vacancy index."""
    hh = plan.households
    persons = hh["persons"].to_numpy()
    by_size = {int(p): np.flatnonzero(persons == p) for p in np.unique(persons)}
    dist = _town_distances(plan.towns)
    rows: list[dict[str, Any]] = []
    vac_index: list[int] = []
    prefs = hh["preferred_ags"].to_list()
    registered = hh["registered_at"].to_list()
    budgets, incomes = hh["own_max_rent"].to_list(), hh["income_basis"].to_list()
    for k, v in enumerate(plan.vacancies):
        rooms = float(v["rooms"])
        sizes = [p for p in by_size if max(1, int(rooms) - 1) <= p <= int(rooms) + 1]
        if not sizes:
            continue
        sent = plan.today - timedelta(days=int(rng.integers(8, HISTORY_DAYS)))
        for _ in range(int(rng.integers(1, 4))):
            bucket = by_size[int(rng.choice(sizes))]
            i = int(bucket[int(rng.integers(len(bucket)))])
            if registered[i] > sent:
                continue  # not yet registered then
            town = v["municipality_ags"]
            pref = prefs[i] or []
            km = None if not pref else (0.0 if town in pref else min(dist[(town, a)] for a in pref))
            gross = float(v["net_cold_rent"]) + float(v["cold_service_charges"])
            scope = SCOPES[int(rng.choice(len(SCOPES), p=SCOPE_WEIGHTS))]
            p = int(persons[i])
            rows.append(
                {
                    "household_index": i,
                    "sent_on": sent,
                    "scope": scope,
                    "gross_cold_rent": gross,
                    "warm_rent": gross + float(v["heating_costs"]),
                    "rent_limit": _limit(plan.limits, town, p),
                    "own_max_rent": budgets[i],
                    "income_basis": incomes[i],
                    "persons": p,
                    "rooms": rooms,
                    "living_area": float(v["living_area"]),
                    "distance_km": km,
                    "waiting_days": (sent - registered[i]).days,
                    "shares_identity": any(s in scope for s in IDENTITY_SCOPE),
                    "shares_income": "income_basis" in scope,
                    "landlord_id": int(v["organisation_id"]),
                }
            )
            vac_index.append(k)
            sent += timedelta(days=int(rng.integers(1, 5)))
    return pl.DataFrame(rows, infer_schema_length=None), vac_index


def _decline_reason(row: dict[str, Any]) -> str:
    margin = row["rent_margin"] if row["rent_margin"] is not None else 0.0
    size = abs(row["size_fit"] - 1.0)
    distance = row["distance_km"] or 0.0
    strongest = max((6.0 * margin, "L_COST_COVERAGE"), (1.5 * size, "L_HOUSEHOLD_SIZE"))
    if strongest[0] > 0.3:
        return strongest[1]
    return "L_OTHER_APPLICANT" if distance < 10 else "L_NO_SHOW"


def _moment(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=UTC)


async def write_history(
    session: AsyncSession, plan: HistoryPlan, seed: int, start_number: int
) -> dict[str, int]:
    """Write the past vacancies and their proposals; returns counts."""
    rng = np.random.default_rng(seed + 7)
    raw, vac_index = pair_rows(plan, rng)
    if raw.is_empty():
        return {"history_vacancies": 0, "history_proposals": 0}
    answered, accepted, _ = draw_answers(raw, plan.landlords, rng)
    features = feature_frame(raw, plan.landlords).to_dicts()
    vacancy_ids = await _insert_vacancies(session, plan, raw, vac_index, start_number)
    hh_ids = plan.households["id"].to_list()
    hh_orgs = plan.households["organisation_id"].to_list()
    hh_counselors = plan.households["counselor_id"].to_list()
    let_vacancies: set[int] = set()
    housed: set[int] = set()
    rows: list[dict[str, Any]] = []
    for n, pair in enumerate(raw.iter_rows(named=True)):
        k, household_id = vac_index[n], int(hh_ids[pair["household_index"]])
        sent = _moment(pair["sent_on"], 9)
        answer = sent + timedelta(days=int(rng.integers(1, 7)), hours=int(rng.integers(0, 8)))
        row = _proposal_row(vacancy_ids[k], household_id, pair, sent)
        row["counseling_organisation_id"] = hh_orgs[pair["household_index"]]
        row["proposed_by_id"] = hh_counselors[pair["household_index"]]
        if k in let_vacancies or household_id in housed:
            row.update(status=ProposalStatus.WITHDRAWN.value, decline_reason_code="S_VACANCY_LET")
            row.update(closed_at=answer)
        elif not answered[n]:
            row.update(status=ProposalStatus.EXPIRED.value, decline_reason_code="S_EXPIRED")
            row.update(closed_at=sent + timedelta(days=7))
        elif accepted[n]:
            row.update(status=ProposalStatus.LET.value, answered_at=answer)
            row.update(closed_at=answer + timedelta(days=int(rng.integers(5, 21))))
            let_vacancies.add(k)
            housed.add(household_id)
        else:
            row.update(status=ProposalStatus.DECLINED.value, answered_at=answer, closed_at=answer)
            row.update(decline_reason_code=_decline_reason(features[n]))
        row["updated_at"] = row["closed_at"]
        rows.append(row)
    for start in range(0, len(rows), 5_000):
        await session.execute(sa.insert(Proposal.__table__), rows[start : start + 5_000])  # type: ignore[arg-type]
    await _close_vacancies(session, vacancy_ids, let_vacancies)
    if housed:
        for chunk in _chunks(sorted(housed)):
            await session.execute(
                sa.update(Household.__table__)  # type: ignore[arg-type]
                .where(Household.__table__.c.id.in_(chunk))
                .values(status=HouseholdStatus.HOUSED.value)
            )
    return {"history_vacancies": len(vacancy_ids), "history_proposals": len(rows)}


def _chunks(ids: list[int], size: int = 900) -> list[list[int]]:
    return [ids[i : i + size] for i in range(0, len(ids), size)]


def _proposal_row(
    vacancy_id: int, household_id: int, pair: dict[str, Any], sent: datetime
) -> dict[str, Any]:
    return {
        "vacancy_id": vacancy_id,
        "household_id": household_id,
        "landlord_organisation_id": pair["landlord_id"],
        "respond_by": sent + timedelta(days=7),
        "sent_at": sent,
        "answered_at": None,
        "closed_at": None,
        "reminder_sent_at": None,
        "score": None,
        "policy_name": None,
        "policy_version": None,
        "explanation": {"components": {}, "exclusions": [], "overridden": [], "demo": True},
        "shared_profile": {"scope": sorted(pair["scope"]), "demo": True},
        "override_justification": None,
        "decline_text": None,
        "decline_reason_code": None,
        "version": 1,
        "created_at": sent,
    }


async def _insert_vacancies(
    session: AsyncSession,
    plan: HistoryPlan,
    raw: pl.DataFrame,
    vac_index: list[int],
    start_number: int,
) -> dict[int, int]:
    """Insert the past vacancies that received proposals; vacancy index -> id."""
    first_sent: dict[int, date] = {}
    for k, day in zip(vac_index, raw["sent_on"].to_list(), strict=True):
        first_sent.setdefault(k, day)
    rows = []
    for n, (k, day) in enumerate(sorted(first_sent.items())):
        created = _moment(day - timedelta(days=3), 8)
        row = dict(plan.vacancies[k], created_at=created, updated_at=created)
        row.update(
            external_id=f"DEMO-H{start_number + n:06d}",
            available_from=day + timedelta(days=14),
            confirmed_at=created,
            status=VacancyStatus.WITHDRAWN.value,
        )
        rows.append(row)
    for start in range(0, len(rows), 5_000):
        await session.execute(sa.insert(Vacancy.__table__), rows[start : start + 5_000])  # type: ignore[arg-type]
    c = Vacancy.__table__.c
    found = await session.execute(
        sa.select(c.external_id, c.id).where(c.external_id.like("DEMO-H%"))
    )
    by_external: dict[str, int] = dict(found.tuples().all())
    return {
        k: by_external[f"DEMO-H{start_number + n:06d}"] for n, k in enumerate(sorted(first_sent))
    }


async def _close_vacancies(
    session: AsyncSession, vacancy_ids: dict[int, int], let_vacancies: set[int]
) -> None:
    table = Vacancy.__table__
    let_ids = sorted(vacancy_ids[k] for k in let_vacancies)
    for chunk in _chunks(let_ids):
        await session.execute(
            sa.update(table).where(table.c.id.in_(chunk)).values(status=VacancyStatus.LET.value)  # type: ignore[arg-type]
        )
