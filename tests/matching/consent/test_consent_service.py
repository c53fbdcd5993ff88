"""Recording, checking and withdrawing consent; withdrawal ends the proposals built on it."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from matching.consent import service as consent
from matching.db.models import AuditEvent, Consent, OutboxMessage, Proposal
from matching.enums import ConsentRecipients, ProposalStatus
from matching.proposals import service
from matching.proposals.checker import PassAllChecker
from matching.proposals.errors import Conflict, NotFound, ValidationFailed
from tests.matching.proposals.factories import NOW, TEST_SETTINGS, World, later, make_household

pytestmark = pytest.mark.anyio
TODAY = date(2026, 11, 23)


async def _fresh(session: AsyncSession, world: World) -> int:
    household = await make_household(session, world.counseling, world.counselor_user)
    await session.commit()
    return household.id


async def test_record_and_status_texts(session: AsyncSession, world: World) -> None:
    hid = await _fresh(session, world)
    status = await consent.consent_status(session, hid, TODAY)
    assert (status.valid, status.text) == (False, "keine gültige Einwilligung")
    await consent.record_consent(
        session,
        world.counselor,
        hid,
        scope=["composition", "income_basis", "name"],
        recipients="network",
        given_at=date(2026, 11, 1),
        valid_until=date(2026, 12, 31),
        form_reference="Ordner 3, Blatt 12",
    )
    await session.commit()
    status = await consent.consent_status(session, hid, TODAY)
    assert status.text == "gültig bis 31.12.2026 für alle Vermieter des Netzwerks"
    named = await consent.record_consent(
        session,
        world.counselor,
        hid,
        scope=["composition", "income_basis"],
        recipients=ConsentRecipients.NAMED,
        recipient_organisation_ids=[world.landlord.id],
        given_at=date(2026, 11, 2),
        valid_until=date(2027, 6, 30),
        form_reference="Blatt 13",
    )
    await session.commit()
    assert named.recipient_organisation_ids == [world.landlord.id]
    history = await consent.consent_history(session, world.counselor, hid)
    assert [c.id for c in history] == [named.id, history[1].id]
    audit = (
        await session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "consent.record"))
    ).all()
    assert len(audit) == 2 and "Ordner" not in str(audit[0].details)
    assert await consent.covering_consent(session, hid, world.other_landlord.id, TODAY) is not None
    later_day = date(2027, 3, 1)  # only the named one is still valid then
    assert await consent.covering_consent(session, hid, world.other_landlord.id, later_day) is None
    status = await consent.consent_status(session, hid, later_day)
    assert status.text == f"gültig bis 30.06.2027 für {world.landlord.name}"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"scope": []}, "scope"),
        ({"scope": ["composition", "shoe_size"]}, "scope"),
        ({"recipients": "everyone"}, "recipients"),
        ({"recipients": "named"}, "recipient_organisation_ids"),
        (
            {"recipients": "named", "recipient_organisation_ids": "counseling"},
            "recipient_organisation_ids",
        ),
        ({"valid_until": date(2025, 1, 1)}, "valid_until"),
        ({"form_reference": "  "}, "form_reference"),
    ],
)
async def test_bad_input_names_the_field(
    session: AsyncSession, world: World, kwargs: dict[str, object], field: str
) -> None:
    hid = await _fresh(session, world)
    values: dict[str, object] = {
        "scope": ["composition", "income_basis"],
        "recipients": "network",
        "given_at": date(2026, 1, 1),
        "valid_until": date(2026, 12, 31),
        "form_reference": "Blatt 1",
    }
    values.update(kwargs)
    if values.get("recipient_organisation_ids") == "counseling":
        values["recipient_organisation_ids"] = [world.counseling.id]
    with pytest.raises(ValidationFailed) as info:
        await consent.record_consent(session, world.counselor, hid, **values)  # type: ignore[arg-type]
    assert info.value.field == field and info.value.http_status == 422


async def test_other_organisation_cannot_touch_consents(
    session: AsyncSession, world: World
) -> None:
    hid = world.households[0].id
    with pytest.raises(NotFound):
        await consent.consent_history(session, world.other_counselor, hid)
    with pytest.raises(NotFound):
        await consent.record_consent(
            session,
            world.other_counselor,
            hid,
            scope=["composition"],
            recipients="network",
            given_at=TODAY,
            valid_until=TODAY,
            form_reference="x",
        )
    consent_id = await session.scalar(sa.select(Consent.id).where(Consent.household_id == hid))
    assert consent_id is not None
    with pytest.raises(NotFound):
        await consent.withdraw_consent(session, world.landlord_actor, consent_id)


async def test_withdrawal_withdraws_live_proposals_in_the_same_transaction(
    session: AsyncSession, world: World
) -> None:
    household = world.households[0]
    results = await service.propose(
        session,
        world.counselor,
        world.vacancies[0].id,
        [household.id],
        checker=PassAllChecker(),
        now=NOW,
        settings=TEST_SETTINGS,
    )
    results += await service.propose(
        session,
        world.counselor,
        world.vacancies[1].id,
        [household.id],
        checker=PassAllChecker(),
        now=NOW,
        settings=TEST_SETTINGS,
    )
    await session.commit()
    ids = [r.proposal_id for r in results if r.proposal_id is not None]
    assert len(ids) == 2
    consent_id = await session.scalar(
        sa.select(Consent.id).where(Consent.household_id == household.id)
    )
    assert consent_id is not None
    withdrawn = await consent.withdraw_consent(
        session, world.counselor, consent_id, now=later(1), settings=TEST_SETTINGS
    )
    await session.commit()
    assert sorted(withdrawn) == sorted(ids)
    rows = (await session.scalars(sa.select(Proposal).where(Proposal.id.in_(ids)))).all()
    assert {(p.status, p.decline_reason_code) for p in rows} == {
        (ProposalStatus.WITHDRAWN, "S_CONSENT_WITHDRAWN")
    }
    mails = (
        await session.scalars(
            sa.select(OutboxMessage).where(OutboxMessage.kind == "proposal_withdrawn")
        )
    ).all()
    assert len(mails) == 2 and all("Einwilligung widerrufen" in m.body_text for m in mails)
    # The landlord's view no longer shows anything beyond the reference code's frame.
    detail = await service.mark_viewed(session, world.landlord_actor, ids[0])
    assert "identity" not in detail.profile
    status = await consent.consent_status(session, household.id, date(2026, 11, 24))
    assert not status.valid
    [refused] = await service.propose(
        session,
        world.counselor,
        world.vacancies[2].id,
        [household.id],
        checker=PassAllChecker(),
        now=later(2),
        settings=TEST_SETTINGS,
    )
    assert refused.code == "consent_withdrawn"
    with pytest.raises(Conflict):
        await consent.withdraw_consent(session, world.counselor, consent_id, now=later(2))


async def test_page_scopes_take_the_widest_consent_running_that_day(
    session: AsyncSession, world: World
) -> None:
    """``covering_scopes`` (a page of households) and ``scopes_by_landlord`` (a page of flats)
    read only the consent columns; they still skip consents not yet given, expired or
    withdrawn (by the Berlin date of the withdrawal) and pick the widest scope per landlord."""
    first, none, other_only = [await _fresh(session, world) for _ in range(3)]

    async def give(hid: int, scope: list[str], start: date, end: date, **to: object) -> int:
        recorded = await consent.record_consent(
            session,
            world.counselor,
            hid,
            scope=scope,
            recipients=str(to.get("recipients", "network")),
            recipient_organisation_ids=list(to.get("ids", ())),  # type: ignore[call-overload]
            given_at=start,
            valid_until=end,
            form_reference="Blatt 1",
        )
        await session.commit()
        return recorded.id

    basic, named = ["composition", "income_basis"], ["composition", "income_basis", "name"]
    every = ["composition", "email", "income_basis", "name", "phone"]  # stored sorted
    await give(first, basic, date(2026, 11, 1), date(2026, 12, 31))
    await give(
        first,
        named,
        date(2026, 11, 2),
        date(2027, 6, 30),
        recipients="named",
        ids=[world.landlord.id],
    )
    await give(first, every, date(2026, 12, 1), date(2027, 6, 30))  # not yet given
    await give(first, every, date(2026, 1, 1), date(2026, 11, 22))  # expired the day before
    withdrawn = await give(first, every, date(2026, 11, 1), date(2027, 6, 30))
    await consent.withdraw_consent(session, world.counselor, withdrawn, now=NOW)  # 23.11. Berlin
    await session.commit()
    await give(
        other_only,
        basic,
        date(2026, 11, 1),
        date(2026, 12, 31),
        recipients="named",
        ids=[world.other_landlord.id],
    )
    page = [first, none, other_only]
    assert await consent.covering_scopes(session, page, world.landlord.id, TODAY) == {first: named}
    assert await consent.covering_scopes(session, page, world.other_landlord.id, TODAY) == {
        first: basic,
        other_only: basic,
    }
    the_day_before = date(2026, 11, 22)  # the withdrawn and the expiring one still ran then
    assert await consent.covering_scopes(session, page, world.landlord.id, the_day_before) == {
        first: every
    }
    # A weighted acceptance chance asks for every candidate of a ranking: SQLite builds
    # commonly bind at most 32,766 parameters, so large sets go in slices (here of 3).
    crowd = [*range(10**9, 10**9 + 40_000), first, 10**9 - 1, other_only]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(consent, "SQLITE_IDS_PER_QUERY", 3)
        assert await consent.covering_scopes(
            session, crowd[-5:], world.other_landlord.id, TODAY
        ) == {
            first: basic,
            other_only: basic,
        }
    assert await consent.covering_scopes(session, crowd, world.other_landlord.id, TODAY) == {
        first: basic,
        other_only: basic,
    }
    landlords = [world.landlord.id, world.other_landlord.id]
    assert await consent.scopes_by_landlord(session, first, landlords, TODAY) == {
        world.landlord.id: named,
        world.other_landlord.id: basic,
    }
    assert await consent.scopes_by_landlord(session, none, landlords, TODAY) == {}
