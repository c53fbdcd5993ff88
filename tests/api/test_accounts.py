"""Managing accounts: the admin edits, deactivates and sends one-time reset links; every
user changes their own password; the admin reads every organisation's proposals and imports."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from matching.db.models import AuditEvent, OutboxMessage, PasswordResetToken, User
from matching.notifications.worker import redact_links
from tests.conftest import csrf_headers, login
from tests.support.world import PASSWORD

pytestmark = pytest.mark.anyio
NEW_PASSWORD = "Ganz-neues-Passwort-2026"


async def _post(client: Any, path: str, data: dict[str, str]) -> Any:
    return await client.post(path, data=data, headers=csrf_headers(client))


async def _login_status(client: Any, email: str, password: str) -> int:
    await client.post("/logout", headers=csrf_headers(client))
    await client.get("/login")
    response = await client.post(
        "/login", data={"email": email, "password": password}, headers=csrf_headers(client)
    )
    return int(response.status_code)


async def test_admin_edits_and_deactivates_a_user(client: Any, world: Any, session: Any) -> None:
    user = world.users["counselor_a"]
    await login(client, world.email("admin"), PASSWORD)
    listing = await client.get("/admin/konten")
    assert f'href="/admin/benutzer/{user.id}"' in listing.text
    taken = await _post(
        client,
        f"/admin/benutzer/{user.id}",
        {"name": "Clara Neu", "email": world.email("landlord_a")},
    )
    assert taken.status_code == 422 and "bereits vergeben" in taken.text
    assert 'href="#f-email"' in taken.text  # the error summary links to the field
    saved = await _post(
        client,
        f"/admin/benutzer/{user.id}",
        {"name": "Clara Neu", "email": "Clara.Neu@Example.org", "is_org_admin": "on"},
    )
    assert saved.status_code == 200 and "Konto gespeichert" in saved.text
    session.expunge_all()
    changed = await session.get(User, user.id)
    assert (changed.name, changed.email, changed.is_org_admin) == (
        "Clara Neu",
        "clara.neu@example.org",
        True,
    )
    audit = await session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "update", AuditEvent.object_type == "user")
    )
    assert audit.details == {"fields": ["email", "is_org_admin", "name"]}

    await _post(client, f"/admin/benutzer/{user.id}/status", {"active": "0"})
    assert await _login_status(client, "clara.neu@example.org", PASSWORD) == 400


async def test_reset_link_is_mailed_single_use_hashed_and_expiring(
    client: Any, world: Any, session: Any
) -> None:
    user = world.users["landlord_a"]
    await login(client, world.email("admin"), PASSWORD)
    sent = await _post(client, f"/admin/benutzer/{user.id}/passwort-link", {})
    assert sent.status_code == 200 and "per E-Mail verschickt" in sent.text
    mail = await session.scalar(
        sa.select(OutboxMessage).where(OutboxMessage.kind == "password_reset")
    )
    assert mail.to_address == user.email
    raw = re.search(r"/passwort-neu/([A-Za-z0-9_\-]+)", mail.body_text).group(1)
    assert raw not in (redact_links(mail.body_text) or "")  # cut out once delivered
    stored = (await session.scalars(sa.select(PasswordResetToken.token_hash))).all()
    assert stored and raw not in stored  # only the hash is kept

    await client.post("/logout", headers=csrf_headers(client))
    page = await client.get(f"/passwort-neu/{raw}")
    assert page.status_code == 200 and 'name="password"' in page.text
    weak = await _post(client, f"/passwort-neu/{raw}", {"password": "kurz"})
    assert weak.status_code == 422 and "mindestens 12 Zeichen" in weak.text
    done = await _post(client, f"/passwort-neu/{raw}", {"password": NEW_PASSWORD})
    assert done.status_code == 200 and "neues Passwort gilt" in done.text
    again = await client.get(f"/passwort-neu/{raw}")
    assert again.status_code == 404 and "schon verwendet" in again.text
    assert await _login_status(client, user.email, PASSWORD) == 400
    assert await _login_status(client, user.email, NEW_PASSWORD) == 200

    # A newer link voids an older one, and an expired link opens nothing.
    await client.post("/logout", headers=csrf_headers(client))
    await login(client, world.email("admin"), PASSWORD)
    for _ in range(2):
        await _post(client, f"/admin/benutzer/{user.id}/passwort-link", {})
    bodies = (
        await session.scalars(
            sa.select(OutboxMessage.body_text)
            .where(OutboxMessage.kind == "password_reset")
            .order_by(OutboxMessage.id)
        )
    ).all()
    older, newer = (re.search(r"/passwort-neu/(\S+)", b).group(1) for b in bodies[-2:])
    assert (await client.get(f"/passwort-neu/{older}")).status_code == 404
    assert (await client.get(f"/passwort-neu/{newer}")).status_code == 200
    await session.execute(
        sa.update(PasswordResetToken).values(expires_at=datetime.now(UTC) - timedelta(minutes=1))
    )
    await session.commit()
    assert (await client.get(f"/passwort-neu/{newer}")).status_code == 404


async def test_everyone_changes_their_own_password(client: Any, world: Any) -> None:
    await login(client, world.email("counselor_b"), PASSWORD)
    page = await client.get("/konto")
    assert page.status_code == 200 and "Passwort ändern" in page.text
    wrong = await _post(
        client, "/konto/passwort", {"current_password": "falsch", "new_password": NEW_PASSWORD}
    )
    assert wrong.status_code == 422 and "bisherige Passwort stimmt nicht" in wrong.text
    weak = await _post(
        client, "/konto/passwort", {"current_password": PASSWORD, "new_password": "password1234"}
    )
    assert weak.status_code == 422
    ok = await _post(
        client, "/konto/passwort", {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    )
    assert ok.status_code == 200 and "wurde geändert" in ok.text
    assert await _login_status(client, world.email("counselor_b"), PASSWORD) == 400
    assert await _login_status(client, world.email("counselor_b"), NEW_PASSWORD) == 200


async def test_admin_reads_every_organisations_proposals_and_imports(
    client: Any, world: Any
) -> None:
    await login(client, world.email("admin"), PASSWORD)
    assert (await client.get("/vorschlaege")).status_code == 200
    imports = await client.get("/import")
    assert imports.status_code == 200 and "nur lesen" in imports.text
    assert 'action="/import"' not in imports.text  # reading, not uploading
    upload = await client.post("/import", headers=csrf_headers(client))
    assert upload.status_code == 403
