"""Test databases and plain factory functions for the proposal, consent and e-mail tests.

The sibling conftests import the fixtures from here. A migrated SQLite file (reference data
loaded) is built once per run and copied for every test; PostgreSQL gets one migrated
database per run whose non-reference tables are emptied before each test.
"""

from __future__ import annotations

import asyncio
import itertools
import shutil
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from matching.actors import Actor
from matching.config import DatabaseSettings, MatchingSettings, Settings
from matching.db.engine import make_engine, make_session_factory
from matching.db.models import Consent, Household, Organisation, User, Vacancy
from matching.enums import (
    ConsentRecipients,
    HouseholdStatus,
    IncomeBasis,
    OrganisationKind,
    Role,
    Urgency,
    VacancyStatus,
)
from matching.reference.loader import load_reference_data
from matching.security import crypto
from tests.support.databases import migrate, postgres_available, temporary_postgres_database
from tests.support.reference import REFERENCE_TABLES, restore_shipped_rent_limits

crypto.configure([Fernet.generate_key().decode()])

AGS = "05770004"  # Bad Oeynhausen
POSTAL_CODE = "32545"
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # a Monday, 10:00 in Berlin
TEST_SETTINGS = Settings(
    database=DatabaseSettings(url="sqlite+aiosqlite:///unused"),
    matching=MatchingSettings(
        default_policy="dringlichkeit",
        max_proposals_per_vacancy=3,
        max_proposals_per_household=2,
        respond_days=7,
    ),
    base_url="https://tueroeffner.example",
)


async def _load_reference(url: str) -> None:
    engine = make_engine(DatabaseSettings(url=url))
    async with make_session_factory(engine)() as session, session.begin():
        await load_reference_data(session)
    await engine.dispose()


def _prepare(url: str) -> None:
    """Migrate and load reference data, in a thread: the caller may be inside an event loop."""

    def work() -> None:
        migrate(url)
        asyncio.run(_load_reference(url))

    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(work).result()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    url = f"sqlite+aiosqlite:///{path}"
    _prepare(url)
    return path


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    if not postgres_available():
        pytest.skip("PostgreSQL not available")
    with temporary_postgres_database() as (async_url, _sync_url):
        _prepare(async_url)
        yield async_url


@dataclass
class Db:
    dialect: str
    url: str
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]


async def _truncate(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        names = await conn.run_sync(lambda c: sa.inspect(c).get_table_names())
        tables = ", ".join(f'"{n}"' for n in names if n not in REFERENCE_TABLES)
        await conn.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        await restore_shipped_rent_limits(conn)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Db]:
    if request.param == "sqlite":
        path = tmp_path / "test.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        url = f"sqlite+aiosqlite:///{path}"
        engine = make_engine(DatabaseSettings(url=url))
    else:
        url = request.getfixturevalue("postgres_url")
        engine = make_engine(DatabaseSettings(url=url, pool_size=60))
        await _truncate(engine)
    yield Db(request.param, url, engine, make_session_factory(engine))
    await engine.dispose()


@pytest.fixture
async def session(db: Db) -> AsyncIterator[AsyncSession]:
    async with db.sessions() as s:
        yield s


# ---------------------------------------------------------------- factories

_seq = itertools.count(1)


async def make_org(
    session: AsyncSession,
    kind: OrganisationKind,
    *,
    name: str | None = None,
    contact_email: str | None = "auto",
    max_proposals_per_vacancy: int = 3,
) -> Organisation:
    n = next(_seq)
    email = f"org{n}@{kind.value}.example" if contact_email == "auto" else contact_email
    org = Organisation(
        name=name or f"{kind.value.title()} {n}",
        kind=kind,
        contact_email=email,
        max_proposals_per_vacancy=max_proposals_per_vacancy,
    )
    session.add(org)
    await session.flush()
    return org


async def make_user(
    session: AsyncSession, org: Organisation, role: Role, *, name: str | None = None
) -> User:
    n = next(_seq)
    user = User(
        email=f"user{n}@example.org",
        name=name or f"Person {n}",
        role=role,
        organisation_id=org.id,
        password_hash="x",
    )
    session.add(user)
    await session.flush()
    return user


async def make_household(
    session: AsyncSession,
    org: Organisation,
    counselor: User | None = None,
    **overrides: Any,
) -> Household:
    n = next(_seq)
    values: dict[str, Any] = {
        "reference_code": f"HH-2026-{n:05d}",
        "organisation_id": org.id,
        "counselor_id": counselor.id if counselor else None,
        "adults": 2,
        "children_ages": [4, 9],
        "persons": 4,
        "income_basis": IncomeBasis.SGB2,
        "urgency": Urgency.NOTICE_RECEIVED,
        "registered_at": date(2026, 1, 15),
        "status": HouseholdStatus.ACTIVE,
        "name": "Familie Yilmaz-Becker",
        "phone": "0571 123456",
        "email": "familie@example.net",
        "notes": "INTERN: Mietschulden beim Vorvermieter",
        "landlord_notes": "Hund vorhanden",
    }
    values.update(overrides)
    household = Household(**values)
    session.add(household)
    await session.flush()
    return household


async def make_vacancy(session: AsyncSession, org: Organisation, **overrides: Any) -> Vacancy:
    n = next(_seq)
    values: dict[str, Any] = {
        "organisation_id": org.id,
        "external_id": f"W-{n}",
        "title": f"3-Zimmer-Wohnung {n}",
        "street": "Weserstraße",
        "house_number": str(n),
        "postal_code": POSTAL_CODE,
        "municipality_ags": AGS,
        "rooms": Decimal("3"),
        "living_area": Decimal("72.5"),
        "floor": 1,
        "net_cold_rent": Decimal("480.00"),
        "cold_service_charges": Decimal("120.00"),
        "heating_costs": Decimal("90.00"),
        "available_from": date(2027, 1, 1),
        "status": VacancyStatus.OPEN,
    }
    values.update(overrides)
    vacancy = Vacancy(**values)
    session.add(vacancy)
    await session.flush()
    return vacancy


async def make_consent(
    session: AsyncSession,
    household: Household,
    *,
    scope: tuple[str, ...] = ("composition", "income_basis"),
    recipients: ConsentRecipients = ConsentRecipients.NETWORK,
    organisation_ids: tuple[int, ...] = (),
    given_at: date = date(2026, 1, 1),
    valid_until: date = date(2026, 12, 31),
    withdrawn_at: datetime | None = None,
) -> Consent:
    consent = Consent(
        household_id=household.id,
        scope=list(scope),
        recipients=recipients,
        recipient_organisation_ids=list(organisation_ids),
        given_at=given_at,
        valid_until=valid_until,
        withdrawn_at=withdrawn_at,
        form_reference="Akte 12/2026",
    )
    session.add(consent)
    await session.flush()
    return consent


def user_actor(user: User, label: str | None = None) -> Actor:
    return Actor(
        kind="user",
        organisation_id=user.organisation_id,
        role=user.role,
        user_id=user.id,
        label=label or f"user:{user.id}",
    )


def link_actor(landlord_org_id: int, proposal_id: int) -> Actor:
    return Actor(
        kind="link", organisation_id=landlord_org_id, proposal_id=proposal_id, label="link"
    )


@dataclass
class World:
    """Two counselling offices, a landlord with flats, households with network consent.

    Actors are built once, so tests may roll back (which expires ORM objects) and act on.
    """

    counseling: Organisation
    other_counseling: Organisation
    landlord: Organisation
    other_landlord: Organisation
    counselor_user: User
    vacancies: list[Vacancy]
    households: list[Household]
    counselor: Actor
    other_counselor: Actor
    landlord_actor: Actor
    other_landlord_actor: Actor
    admin: Actor


async def build_world(session: AsyncSession, *, households: int = 4, vacancies: int = 3) -> World:
    counseling = await make_org(session, OrganisationKind.COUNSELING, name="Diakonie Test")
    other_counseling = await make_org(session, OrganisationKind.COUNSELING)
    landlord = await make_org(
        session,
        OrganisationKind.LANDLORD,
        name="Mindener Wohnbau Test",
        contact_email="vermietung@wohnbau.example",
    )
    other_landlord = await make_org(session, OrganisationKind.LANDLORD)
    fachstelle = await make_org(session, OrganisationKind.FACHSTELLE)
    counselor = await make_user(session, counseling, Role.COUNSELOR, name="Clara Beraterin")
    other_counselor = await make_user(session, other_counseling, Role.COUNSELOR)
    landlord_user = await make_user(session, landlord, Role.LANDLORD)
    other_landlord_user = await make_user(session, other_landlord, Role.LANDLORD)
    admin = await make_user(session, fachstelle, Role.ADMIN)
    flats = [await make_vacancy(session, landlord) for _ in range(vacancies)]
    homes = []
    for _ in range(households):
        household = await make_household(session, counseling, counselor)
        await make_consent(session, household)
        homes.append(household)
    await session.commit()
    return World(
        counseling,
        other_counseling,
        landlord,
        other_landlord,
        counselor,
        flats,
        homes,
        counselor=user_actor(counselor, "Beraterin"),
        other_counselor=user_actor(other_counselor),
        landlord_actor=user_actor(landlord_user, "Vermieterin"),
        other_landlord_actor=user_actor(other_landlord_user),
        admin=user_actor(admin),
    )


@pytest.fixture
async def world(session: AsyncSession) -> World:
    return await build_world(session)


def later(days: float) -> datetime:
    return NOW + timedelta(days=days)
