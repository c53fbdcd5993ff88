"""Recording, withdrawing and checking a household's consent to share data with landlords.

Why the proposal check lives here: "does a consent cover this landlord, these fields, on this
day" is one question with one answer, asked by the proposal service, the matches page and
the consent page alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession

from matching import clock
from matching.access import household_for_counselor
from matching.actors import Actor
from matching.audit import service as audit
from matching.config import Settings
from matching.db.models import Consent, Household, Organisation, Proposal, Vacancy
from matching.enums import ConsentRecipients, OrganisationKind
from matching.proposals import engine
from matching.proposals.errors import Conflict, NotFound, ValidationFailed
from matching.proposals.timeutil import BERLIN, berlin_date, format_date_de, utcnow

# The internal notes (``Household.notes``) are deliberately not here: they never leave the
# office. "Hinweise für Vermieter" shares the separate field written for the landlord.
CONSENT_FIELDS: tuple[str, ...] = (
    "composition",
    "income_basis",
    "name",
    "phone",
    "email",
    "landlord_notes",
    "case",  # the case file, for other counselling offices (Fallkooperation)
)
REQUIRED_FOR_PROPOSAL: frozenset[str] = frozenset({"composition", "income_basis"})
FIELD_LABELS_DE: dict[str, str] = {
    "composition": "Haushaltszusammensetzung",
    "income_basis": "Leistungsbezug",
    "name": "Name",
    "phone": "Telefon",
    "email": "E-Mail",
    "landlord_notes": "Hinweise für Vermieter",
    "case": "Fallunterlagen (für benannte Beratungsstellen)",
}


async def record_consent(
    session: AsyncSession,
    actor: Actor,
    household_id: int,
    *,
    scope: Iterable[str],
    recipients: ConsentRecipients | str,
    recipient_organisation_ids: Sequence[int] = (),
    given_at: date,
    valid_until: date,
    form_reference: str,
) -> Consent:
    """Record a signed consent for a household of the actor's organisation."""
    household = await household_for_counselor(session, actor, household_id)
    fields = sorted(set(scope))
    unknown = [f for f in fields if f not in CONSENT_FIELDS]
    if not fields or unknown:
        raise ValidationFailed(
            "Bitte wählen Sie die Angaben, die geteilt werden dürfen "
            f"({', '.join(FIELD_LABELS_DE.values())}).",
            field="scope",
        )
    try:
        kind = ConsentRecipients(recipients)
    except ValueError as exc:
        raise ValidationFailed(
            "Bitte wählen Sie die Empfänger: benannte Vermieter oder alle des Netzwerks.",
            field="recipients",
        ) from exc
    org_ids = sorted(set(recipient_organisation_ids))
    if kind == ConsentRecipients.NAMED:
        if not org_ids:
            raise ValidationFailed(
                "Bitte nennen Sie mindestens einen Vermieter.", field="recipient_organisation_ids"
            )
        found = (
            await session.scalars(
                sa.select(Organisation.id).where(
                    Organisation.id.in_(org_ids),
                    Organisation.kind.in_((OrganisationKind.LANDLORD, OrganisationKind.COUNSELING)),
                    Organisation.id != household.organisation_id,  # not the own office
                )
            )
        ).all()
        if len(found) != len(org_ids):
            raise ValidationFailed(
                "Mindestens einer der genannten Empfänger ist weder Vermieter noch "
                "Beratungsstelle des Netzwerks.",
                field="recipient_organisation_ids",
            )
    else:
        org_ids = []
    if valid_until < given_at:
        raise ValidationFailed(
            "„Gültig bis“ darf nicht vor dem Datum der Unterschrift liegen.", field="valid_until"
        )
    if not form_reference.strip():
        raise ValidationFailed(
            "Bitte geben Sie an, wo das unterschriebene Formular abgelegt ist.",
            field="form_reference",
        )
    consent = Consent(
        household_id=household.id,
        scope=fields,
        recipients=kind,
        recipient_organisation_ids=org_ids,
        given_at=given_at,
        valid_until=valid_until,
        recorded_by_id=actor.user_id,
        form_reference=form_reference.strip()[:200],
    )
    session.add(consent)
    await session.flush()
    await audit.record(
        session,
        actor,
        "consent.record",
        "consent",
        consent.id,
        {
            "household_id": household.id,
            "scope": fields,
            "recipients": kind.value,
            "recipient_organisation_ids": org_ids,
            "valid_until": valid_until.isoformat(),
        },
    )
    return consent


async def withdraw_consent(
    session: AsyncSession,
    actor: Actor,
    consent_id: int,
    *,
    now: datetime | None = None,
    settings: Settings | None = None,
) -> list[int]:
    """Withdraw a consent and, in the same transaction, the proposals that relied on it.

    A live proposal ends (S_CONSENT_WITHDRAWN) when it was sent under this consent or no other
    valid consent still covers its landlord. Returns the withdrawn proposal ids.
    """
    moment = now or utcnow()
    consent = await session.get(Consent, consent_id)
    if consent is None:
        raise NotFound("Einwilligung nicht gefunden.")
    household = await household_for_counselor(session, actor, consent.household_id)
    # The locks a proposal for this household takes, in the same order (vacancies first), so
    # no proposal slips in unseen and no two transactions wait on each other.
    live = await engine.live_proposals(session, household_id=household.id)
    await engine.lock_rows(session, Vacancy, [p.vacancy_id for p in live])
    await engine.lock_rows(session, Household, [household.id])
    live = await engine.live_proposals(session, household_id=household.id)
    await engine.lock_rows(session, Proposal, [p.id for p in live])
    await session.refresh(consent)
    if consent.withdrawn_at is not None:
        raise Conflict("Diese Einwilligung wurde bereits widerrufen.", code="already_withdrawn")
    consent.withdrawn_at = moment
    await session.flush()
    today = berlin_date(moment)
    affected: list[Proposal] = []
    for proposal in live:
        sent_under = proposal.shared_profile.get("consent_id") == consent.id
        still_covered = await covering_consent(
            session,
            household.id,
            proposal.landlord_organisation_id,
            today,
            required_scope=REQUIRED_FOR_PROPOSAL,
        )
        if sent_under or still_covered is None:
            affected.append(proposal)
    await audit.record(
        session, actor, "consent.withdraw", "consent", consent.id, {"household_id": household.id}
    )
    return await engine.withdraw_live(
        session, affected, engine.REASON_CONSENT_WITHDRAWN, now=moment, settings=settings
    )


class _Terms(Protocol):
    """What the landlord check and the widest-scope choice read: a ``Consent`` or a row of
    :data:`_TERMS`."""

    @property
    def id(self) -> int: ...
    @property
    def household_id(self) -> int: ...
    @property
    def scope(self) -> list[str]: ...
    @property
    def recipients(self) -> ConsentRecipients: ...
    @property
    def recipient_organisation_ids(self) -> list[int]: ...
    @property
    def given_at(self) -> date: ...


_C = Consent.__table__.c
_TERMS = (
    _C.household_id,
    _C.id,
    _C.scope,
    _C.recipients,
    _C.recipient_organisation_ids,
    _C.given_at,
)
"""The columns :func:`covering_scopes` and :func:`scopes_by_landlord` need, as table columns.
Why not the entity: a page's consents as entities cost a decryption of the form reference
each and the ORM's bookkeeping, several milliseconds per ranking page (issue 14); table
columns skip the ORM result layer too (and its autoflush: consents are flushed when
recorded or withdrawn, see :func:`record_consent`)."""


def _valid_on(consent: Consent, on_date: date) -> bool:
    withdrawn = consent.withdrawn_at is not None and berlin_date(consent.withdrawn_at) <= on_date
    return consent.given_at <= on_date <= consent.valid_until and not withdrawn


def _covers_landlord(consent: _Terms, landlord_org_id: int) -> bool:
    return consent.recipients == ConsentRecipients.NETWORK or (
        landlord_org_id in (consent.recipient_organisation_ids or [])
    )


async def _consents(session: AsyncSession, household_id: int) -> list[Consent]:
    rows = await session.scalars(
        sa.select(Consent)
        .where(Consent.household_id == household_id)
        .order_by(Consent.given_at.desc(), Consent.id.desc())
    )
    return list(rows.all())


async def covering_consent(
    session: AsyncSession,
    household_id: int,
    landlord_org_id: int,
    on_date: date,
    *,
    required_scope: Iterable[str] = (),
) -> Consent | None:
    """The consent that allows sharing with this landlord on this day (widest scope first)."""
    consents = await _consents(session, household_id)
    return _covering(consents, landlord_org_id, on_date, set(required_scope))


@dataclass(frozen=True)
class ConsentCheck:
    """The outcome of checking consent for one proposal: a consent or a German refusal."""

    consent: Consent | None
    code: str | None = None
    message: str | None = None


async def check_for_proposal(
    session: AsyncSession, household_id: int, landlord_org_id: int, on_date: date
) -> ConsentCheck:
    """Find the consent for a proposal, or say precisely what is missing."""
    return _check(await _consents(session, household_id), landlord_org_id, on_date)


async def checks_for_proposal(
    session: AsyncSession, household_ids: Sequence[int], landlord_org_id: int, on_date: date
) -> dict[int, ConsentCheck]:
    """:func:`check_for_proposal` for a page of households in one query (no N+1)."""
    found: dict[int, list[Consent]] = {h: [] for h in household_ids}
    if household_ids:
        rows = await session.scalars(
            sa.select(Consent)
            .where(Consent.household_id.in_(list(household_ids)))
            .order_by(Consent.given_at.desc(), Consent.id.desc())
        )
        for consent in rows.all():
            found[consent.household_id].append(consent)
    return {h: _check(consents, landlord_org_id, on_date) for h, consents in found.items()}


def _covering(
    consents: Sequence[Consent], landlord_org_id: int, on_date: date, needed: set[str]
) -> Consent | None:
    candidates = [
        c
        for c in consents
        if _valid_on(c, on_date) and _covers_landlord(c, landlord_org_id) and needed <= set(c.scope)
    ]
    if not candidates:
        return None
    return max(candidates, key=lambda c: (len(c.scope), c.given_at, c.id))


def _check(all_consents: Sequence[Consent], landlord_org_id: int, on_date: date) -> ConsentCheck:
    """The consent check on a household's consents (newest first): the one rule, no I/O."""
    consent = _covering(all_consents, landlord_org_id, on_date, set(REQUIRED_FOR_PROPOSAL))
    if consent is not None:
        return ConsentCheck(consent)
    if not all_consents:
        return ConsentCheck(
            None,
            "consent_missing",
            "Für diesen Haushalt ist keine Einwilligung erfasst. Bitte erfassen Sie zuerst die "
            "unterschriebene Einwilligung (Schweigepflichtentbindung).",
        )
    for_landlord = [c for c in all_consents if _covers_landlord(c, landlord_org_id)]
    if not for_landlord:
        return ConsentCheck(
            None,
            "consent_wrong_landlord",
            "Die Einwilligung des Haushalts gilt nicht für diesen Vermieter. Bitte lassen Sie "
            "die Einwilligung um diesen Vermieter erweitern.",
        )
    valid = [c for c in for_landlord if _valid_on(c, on_date)]
    if not valid:
        if all(c.withdrawn_at is not None for c in for_landlord):
            return ConsentCheck(
                None,
                "consent_withdrawn",
                "Der Haushalt hat seine Einwilligung widerrufen. Ein Vorschlag ist nicht möglich.",
            )
        last = max(c.valid_until for c in for_landlord)
        if last < on_date:
            return ConsentCheck(
                None,
                "consent_expired",
                f"Die Einwilligung ist am {format_date_de(last)} abgelaufen. Bitte holen Sie "
                "eine neue Einwilligung ein.",
            )
        return ConsentCheck(
            None,
            "consent_not_yet_valid",
            "Die Einwilligung gilt erst ab einem späteren Datum.",
        )
    missing = sorted(REQUIRED_FOR_PROPOSAL - set().union(*(set(c.scope) for c in valid)))
    names = ", ".join(FIELD_LABELS_DE[f] for f in missing) or ", ".join(
        FIELD_LABELS_DE[f] for f in sorted(REQUIRED_FOR_PROPOSAL)
    )
    return ConsentCheck(
        None,
        "consent_scope",
        f"Die Einwilligung umfasst nicht alle nötigen Angaben (es fehlt: {names}).",
    )


@dataclass(frozen=True)
class ConsentStatus:
    valid: bool
    text: str
    consent: Consent | None


async def consent_status(
    session: AsyncSession, household_id: int, on_date: date | None = None
) -> ConsentStatus:
    """A one-line German summary for the matches and household pages."""
    today = on_date or clock.today()
    valid = [c for c in await _consents(session, household_id) if _valid_on(c, today)]
    if not valid:
        return ConsentStatus(False, "keine gültige Einwilligung", None)
    best = max(
        valid,
        key=lambda c: (c.recipients == ConsentRecipients.NETWORK, c.valid_until, c.id),
    )
    until = format_date_de(best.valid_until)
    if best.recipients == ConsentRecipients.NETWORK:
        return ConsentStatus(True, f"gültig bis {until} für alle Vermieter des Netzwerks", best)
    names = (
        await session.scalars(
            sa.select(Organisation.name)
            .where(Organisation.id.in_(best.recipient_organisation_ids))
            .order_by(Organisation.name)
        )
    ).all()
    return ConsentStatus(True, f"gültig bis {until} für {', '.join(names)}", best)


async def consent_history(session: AsyncSession, actor: Actor, household_id: int) -> list[Consent]:
    """All consents of a household, newest first (withdrawn ones included)."""
    await household_for_counselor(session, actor, household_id)
    return await _consents(session, household_id)


async def covering_scopes(
    session: AsyncSession, household_ids: Iterable[int], landlord_org_id: int, on_date: date
) -> dict[int, list[str]]:
    """Per household, the widest scope a consent allows sharing with this landlord today
    (households without one are absent); one query for a whole ranking page."""
    ids = list(household_ids)
    if not ids:
        return {}
    best: dict[int, _Terms] = {}
    for c in await _running(session, ids, on_date):
        if not _covers_landlord(c, landlord_org_id):
            continue
        old = best.get(c.household_id)
        if old is None or (len(c.scope), c.given_at, c.id) > (len(old.scope), old.given_at, old.id):
            best[c.household_id] = c
    return {hid: list(c.scope) for hid, c in best.items()}


async def scopes_by_landlord(
    session: AsyncSession, household_id: int, landlord_org_ids: Iterable[int], on_date: date
) -> dict[int, list[str]]:
    """Per landlord, the widest scope a consent of this household allows sharing today
    (landlords without one are absent); one query for a page of flats."""
    consents = await _running(session, [household_id], on_date)
    out: dict[int, list[str]] = {}
    for landlord in set(landlord_org_ids):
        covering = [c for c in consents if _covers_landlord(c, landlord)]
        if covering:
            best = max(covering, key=lambda c: (len(c.scope), c.given_at, c.id))
            out[landlord] = list(best.scope)
    return out


def _running_query(households: sa.ColumnElement[bool]) -> sa.Select[Any]:
    return sa.select(*_TERMS).where(
        households,
        _C.given_at <= sa.bindparam("day"),
        _C.valid_until >= sa.bindparam("day"),
        _C.withdrawn_at.is_(None) | (_C.withdrawn_at >= sa.bindparam("next_day")),
    )


SQLITE_IDS_PER_QUERY = 10_000

# Built once: building the statement on each call cost about as much as running it (issue 14).
_RUNNING = _running_query(_C.household_id.in_(sa.bindparam("ids", expanding=True)))
_RUNNING_PG = _running_query(  # one array, not n parameters
    _C.household_id == sa.any_(sa.bindparam("ids", type_=postgresql.ARRAY(sa.BigInteger)))
)


async def _running(
    session: AsyncSession, household_ids: list[int], on_date: date
) -> Sequence[_Terms]:
    """:data:`_TERMS` of the households' consents that run on ``on_date``: given, not expired
    and not withdrawn by the end of that day in Berlin (as :func:`_valid_on` decides), all
    checked by the database so only the rows a page needs come back."""
    next_day = datetime.combine(on_date + timedelta(days=1), time(), tzinfo=BERLIN)
    window = {"day": on_date, "next_day": next_day.astimezone(UTC)}
    if session.get_bind().dialect.name == "postgresql":
        rows: Sequence[_Terms] = (
            await session.execute(_RUNNING_PG, {"ids": household_ids, **window})
        ).all()
        return rows
    # SQLite binds one parameter per id and allows 32,766: a weighted acceptance chance asks
    # for every candidate household of a ranking, so large sets go in slices.
    out: list[_Terms] = []
    for start in range(0, len(household_ids), SQLITE_IDS_PER_QUERY):
        ids = household_ids[start : start + SQLITE_IDS_PER_QUERY]
        out.extend((await session.execute(_RUNNING, {"ids": ids, **window})).all())
    return out
