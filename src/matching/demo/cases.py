"""Demo casework: a search case for every demo household, and prevention cases in every state
(court notice only, Schonfrist running, application pending and decided, eviction date set,
agreement reached, shared with the second office, the two-year warning, and each outcome),
with contacts, appointments, referrals, the local services catalogue and short consultations.
Deterministic for a given day; written once (skipped when prevention cases exist)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from matching.db import versioning
from matching.db.models import (
    Case,
    CaseAppointment,
    CaseContact,
    CaseReferral,
    CaseShare,
    Consent,
    Household,
    LocalService,
    Organisation,
    ShortConsultation,
)
from matching.demo.accounts import COUNSELING_A, COUNSELING_B
from matching.enums import (
    ApplicationOutcome,
    ArrearsLegalBasis,
    Authority,
    CaseKind,
    CaseOutcome,
    CaseStatus,
    ConsentRecipients,
    ContactKind,
    HouseholdStatus,
    NoticeKind,
    ReferralKind,
    ReferralStatus,
    ShareLevel,
    Urgency,
)
from matching.proposals.timeutil import BERLIN

SERVICES = (
    ("Schuldner- und Insolvenzberatung Minden (Demo)", ReferralKind.DEBT, "05770024"),
    ("Suchtberatung Lübbecke (Demo)", ReferralKind.ADDICTION, "05770028"),
    ("Ambulant betreutes Wohnen Porta (Demo)", ReferralKind.SUPPORTED_LIVING, "05770032"),
    ("Betreuungsverein Kreis Minden-Lübbecke (Demo)", ReferralKind.GUARDIANSHIP, None),
    ("Hilfe nach §§ 67 ff. SGB XII – Beratungsstelle (Demo)", ReferralKind.SGB12_67, None),
)


@dataclass(frozen=True)
class Story:
    """One prevention case: days relative to today (negative = past)."""

    key: str
    fields: dict[str, Any]
    outcome: CaseOutcome | None = None
    share: bool = False


def _stories(today: date) -> list[Story]:
    def d(days: int) -> date:
        return today + timedelta(days=days)

    return [
        Story("court_notice", {"court_notice_received_on": d(-1), "notice_date": d(-60)}),
        Story(
            "schonfrist",
            {
                "court_notice_received_on": d(-12),
                "suit_filed_on": d(-20),
                "suit_served_on": d(-14),
                "notice_date": d(-75),
                "notice_kind": NoticeKind.BOTH,
                "arrears_cents": 214000,
                "arrears_months": 4,
                "arrears_as_of": d(-14),
            },
        ),
        Story(
            "application_pending",
            {
                "suit_served_on": d(-30),
                "notice_date": d(-90),
                "notice_kind": NoticeKind.WITHOUT_NOTICE,
                "arrears_cents": 156050,
                "application_authority": Authority.JOBCENTER,
                "application_legal_basis": ArrearsLegalBasis.SGB2,
                "application_filed_on": d(-21),
            },
            share=True,
        ),
        Story(
            "application_decided",
            {
                "suit_served_on": d(-45),
                "notice_date": d(-100),
                "arrears_cents": 98000,
                "application_authority": Authority.SOZIALAMT,
                "application_legal_basis": ArrearsLegalBasis.SGB12,
                "application_filed_on": d(-40),
                "application_decided_on": d(-25),
                "application_outcome": ApplicationOutcome.LOAN,
                "application_amount_cents": 98000,
                "schonfrist_cured_on": d(-20),
            },
        ),
        Story(
            "eviction",
            {"notice_date": d(-200), "suit_served_on": d(-150), "eviction_date": d(9)},
        ),
        Story(
            "agreement",
            {
                "notice_date": d(-50),
                "arrears_cents": 120000,
                "agreement_instalments": True,
                "instalment_cents": 10000,
                "agreement_continuation": True,
            },
        ),
        Story(
            "kept", {"notice_date": d(-180), "schonfrist_cured_on": d(-120)}, CaseOutcome.HOME_KEPT
        ),
        Story("moved", {"notice_date": d(-240)}, CaseOutcome.MOVED),
        Story("lost", {"notice_date": d(-300), "eviction_date": d(-100)}, CaseOutcome.HOME_LOST),
        Story("contact_lost", {"notice_date": d(-150)}, CaseOutcome.CONTACT_LOST),
    ]


async def open_search_cases(session: AsyncSession) -> int:
    """One search case for every household that has no case yet (bulk, one statement)."""
    no_case = ~sa.exists(sa.select(Case.id).where(Case.household_id == Household.id))
    status = sa.case(
        (Household.status.in_([HouseholdStatus.HOUSED, HouseholdStatus.CLOSED]), "closed"),
        else_="open",
    )
    select = sa.select(
        Household.id,
        sa.literal("search"),
        status,
        Household.organisation_id,
        Household.counselor_id,
        Household.registered_at,
        sa.func.now(),
        sa.func.now(),
    ).where(no_case)
    result = await session.execute(
        sa.insert(Case).from_select(
            [
                "household_id",
                "kind",
                "status",
                "lead_organisation_id",
                "counselor_id",
                "opened_on",
                "created_at",
                "updated_at",
            ],
            select,
        )
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def load_demo_cases(session: AsyncSession, today: date) -> dict[str, int]:
    """Write the demo prevention cases once; returns how many cases and consents it wrote."""
    await open_search_cases(session)
    if await session.scalar(sa.select(Case.id).where(Case.kind == CaseKind.PREVENTION).limit(1)):
        return {"cases": 0, "consents": 0}
    orgs = {o.name: o for o in (await session.scalars(sa.select(Organisation))).all()}
    office_a, office_b = orgs.get(COUNSELING_A), orgs.get(COUNSELING_B)
    if office_a is None or office_b is None:
        return {"cases": 0, "consents": 0}
    stories = _stories(today)
    households = (
        await session.scalars(
            sa.select(Household)
            .where(
                Household.organisation_id == office_a.id,
                Household.status == HouseholdStatus.ACTIVE,
            )
            .order_by(Household.id)
            .limit(len(stories) + 1)
        )
    ).all()
    services = [
        LocalService(name=name, kind=kind, municipality_ags=ags, contact="Telefon 0571 000000")
        for name, kind, ags in SERVICES
    ]
    session.add_all(services)
    await session.flush()
    written = consents = 0
    for index, (story, household) in enumerate(zip(stories, households, strict=False)):
        case = await _write_story(session, story, household, office_a.id, today, index)
        if story.share:
            await _share(session, case, household, office_b.id, today)
            consents += 1
        if index % 3 == 0:
            session.add(
                CaseReferral(
                    case_id=case.id,
                    kind=services[index % len(services)].kind,
                    local_service_id=services[index % len(services)].id,
                    status=ReferralStatus.AGREED
                    if case.status == CaseStatus.OPEN
                    else ReferralStatus.COMPLETED,
                    agreed_on=max(case.opened_on, today - timedelta(days=5)),
                    organisation_id=office_a.id,
                )
            )
        written += 1
    if len(households) > len(stories):  # the two-year warning: a second notice, same flat
        await _two_year_story(session, households[0], office_a.id, today)
        written += 1
    for offset, ags in enumerate(("05770024", "05770024", "05770028", "05770004", "05770032")):
        session.add(
            ShortConsultation(
                organisation_id=office_a.id if offset % 2 == 0 else office_b.id,
                municipality_ags=ags,
                occurred_on=today - timedelta(days=offset * 3),
                kind=CaseKind.PREVENTION if offset % 2 == 0 else CaseKind.SEARCH,
            )
        )
    await session.flush()
    await versioning.bump(session, versioning.HOUSEHOLDS)
    return {"cases": written, "consents": consents}


async def _write_story(
    session: AsyncSession, story: Story, household: Household, office: int, today: date, index: int
) -> Case:
    opened = min(
        [v for v in story.fields.values() if isinstance(v, date)] + [today - timedelta(days=3)]
    )
    case = Case(
        household_id=household.id,
        kind=CaseKind.PREVENTION,
        status=CaseStatus.CLOSED if story.outcome else CaseStatus.OPEN,
        lead_organisation_id=office,
        counselor_id=household.counselor_id,
        opened_on=opened,
        landlord_name=f"Demo-Vermieter {index + 1}",
        tenancy_address=f"Musterweg {index + 1}, 32423 Minden",
        monthly_rent=str(45000 + index * 1500),
        **story.fields,
    )
    if story.outcome:
        case.outcome = story.outcome
        case.closed_on = today - timedelta(days=10)
    session.add(case)
    await session.flush()
    session.add(
        CaseContact(
            case_id=case.id,
            occurred_on=opened,
            kind=ContactKind.FIRST_CONSULTATION,
            municipality_ags="05770024",
            organisation_id=office,
            note="Erstgespräch (Demo)",
        )
    )
    if case.status == CaseStatus.OPEN:
        session.add(
            CaseAppointment(
                case_id=case.id,
                starts_at=datetime.combine(
                    today + timedelta(days=2 + index), time(10), BERLIN
                ).astimezone(UTC),
                purpose=ContactKind.CONSULTATION,
                municipality_ags="05770024",
                organisation_id=office,
            )
        )
        if case.eviction_date and case.eviction_date >= today:
            household.urgency = Urgency.EVICTION_SCHEDULED
            household.eviction_date = case.eviction_date
        elif case.notice_date and household.urgency in (Urgency.NONE, Urgency.THREATENED):
            household.urgency = Urgency.NOTICE_RECEIVED
            household.notice_date = case.notice_date
    return case


async def _share(
    session: AsyncSession, case: Case, household: Household, office_b: int, today: date
) -> None:
    consent = Consent(
        household_id=household.id,
        scope=["composition", "income_basis", "case"],
        recipients=ConsentRecipients.NAMED,
        recipient_organisation_ids=[office_b],
        given_at=today - timedelta(days=7),
        valid_until=today + timedelta(days=180),
        form_reference="Demo: Schweigepflichtentbindung Fallkooperation",
    )
    session.add(consent)
    await session.flush()
    session.add(
        CaseShare(
            case_id=case.id,
            organisation_id=office_b,
            consent_id=consent.id,
            level=ShareLevel.COWORK,
        )
    )


async def _two_year_story(
    session: AsyncSession, household: Household, office: int, today: date
) -> None:
    """An earlier case of the same flat cured by payment 14 months ago, and a new notice now."""
    address = "Musterweg 1, 32423 Minden"
    earlier = Case(
        household_id=household.id,
        kind=CaseKind.PREVENTION,
        status=CaseStatus.CLOSED,
        lead_organisation_id=office,
        opened_on=today - timedelta(days=450),
        notice_date=today - timedelta(days=440),
        schonfrist_cured_on=today - timedelta(days=420),
        tenancy_address=address,
        outcome=CaseOutcome.HOME_KEPT,
        closed_on=today - timedelta(days=400),
    )
    session.add(earlier)
    await session.flush()
