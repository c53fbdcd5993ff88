"""A scene for route-wide tests: the world plus a consent, a sent proposal, a secure link
token and an import job, with every path parameter's value for objects of organisation A."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from matching import clock
from matching.actors import Actor
from matching.cases.schemas import CaseCreate
from matching.cases.service import CaseService
from matching.config import DatabaseSettings
from matching.consent.service import record_consent
from matching.db.engine import make_engine, make_session_factory
from matching.db.models import (
    CaseAppointment,
    CaseReferral,
    CaseShare,
    Consent,
    LocalService,
    Organisation,
    OutboxMessage,
    Proposal,
    User,
)
from matching.enums import (
    CaseKind,
    ConsentRecipients,
    ContactKind,
    OrganisationKind,
    ReferralKind,
    Role,
    ShareLevel,
)
from matching.intake import csv_template
from matching.intake.importer import parse_upload, record_job, run_import
from matching.proposals import tokens
from matching.proposals.checker import PassAllChecker
from matching.proposals.service import propose
from tests.support.world import build_world, password_hash


@dataclass
class Scene:
    values: dict[str, Any] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)
    token: str = ""


async def build_scene(url: str) -> Scene:
    engine = make_engine(DatabaseSettings(url=url))
    async with make_session_factory(engine)() as session:
        world = await build_world(session)
        ha, va = world.households["a"], world.vacancies["a"]
        counselor = world.users["counselor_a"]
        actor = Actor(
            kind="user",
            organisation_id=counselor.organisation_id,
            role=Role.COUNSELOR,
            organisation_kind=OrganisationKind.COUNSELING,
            user_id=counselor.id,
            label=f"user:{counselor.id}",
        )
        consent = await record_consent(
            session,
            actor,
            ha.id,
            scope=["composition", "income_basis"],
            recipients=ConsentRecipients.NETWORK,
            given_at=clock.today(),
            valid_until=clock.today() + timedelta(days=180),
            form_reference="Formular 1",
        )
        outcomes = await propose(session, actor, va.id, [ha.id], checker=PassAllChecker())
        proposal_id = outcomes[0].proposal_id
        assert proposal_id is not None, outcomes
        proposal = await session.get(Proposal, proposal_id)
        assert proposal is not None and proposal.respond_by is not None
        raw = await tokens.issue(
            session, proposal_id, "landlord_a@example.org", proposal.respond_by
        )
        # A real dry-run import of the CSV template, so the job has a report to download.
        landlord = world.users["landlord_a"]
        landlord_actor = Actor(
            kind="user",
            organisation_id=landlord.organisation_id,
            role=Role.LANDLORD,
            organisation_kind=OrganisationKind.LANDLORD,
            user_id=landlord.id,
            label=f"user:{landlord.id}",
        )
        parsed = await parse_upload(session, csv_template(), "vorlage.csv")
        report = await run_import(
            session, landlord_actor, parsed, filename="vorlage.csv", dry_run=True
        )
        job = await record_job(session, landlord_actor, report)
        await session.flush()
        other_user = await session.scalar(sa.select(User.id).where(User.email.like("counselor.b%")))
        other_org = await session.scalar(
            sa.select(Organisation.id).where(Organisation.name == "Vermieter B")
        )
        key_id = await session.scalar(
            sa.text("SELECT id FROM api_keys WHERE organisation_id = :o ORDER BY id LIMIT 1"),
            {"o": world.orgs["landlord_a"].id},
        )
        message_id = await session.scalar(
            sa.select(OutboxMessage.id).order_by(OutboxMessage.id).limit(1)
        )
        case_values = await _shared_case(session, world, actor, ha.id)
        await session.commit()
        scene = Scene(
            values={
                "household_id": ha.id,
                "vacancy_id": va.id,
                "proposal_id": proposal_id,
                "consent_id": consent.id,
                **case_values,
                "job_id": job.id,
                "table_id": 1,  # the shipped example table
                "import_id": 1,  # no such pending upload: the admin gets 404
                "user_id": other_user,
                "org_id": other_org,
                "key_id": key_id,
                "message_id": message_id,
                "external_id": "EXT-a",
                "token": raw,
                "file_path": "app.css",
                "path": "openapi.json",
            },
            keys=dict(world.keys),
            token=raw,
        )
    await engine.dispose()
    return scene


# Offices a case of organisation A is shared with: read, co-work, and one whose consent was
# withdrawn (the access matrix shows each as its own actor).
SHARING_OFFICES = (
    ("read", "Beratung Einsicht", ShareLevel.READ, False),
    ("cowork", "Beratung Mitarbeit", ShareLevel.COWORK, False),
    ("withdrawn", "Beratung Widerrufen", ShareLevel.COWORK, True),
)


async def _shared_case(session: Any, world: Any, actor: Actor, household_id: int) -> dict[str, int]:
    """A prevention case of household A, shared with three more counselling offices."""
    case = await CaseService(session=session).create_for(
        actor,
        CaseCreate(
            household_id=household_id,
            kind=CaseKind.PREVENTION,
            suit_served_on=clock.today() - timedelta(days=3),
        ),
    )
    values: dict[str, int] = {"case_id": case.id}
    for key, name, level, withdrawn in SHARING_OFFICES:
        org = Organisation(name=name, kind=OrganisationKind.COUNSELING)
        session.add(org)
        await session.flush()
        session.add(
            User(
                email=f"counselor.{key}@example.org",
                name=f"Beraterin {name}",
                role=Role.COUNSELOR,
                organisation_id=org.id,
                password_hash=password_hash(),
            )
        )
        consent = Consent(
            household_id=household_id,
            scope=["case"],
            recipients=ConsentRecipients.NAMED,
            recipient_organisation_ids=[org.id],
            given_at=clock.today(),
            valid_until=clock.today() + timedelta(days=90),
            form_reference="Formular Fallkooperation",
        )
        session.add(consent)
        await session.flush()
        share = CaseShare(
            case_id=case.id, organisation_id=org.id, consent_id=consent.id, level=level
        )
        session.add(share)
        await session.flush()
        if withdrawn:
            consent.withdrawn_at = datetime.now(UTC)
        if key == "read":
            values |= {"share_id": share.id, "share_org_id": org.id, "share_consent_id": consent.id}
    appointment = CaseAppointment(
        case_id=case.id,
        starts_at=datetime.now(UTC) + timedelta(days=2),
        purpose=ContactKind.CONSULTATION,
        organisation_id=actor.organisation_id,
    )
    service = LocalService(name="Schuldnerberatung Minden", kind=ReferralKind.DEBT)
    referral = CaseReferral(
        case_id=case.id,
        kind=ReferralKind.DEBT,
        agreed_on=clock.today(),
        organisation_id=actor.organisation_id,
    )
    session.add_all([appointment, service, referral])
    await session.flush()
    return values | {
        "appointment_id": appointment.id,
        "service_id": service.id,
        "referral_id": referral.id,
    }
