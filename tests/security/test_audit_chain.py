"""Audit: the hash chain names the first modified, inserted or deleted row; reads of household
details and landlord views of profiles are audited; admins search the trail by person, object
and time."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from matching import clock
from matching.actors import SYSTEM
from matching.audit import service as audit
from matching.audit.service import _digest, _fields
from matching.db.models import AuditEvent
from tests.conftest import csrf_headers, login
from tests.security.conftest import landlord_actor, run_cli, send_proposal
from tests.support.world import PASSWORD

pytestmark = pytest.mark.anyio


async def _chain(session: Any, n: int = 6) -> list[int]:
    for i in range(n):
        await audit.record(session, SYSTEM, f"test.{i}", "household", i + 1, {"i": i})
    await session.commit()
    return list((await session.scalars(sa.select(AuditEvent.id).order_by(AuditEvent.id))).all())


async def test_intact_chain_verifies_and_reports_its_head(session: Any) -> None:
    ids = await _chain(session)
    report = await audit.verify_chain(session)
    last = await session.scalar(sa.select(AuditEvent.row_hash).where(AuditEvent.id == ids[-1]))
    assert report.ok and report.checked == len(ids) and report.head == last


async def test_modified_row_is_named(session: Any) -> None:
    ids = await _chain(session)
    await session.execute(
        sa.text("UPDATE audit_events SET action = 'harmlos' WHERE id = :id"), {"id": ids[2]}
    )
    await session.commit()
    report = await audit.verify_chain(session)
    assert not report.ok
    assert (report.first_bad_id, report.kind, report.checked) == (ids[2], "modified", 2)


async def test_modified_row_with_recomputed_hash_is_named(session: Any) -> None:
    ids = await _chain(session)
    row = await session.scalar(sa.select(AuditEvent).where(AuditEvent.id == ids[2]))
    fields = _fields(row) | {"action": "harmlos"}
    forged = _digest(row.prev_hash, fields)
    await session.execute(
        sa.text("UPDATE audit_events SET action = 'harmlos', row_hash = :h WHERE id = :id"),
        {"h": forged, "id": ids[2]},
    )
    await session.commit()
    session.expunge_all()
    report = await audit.verify_chain(session)
    assert (report.first_bad_id, report.kind, report.detected_at_id) == (
        ids[2],
        "modified",
        ids[3],
    )


async def test_deleted_row_is_named(session: Any) -> None:
    ids = await _chain(session)
    await session.execute(sa.text("DELETE FROM audit_events WHERE id = :id"), {"id": ids[3]})
    await session.commit()
    report = await audit.verify_chain(session)
    assert not report.ok
    assert (report.first_bad_id, report.kind, report.detected_at_id) == (ids[3], "deleted", ids[4])
    assert "gelöscht" in (report.problem or "")


_COPY = (
    "INSERT INTO audit_events (id, occurred_at, actor_user_id, actor_label, organisation_id,"
    " action, object_type, object_id, client_address, details, prev_hash, row_hash,"
    " created_at, updated_at)"
    " SELECT :new_id, occurred_at, actor_user_id, actor_label, organisation_id, 'eingeschoben',"
    " object_type, object_id, client_address, details, :prev, :hash, created_at, updated_at"
    " FROM audit_events WHERE id = :src"
)


@pytest.mark.parametrize("links_correctly", [True, False])
async def test_inserted_row_is_named(session: Any, links_correctly: bool) -> None:
    ids = await _chain(session)
    # Make room after the third row (ids are not hashed, only the order counts), then insert.
    await session.execute(
        sa.text("UPDATE audit_events SET id = id + 100 WHERE id > :id"), {"id": ids[2]}
    )
    third = await session.scalar(sa.select(AuditEvent.row_hash).where(AuditEvent.id == ids[2]))
    await session.execute(
        sa.text(_COPY),
        {
            "new_id": ids[2] + 1,
            "prev": third if links_correctly else "f" * 64,
            "hash": "e" * 64,
            "src": ids[2],
        },
    )
    await session.commit()
    report = await audit.verify_chain(session)
    assert not report.ok
    assert (report.first_bad_id, report.kind) == (ids[2] + 1, "inserted")


async def test_row_appended_at_the_end_is_named(session: Any) -> None:
    ids = await _chain(session)
    await session.execute(
        sa.text(_COPY), {"new_id": ids[-1] + 1, "prev": "a" * 64, "hash": "b" * 64, "src": ids[0]}
    )
    await session.commit()
    report = await audit.verify_chain(session)
    assert (report.first_bad_id, report.kind) == (ids[-1] + 1, "inserted")


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
async def test_audit_verify_command_exits_1_and_names_the_row(
    session: Any, settings: Any, monkeypatch: Any
) -> None:
    ids = await _chain(session, 4)
    good = await asyncio.to_thread(run_cli, settings, monkeypatch, "audit-verify")
    assert good.exit_code == 0, good.output
    assert "unversehrt: 4 Einträge" in good.output
    await session.execute(
        sa.text("UPDATE audit_events SET object_id = '999' WHERE id = :id"), {"id": ids[1]}
    )
    await session.commit()
    bad = await asyncio.to_thread(run_cli, settings, monkeypatch, "audit-verify")
    assert bad.exit_code == 1
    assert f"Eintrag {ids[1]}" in bad.output and "Inhalt verändert" in bad.output


async def _events(session: Any, action: str, object_type: str, object_id: int) -> list[Any]:
    rows = await session.scalars(
        sa.select(AuditEvent).where(
            AuditEvent.action == action,
            AuditEvent.object_type == object_type,
            AuditEvent.object_id == str(object_id),
        )
    )
    return list(rows.all())


async def test_household_reads_are_audited_on_pages_and_api(
    client: Any, world: Any, session: Any
) -> None:
    hid = world.households["a"].id
    await login(client, world.email("counselor_a"), PASSWORD)
    assert (await client.get(f"/haushalte/{hid}")).status_code == 200
    reads = await _events(session, "read", "household", hid)
    assert [e.actor_user_id for e in reads] == [world.users["counselor_a"].id]
    key = world.keys["counseling_a:households:read"]
    api = await client.get(f"/api/v1/households/{hid}", headers={"authorization": f"Bearer {key}"})
    assert api.status_code == 200
    reads = await _events(session, "read", "household", hid)
    assert len(reads) == 2 and reads[1].actor_label.startswith("api_key:")
    # Another organisation's counselor learns nothing and leaves no read of the record.
    other = await client.post("/logout", headers=csrf_headers(client))
    assert other.status_code == 200
    await login(client, world.email("counselor_b"), PASSWORD)
    assert (await client.get(f"/haushalte/{hid}")).status_code == 404
    assert len(await _events(session, "read", "household", hid)) == 2


async def test_landlord_profile_views_are_audited(client: Any, world: Any, session: Any) -> None:
    from matching.proposals.service import mark_viewed

    proposal_id = await send_proposal(session, world, world.households["a"].id)
    detail = await mark_viewed(session, landlord_actor(world), proposal_id)
    await session.commit()
    assert detail.profile["identity"]["name"] == "Erika Mustermann"
    views = await _events(session, "view_profile", "proposal", proposal_id)
    assert [v.actor_user_id for v in views] == [world.users["landlord_a"].id]
    assert views[0].details["household_id"] == world.households["a"].id
    await login(client, world.email("landlord_a"), PASSWORD)
    page = await client.get(f"/vermieter/vorschlaege/{proposal_id}")
    assert page.status_code == 200 and "Erika Mustermann" in page.text
    assert len(await _events(session, "view_profile", "proposal", proposal_id)) == 2


async def test_admin_searches_the_trail_by_person_object_and_time(
    client: Any, world: Any, session: Any
) -> None:
    counselor = world.users["counselor_a"]
    hid = world.households["a"].id
    await login(client, world.email("counselor_a"), PASSWORD)
    await client.get(f"/haushalte/{hid}")
    await client.post("/logout", headers=csrf_headers(client))
    for i in range(55):  # enough for two pages
        await audit.record(session, SYSTEM, "test.bulk", "vacancy", 7000 + i)
    await session.commit()

    await login(client, world.email("admin"), PASSWORD)
    by_mail = await client.get("/admin/audit/", params={"person": counselor.email})
    assert by_mail.status_code == 200
    # Entries read as words: who (by name), what, which household (linked), no codes.
    code = world.households["a"].reference_code
    assert "angesehen" in by_mail.text and f'<a href="/haushalte/{hid}">Haushalt {code}</a>' in (
        by_mail.text
    )
    assert counselor.name in by_mail.text and f"household {hid}" not in by_mail.text
    assert "sonstige Aktion" not in by_mail.text
    by_id = await client.get("/admin/audit/", params={"person": str(counselor.id)})
    assert f"Haushalt {code}" in by_id.text
    by_object = await client.get(
        "/admin/audit/", params={"object_type": "household", "object_id": str(hid)}
    )
    assert "angesehen" in by_object.text and "sonstige Aktion" not in by_object.text
    first = await client.get("/admin/audit/", params={"object_type": "vacancy"})
    assert "Seite 1 von 2" in first.text and "weiter" in first.text
    second = await client.get("/admin/audit/", params={"object_type": "vacancy", "page": "2"})
    assert "Seite 2 von 2" in second.text and 'href="/wohnungen/7000"' in second.text
    tomorrow = (clock.today() + timedelta(days=2)).isoformat()
    future = await client.get("/admin/audit/", params={"since": tomorrow})
    assert "0 Einträge" in future.text
    today = clock.today().isoformat()
    window = await client.get("/admin/audit/", params={"since": today, "until": today})
    assert "sonstige Aktion" in window.text and "test.bulk" not in window.text
    bad = await client.get("/admin/audit/", params={"since": "gestern"})
    assert bad.status_code == 422 and "Bitte ein Datum" in bad.text
    # "²" passes str.isdigit but not int(); 20 digits overflow a database integer (both 500)
    for person in ("²", "9" * 20):
        odd = await client.get("/admin/audit/", params={"person": person, "page": "²"})
        assert odd.status_code == 422 and "Benutzernummer" in odd.text
    check = await client.get("/admin/audit/pruefung")
    assert check.status_code == 200 and "unversehrt" in check.text
    # Not for anyone else.
    await client.post("/logout", headers=csrf_headers(client))
    await login(client, world.email("counselor_a"), PASSWORD)
    assert (await client.get("/admin/audit/")).status_code == 403
