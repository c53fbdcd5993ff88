"""Vacancy intake domain on SQLite and PostgreSQL: upsert idempotency, duplicates, expiry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
import pytest
import sqlalchemy as sa

from matching import clock
from matching.accounts.service import api_key_actor
from matching.db import versioning
from matching.db.engine import make_engine, make_session_factory
from matching.db.models import ApiKey, OutboxMessage, Proposal, Vacancy
from matching.enums import OrganisationKind, ProposalStatus, VacancyStatus
from matching.intake import export_vacancies_csv
from matching.intake.export import EXAMPLE_RECORD
from matching.intake.importer import parse_upload, run_import
from matching.vacancies import duplicates, upsert
from matching.vacancies.lifecycle import LifecycleSettings, expire_stale_vacancies
from matching.vacancies.schemas import VacancyCreate

pytestmark = pytest.mark.anyio


async def landlord(session: Any, world: Any, org: str = "landlord_a") -> Any:
    key = await session.scalar(
        sa.select(ApiKey).where(ApiKey.organisation_id == world.orgs[org].id).limit(1)
    )
    return api_key_actor(key, OrganisationKind.LANDLORD)


def create(**overrides: Any) -> VacancyCreate:
    values: dict[str, Any] = {
        "street": "Königstraße",
        "house_number": "7",
        "postal_code": "32423",
        "rooms": 2.0,
        "living_area": 60.0,
        "floor": 1,
        "net_cold_rent": 400.0,
        "cold_service_charges": 120.0,
        "available_from": clock.today() + timedelta(days=10),
    }
    values.update(overrides)
    return VacancyCreate(**values)


async def test_upsert_is_idempotent_and_counts_versions(session: Any, world: Any) -> None:
    actor = await landlord(session, world)
    stamp = await versioning.current(session, versioning.VACANCIES)
    first = await upsert.upsert_by_external_id(session, actor, "K-7", create())
    await session.commit()
    second = await upsert.upsert_by_external_id(session, actor, "K-7", create(rooms=2))
    await session.commit()
    assert (first.result, second.result) == ("created", "unchanged")
    assert second.vacancy.id == first.vacancy.id
    assert second.vacancy.version == 1
    assert await versioning.current(session, versioning.VACANCIES) == stamp + 1
    tag = upsert.etag(second.vacancy)
    third = await upsert.upsert_by_external_id(
        session, actor, "K-7", create(net_cold_rent=410.0), if_match=tag
    )
    await session.commit()
    assert third.result == "updated"
    assert third.vacancy.version == 2
    with pytest.raises(upsert.PreconditionFailed):
        await upsert.upsert_by_external_id(session, actor, "K-7", create(), if_match=tag)
    await session.rollback()
    count = await session.scalar(
        sa.select(sa.func.count()).select_from(Vacancy).where(Vacancy.external_id == "K-7")
    )
    assert count == 1


async def test_content_hash_ignores_number_formatting() -> None:
    a = upsert.values_from_body("X", create(rooms=2, living_area=60))
    b = upsert.values_from_body("X", create(rooms=2.0, living_area=60.00))
    assert upsert.content_hash(a) == upsert.content_hash(b)
    assert upsert.content_hash(a) != upsert.content_hash(a | {"floor": 2})


async def test_same_flat_twice_is_flagged_against_the_older_one(session: Any, world: Any) -> None:
    a = await landlord(session, world)
    b = await landlord(session, world, "landlord_b")
    first = await upsert.upsert_by_external_id(session, a, "K-1", create())
    same_org = await upsert.upsert_by_external_id(
        session, a, "K-2", create(street="Königstr.", living_area=61.5)
    )
    other_org = await upsert.upsert_by_external_id(session, b, "B-9", create(living_area=58.5))
    other_floor = await upsert.upsert_by_external_id(session, a, "K-3", create(floor=2))
    too_big = await upsert.upsert_by_external_id(session, a, "K-4", create(living_area=64.0))
    await session.commit()
    rows = {
        v.external_id: v
        for v in await session.scalars(sa.select(Vacancy).execution_options(populate_existing=True))
    }
    assert rows["K-2"].duplicate_of_id == first.vacancy.id
    assert rows["B-9"].duplicate_of_id == first.vacancy.id
    assert rows["K-1"].duplicate_of_id is None
    assert rows["K-3"].duplicate_of_id is None
    assert rows["K-4"].duplicate_of_id is None
    assert {same_org.vacancy.id, other_org.vacancy.id} == {
        p.vacancy.id for p in await duplicates.pairs(session)
    }
    assert other_floor.vacancy.status == too_big.vacancy.status == VacancyStatus.OPEN
    # "kein Duplikat" sticks: a re-check does not flag the pair again.
    await duplicates.review(session, a, same_org.vacancy.id, duplicates.DISMISSED)
    await duplicates.flag(session, vacancy_ids=[same_org.vacancy.id])
    await session.commit()
    assert [p.vacancy.external_id for p in await duplicates.pairs(session)] == ["B-9"]


async def test_bulk_import_flags_duplicates_in_one_pass(session: Any, world: Any) -> None:
    actor = await landlord(session, world)
    records = [
        msgspec.structs.replace(
            EXAMPLE_RECORD,
            external_id=f"D-{n}",
            street="Bahnhofstraße",
            house_number="5",
            floor=1,
            living_area=55.0 + n / 2,
            available_from=clock.today() + timedelta(days=5),
        )
        for n in range(3)
    ]
    result = await parse_upload(session, export_vacancies_csv(records), "d.csv")
    report = await run_import(session, actor, result, filename="d.csv")
    await session.commit()
    assert report.counts["created"] == 3
    flagged = {
        v.external_id: v.duplicate_of_id
        for v in await session.scalars(sa.select(Vacancy).where(Vacancy.external_id.like("D-%")))
    }
    oldest = await session.scalar(sa.select(Vacancy.id).where(Vacancy.external_id == "D-0"))
    assert flagged == {"D-0": None, "D-1": oldest, "D-2": oldest}


async def test_expiry_job_reminds_first_then_expires_and_withdraws_proposals(
    settings: Any, session: Any, world: Any
) -> None:
    vacancy = world.vacancies["a"]
    old = datetime.now(UTC) - timedelta(days=60)
    await session.execute(
        sa.update(Vacancy)
        .where(Vacancy.id == vacancy.id)
        .values(
            available_from=clock.today() - timedelta(days=30),
            created_at=old,
            updated_at=old,
            confirmed_at=None,
        )
    )
    fresh = world.vacancies["b"]  # available in 14 days: not due
    proposal = Proposal(
        vacancy_id=vacancy.id,
        household_id=world.households["a"].id,
        landlord_organisation_id=world.orgs["landlord_a"].id,
        counseling_organisation_id=world.orgs["counseling_a"].id,
        status=ProposalStatus.SENT,
    )
    session.add(proposal)
    await session.commit()
    engine = make_engine(settings.database)
    factory = make_session_factory(engine)
    rules = LifecycleSettings(expiry_days=14, reminder_days=3)
    now = datetime.now(UTC)
    try:
        assert await expire_stale_vacancies(factory, now, settings, rules) == 0
        assert await expire_stale_vacancies(factory, now, settings, rules) == 0  # waits a day
        later = now + timedelta(days=1, hours=1)
        assert await expire_stale_vacancies(factory, later, settings, rules) == 1
    finally:
        await engine.dispose()
    await session.rollback()
    reminders = (
        await session.scalars(
            sa.select(OutboxMessage).where(OutboxMessage.kind == "vacancy_expiry_reminder")
        )
    ).all()
    assert len(reminders) == 1
    assert reminders[0].to_address == "landlord_a@example.org"
    assert "Bitte bestätigen" in reminders[0].subject
    stored = await session.get(Vacancy, vacancy.id, populate_existing=True)
    assert stored.status == VacancyStatus.EXPIRED
    assert (await session.get(Vacancy, fresh.id, populate_existing=True)).status == (
        VacancyStatus.OPEN
    )
    p = await session.get(Proposal, proposal.id, populate_existing=True)
    assert p.status == ProposalStatus.WITHDRAWN


async def test_confirmed_vacancy_does_not_expire(settings: Any, session: Any, world: Any) -> None:
    vacancy = world.vacancies["a"]
    await session.execute(
        sa.update(Vacancy)
        .where(Vacancy.id == vacancy.id)
        .values(
            available_from=clock.today() - timedelta(days=30),
            created_at=datetime.now(UTC) - timedelta(days=60),
            updated_at=datetime.now(UTC) - timedelta(days=60),
            confirmed_at=datetime.now(UTC) - timedelta(days=2),
        )
    )
    await session.commit()
    engine = make_engine(settings.database)
    try:
        done = await expire_stale_vacancies(make_session_factory(engine), settings=settings)
    finally:
        await engine.dispose()
    assert done == 0
    await session.rollback()
    assert (await session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage))) == 0
