"""Internal notes never leave the office, whatever the household consented to share.

A canary is planted in every internal field of the household and the proposal (the internal
notes, the counselor's override justification, the scoring explanation, the counselor's text
on a household decline and on a withdrawal) while the consent names every shareable field.
It must appear in no landlord-facing page, print sheet, e-mail, secure-link page or API
export; the separate "Hinweise für Vermieter" must.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import sqlalchemy as sa

from matching.db.models import OutboxMessage, Proposal
from tests.api.test_proposal_pages import act, current, propose_page
from tests.api.test_proposals_api import give_consent, key
from tests.conftest import csrf_headers, login
from tests.support.world import PASSWORD

pytestmark = pytest.mark.anyio
LINK = re.compile(r"/l/([A-Za-z0-9_\-]{20,})")
CANARY = "Zqkanarie"
FOR_LANDLORD = "Ruhiger Haushalt, Nichtraucher"
ALL_FIELDS = ("name", "phone", "email", "landlord_notes")


async def _landlord_texts(client: Any, world: Any, session: Any, ids: list[int]) -> list[str]:
    """Everything the landlord can read about these proposals, by every channel."""
    texts = []
    await login(client, world.email("landlord_a"), PASSWORD)
    texts.append((await client.get("/vermieter/vorschlaege")).text)
    for pid in ids:
        for url in (f"/vermieter/vorschlaege/{pid}", f"/vermieter/vorschlaege/{pid}/druck"):
            page = await client.get(url)
            assert page.status_code == 200, url
            texts.append(page.text)
        api = await client.get(
            f"/api/v1/proposals/{pid}", headers=key(world, "landlord_a:proposals:read")
        )
        assert api.status_code == 200
        texts.append(api.text)
    listing = await client.get("/api/v1/proposals", headers=key(world, "landlord_a:proposals:read"))
    texts.append(listing.text)
    await client.post("/logout", headers=csrf_headers(client))
    mails = (
        await session.scalars(
            sa.select(OutboxMessage).where(OutboxMessage.to_address == "landlord_a@example.org")
        )
    ).all()
    assert mails, "the landlord was e-mailed"
    for mail in mails:
        texts += [mail.subject, mail.body_text, mail.body_html or ""]
        if match := LINK.search(mail.body_text):  # the secure link's session page
            opened = await client.get(f"/l/{match.group(1)}")
            texts.append(opened.text)
            client.cookies.clear()
    return texts


async def test_canary_in_every_internal_field_never_reaches_the_landlord(
    client: Any, world: Any, session: Any
) -> None:
    household = world.households["a"]
    household.notes = f"{CANARY} Mietschulden beim Vorvermieter, Suchtberatung läuft"
    household.landlord_notes = FOR_LANDLORD
    second = world.households["b"]
    second.organisation_id = household.organisation_id  # a second household of the same office
    second.notes = f"{CANARY} intern"
    await session.commit()
    await give_consent(session, household, scope=ALL_FIELDS)
    await give_consent(session, second, scope=ALL_FIELDS)

    await login(client, world.email("counselor_a"), PASSWORD)
    preview = await client.get(
        f"/wohnungen/{world.vacancies['a'].id}/vorschlagen/vorschau/{household.id}"
    )
    assert preview.status_code == 200
    assert FOR_LANDLORD in preview.text and CANARY not in preview.text
    sent = await propose_page(client, world, "a", "b")
    assert sent.status_code in (200, 302, 303)
    proposals = (await session.scalars(sa.select(Proposal).order_by(Proposal.id))).all()
    assert len(proposals) == 2
    first, other = proposals
    # Internal proposal fields get the canary too.
    first.override_justification = f"{CANARY} Begründung"
    first.explanation = {**first.explanation, "note": CANARY}
    await session.commit()
    # The counselor records a household decline and withdraws the other, each with a text.
    first = await current(session, first.id)
    await act(
        client,
        f"/vorschlaege/{first.id}/aktion",
        first,
        "decline",
        reason_code="H_OTHER",
        text=f"{CANARY} Haushalt hat Schulden",
    )
    other = await current(session, other.id)
    await act(client, f"/vorschlaege/{other.id}/aktion", other, "withdraw", text=f"{CANARY} zurück")
    assert (await current(session, first.id)).status.value == "declined"
    assert (await current(session, other.id)).status.value == "withdrawn"
    await client.post("/logout", headers=csrf_headers(client))

    texts = await _landlord_texts(client, world, session, [first.id, other.id])
    leaked = [t[max(0, t.find(CANARY) - 80) :][:200] for t in texts if CANARY in t]
    assert not leaked, leaked
    assert any(FOR_LANDLORD in t for t in texts), "the notes written for landlords are shared"
