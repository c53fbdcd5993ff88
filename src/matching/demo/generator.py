"""Deterministic demo data: realistic households and vacancies, written in bulk.

Why numpy and Core inserts: 100,000 households must load in seconds, so columns are drawn as
arrays and written with executemany-style bulk statements, never one ORM object per row.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import numpy as np
import polars as pl
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from matching import clock
from matching.db import versioning
from matching.db.models import Household, Municipality, Organisation, User, Vacancy
from matching.demo.accounts import DEMO_LOGINS, DEMO_ORGANISATIONS
from matching.demo.cases import load_demo_cases
from matching.demo.history import HistoryPlan, history_vacancy_count, write_history
from matching.enums import (
    HouseholdStatus,
    IncomeBasis,
    OrganisationKind,
    PetsPolicy,
    Urgency,
    VacancySource,
    VacancyStatus,
)
from matching.households import name_index
from matching.households.codes import reference_code
from matching.security.passwords import hash_password

Progress = Callable[[str, int, int], None]
CHUNK = 5_000

_FIRST = [
    "Anna",
    "Ben",
    "Clara",
    "Deniz",
    "Elif",
    "Felix",
    "Greta",
    "Hamid",
    "Ida",
    "Jonas",
    "Katharina",
    "Lukas",
    "Mira",
    "Nils",
    "Olga",
    "Paul",
    "Rana",
    "Sven",
    "Tanja",
    "Yusuf",
]
_LAST = [
    "Becker",
    "Demir",
    "Fischer",
    "Hoffmann",
    "Kaya",
    "Klein",
    "Krüger",
    "Meyer",
    "Müller",
    "Nowak",
    "Richter",
    "Schmidt",
    "Schneider",
    "Schulz",
    "Wagner",
    "Weber",
    "Wolf",
    "Yilmaz",
]
_STREETS = [
    "Bahnhofstraße",
    "Hauptstraße",
    "Kirchweg",
    "Lindenallee",
    "Marktplatz",
    "Mühlenweg",
    "Parkstraße",
    "Ringstraße",
    "Schulstraße",
    "Weserstraße",
]


_INTERNAL = [
    "Intern: Mietschulden beim Vorvermieter, Ratenzahlung läuft.",
    "Intern: Suchtberatung läuft, Termine werden eingehalten.",
    "Intern: Schufa-Eintrag, Klärung mit Schuldnerberatung.",
]
_FOR_LANDLORDS = [
    "Ruhiger Haushalt, Nichtraucher; Mietzahlung direkt durch das Jobcenter.",
    "Familie sucht langfristig; Kinder gehen in die Grundschule vor Ort.",
    "Berufstätig in Teilzeit, gut erreichbar nachmittags.",
    "Kleiner Hund (gut erzogen); Haftpflichtversicherung vorhanden.",
]


@dataclass(frozen=True)
class DemoContext:
    counseling: list[tuple[int, int | None]]  # (organisation id, counselor user id)
    landlords: list[int]
    municipalities: list[Municipality]
    limits: dict[tuple[str, int], float]  # (town AGS, persons) -> max Bruttokaltmiete today


async def ensure_demo_accounts(session: AsyncSession) -> dict[str, int]:
    """Create the demo organisations and logins if missing; returns org name -> id."""
    orgs = {o.name: o for o in (await session.scalars(sa.select(Organisation))).all()}
    for name, kind, email in DEMO_ORGANISATIONS:
        if name not in orgs:
            org = Organisation(name=name, kind=kind, contact_email=email)
            session.add(org)
            orgs[name] = org
    await session.flush()
    existing = set((await session.scalars(sa.select(User.email))).all())
    for login in DEMO_LOGINS:
        if login.email not in existing:
            session.add(
                User(
                    email=login.email,
                    name=login.name,
                    role=login.role,
                    organisation_id=orgs[login.organisation].id,
                    password_hash=hash_password(login.password),
                    is_org_admin=True,
                )
            )
    await session.flush()
    return {name: org.id for name, org in orgs.items()}


async def demo_context(session: AsyncSession) -> DemoContext:
    from matching.rent_limits.service import engine_rent_limits

    orgs = (await session.scalars(sa.select(Organisation).order_by(Organisation.id))).all()
    users = (await session.scalars(sa.select(User).order_by(User.id))).all()
    counseling = []
    for org in orgs:
        if org.kind == OrganisationKind.COUNSELING:
            counselor = next((u.id for u in users if u.organisation_id == org.id), None)
            counseling.append((org.id, counselor))
    landlords = [o.id for o in orgs if o.kind == OrganisationKind.LANDLORD]
    munis = list((await session.scalars(sa.select(Municipality).order_by(Municipality.ags))).all())
    _, tables = await engine_rent_limits(session)
    today = clock.today()
    limits: dict[tuple[str, int], float] = {}
    for mu in munis:
        for persons in range(1, 6):
            found = tables.lookup(mu.ags, today, persons)
            if found is not None:
                limits[(mu.ags, persons)] = found.gross_cold / 100
    return DemoContext(counseling, landlords, munis, limits)


def household_rows(
    n: int, seed: int, ctx: DemoContext, today: date, start_number: int
) -> list[dict[str, Any]]:
    """Draw n households with the Fachstelle's observed distributions."""
    rng = np.random.default_rng(seed)
    persons = rng.choice(
        [1, 2, 3, 4, 5, 6, 7, 8], size=n, p=[0.55, 0.17, 0.11, 0.09, 0.04, 0.02, 0.01, 0.01]
    )
    adults = np.where(persons == 1, 1, rng.choice([1, 2], size=n, p=[0.4, 0.6]))
    adults = np.minimum(adults, persons)
    income = rng.choice([b.value for b in IncomeBasis], size=n, p=[0.68, 0.12, 0.06, 0.07, 0.07])
    urgency = rng.choice([u.value for u in Urgency], size=n, p=[0.06, 0.22, 0.24, 0.14, 0.22, 0.12])
    weights = np.array([m.population for m in ctx.municipalities], dtype=float)
    weights /= weights.sum()
    ags = np.array([m.ags for m in ctx.municipalities])
    n_pref = rng.choice([0, 1, 2, 3], size=n, p=[0.15, 0.45, 0.3, 0.1])
    registered = rng.integers(0, 900, size=n)
    org_idx = rng.integers(0, len(ctx.counseling), size=n)
    wbs = rng.random(n) < 0.35
    rows: list[dict[str, Any]] = []
    for i in range(n):
        p = int(persons[i])
        u = str(urgency[i])
        inc = str(income[i])
        prefs = list(rng.choice(ags, size=int(n_pref[i]), replace=False, p=weights))
        reg = today - timedelta(days=int(registered[i]))
        org_id, counselor_id = ctx.counseling[int(org_idx[i])]
        child_count = p - int(adults[i])
        rows.append(
            {
                "reference_code": reference_code(today.year, start_number + i),
                "organisation_id": org_id,
                "counselor_id": counselor_id,
                "adults": int(adults[i]),
                "children_ages": [int(a) for a in rng.integers(0, 18, size=child_count)],
                "persons": p,
                "income_basis": inc,
                "own_max_rent": (
                    Decimal(int(450 + 120 * p + rng.integers(0, 200)))
                    if inc in ("own_income", "wohngeld")
                    else None
                ),
                "wbs_valid_until": (
                    today + timedelta(days=int(rng.integers(-60, 700))) if wbs[i] else None
                ),
                "wbs_rooms": p if wbs[i] else None,
                "needs_barrier_free": bool(rng.random() < 0.08),
                "needs_wheelchair": bool(rng.random() < 0.02),
                "needs_ground_floor": bool(rng.random() < 0.04),
                "max_floor_without_lift": int(rng.integers(1, 3)) if rng.random() < 0.1 else None,
                "has_pets": bool(rng.random() < 0.15),
                "preferred_ags": prefs,
                "preferences_hard": bool(prefs) and bool(rng.random() < 0.3),
                "max_distance_km": float(rng.choice([10, 20, 30])) if rng.random() < 0.2 else None,
                "earliest_move_in": None,
                "urgency": u,
                "notice_date": (
                    reg + timedelta(days=int(rng.integers(0, 30)))
                    if u in ("notice_received", "eviction_scheduled")
                    else None
                ),
                "eviction_date": (
                    today + timedelta(days=int(rng.integers(3, 90)))
                    if u == "eviction_scheduled"
                    else None
                ),
                "homeless_since": (
                    reg - timedelta(days=int(rng.integers(0, 400))) if u == "homeless" else None
                ),
                "registered_at": reg,
                "status": HouseholdStatus.ACTIVE.value
                if rng.random() < 0.93
                else HouseholdStatus.PAUSED.value,
                "name": f"{_FIRST[int(rng.integers(len(_FIRST)))]} "
                f"{_LAST[int(rng.integers(len(_LAST)))]} (Demo)",
                "phone": None,
                "email": None,
                # Internal notes stay in the office; the notes for landlords are shareable.
                "notes": _INTERNAL[int(rng.integers(len(_INTERNAL)))]
                if rng.random() < 0.2
                else None,
                "landlord_notes": (
                    _FOR_LANDLORDS[int(rng.integers(len(_FOR_LANDLORDS)))]
                    if rng.random() < 0.4
                    else None
                ),
                "version": 1,
            }
        )
    return rows


def vacancy_rows(
    m: int, seed: int, ctx: DemoContext, today: date, start_number: int
) -> list[dict[str, Any]]:
    """Draw m vacancies whose rents spread around the KdU limits of their town."""
    rng = np.random.default_rng(seed + 1)
    weights = np.array([mu.population for mu in ctx.municipalities], dtype=float)
    weights /= weights.sum()
    town_idx = rng.choice(len(ctx.municipalities), size=m, p=weights)
    rooms = rng.choice(
        [1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 5.0],
        size=m,
        p=[0.14, 0.06, 0.3, 0.08, 0.24, 0.05, 0.1, 0.03],
    )
    rows: list[dict[str, Any]] = []
    now = datetime.now(UTC)
    for i in range(m):
        mu = ctx.municipalities[int(town_idx[i])]
        r = float(rooms[i])
        area = round(float(max(20.0, rng.normal(22 + 19 * r, 6))), 1)
        persons_for = max(1, min(5, int(r)))
        limit = ctx.limits.get((mu.ags, persons_for), 500.0)
        gross = float(limit) * float(rng.normal(0.97, 0.12))
        charges = round(area * float(rng.uniform(1.8, 2.8)), 2)
        net = round(max(120.0, gross - charges), 2)
        floor = int(rng.choice([0, 1, 2, 3, 4, 5], p=[0.25, 0.25, 0.2, 0.15, 0.1, 0.05]))
        barrier_free = bool(rng.random() < 0.15)
        rows.append(
            {
                "organisation_id": ctx.landlords[i % len(ctx.landlords)],
                "external_id": f"DEMO-{start_number + i:06d}",
                "title": f"{r:g}-Zimmer-Wohnung in {mu.name}".replace(".", ","),
                "street": _STREETS[int(rng.integers(len(_STREETS)))],
                "house_number": str(int(rng.integers(1, 120))),
                "postal_code": mu.postal_codes[int(rng.integers(len(mu.postal_codes)))],
                "municipality_ags": mu.ags,
                "address_key": None,
                "lat": round(mu.lat + float(rng.normal(0, 0.01)), 5),
                "lon": round(mu.lon + float(rng.normal(0, 0.01)), 5),
                "rooms": Decimal(str(r)),
                "living_area": Decimal(str(area)),
                "floor": floor,
                "lift": bool(floor >= 3 or rng.random() < 0.2),
                "barrier_free": barrier_free,
                "wheelchair_accessible": barrier_free and bool(rng.random() < 0.35),
                "net_cold_rent": Decimal(f"{net:.2f}"),
                "cold_service_charges": Decimal(f"{charges:.2f}"),
                "heating_costs": Decimal(f"{area * float(rng.uniform(0.9, 1.5)):.2f}"),
                "deposit": Decimal(f"{net * 3:.2f}"),
                "available_from": today + timedelta(days=int(rng.integers(-20, 90))),
                "wbs_required": bool(rng.random() < 0.2),
                "pets": str(rng.choice([p.value for p in PetsPolicy], p=[0.3, 0.3, 0.4])),
                "min_persons": None,
                "max_persons": None,
                "description": "Demo-Angebot: gepflegte Wohnung, Besichtigung nach Absprache.",
                "status": VacancyStatus.OPEN.value,
                "source": VacancySource.DEMO.value,
                "content_hash": None,
                "confirmed_at": now,
                "duplicate_of_id": None,
                "version": 1,
            }
        )
    return rows


async def _bulk_insert(
    session: AsyncSession,
    table: sa.Table,
    rows: Sequence[dict[str, Any]],
    label: str,
    progress: Progress | None,
) -> None:
    now = datetime.now(UTC)
    for start in range(0, len(rows), CHUNK):
        chunk = [dict(r, created_at=now, updated_at=now) for r in rows[start : start + CHUNK]]
        await session.execute(sa.insert(table), chunk)
        if progress:
            progress(label, min(start + CHUNK, len(rows)), len(rows))


async def load_demo_data(
    session: AsyncSession,
    *,
    households: int,
    vacancies: int,
    seed: int = 42,
    today: date | None = None,
    progress: Progress | None = None,
    journeys: bool = True,
) -> dict[str, int]:
    """Add demo households and vacancies (after the demo accounts) in bulk statements, then
    (``journeys``) consents and proposals in every state (``matching.demo.journeys``)."""
    today = today or clock.today()
    await ensure_demo_accounts(session)
    ctx = await demo_context(session)
    start_h = int((await session.scalar(sa.select(sa.func.count(Household.id)))) or 0) + 1
    start_v = int((await session.scalar(sa.select(sa.func.count(Vacancy.id)))) or 0) + 1
    h_rows = household_rows(households, seed + start_h, ctx, today, start_h)
    await _bulk_insert(session, Household.__table__, h_rows, "Haushalte", progress)  # type: ignore[arg-type]
    await name_index.backfill(session, {r["reference_code"]: r["name"] for r in h_rows})
    v_rows = vacancy_rows(vacancies, seed + start_v, ctx, today, start_v)
    await _bulk_insert(session, Vacancy.__table__, v_rows, "Wohnungsangebote", progress)  # type: ignore[arg-type]
    history = await _history(session, ctx, h_rows, today, seed + start_h, start_v + vacancies)
    if progress:
        progress("Vorschlagshistorie", history["history_proposals"], history["history_proposals"])
    await versioning.bump(session, versioning.HOUSEHOLDS)
    await versioning.bump(session, versioning.VACANCIES)
    counts = {"households": len(h_rows), "vacancies": len(v_rows), **history}
    if journeys:
        from matching.demo.journeys import load_demo_journeys

        counts |= await load_demo_journeys(session, today=today, seed=seed)
    cases = await load_demo_cases(session, today)
    counts["cases"] = cases["cases"]
    if "consents" in counts:  # the journeys' consents plus the one a demo case is shared on
        counts["consents"] += cases["consents"]
    return counts


async def _history(
    session: AsyncSession,
    ctx: DemoContext,
    h_rows: list[dict[str, Any]],
    today: date,
    seed: int,
    start_number: int,
) -> dict[str, int]:
    """A year of past proposals for the households just written (see ``demo.history``)."""
    if not ctx.landlords or not h_rows:
        return {"history_vacancies": 0, "history_proposals": 0}
    c = Household.__table__.c
    ids = dict((await session.execute(sa.select(c.reference_code, c.id))).all())
    households = pl.DataFrame(
        {
            "id": [ids[r["reference_code"]] for r in h_rows],
            "organisation_id": [r["organisation_id"] for r in h_rows],
            "counselor_id": [r["counselor_id"] for r in h_rows],
            "persons": [r["persons"] for r in h_rows],
            "income_basis": [r["income_basis"] for r in h_rows],
            "own_max_rent": [
                None if r["own_max_rent"] is None else float(r["own_max_rent"]) for r in h_rows
            ],
            "preferred_ags": [[str(a) for a in r["preferred_ags"]] for r in h_rows],
            "registered_at": [r["registered_at"] for r in h_rows],
        },
        schema_overrides={"own_max_rent": pl.Float64, "preferred_ags": pl.List(pl.String)},
    )
    past = vacancy_rows(history_vacancy_count(len(h_rows)), seed + 3, ctx, today, start_number)
    plan = HistoryPlan(
        households=households,
        vacancies=past,
        landlords=list(ctx.landlords),
        towns={m.ags: (m.lat, m.lon) for m in ctx.municipalities},
        limits=ctx.limits,
        today=today,
    )
    return await write_history(session, plan, seed, start_number)
