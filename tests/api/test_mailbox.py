"""The admin's "Postausgang": without SMTP the e-mails wait there readable in the browser;
with SMTP, failed ones are listed with the error and can be sent again (audited)."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from matching.db.models import AuditEvent, OutboxMessage
from matching.enums import OutboxStatus
from matching.scheduler.runner import default_jobs, run_due_jobs
from tests.api.test_proposal_pages import factory, propose_page
from tests.api.test_proposals_api import give_consent
from tests.conftest import csrf_headers, login
from tests.support.world import PASSWORD

pytestmark = pytest.mark.anyio


async def _proposal_mail(client: Any, world: Any, session: Any) -> OutboxMessage:
    await give_consent(session, world.households["a"])
    await login(client, world.email("counselor_a"), PASSWORD)
    await propose_page(client, world, "a")
    await client.post("/logout", headers=csrf_headers(client))
    return (await session.scalars(sa.select(OutboxMessage))).one()


async def test_without_smtp_mails_wait_in_the_local_mailbox(
    client: Any, world: Any, session: Any, settings: Any, monkeypatch: Any
) -> None:
    monkeypatch.delenv("MATCHING_SMTP_HOST", raising=False)
    mail = await _proposal_mail(client, world, session)
    assert f"{settings.base_url}/l/" in mail.body_text  # links follow the configured address
    (job,) = [j for j in default_jobs(settings=settings) if j.name == "deliver_outbox"]
    results = await run_due_jobs(factory(settings), job_list=[job])
    assert results["deliver_outbox"] == 0  # nothing tried, nothing failed unseen
    await session.refresh(mail)
    assert mail.status == OutboxStatus.PENDING and mail.attempts == 0

    await login(client, world.email("landlord_a"), PASSWORD)
    assert (await client.get("/admin/postausgang")).status_code == 403
    await client.post("/logout", headers=csrf_headers(client))
    await login(client, world.email("admin"), PASSWORD)
    page = await client.get("/admin/postausgang")
    assert page.status_code == 200
    assert "kein SMTP-Server eingerichtet" in page.text and "im Postausgang" in page.text
    assert mail.subject in page.text
    shown = await client.get(f"/admin/postausgang/{mail.id}")
    assert shown.status_code == 200 and "/l/" in shown.text


async def test_with_smtp_failed_mails_show_the_error_and_can_be_retried(
    client: Any, world: Any, session: Any, monkeypatch: Any
) -> None:
    monkeypatch.setenv("MATCHING_SMTP_HOST", "smtp.example.invalid")
    mail = await _proposal_mail(client, world, session)
    mail.status = OutboxStatus.FAILED
    mail.attempts = 8
    mail.last_error = "ConnectionRefusedError"
    await session.commit()
    await login(client, world.email("admin"), PASSWORD)
    page = await client.get("/admin/postausgang", params={"status": "failed"})
    assert "Fehler: ConnectionRefusedError" in page.text and "Erneut senden" in page.text
    retried = await client.post(
        f"/admin/postausgang/{mail.id}/erneut", headers=csrf_headers(client)
    )
    assert retried.status_code == 200 and "erneut versendet" in retried.text
    await session.refresh(mail)
    assert mail.status == OutboxStatus.PENDING and mail.attempts == 0
    audit = await session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "outbox.retry"))
    assert audit is not None and audit.object_id == str(mail.id)
    again = await client.post(f"/admin/postausgang/{mail.id}/erneut", headers=csrf_headers(client))
    assert again.status_code == 409  # only failed ones
