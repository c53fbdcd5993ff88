"""A small, fixed world of organisations, users and API keys for access tests."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

from argon2 import PasswordHasher
from sqlalchemy.ext.asyncio import AsyncSession

from matching import clock
from matching.accounts.service import SCOPES, issue_api_key
from matching.actors import SYSTEM
from matching.db.models import Household, Organisation, User, Vacancy
from matching.enums import (
    HouseholdStatus,
    IncomeBasis,
    OrganisationKind,
    PetsPolicy,
    Role,
    Urgency,
    VacancyStatus,
)
from matching.security import passwords

PASSWORD = "Sehr-sicheres-Testpasswort-1"


def password_hash() -> str:
    """PASSWORD hashed with the hasher in use (the suite's cheap one, or the product's where a
    test asks for it), once per hasher: argon2 is deliberately slow."""
    return _hash_with(passwords._hasher)


@functools.lru_cache(maxsize=4)
def _hash_with(hasher: PasswordHasher) -> str:
    return hasher.hash(PASSWORD)


# People have names: pages show them (e.g. in a proposal's history) and must read naturally.
PERSON_NAMES = {
    "admin": "Ada Admin",
    "counselor_a": "Clara Beraterin",
    "counselor_b": "Bernd Berater",
    "landlord_a": "Lars Vermieter",
    "landlord_b": "Vera Vermieterin",
}


@dataclass
class World:
    orgs: dict[str, Organisation] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)  # "landlord_a:vacancies:read" -> raw key
    households: dict[str, Household] = field(default_factory=dict)
    vacancies: dict[str, Vacancy] = field(default_factory=dict)

    def email(self, who: str) -> str:
        return self.users[who].email


def household_values(org_id: int, **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "reference_code": f"HH-2026-{abs(hash((org_id, str(overrides)))) % 100000:05d}",
        "organisation_id": org_id,
        "adults": 1,
        "children_ages": [],
        "persons": 1,
        "income_basis": IncomeBasis.SGB2,
        "urgency": Urgency.NOTICE_RECEIVED,
        "registered_at": clock.today() - timedelta(days=100),
        "status": HouseholdStatus.ACTIVE,
        "preferred_ags": ["05770024"],
        "name": "Erika Mustermann",
    }
    values.update(overrides)
    values["persons"] = values["adults"] + len(values["children_ages"])
    return values


def vacancy_values(org_id: int, **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "organisation_id": org_id,
        "title": "2-Zimmer-Wohnung",
        "street": "Bahnhofstraße",
        "house_number": "5",
        "postal_code": "32423",
        "municipality_ags": "05770024",
        "lat": 52.2883,
        "lon": 8.9167,
        "rooms": Decimal("2"),
        "living_area": Decimal("55"),
        "floor": 1,
        "net_cold_rent": Decimal("330"),
        "cold_service_charges": Decimal("110"),
        "heating_costs": Decimal("70"),
        "available_from": clock.today() + timedelta(days=14),
        "pets": PetsPolicy.ON_REQUEST,
        "status": VacancyStatus.OPEN,
    }
    values.update(overrides)
    return values


async def build_world(session: AsyncSession) -> World:
    world = World()
    for key, name, kind in (
        ("fachstelle", "Fachstelle Test", OrganisationKind.FACHSTELLE),
        ("counseling_a", "Beratung A", OrganisationKind.COUNSELING),
        ("counseling_b", "Beratung B", OrganisationKind.COUNSELING),
        ("landlord_a", "Vermieter A", OrganisationKind.LANDLORD),
        ("landlord_b", "Vermieter B", OrganisationKind.LANDLORD),
    ):
        org = Organisation(name=name, kind=kind, contact_email=f"{key}@example.org")
        session.add(org)
        world.orgs[key] = org
    await session.flush()
    for key, org_key, role in (
        ("admin", "fachstelle", Role.ADMIN),
        ("counselor_a", "counseling_a", Role.COUNSELOR),
        ("counselor_b", "counseling_b", Role.COUNSELOR),
        ("landlord_a", "landlord_a", Role.LANDLORD),
        ("landlord_b", "landlord_b", Role.LANDLORD),
    ):
        user = User(
            email=f"{key.replace('_', '.')}@example.org",
            name=PERSON_NAMES[key],
            role=role,
            organisation_id=world.orgs[org_key].id,
            password_hash=password_hash(),
        )
        session.add(user)
        world.users[key] = user
    await session.flush()
    for org_key in ("counseling_a", "counseling_b", "landlord_a", "landlord_b"):
        for scope in SCOPES:
            issued = await issue_api_key(session, SYSTEM, world.orgs[org_key].id, scope, [scope])
            world.keys[f"{org_key}:{scope}"] = issued.raw
        issued = await issue_api_key(session, SYSTEM, world.orgs[org_key].id, "alle", list(SCOPES))
        world.keys[f"{org_key}:all"] = issued.raw
    for key, org_key in (("a", "counseling_a"), ("b", "counseling_b")):
        h = Household(
            **household_values(world.orgs[org_key].id, reference_code=f"HH-2026-9000{key == 'b':d}")
        )
        session.add(h)
        world.households[key] = h
    for key, org_key in (("a", "landlord_a"), ("b", "landlord_b")):
        v = Vacancy(**vacancy_values(world.orgs[org_key].id, external_id=f"EXT-{key}"))
        session.add(v)
        world.vacancies[key] = v
    await session.flush()
    await session.commit()
    return world
