"""Updates check the vacancy they would leave behind with the rules of creation (issue 10:
"the same rules in the form, the API and the import"): plausibility of the merged offer, the
move-in window whenever a date is set - and a flat listed long ago stays editable."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import msgspec
import pytest
import sqlalchemy as sa

from matching import clock
from matching.accounts.service import api_key_actor
from matching.actors import Actor
from matching.db.models import ApiKey, Vacancy
from matching.enums import OrganisationKind
from matching.intake import export_vacancies_csv
from matching.intake.export import EXAMPLE_RECORD
from matching.intake.importer import parse_upload, run_import
from matching.vacancies import upsert
from matching.vacancies.schemas import (
    VacancyCreate,
    VacancyFields,
    VacancyUpdate,
    available_from_window,
    offer_errors,
)
from matching.vacancies.service import VacancyService
from matching.validation import ValidationFailed

pytestmark = pytest.mark.anyio

TODAY = clock.today()
EARLIEST, LATEST = available_from_window(TODAY)
ONE_DAY = dt.timedelta(days=1)


async def landlord(session: Any, world: Any) -> Actor:
    key = await session.scalar(
        sa.select(ApiKey).where(ApiKey.organisation_id == world.orgs["landlord_a"].id).limit(1)
    )
    return api_key_actor(key, OrganisationKind.LANDLORD)


async def stored(session: Any, vacancy_id: int) -> dict[str, Any]:
    """The row as the database holds it (read ids and actors before: this expires the world)."""
    session.expire_all()
    vacancy = await session.get(Vacancy, vacancy_id)
    assert vacancy is not None
    return {f: getattr(vacancy, f) for f in (*VacancyFields.__struct_fields__, "version")}


# The world's flat: 2 rooms, 55 m², available in 14 days, no minimum household.
REFUSED_CHANGES = [
    pytest.param({"available_from": dt.date(2999, 1, 1)}, "available_from", id="datum-2999"),
    pytest.param({"available_from": LATEST + dt.timedelta(days=1)}, "available_from", id="spaet"),
    pytest.param({"available_from": EARLIEST - dt.timedelta(days=1)}, "available_from", id="alt"),
    pytest.param({"min_persons": 5}, "min_persons", id="personen-fuer-zimmer"),
    pytest.param({"min_persons": 3, "rooms": 1.0}, "min_persons", id="zimmer-verkleinert"),
    pytest.param({"min_persons": 4, "living_area": 35.0}, "min_persons", id="flaeche"),
    pytest.param({"min_persons": 3, "max_persons": 2}, "max_persons", id="min-ueber-max"),
    pytest.param({"net_cold_rent": 300.555}, "net_cold_rent", id="bruchteil-cent"),
]


@pytest.mark.parametrize(("changes", "field"), REFUSED_CHANGES)
async def test_an_update_is_refused_by_the_rules_of_creation(
    session: Any, world: Any, changes: dict[str, Any], field: str
) -> None:
    vid, actor = world.vacancies["a"].id, await landlord(session, world)
    before = await stored(session, vid)
    with pytest.raises(ValidationFailed) as caught:
        await VacancyService(session=session).update_for(actor, vid, VacancyUpdate(**changes))
    assert field in caught.value.as_dict()
    assert all(caught.value.as_dict().values())  # a German sentence per field
    await session.rollback()
    assert await stored(session, vid) == before  # nothing stored
    # ... and the same flat offered new is refused for the same field: one rule
    new = {k: v for k, v in before.items() if k in VacancyCreate.__struct_fields__}
    new = {k: v for k, v in {**new, **changes}.items() if v is not None}
    assert field in {e.field for e in VacancyCreate(**new).check()}


async def test_a_later_change_makes_stored_persons_inconsistent(session: Any, world: Any) -> None:
    """The check reads the merged offer: 3 persons fit 2 rooms and 55 m², not 1 room."""
    vid, actor = world.vacancies["a"].id, await landlord(session, world)
    service = VacancyService(session=session)
    await service.update_for(actor, vid, VacancyUpdate(min_persons=3))
    await session.commit()
    with pytest.raises(ValidationFailed) as caught:
        await service.update_for(actor, vid, VacancyUpdate(rooms=1.0))
    assert list(caught.value.as_dict()) == ["min_persons"]
    assert "1 Zimmer" in caught.value.as_dict()["min_persons"]
    await session.rollback()
    assert (await stored(session, vid))["rooms"] == Decimal("2")


async def test_a_flat_listed_long_ago_stays_editable(session: Any, world: Any) -> None:
    """Thirteen months after its move-in date a flat's title, rent or status may change, and
    the edit form may send the old date again; a *new* date must lie in the window."""
    vid, actor = world.vacancies["a"].id, await landlord(session, world)
    old = TODAY - dt.timedelta(days=396)
    await session.execute(sa.update(Vacancy).where(Vacancy.id == vid).values(available_from=old))
    await session.commit()
    service = VacancyService(session=session)
    await service.update_for(actor, vid, VacancyUpdate(title="Neuer Titel"))
    await service.update_for(
        actor, vid, VacancyUpdate(available_from=old, net_cold_rent=320.0)
    )  # the old date sent again: no change
    await session.commit()
    after = await stored(session, vid)
    assert (after["title"], after["net_cold_rent"], after["available_from"]) == (
        "Neuer Titel",
        Decimal("320.00"),
        old,
    )
    with pytest.raises(ValidationFailed) as caught:
        await service.update_for(actor, vid, VacancyUpdate(available_from=old + dt.timedelta(1)))
    assert list(caught.value.as_dict()) == ["available_from"]
    await session.rollback()
    await service.update_for(actor, vid, VacancyUpdate(available_from=TODAY))
    await session.commit()
    assert (await stored(session, vid))["available_from"] == TODAY


def test_the_window_applies_only_to_a_date_being_set() -> None:
    offer = VacancyFields(available_from=dt.date(2999, 1, 1), rooms=2, living_area=55)
    assert [e.field for e in offer_errors(offer, date_changed=True)] == ["available_from"]
    assert offer_errors(offer, date_changed=False) == []
    crowded = msgspec.structs.replace(offer, min_persons=5)
    assert [e.field for e in offer_errors(crowded, date_changed=False)] == ["min_persons"]


async def test_put_update_checks_plausibility_like_creation(session: Any, world: Any) -> None:
    """The upsert carries the whole offer and is validated as one (``VacancyCreate``)."""
    actor, vid = await landlord(session, world), world.vacancies["a"].id
    before = await stored(session, vid)
    body = {k: v for k, v in before.items() if k in VacancyCreate.__struct_fields__}
    body = {k: v for k, v in body.items() if v is not None}
    for changes, field in (
        ({"available_from": dt.date(2999, 1, 1)}, "available_from"),
        ({"min_persons": 5}, "min_persons"),
    ):
        with pytest.raises(ValidationFailed) as caught:
            await upsert.upsert_by_external_id(
                session, actor, "EXT-a", VacancyCreate(**{**body, **changes})
            )
        assert field in caught.value.as_dict()
        await session.rollback()
    assert await stored(session, vid) == before


async def test_put_and_import_deliver_a_flat_listed_long_ago_again(
    session: Any, world: Any
) -> None:
    """A landlord's feed sends the whole offer again: the flat's stored move-in date, however
    old, is no new entry; a new date must lie in the window - as in the form and PATCH."""
    vid, org = world.vacancies["a"].id, world.orgs["landlord_a"].id
    actor = await landlord(session, world)
    old = TODAY - dt.timedelta(days=396)
    await session.execute(sa.update(Vacancy).where(Vacancy.id == vid).values(available_from=old))
    await session.commit()
    before = await stored(session, vid)
    body = {
        k: v for k, v in before.items() if k in VacancyCreate.__struct_fields__ and v is not None
    }
    outcome = await upsert.upsert_by_external_id(
        session, actor, "EXT-a", VacancyCreate(**{**body, "title": "Per PUT geändert"})
    )
    await session.commit()
    assert outcome.result == "updated"
    with pytest.raises(ValidationFailed) as caught:
        await upsert.upsert_by_external_id(
            session, actor, "EXT-a", VacancyCreate(**{**body, "available_from": old + ONE_DAY})
        )
    assert list(caught.value.as_dict()) == ["available_from"]
    await session.rollback()

    records = [
        msgspec.structs.replace(EXAMPLE_RECORD, external_id=ext, available_from=day)
        for ext, day in (("EXT-a", old), ("NEU-1", old), ("EXT-a-neu", old + ONE_DAY))
    ]
    parsed = await parse_upload(
        session, export_vacancies_csv(records), "bestand.csv", organisation_id=org
    )
    window = "Das Bezugsdatum muss zwischen einem Jahr zurück und zwei Jahren voraus liegen."
    verdicts = {row.external_id: [i.message for i in row.errors] for row in parsed.rows}
    assert verdicts == {"EXT-a": [], "NEU-1": [window], "EXT-a-neu": [window]}
    report = await run_import(session, actor, parsed, filename="bestand.csv", mode="valid_only")
    await session.commit()
    assert report.counts["updated"] == 1 and report.counts["rejected"] == 2
    assert (await stored(session, vid))["available_from"] == old
    # Without the landlord's stored dates (another landlord's file) the old date is refused.
    foreign = await parse_upload(session, export_vacancies_csv(records[:1]), "f.csv")
    assert [i.message for i in foreign.rows[0].errors] == [window]
