"""Proposal, consent, landlord and link pages on both databases, with e-mail over real SMTP."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import async_sessionmaker

from matching import clock
from matching.db.engine import make_engine, make_session_factory
from matching.db.models import AuditEvent, Consent, Proposal, ProposalToken
from matching.enums import HouseholdStatus, ProposalStatus, VacancyStatus
from matching.notifications import worker
from tests.api.test_proposals_api import give_consent
from tests.conftest import csrf_headers, login
from tests.matching.notifications.smtp_fixtures import SmtpServer, smtp_server  # noqa: F401
from tests.support.world import PASSWORD, household_values

pytestmark = pytest.mark.anyio
LINK = re.compile(r"/l/([A-Za-z0-9_\-]{20,})")


async def propose_page(client: Any, world: Any, *households: str, vacancy: str = "a") -> Any:
    return await client.post(
        f"/wohnungen/{world.vacancies[vacancy].id}/vorschlagen",
        data={"household_ids": [str(world.households[h].id) for h in households]},
        headers=csrf_headers(client),
    )


async def current(session: Any, proposal_id: int) -> Proposal:
    proposal = await session.get(Proposal, proposal_id, populate_existing=True)
    assert proposal is not None
    return proposal


async def act(client: Any, url: str, proposal: Proposal, action: str, **extra: str) -> Any:
    return await client.post(
        url,
        data={"action": action, "expected_version": str(proposal.version), **extra},
        headers=csrf_headers(client),
    )


async def only_proposal(session: Any) -> Proposal:
    return (
        await session.scalars(sa.select(Proposal).execution_options(populate_existing=True))
    ).one()


def factory(settings: Any) -> async_sessionmaker[Any]:
    return make_session_factory(make_engine(settings.database))


async def test_counselor_records_consent_then_proposes_once_despite_double_click(
    client: Any, world: Any, session: Any
) -> None:
    await login(client, world.email("counselor_a"), PASSWORD)
    hid = world.households["a"].id
    page = await client.get(f"/wohnungen/{world.vacancies['a'].id}/vorschlagen")
    assert page.status_code == 200
    assert world.households["a"].reference_code in page.text
    assert "keine Einwilligung erfasst" in page.text
    assert world.households["b"].reference_code not in page.text  # another organisation's

    bad = await client.post(
        f"/haushalte/{hid}/einwilligungen",
        data={"scope": ["composition"], "recipients": "network", "given_at": "31.02.2026"},
        headers=csrf_headers(client),
    )
    assert bad.status_code == 422 and "gültiges Datum" in bad.text
    recorded = await client.post(
        f"/haushalte/{hid}/einwilligungen",
        data={
            "scope": ["composition", "income_basis"],
            "recipients": "network",
            "given_at": clock.today().isoformat(),
            "valid_until": (clock.today() + timedelta(days=180)).strftime("%d.%m.%Y"),
            "form_reference": "Akte 7/2026",
        },
        headers=csrf_headers(client),
    )
    assert recorded.status_code == 200 and "Einwilligung gespeichert." in recorded.text
    assert "für alle Vermieter des Netzwerks" in recorded.text

    empty = await client.post(
        f"/wohnungen/{world.vacancies['a'].id}/vorschlagen",
        data={},
        headers=csrf_headers(client),
    )
    assert empty.status_code == 422 and "mindestens einen Haushalt" in empty.text
    first = await propose_page(client, world, "a")
    assert first.status_code == 200 and "Vorschlag gesendet." in first.text
    second = await propose_page(client, world, "a")  # the double click
    assert "bereits vorgeschlagen" in second.text
    proposal = await only_proposal(session)
    assert proposal.status == ProposalStatus.SENT

    listing = await client.get("/vorschlaege")
    assert listing.status_code == 200 and world.households["a"].reference_code in listing.text
    detail = await client.get(f"/vorschlaege/{proposal.id}")
    assert detail.status_code == 200
    assert "Verlauf" in detail.text and "Zurückziehen" in detail.text
    assert detail.text.count('name="_csrf_token"') >= detail.text.count('name="action"') > 0
    history = await client.get(f"/haushalte/{hid}/vorschlaege")
    assert history.status_code == 200 and "gesendet" in history.text
    summary = await client.get(f"/haushalte/{hid}/einwilligung-status")
    assert "gültig bis" in summary.text


async def test_landlord_answers_in_the_portal_and_let_withdraws_the_rest(
    client: Any, world: Any, session: Any
) -> None:
    second = household_values(world.orgs["counseling_a"].id, reference_code="HH-2026-90002")
    from matching.db.models import Household

    other = Household(**second)
    session.add(other)
    await session.commit()
    world.households["c"] = other
    for h in ("a", "c"):
        await give_consent(session, world.households[h])
    await login(client, world.email("counselor_a"), PASSWORD)
    proposed = await propose_page(client, world, "a", "c")
    assert "2 Vorschläge gesendet." in proposed.text
    ids = sorted((await session.scalars(sa.select(Proposal.id))).all())

    await login(client, world.email("landlord_a"), PASSWORD)
    listing = await client.get("/vermieter/vorschlaege")
    assert listing.status_code == 200 and "Warten auf Ihre Antwort" in listing.text
    url = f"/vermieter/vorschlaege/{ids[0]}"
    view = await client.get(url)
    assert view.status_code == 200
    assert "HH-2026-90000" in view.text and "Erika" not in view.text
    assert "Besichtigung vereinbaren" in view.text and "Absagen mit Grund" in view.text
    # Every action form carries the CSRF field (browsers send no header).
    assert view.text.count('name="_csrf_token"') >= view.text.count('name="action"') > 0
    sheet = await client.get(url + "/druck")
    assert (
        sheet.status_code == 200 and "Vorschlagsblatt" in sheet.text and "data-print" in sheet.text
    )

    proposal = await current(session, ids[0])
    assert proposal.status == ProposalStatus.VIEWED
    stale = await client.post(
        url + "/aktion",
        data={"action": "arrange_viewing", "expected_version": "1"},
        headers=csrf_headers(client),
    )
    assert stale.status_code == 409 and "inzwischen von jemand anderem geändert" in stale.text
    no_reason = await act(client, url + "/aktion", proposal, "decline")
    assert no_reason.status_code == 422 and "Bitte wählen Sie einen Grund" in no_reason.text
    not_allowed = await act(client, url + "/aktion", proposal, "let")
    assert not_allowed.status_code == 409 and "Erlaubt:" in not_allowed.text

    viewing = await act(client, url + "/aktion", proposal, "arrange_viewing", text="Di 10 Uhr")
    assert "Besichtigung vereinbart." in viewing.text
    accepted = await act(client, url + "/aktion", await current(session, ids[0]), "accept")
    assert "Zusage gespeichert." in accepted.text
    let = await act(client, url + "/aktion", await current(session, ids[0]), "let")
    assert "Als vermietet gespeichert." in let.text

    won, lost = await current(session, ids[0]), await current(session, ids[1])
    assert (won.status, lost.status) == (ProposalStatus.LET, ProposalStatus.WITHDRAWN)
    assert lost.decline_reason_code == "S_VACANCY_LET"
    await session.refresh(world.vacancies["a"])
    assert world.vacancies["a"].status == VacancyStatus.LET
    landlord_board = await client.get("/uebersicht")
    assert landlord_board.status_code == 200
    assert "Keine Vorschläge warten auf Ihre Antwort." in landlord_board.text
    assert "vermietet 1" in landlord_board.text and "zurückgezogen 1" in landlord_board.text

    await login(client, world.email("counselor_a"), PASSWORD)
    board = await client.get("/uebersicht")
    assert board.status_code == 200 and "Neue Antworten" in board.text
    assert "zurückgezogen" in board.text and "vermietet" in board.text
    await login(client, world.email("admin"), PASSWORD)
    pipeline = await client.get("/uebersicht")
    assert pipeline.status_code == 200 and "Vorschläge nach Kommune und Status" in pipeline.text
    assert "Wohnung anderweitig vergeben" in pipeline.text


async def test_landlord_sees_identity_only_when_consented(
    client: Any, world: Any, session: Any
) -> None:
    await give_consent(session, world.households["a"], scope=("name", "phone"))
    await login(client, world.email("counselor_a"), PASSWORD)
    await propose_page(client, world, "a")
    proposal = await only_proposal(session)
    await login(client, world.email("landlord_a"), PASSWORD)
    view = await client.get(f"/vermieter/vorschlaege/{proposal.id}")
    assert "Erika Mustermann" in view.text
    assert "Haushaltszusammensetzung, Leistungsbezug, Name, Telefon." in view.text
    audits = (
        await session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "view_profile"))
    ).all()
    assert len(audits) == 1


async def test_cross_organisation_pages_answer_404(client: Any, world: Any, session: Any) -> None:
    await give_consent(session, world.households["a"])
    await login(client, world.email("counselor_a"), PASSWORD)
    await propose_page(client, world, "a")
    proposal = await only_proposal(session)
    cases = [
        ("counselor_b", f"/vorschlaege/{proposal.id}", 404),
        ("counselor_b", f"/haushalte/{world.households['a'].id}/einwilligungen", 404),
        ("counselor_b", f"/haushalte/{world.households['a'].id}/vorschlaege", 404),
        ("landlord_b", f"/vermieter/vorschlaege/{proposal.id}", 404),
        ("landlord_a", f"/vorschlaege/{proposal.id}", 403),
        ("counselor_a", f"/vermieter/vorschlaege/{proposal.id}", 403),
        ("admin", f"/vorschlaege/{proposal.id}", 200),
    ]
    for who, path, expected in cases:
        await login(client, world.email(who), PASSWORD)
        response = await client.get(path, follow_redirects=False)
        assert response.status_code == expected, (who, path, response.status_code)
        if expected == 404:
            assert "Erika" not in response.text
    await login(client, world.email("landlord_b"), PASSWORD)
    changed = await client.post(
        f"/vermieter/vorschlaege/{proposal.id}/aktion",
        data={"action": "accept", "expected_version": "2"},
        headers=csrf_headers(client),
    )
    assert changed.status_code == 404
    assert (await current(session, proposal.id)).status == ProposalStatus.SENT


async def test_withdrawing_consent_withdraws_live_proposals(
    client: Any, world: Any, session: Any
) -> None:
    await give_consent(session, world.households["a"])
    await login(client, world.email("counselor_a"), PASSWORD)
    await propose_page(client, world, "a")
    consent = (await session.scalars(sa.select(Consent))).one()
    page = await client.get(f"/haushalte/{world.households['a'].id}/einwilligungen")
    assert page.status_code == 200 and "Akte 1/2026" in page.text
    response = await client.post(
        f"/haushalte/{world.households['a'].id}/einwilligungen/{consent.id}/widerrufen",
        headers=csrf_headers(client),
    )
    assert response.status_code == 200
    assert "1 laufender Vorschlag wurde zurückgezogen." in response.text
    assert (await only_proposal(session)).status == ProposalStatus.WITHDRAWN
    again = await client.post(
        f"/haushalte/{world.households['a'].id}/einwilligungen/{consent.id}/widerrufen",
        headers=csrf_headers(client),
    )
    assert again.status_code == 409 and "bereits widerrufen" in again.text


async def test_forms_need_csrf(client: Any, world: Any) -> None:
    await login(client, world.email("counselor_a"), PASSWORD)
    response = await client.post(
        f"/wohnungen/{world.vacancies['a'].id}/vorschlagen",
        data={"household_ids": [str(world.households["a"].id)]},
    )
    assert response.status_code == 403


async def test_secure_link_from_the_email(
    client: Any,
    world: Any,
    session: Any,
    settings: Any,
    smtp_server: SmtpServer,  # noqa: F811
) -> None:
    await give_consent(session, world.households["a"])
    await login(client, world.email("counselor_a"), PASSWORD)
    await propose_page(client, world, "a")
    await client.post("/logout", headers=csrf_headers(client))
    proposal = await only_proposal(session)

    sessions = factory(settings)
    report = await worker.deliver_pending(sessions, smtp_server.settings)
    assert report.sent == 1
    [mail] = smtp_server.recorder.received
    assert mail.rcpt_tos == ["landlord_a@example.org"]
    match = LINK.search(mail.text)
    assert match is not None
    token = match.group(1)

    opened = await client.get(f"/l/{token}", follow_redirects=False)
    assert opened.status_code in (302, 303)
    assert opened.headers["location"] == f"/vermieter/vorschlaege/{proposal.id}"
    assert token not in opened.headers["location"]
    view = await client.get(opened.headers["location"])
    assert view.status_code == 200 and "HH-2026-90000" in view.text
    assert "Erika" not in view.text
    # The link opens this one proposal only: no portal pages, no other proposal.
    assert (await client.get("/vermieter/vorschlaege", follow_redirects=False)).status_code in (
        302,
        303,
    )
    assert (await client.get("/wohnungen", follow_redirects=False)).status_code in (302, 303)
    viewing = await act(
        client,
        f"/vermieter/vorschlaege/{proposal.id}/aktion",
        await current(session, proposal.id),
        "arrange_viewing",
    )
    assert "Besichtigung vereinbart." in viewing.text
    assert (await current(session, proposal.id)).status == ProposalStatus.VIEWING_ARRANGED
    assert (
        await session.scalar(
            sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.action == "link.open")
        )
    ) == 1

    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    for bad in (tampered, "voellig-unbekannter-link-0123456789"):
        response = await client.get(f"/l/{bad}")
        assert response.status_code == 404
        assert "Dieser Link ist ungültig" in response.text

    await session.execute(
        sa.update(ProposalToken).values(expires_at=datetime.now(UTC) - timedelta(minutes=1))
    )
    await session.commit()
    expired = await client.get(f"/l/{token}")
    assert expired.status_code == 410 and "Dieser Link ist abgelaufen" in expired.text
    await session.execute(
        sa.update(ProposalToken).values(
            expires_at=datetime.now(UTC) + timedelta(days=1), revoked_at=datetime.now(UTC)
        )
    )
    await session.commit()
    revoked = await client.get(f"/l/{token}")
    assert revoked.status_code == 410 and "zurückgezogen" in revoked.text
    await sessions.kw["bind"].dispose()


async def test_propose_page_refuses_inactive_and_closed_vacancies(
    client: Any, world: Any, session: Any
) -> None:
    world.households["a"].status = HouseholdStatus.PAUSED
    world.vacancies["b"].status = VacancyStatus.LET
    await session.commit()
    await login(client, world.email("counselor_a"), PASSWORD)
    page = await client.get(f"/wohnungen/{world.vacancies['a'].id}/vorschlagen")
    assert "Kein Haushalt Ihrer Beratungsstelle passt" in page.text
    closed = await client.get(f"/wohnungen/{world.vacancies['b'].id}/vorschlagen")
    assert closed.status_code == 200 and "nicht mehr offen" in closed.text
