"""The ranking snapshots: equal to the database, refreshed on every stamp change, never stale
across app instances (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import numpy as np
import pytest
import sqlalchemy as sa

from matching import clock
from matching.db import versioning
from matching.db.engine import make_engine, make_session_factory
from matching.db.models import Household, Vacancy
from matching.enums import HouseholdStatus, IncomeBasis, Urgency, VacancyStatus
from matching.ranking import RankingService
from matching.ranking.snapshot import HouseholdSnapshot, ReferenceSnapshot, VacancySnapshot
from scoring.inputs import INCOME_BASES, NO_DAY, URGENCIES, day_number
from scoring.money import NO_AMOUNT, to_cents
from tests.matching.ranking.ranking_support import actor, add_household, add_vacancy, age_rows

pytestmark = pytest.mark.anyio


async def _variety(session: Any, world: Any) -> None:
    org_a = world.orgs["counseling_a"].id
    org_b = world.orgs["counseling_b"].id
    today = clock.today()
    await add_household(
        session,
        org_a,
        "HH-2026-10001",
        adults=2,
        children_ages=[3, 7],
        income_basis=IncomeBasis.OWN_INCOME,
        own_max_rent=Decimal("850.50"),
        wbs_valid_until=today + timedelta(days=30),
        needs_barrier_free=True,
        max_floor_without_lift=2,
        has_pets=True,
        preferred_ags=["05770004", "05770024"],
        preferences_hard=True,
        max_distance_km=12.5,
        urgency=Urgency.EVICTION_SCHEDULED,
        eviction_date=today + timedelta(days=20),
    )
    await add_household(
        session,
        org_b,
        "HH-2026-10002",
        urgency=Urgency.HOMELESS,
        homeless_since=today - timedelta(days=400),
        preferred_ags=[],
    )
    await add_household(session, org_b, "HH-2026-10003", status=HouseholdStatus.PAUSED)


def _optional_day(value: date | None) -> int:
    return NO_DAY if value is None else day_number(value)


async def test_snapshot_equals_the_database(session: Any, world: Any) -> None:
    await _variety(session, world)
    table = await HouseholdSnapshot().get(session)
    rows = (
        await session.scalars(
            sa.select(Household).where(Household.status == HouseholdStatus.ACTIVE)
        )
    ).all()
    assert sorted(table.ids.tolist()) == table.ids.tolist()
    assert set(table.ids.tolist()) == {h.id for h in rows}
    assert table.stamp == await versioning.current(session, versioning.HOUSEHOLDS)
    h = table.data
    for row in rows:
        i = table.position(row.id)
        assert i is not None
        assert table.side["reference_code"][i] == row.reference_code
        assert table.side["organisation_id"][i] == row.organisation_id
        assert h.persons[i] == row.persons
        assert INCOME_BASES[h.income_basis[i]] == row.income_basis.value
        assert URGENCIES[h.urgency[i]] == row.urgency.value
        expected_cents = NO_AMOUNT if row.own_max_rent is None else to_cents(row.own_max_rent)
        assert h.own_max_rent_cents[i] == expected_cents  # exact integer cents
        assert h.wbs_valid_until[i] == _optional_day(row.wbs_valid_until)
        assert h.eviction_date[i] == _optional_day(row.eviction_date)
        assert h.homeless_since[i] == _optional_day(row.homeless_since)
        assert h.registered_at[i] == day_number(row.registered_at)
        assert bool(h.needs_barrier_free[i]) == row.needs_barrier_free
        assert bool(h.has_pets[i]) == row.has_pets
        assert bool(h.preferences_hard[i]) == row.preferences_hard
        assert h.preference_sets[h.preference_group[i]] == tuple(sorted(row.preferred_ags))
        floor = h.max_floor_without_lift[i]
        assert (np.isnan(floor) and row.max_floor_without_lift is None) or (
            floor == row.max_floor_without_lift
        )
    assert table.nbytes() > 0


async def test_vacancy_snapshot_holds_open_vacancies_and_skips_unrankable(
    session: Any, world: Any
) -> None:
    org = world.orgs["landlord_a"].id
    let = await add_vacancy(session, org, status=VacancyStatus.LET, external_id="LET")
    no_floor = await add_vacancy(session, org, floor=None, external_id="NOFLOOR")
    table = await VacancySnapshot().get(session)
    ids = set(table.ids.tolist())
    assert {world.vacancies["a"].id, world.vacancies["b"].id} <= ids
    assert let.id not in ids
    assert no_floor.id not in ids and no_floor.id in table.skipped_ids.tolist()
    i = table.position(world.vacancies["a"].id)
    assert i is not None
    assert table.data.net_cold_rent_cents[i] == 33_000
    assert table.data.available_from[i] == day_number(world.vacancies["a"].available_from)
    assert table.side["title"][i] == "2-Zimmer-Wohnung"


async def test_invalid_household_is_left_out_and_counted(session: Any, world: Any) -> None:
    org_a = world.orgs["counseling_a"].id
    # The database allows a budget of 0 €; the engine does not: that row must not break all.
    bad = await add_household(
        session,
        org_a,
        "HH-2026-10009",
        income_basis=IncomeBasis.OWN_INCOME,
        own_max_rent=Decimal("0"),
    )
    table = await HouseholdSnapshot().get(session)
    assert bad.id in table.skipped_ids.tolist()
    assert table.position(bad.id) is None
    assert table.position(world.households["a"].id) is not None
    # many at once (a ranking page), in the order asked: -1 for ids not in the snapshot
    asked = [world.households["b"].id, bad.id, 10**9, world.households["a"].id, 0]
    b, a = table.position(asked[0]), table.position(asked[3])
    assert a is not None and b is not None
    assert table.positions(asked).tolist() == [b, -1, -1, a, -1]
    assert table.positions([]).tolist() == []
    assert table.skipped_in(org_a) == 1
    assert table.skipped_in(world.orgs["counseling_b"].id) == 0


async def test_change_is_patched_incrementally(session: Any, world: Any) -> None:
    snapshot = HouseholdSnapshot()
    first = await snapshot.get(session)
    assert snapshot.full_loads == 1
    assert await snapshot.get(session) is first  # same stamp: no work
    household = await session.get(Household, world.households["a"].id)
    household.urgency = Urgency.HOMELESS
    household.homeless_since = clock.today() - timedelta(days=10)
    await session.flush()
    await versioning.bump(session, versioning.HOUSEHOLDS)
    await session.commit()
    new = await add_household(session, world.orgs["counseling_b"].id, "HH-2026-10010")
    second = await snapshot.get(session)
    assert snapshot.full_loads == 1 and snapshot.delta_loads == 1
    i = second.position(world.households["a"].id)
    assert i is not None and URGENCIES[second.data.urgency[i]] == "homeless"
    assert second.position(new.id) is not None
    # the old version is untouched (copy-on-write)
    j = first.position(world.households["a"].id)
    assert j is not None and URGENCIES[first.data.urgency[j]] == "notice_received"
    # leaving "active" through the ORM removes the row
    household.status = HouseholdStatus.HOUSED
    await session.flush()
    await versioning.bump(session, versioning.HOUSEHOLDS)
    await session.commit()
    third = await snapshot.get(session)
    assert third.position(world.households["a"].id) is None
    assert snapshot.full_loads == 1 and snapshot.delta_loads == 2


async def test_bulk_update_without_timestamp_is_caught_by_the_check(
    session: Any, world: Any
) -> None:
    await age_rows(session, Household)  # written long before the newest change below
    await add_household(session, world.orgs["counseling_a"].id, "HH-2026-10011")
    snapshot = HouseholdSnapshot()
    await snapshot.get(session)
    # Plain SQL that does not touch updated_at: invisible to the delta query ...
    await session.execute(
        sa.text("UPDATE households SET status = 'paused' WHERE id = :id"),
        {"id": world.households["b"].id},
    )
    await versioning.bump(session, versioning.HOUSEHOLDS)
    await session.commit()
    table = await snapshot.get(session)
    # ... but the count/id-sum check notices and a full reload follows.
    assert snapshot.full_loads == 2
    assert table.position(world.households["b"].id) is None


async def test_two_app_instances_never_serve_a_stale_ranking(
    session: Any, world: Any, settings: Any
) -> None:
    engine_a = make_engine(settings.database)
    engine_b = make_engine(settings.database)
    instance_a, instance_b = RankingService(), RankingService()
    vacancy_id = world.vacancies["a"].id
    try:
        async with make_session_factory(engine_a)() as sa_, make_session_factory(engine_b)() as sb:
            admin_a = await actor(sa_, world, "admin")
            admin_b = await actor(sb, world, "admin")
            before_a = await instance_a.vacancy_matches(sa_, admin_a, vacancy_id)
            before_b = await instance_b.vacancy_matches(sb, admin_b, vacancy_id)
            await sa_.commit()
            await sb.commit()
            assert [r.household_id for r in before_a.rows] == [
                r.household_id for r in before_b.rows
            ]
            # instance A's request changes a household (stamp bumped in the same transaction)
            household = await sa_.get(Household, world.households["a"].id)
            household.urgency = Urgency.EVICTION_SCHEDULED
            household.eviction_date = clock.today() + timedelta(days=3)
            await sa_.flush()
            await versioning.bump(sa_, versioning.HOUSEHOLDS)
            await sa_.commit()
            after_b = await instance_b.vacancy_matches(sb, admin_b, vacancy_id)
            row = next(r for r in after_b.rows if r.household_id == household.id)
            assert row.urgency == "eviction_scheduled"
            before_row = next(r for r in before_b.rows if r.household_id == household.id)
            assert row.total > before_row.total
            assert instance_b.households.delta_loads + instance_b.households.full_loads == 2
    finally:
        await engine_a.dispose()
        await engine_b.dispose()


async def test_reference_tables_are_rebuilt_only_on_change(session: Any, world: Any) -> None:
    reference = ReferenceSnapshot()
    first = await reference.get(session)
    assert await reference.get(session) is first
    assert first.example_applies("05770024", date(2026, 6, 1))
    assert first.town_names["05770024"] == "Minden"
    assert not first.example_applies("05770024", date(2014, 6, 1))  # the official 2013 table
    await session.execute(sa.text("UPDATE rent_limit_tables SET status = 'official'"))
    await session.commit()
    try:
        second = await reference.get(session)
        assert second is not first
        assert not second.example_applies("05770024", date(2026, 6, 1))
    finally:
        await session.execute(
            sa.text("UPDATE rent_limit_tables SET status = 'example' WHERE name LIKE 'Beispiel%'")
        )
        await session.commit()


async def test_unrankable_vacancy_stays_out_of_household_rankings(session: Any, world: Any) -> None:
    await add_vacancy(session, world.orgs["landlord_a"].id, floor=None, external_id="NF")
    service = RankingService()
    counselor = await actor(session, world, "counselor_a")
    result = await service.household_matches(session, counselor, world.households["a"].id)
    assert result.funnel.total == 2  # the two complete open vacancies of the world
    assert any(w.code == "VACANCIES_SKIPPED" for w in result.warnings)
    assert await session.scalar(sa.select(sa.func.count(Vacancy.id))) == 3
