"""Case service: recording, bad input, deadlines, urgency from the case, sharing, versions."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from matching import clock
from matching.actors import Actor
from matching.audit import wording
from matching.cases import catalogue
from matching.cases.catalogue import ShortConsultationCreate
from matching.cases.schemas import (
    AppointmentCreate,
    CaseCreate,
    CaseUpdate,
    ContactCreate,
    ReferralCreate,
    ShareCreate,
)
from matching.cases.service import (
    CaseService,
    close_search_case,
    open_search_case,
)
from matching.db.models import (
    AuditEvent,
    Case,
    CaseContact,
    CaseReferral,
    CaseShare,
    Consent,
    Household,
)
from matching.enums import (
    CaseKind,
    CaseOutcome,
    CaseStatus,
    ConsentRecipients,
    ContactKind,
    DeadlineKind,
    OrganisationKind,
    ReferralKind,
    Role,
    ShareLevel,
    Urgency,
)
from matching.errors import Conflict, Forbidden, NotFound
from matching.validation import ValidationFailed, validate

pytestmark = pytest.mark.anyio


def counselor(world: Any, who: str) -> Actor:
    user = world.users[who]
    return Actor(
        kind="user",
        organisation_id=user.organisation_id,
        role=Role.COUNSELOR,
        organisation_kind=OrganisationKind.COUNSELING,
        user_id=user.id,
        label=who,
    )


async def _prevention(session: Any, world: Any, **fields: Any) -> Case:
    service = CaseService(session=session)
    case = await service.create_for(
        counselor(world, "counselor_a"),
        CaseCreate(household_id=world.households["a"].id, kind=CaseKind.PREVENTION, **fields),
    )
    await session.commit()
    return case


async def _consent(session: Any, household_id: int, org_id: int, scope: list[str]) -> Consent:
    today = clock.today()
    await session.rollback()  # a refused request before must leave nothing behind
    consent = Consent(
        household_id=household_id,
        scope=scope,
        recipients=ConsentRecipients.NAMED,
        recipient_organisation_ids=[org_id],
        given_at=today,
        valid_until=today + timedelta(days=180),
        form_reference="Ordner 3",
    )
    session.add(consent)
    await session.commit()
    return consent


async def test_schonfrist_and_eviction_feed_deadlines_and_urgency(session: Any, world: Any) -> None:
    today = clock.today()
    served = today - timedelta(days=10)
    eviction = today + timedelta(days=40)
    case = await _prevention(
        session,
        world,
        suit_served_on=served,
        eviction_date=eviction,
        arrears=Decimal("1234.56"),
        landlord_name="Wohnbau Muster",
    )
    service = CaseService(session=session)
    kinds = {d.kind: d for d in await service.deadlines_of(case)}
    assert set(kinds) == {DeadlineKind.SCHONFRIST, DeadlineKind.EVICTION}
    assert kinds[DeadlineKind.EVICTION].date == eviction
    assert case.arrears_cents == 123456
    household = await session.get(Household, world.households["a"].id)
    await session.refresh(household)
    assert household.urgency == Urgency.EVICTION_SCHEDULED
    assert household.eviction_date == eviction
    actions = (await session.scalars(sa.select(AuditEvent.action))).all()
    assert "household.urgency_from_case" in actions
    # the landlord's name is encrypted at rest
    raw = await session.scalar(
        sa.text("SELECT landlord_name FROM cases WHERE id = :i"), {"i": case.id}
    )
    assert raw and "Muster" not in raw


@pytest.mark.parametrize(
    ("fields", "bad_field"),
    [
        ({"suit_served_on": date(2026, 5, 2), "eviction_date": date(2026, 5, 1)}, "suit_served_on"),
        ({"arrears": Decimal("-0.01")}, "arrears"),
        ({"arrears": Decimal("100000.01")}, "arrears"),
        (
            {"application_filed_on": date(2026, 5, 2), "application_decided_on": date(2026, 5, 1)},
            "application_decided_on",
        ),
        # a case cannot begin or end in the future, nor date from year 1 (a typo for 2026)
        ({"opened_on": clock.today() + timedelta(days=1)}, "opened_on"),
        (
            {"outcome": CaseOutcome.HOME_KEPT, "closed_on": clock.today() + timedelta(days=1)},
            "closed_on",
        ),
        ({"opened_on": date(1, 1, 1)}, "opened_on"),
        ({"notice_date": date(1, 1, 1)}, "notice_date"),
        ({"eviction_date": clock.today() + timedelta(days=3 * 366)}, "eviction_date"),
    ],
)
async def test_bad_input_names_the_field_and_stores_nothing(
    session: Any, world: Any, fields: dict[str, Any], bad_field: str
) -> None:
    service = CaseService(session=session)
    with pytest.raises(ValidationFailed) as caught:
        await service.create_for(
            counselor(world, "counselor_a"),
            CaseCreate(household_id=world.households["a"].id, kind=CaseKind.PREVENTION, **fields),
        )
    await session.rollback()
    assert [e.field for e in caught.value.errors] == [bad_field]
    assert all(e.message[0].isupper() for e in caught.value.errors)
    count = await session.scalar(
        sa.select(sa.func.count()).select_from(Case).where(Case.kind == CaseKind.PREVENTION)
    )
    assert count == 0


async def test_stale_version_is_a_conflict(session: Any, world: Any) -> None:
    case = await _prevention(session, world)
    service = CaseService(session=session)
    actor = counselor(world, "counselor_a")
    await service.update_for(actor, case.id, CaseUpdate(version=1, notice_date=clock.today()))
    await session.commit()
    with pytest.raises(Conflict) as caught:
        await service.update_for(actor, case.id, CaseUpdate(version=1, arrears=Decimal(5)))
    assert "geändert" in str(caught.value)


async def test_sharing_read_cowork_and_withdrawal(session: Any, world: Any) -> None:
    case_id = (await _prevention(session, world)).id
    service = CaseService(session=session)
    a, b = counselor(world, "counselor_a"), counselor(world, "counselor_b")
    office_b = world.orgs["counseling_b"].id
    household_id, landlord = world.households["a"].id, world.orgs["landlord_a"].id
    with pytest.raises(NotFound):
        await service.get_for(b, case_id)
    landlord_only = await _consent(session, household_id, landlord, ["case"])
    with pytest.raises(ValidationFailed) as caught:
        await service.share(
            a,
            case_id,
            ShareCreate(
                organisation_id=office_b,
                consent_id=landlord_only.id,
                level=ShareLevel.READ,
            ),
        )
    assert caught.value.errors[0].field == "organisation_id"
    consent = await _consent(session, household_id, office_b, ["case"])
    share = await service.share(
        a,
        case_id,
        ShareCreate(
            organisation_id=office_b,
            consent_id=consent.id,
            level=ShareLevel.READ,
        ),
    )
    await session.commit()
    assert (await service.get_for(b, case_id)).access == "read"
    contact = ContactCreate(occurred_on=clock.today(), kind=ContactKind.PHONE)
    with pytest.raises(Forbidden):
        await service.add_contact(b, case_id, contact)
    share.level = ShareLevel.COWORK
    await session.commit()
    added = await service.add_contact(b, case_id, contact)
    await session.commit()
    assert added.organisation_id == office_b
    reads = (
        await session.execute(
            sa.select(AuditEvent.action, AuditEvent.organisation_id).where(
                AuditEvent.object_type == "case"
            )
        )
    ).all()
    assert ("case.read", office_b) in reads
    assert ("case.contact", office_b) in reads
    consent.withdrawn_at = datetime.now(UTC)
    await session.commit()
    with pytest.raises(NotFound):
        await service.get_for(b, case_id)
    listed, total = await service.list_for(b)
    assert total == 0 and listed == []


async def test_lead_handover_needs_a_live_share(session: Any, world: Any) -> None:
    case_id = (await _prevention(session, world)).id
    service = CaseService(session=session)
    a = counselor(world, "counselor_a")
    office_b = world.orgs["counseling_b"].id
    with pytest.raises(ValidationFailed):
        await service.hand_over(a, case_id, office_b)
    consent = await _consent(session, world.households["a"].id, office_b, ["case"])
    await service.share(
        a,
        case_id,
        ShareCreate(organisation_id=office_b, consent_id=consent.id, level=ShareLevel.COWORK),
    )
    moved = await service.hand_over(a, case_id, office_b)
    assert moved.lead_organisation_id == office_b


async def test_two_year_rule_warns(session: Any, world: Any) -> None:
    today = clock.today()
    earlier = await _prevention(
        session,
        world,
        tenancy_address="Hauptstraße 1, 32423 Minden",
        notice_date=today - timedelta(days=400),
        schonfrist_cured_on=today - timedelta(days=330),
    )
    service = CaseService(session=session)
    await service.update_for(
        counselor(world, "counselor_a"),
        earlier.id,
        CaseUpdate(version=earlier.version, outcome=CaseOutcome.HOME_KEPT, closed_on=today),
    )
    await session.commit()
    current = await _prevention(
        session, world, tenancy_address="Hauptstraße 1, 32423 Minden", notice_date=today
    )
    (warning,) = await service.warnings_of(current)
    assert "zwei Jahren" in warning


async def test_closing_with_home_kept_and_past_appointment(session: Any, world: Any) -> None:
    today = clock.today()
    case = await _prevention(session, world, eviction_date=today + timedelta(days=20))
    service = CaseService(session=session)
    a = counselor(world, "counselor_a")
    with pytest.raises(ValidationFailed) as caught:
        await service.add_appointment(
            a,
            case.id,
            AppointmentCreate(
                starts_at=datetime.now(UTC) - timedelta(hours=1), purpose=ContactKind.CONSULTATION
            ),
        )
    assert caught.value.errors[0].field == "starts_at"
    closed = await service.update_for(
        a, case.id, CaseUpdate(version=case.version, outcome=CaseOutcome.HOME_KEPT, closed_on=today)
    )
    await session.commit()
    assert closed.status == CaseStatus.CLOSED
    assert await service.deadlines_of(closed) == []
    household = await session.get(Household, world.households["a"].id)
    await session.refresh(household)
    assert household.urgency == Urgency.NONE
    assert (await session.scalar(sa.select(sa.func.count()).select_from(CaseContact))) == 0


async def test_housed_household_closes_its_search_case(session: Any, world: Any) -> None:
    household = await session.get(Household, world.households["a"].id)
    search = await open_search_case(session, household)
    await session.commit()
    await close_search_case(session, household.id, clock.today())
    await session.commit()
    await session.refresh(search)
    assert search.status == CaseStatus.CLOSED
    assert search.outcome == CaseOutcome.HOUSED
    assert search.closed_on == clock.today()


async def test_contact_referral_and_appointment_dates_stay_plausible(
    session: Any, world: Any
) -> None:
    """Year 1 or 9999 in a sub-form is refused with the field named (it broke the case page
    and the calendar file); a referral cannot predate its case, like a contact."""
    case = await _prevention(session, world)
    service = CaseService(session=session)
    a = counselor(world, "counselor_a")
    far = datetime(9999, 12, 31, 23, 30, tzinfo=timezone(timedelta(hours=-14)))
    for starts in (far, datetime.now(UTC) + timedelta(days=3 * 366)):
        with pytest.raises(ValidationFailed) as caught:
            await service.add_appointment(
                a, case.id, AppointmentCreate(starts_at=starts, purpose=ContactKind.CONSULTATION)
            )
        assert [e.field for e in caught.value.errors] == ["starts_at"]
    for day in (date(1, 1, 1), case.opened_on - timedelta(days=1)):
        with pytest.raises(ValidationFailed) as caught:
            await service.add_referral(
                a, case.id, ReferralCreate(kind=ReferralKind.DEBT, agreed_on=day)
            )
        assert [e.field for e in caught.value.errors] == ["agreed_on"]
        with pytest.raises(ValidationFailed) as caught:
            await service.add_contact(
                a, case.id, ContactCreate(occurred_on=day, kind=ContactKind.PHONE)
            )
        assert [e.field for e in caught.value.errors] == ["occurred_on"]
    await session.rollback()
    assert (await session.scalar(sa.select(sa.func.count()).select_from(CaseReferral))) == 0


async def test_a_stored_year_one_notice_date_does_not_break_the_warnings(
    session: Any, world: Any
) -> None:
    """Data stored before the date rule (or by hand) still shows: the two-year rule reaches
    back before year 1 without an error."""
    case = await _prevention(session, world)
    await session.execute(
        sa.update(Case).where(Case.id == case.id).values(notice_date=date(1, 1, 1))
    )
    await session.commit()
    await session.refresh(case)
    assert await CaseService(session=session).warnings_of(case) == []


async def test_a_case_with_old_stored_dates_stays_editable(session: Any, world: Any) -> None:
    """The date window is a rule about entering a date: a case whose stored dates lie outside
    it (a search case opened on an old registration date, a case decades old) can still be
    changed and closed; a date entered now must lie in the window."""
    case = await _prevention(session, world)
    old = clock.today().replace(year=clock.today().year - 25)
    await session.execute(
        sa.update(Case).where(Case.id == case.id).values(opened_on=old, notice_date=old)
    )
    await session.commit()
    await session.refresh(case)
    service = CaseService(session=session)
    actor = counselor(world, "counselor_a")
    form = {"version": str(case.version), "arrears_months": "3", "notice_date": old.isoformat()}
    changed = await service.update_for(
        actor, case.id, validate(CaseUpdate, form, from_form=True)
    )  # the old notice date sent again, as the edit form does: no new entry
    await session.commit()
    assert changed.arrears_months == 3
    with pytest.raises(ValidationFailed) as caught:
        await service.update_for(
            actor,
            case.id,
            CaseUpdate(version=changed.version, notice_date=old + timedelta(days=1)),
        )
    assert list(caught.value.as_dict()) == ["notice_date"]


async def test_the_audit_trail_of_a_shared_case_reads_in_german(session: Any, world: Any) -> None:
    """Reads and changes by the other office are on record *and* readable: every case action
    has its words, the case its number, the access its level, field names their labels,
    organisations their names (it showed "sonstige Aktion", "Objekt" and "arrears_months")."""
    case = await _prevention(session, world, eviction_date=clock.today() + timedelta(days=30))
    case_id, reference = case.id, case.reference
    service = CaseService(session=session)
    a, b = counselor(world, "counselor_a"), counselor(world, "counselor_b")
    office_a, office_b = world.orgs["counseling_a"].id, world.orgs["counseling_b"].id
    await service.update_for(a, case_id, CaseUpdate(version=case.version, arrears_months=2))
    await session.commit()
    consent = await _consent(session, world.households["a"].id, office_b, ["case"])
    await service.share(
        a,
        case_id,
        ShareCreate(organisation_id=office_b, consent_id=consent.id, level=ShareLevel.COWORK),
    )
    await service.get_for(b, case_id)
    await service.add_contact(
        b, case_id, ContactCreate(occurred_on=clock.today(), kind=ContactKind.PHONE)
    )
    await service.hand_over(a, case_id, office_b)
    await session.commit()
    events = (await session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id))).all()
    names = await wording.names_for(session, events)
    lines = [wording.describe(e, names) for e in events]
    assert all(line.action != "sonstige Aktion" for line in lines)
    case_lines = [line for line in lines if line.target_url == f"/faelle/{case_id}"]
    assert {line.target for line in case_lines} == {f"Fall {reference}"}
    by_action = {line.action: line.details for line in case_lines}
    assert "Monatsmieten im Rückstand" in by_action["Fall geändert"]
    assert by_action["Fall angesehen"] == "Zugriff: Mitarbeit (geteilt)"
    org_names = {o.id: o.name for o in world.orgs.values()}
    assert by_action["Fall mit einer Beratungsstelle geteilt"] == (
        f"Stelle: {org_names[office_b]}; Stufe: Mitarbeit"
    )
    assert by_action["Federführung des Falls übergeben"] == (
        f"Stelle: {org_names[office_b]}; vorher: {org_names[office_a]}"
    )
    urgency = next(line for line in lines if line.action.startswith("Dringlichkeit"))
    assert ("Fall " + reference, f"/faelle/{case_id}") in urgency.related
    for line in lines:
        assert "_" not in line.details and "arrears" not in line.details, line


async def test_short_consultation_date_follows_the_case_date_rule(session: Any, world: Any) -> None:
    a = counselor(world, "counselor_a")
    today = clock.today()
    for day in (date(1, 1, 1), today + timedelta(days=1)):
        data = ShortConsultationCreate(
            municipality_ags="05770024", kind=CaseKind.PREVENTION, occurred_on=day
        )
        with pytest.raises(ValidationFailed) as caught:
            await catalogue.record_short_consultation(session, a, data, today)
        assert [e.field for e in caught.value.errors] == ["occurred_on"]
    ok = ShortConsultationCreate(municipality_ags="05770024", kind=CaseKind.PREVENTION)
    assert (await catalogue.record_short_consultation(session, a, ok, today)).occurred_on == today


async def test_sharing_again_replaces_the_share_and_ending_it_ends_access(
    session: Any, world: Any
) -> None:
    """Sharing twice with one office wrote two live shares: going down from Mitarbeit to
    Einsicht did nothing (Mitarbeit won), and "Freigabe beenden" on one left the other."""
    case_id = (await _prevention(session, world)).id
    service = CaseService(session=session)
    a, b = counselor(world, "counselor_a"), counselor(world, "counselor_b")
    office_b = world.orgs["counseling_b"].id
    consent = await _consent(session, world.households["a"].id, office_b, ["case"])

    async def share(level: ShareLevel) -> int:
        shared = await service.share(
            a, case_id, ShareCreate(organisation_id=office_b, consent_id=consent.id, level=level)
        )
        await session.commit()
        return int(shared.id)

    await share(ShareLevel.READ)
    await share(ShareLevel.COWORK)
    assert (await service.get_for(b, case_id)).access == "cowork"
    last = await share(ShareLevel.READ)
    assert (await service.get_for(b, case_id)).access == "read"
    live = await session.scalar(
        sa.select(sa.func.count())
        .select_from(CaseShare)
        .where(CaseShare.case_id == case_id, CaseShare.ended_at.is_(None))
    )
    assert live == 1
    # a second live share as older versions wrote it: ending one ends both
    session.add(
        CaseShare(
            case_id=case_id, organisation_id=office_b, consent_id=consent.id, level=ShareLevel.READ
        )
    )
    await session.commit()
    await service.end_share(a, case_id, last)
    await session.commit()
    with pytest.raises(NotFound):
        await service.get_for(b, case_id)


def test_an_early_lead_handover_reads_with_office_names() -> None:
    """Handovers recorded before they named their offices stored organisation ids as from/to;
    audit rows are hash-chained and stay as written, so reading turns the ids into names."""
    names = wording.Names(organisations={3: "Beratung A", 5: "Beratung B"})
    text = wording.details_text({"from": 3, "to": 5}, names)
    assert text == "Stelle: Beratung B; vorher: Beratung A"
    assert "Status" not in wording.details_text({"from": 3, "to": 5}, names)
    assert wording.details_text({"from": "open", "to": "closed"}, names).startswith("Status:")
