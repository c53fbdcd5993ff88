"""Finding households: by reference code, by name through the blind index (names stay
encrypted), by urgency, size, status and town; never another office's households."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet
from sqlalchemy.ext.asyncio import async_sessionmaker

from matching.db.models import Household
from matching.enums import HouseholdStatus, Urgency
from matching.households import name_index
from matching.security import crypto
from matching.security.rotation import rotate_all
from tests.conftest import csrf_headers, login
from tests.support.world import PASSWORD, household_values

pytestmark = pytest.mark.anyio


def test_names_are_compared_as_words_without_case_umlauts_or_accents() -> None:
    assert name_index.tokens("Müller-Lüdenscheidt, Zoë") == ["mueller", "luedenscheidt", "zoe"]
    assert name_index.tokens("MUELLER") == ["mueller"]
    assert name_index.tokens("Straße J.") == ["strasse"]  # initials are left out
    assert name_index.tokens(None) == []


async def _add(session: Any, world: Any, org: str, **values: Any) -> Household:
    household = Household(**household_values(world.orgs[org].id, **values))
    session.add(household)
    await session.flush()
    return household


async def _search(client: Any, **fields: str) -> str:
    response = await client.post("/haushalte/suche", data=fields, headers=csrf_headers(client))
    assert response.status_code == 200, response.text
    return str(response.text)


async def test_counselor_finds_households_by_name_and_code(
    client: Any, world: Any, session: Any
) -> None:
    mine = await _add(
        session, world, "counseling_a", reference_code="HH-2026-00417", name="Jürgen Öztürk"
    )
    await _add(session, world, "counseling_a", reference_code="HH-2026-00418", name="Jürgen Weber")
    theirs = await _add(
        session, world, "counseling_b", reference_code="HH-2026-00419", name="Jürgen Öztürk"
    )
    await session.commit()
    await login(client, world.email("counselor_a"), PASSWORD)

    page = await _search(client, q="oeztuerk jürgen")  # any order, umlauts either way
    assert "HH-2026-00417" in page and "HH-2026-00418" not in page
    assert theirs.reference_code not in page  # another office's household stays invisible
    assert "1 Haushalt zur Suche" in page
    page = await _search(client, q="Jürgen")
    assert "HH-2026-00417" in page and "HH-2026-00418" in page and "2 Haushalte" in page
    assert "Mustermann" not in page  # the world's household has another name
    page = await _search(client, q="Jürgen Schmidt")  # every word must match
    assert "0 Haushalte" in page
    for code in ("HH-2026-00417", "hh-2026-00417", "2026-417", "417"):
        page = await _search(client, q=code)
        assert "HH-2026-00417" in page and "HH-2026-00418" not in page, code
    detail = await client.get(f"/haushalte/{mine.id}")
    assert detail.status_code == 200


async def test_filters_by_size_urgency_status_and_town(
    client: Any, world: Any, session: Any
) -> None:
    await _add(
        session,
        world,
        "counseling_a",
        reference_code="HH-2026-00501",
        adults=2,
        children_ages=[3, 5, 9],
        urgency=Urgency.HOMELESS,
        preferred_ags=["05770032"],
    )
    await _add(
        session,
        world,
        "counseling_a",
        reference_code="HH-2026-00502",
        status=HouseholdStatus.PAUSED,
    )
    await session.commit()
    await login(client, world.email("counselor_a"), PASSWORD)
    large = await client.get("/haushalte", params={"size": "5"})
    assert "HH-2026-00501" in large.text and "HH-2026-00502" not in large.text
    single = await client.get("/haushalte", params={"size": "1"})
    assert "HH-2026-00502" in single.text and "HH-2026-00501" not in single.text
    homeless = await _search(client, urgency="homeless")
    assert "HH-2026-00501" in homeless and "HH-2026-00502" not in homeless
    paused = await _search(client, status="paused")
    assert "HH-2026-00502" in paused and "HH-2026-00501" not in paused
    town = await _search(client, town="05770032", q="")
    assert "HH-2026-00501" in town and "HH-2026-00502" not in town
    form = await client.get("/haushalte")
    assert 'method="post" action="/haushalte/suche"' in form.text  # names never in a URL


async def test_the_index_follows_the_name_and_holds_no_plaintext(
    world: Any, session: Any, settings: Any
) -> None:
    household = await _add(session, world, "counseling_a", name="Kunigunde Canarienvogel")
    await session.commit()
    raw = (await session.execute(sa.text("SELECT digest FROM household_name_tokens"))).all()
    assert raw and not any("kunigunde" in str(r[0]).lower() for r in raw)

    async def found(text: str) -> set[int]:
        ids = name_index.matching_ids(text)
        assert ids is not None
        return {int(i) for i in (await session.scalars(ids)).all()}

    assert household.id in await found("Kunigunde")
    household.name = "Kunigunde Zaunkönig"  # e.g. married: the index follows
    await session.commit()
    assert household.id in await found("zaunkoenig")
    assert household.id not in await found("Canarienvogel")
    household.name = None  # anonymised
    await session.commit()
    assert household.id not in await found("Kunigunde")

    # A key rotation re-indexes under the new key; the search still finds the name.
    household.name = "Kunigunde Amsel"
    await session.commit()
    old_key = settings.security.encryption_keys[0]
    new_key = Fernet.generate_key().decode()
    factory = async_sessionmaker(session.bind, expire_on_commit=False)
    before = set((await session.scalars(sa.text("SELECT digest FROM household_name_tokens"))).all())
    try:
        crypto.configure([new_key, old_key])
        report = await rotate_all(factory, [new_key, old_key])
        assert report.reindexed >= 1
        after = set(
            (await session.scalars(sa.text("SELECT digest FROM household_name_tokens"))).all()
        )
        assert before.isdisjoint(after)
        crypto.configure([new_key])
        assert household.id in await found("amsel kunigunde")
    finally:
        crypto.configure([old_key, new_key])
        await rotate_all(factory, [old_key, new_key])
        crypto.configure([old_key])
