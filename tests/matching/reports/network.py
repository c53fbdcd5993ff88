"""A small constructed network for report tests: known households, flats and proposals in 2025.

Minden (area IV) is large; Hille (area III) is a small town with 3 two-person households,
the figure the small-number rule must protect.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from matching.db.models import Household, Organisation, Proposal, Vacancy
from matching.enums import IncomeBasis, OrganisationKind, ProposalStatus, Urgency
from tests.support.world import World, build_world, household_values, vacancy_values

MINDEN = "05770024"
HILLE = "05770012"
YEAR = 2025
UTC = dt.UTC


@dataclass
class Network:
    world: World
    households: list[Household]
    flats: list[Vacancy]
    proposals: list[Proposal]
    hostile_landlord: Organisation


def _at(month: int, day: int, hour: int = 9) -> dt.datetime:
    return dt.datetime(YEAR, month, day, hour, tzinfo=UTC)


async def build_network(session: AsyncSession) -> Network:
    world = await build_world(session)
    hostile = Organisation(
        name='=HYPERLINK("http://x")', kind=OrganisationKind.LANDLORD, contact_email=None
    )
    session.add(hostile)
    org_a = world.orgs["counseling_a"].id
    org_b = world.orgs["counseling_b"].id
    specs: list[tuple[str, int, int, IncomeBasis, int]] = [
        # town, adults, children, income basis, how many
        (MINDEN, 1, 0, IncomeBasis.SGB2, 12),
        (MINDEN, 2, 0, IncomeBasis.SGB2, 7),
        (MINDEN, 1, 2, IncomeBasis.SGB12, 6),
        (MINDEN, 1, 0, IncomeBasis.OWN_INCOME, 5),
        (HILLE, 1, 0, IncomeBasis.SGB2, 6),
        (HILLE, 2, 0, IncomeBasis.SGB2, 3),
    ]
    households: list[Household] = []
    n = 0
    for town, adults, children, basis, count in specs:
        for _ in range(count):
            n += 1
            values = household_values(
                org_a if n % 3 else org_b,
                reference_code=f"HH-2025-{n:05d}",
                adults=adults,
                children_ages=[5] * children,
                income_basis=basis,
                urgency=Urgency.HOMELESS if n % 2 else Urgency.NOTICE_RECEIVED,
                registered_at=dt.date(YEAR, 1, 10),
                preferred_ags=[town],
            )
            households.append(Household(**values))
    # Registered after the year: never counted for 2025.
    households.append(
        Household(
            **household_values(
                org_a, reference_code="HH-2026-00999", registered_at=dt.date(YEAR + 1, 2, 1)
            )
        )
    )
    session.add_all(households)
    landlord_a = world.orgs["landlord_a"].id
    flats: list[Vacancy] = []
    # (town, Nettokaltmiete; kalte Nebenkosten 100 €), put on offer in May
    for k, (town, net) in enumerate(
        [(MINDEN, 300), (MINDEN, 340), (MINDEN, 420), (MINDEN, 600), (HILLE, 290)]
    ):
        flats.append(
            Vacancy(
                **vacancy_values(
                    landlord_a,
                    external_id=f"R-{k}",
                    municipality_ags=town,
                    net_cold_rent=Decimal(net),
                    cold_service_charges=Decimal(100),
                    available_from=dt.date(YEAR, 6, 1),
                ),
                created_at=_at(5, 1 + k),
            )
        )
    session.add_all(flats)
    await session.flush()
    proposals = [
        _proposal(
            flats[0],
            households[0],
            ProposalStatus.LET,
            _at(3, 1),
            answered=_at(3, 3),
            closed=_at(4, 1),
        ),
        _proposal(
            flats[1],
            households[1],
            ProposalStatus.DECLINED,
            _at(3, 2),
            answered=_at(3, 4),
            closed=_at(3, 4),
            reason="L_PETS",
        ),
        _proposal(flats[2], households[2], ProposalStatus.ACCEPTED, _at(3, 5), answered=_at(3, 6)),
        _proposal(flats[3], households[3], ProposalStatus.SENT, _at(3, 7)),
        _proposal(
            flats[1],
            households[4],
            ProposalStatus.DECLINED,
            _at(3, 9),
            answered=_at(3, 9, 15),
            closed=_at(3, 9, 15),
            reason="L_PETS",
        ),
    ]
    session.add_all(proposals)
    await session.flush()
    await session.commit()
    return Network(world, households, flats, proposals, hostile)


def _proposal(
    flat: Vacancy,
    household: Household,
    status: ProposalStatus,
    sent: dt.datetime,
    *,
    answered: dt.datetime | None = None,
    closed: dt.datetime | None = None,
    reason: str | None = None,
) -> Proposal:
    values: dict[str, Any] = {
        "vacancy_id": flat.id,
        "household_id": household.id,
        "landlord_organisation_id": flat.organisation_id,
        "counseling_organisation_id": household.organisation_id,
        "status": status,
        "sent_at": sent,
        "answered_at": answered,
        "closed_at": closed,
        "decline_reason_code": reason,
        "explanation": {},
        "shared_profile": {},
    }
    return Proposal(**values)
