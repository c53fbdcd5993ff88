"""Proposing, answering, letting: the workflow against a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from matching.audit.service import verify_chain
from matching.db import versioning
from matching.db.models import (
    AuditEvent,
    Household,
    OutboxMessage,
    Proposal,
    ProposalEvent,
    ProposalToken,
    Vacancy,
)
from matching.enums import (
    ConsentRecipients,
    HouseholdStatus,
    OrganisationKind,
    ProposalStatus,
    VacancyStatus,
)
from matching.proposals import queries, service
from matching.proposals.candidates import CandidatePage
from matching.proposals.checker import PairEvaluation, PassAllChecker, may_override
from matching.proposals.errors import (
    Conflict,
    Forbidden,
    NotFound,
    StaleVersion,
    TransitionNotAllowed,
    ValidationFailed,
)
from matching.proposals.snapshot import readable_profile
from matching.ranking.results import ExcludedGroup, VacancyMatches
from scoring import RULEBOOK
from scoring import Vacancy as EngineVacancy
from scoring.explain import build_funnel
from tests.matching.proposals.factories import (
    NOW,
    TEST_SETTINGS,
    World,
    later,
    link_actor,
    make_consent,
    make_household,
    make_org,
)

S = ProposalStatus
pytestmark = pytest.mark.anyio
CHECK = PassAllChecker(policy_version="2026.1")


class RuleChecker:
    """Excludes the listed households with a German sentence, like the ranking engine."""

    def __init__(self, excluded: dict[int, list[tuple[str, str]]]) -> None:
        self.excluded = excluded

    async def evaluate(
        self, session: AsyncSession, vacancy_id: int, household_id: int
    ) -> PairEvaluation:
        exclusions = self.excluded.get(household_id, [])
        score = None if exclusions else 71.5
        return PairEvaluation(exclusions, score, {"urgency": 30.0}, "dringlichkeit", "2026.1")


async def propose(
    session: AsyncSession, world: World, households: list[Household], vacancy: Vacancy, **kw: object
) -> list[service.ProposeOutcome]:
    kw.setdefault("checker", CHECK)
    result = await service.propose(
        session,
        world.counselor,
        vacancy.id,
        [h.id for h in households],
        now=NOW,
        settings=TEST_SETTINGS,
        **kw,  # type: ignore[arg-type]
    )
    await session.commit()
    return result


async def act(
    session: AsyncSession,
    actor: object,
    proposal_id: int,
    action: str,
    *,
    when: datetime = NOW,
    **kw: object,
) -> Proposal:
    proposal = await session.get(Proposal, proposal_id, populate_existing=True)
    assert proposal is not None
    result = await service.transition(
        session,
        actor,  # type: ignore[arg-type]
        proposal_id,
        action,
        expected_version=proposal.version,
        now=when,
        settings=TEST_SETTINGS,
        **kw,  # type: ignore[arg-type]
    )
    await session.commit()
    return result


async def outbox(session: AsyncSession) -> list[OutboxMessage]:
    rows = await session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id))
    return list(rows.all())


async def test_propose_sends_snapshot_link_email_and_audits(
    session: AsyncSession, world: World
) -> None:
    household, vacancy = world.households[0], world.vacancies[0]
    [outcome] = await propose(session, world, [household], vacancy)
    assert outcome.ok and outcome.code == "sent", outcome.message
    proposal = await session.get(Proposal, outcome.proposal_id)
    assert proposal is not None
    assert proposal.status == S.SENT
    assert proposal.policy_version == "2026.1"
    # Sent Monday 23.11.2026: answer by the end of Monday 30.11.2026, Berlin time (CET).
    assert proposal.respond_by is not None
    assert proposal.respond_by.astimezone(UTC) == datetime(2026, 11, 30, 22, 59, 59, tzinfo=UTC)
    profile = proposal.shared_profile
    assert profile["reference_code"] == household.reference_code
    assert profile["composition"] == {"persons": 4, "adults": 2, "children_ages": [4, 9]}
    assert profile["cost_coverage"] == "Kostenübernahme durch Jobcenter (SGB II)"
    assert profile["contact"]["name"] == "Clara Beraterin"
    assert "identity_encrypted" not in profile
    assert "Yilmaz" not in json.dumps(profile, ensure_ascii=False)

    events = (await session.scalars(sa.select(ProposalEvent).order_by(ProposalEvent.id))).all()
    assert [(e.from_status, e.to_status) for e in events] == [(None, "draft"), ("draft", "sent")]
    actions = (await session.scalars(sa.select(AuditEvent.action))).all()
    assert {"proposal.create", "proposal.send"} <= set(actions)
    assert (await verify_chain(session)).ok

    token = (await session.scalars(sa.select(ProposalToken))).one()
    assert token.recipient_email == "vermietung@wohnbau.example"
    assert token.expires_at.astimezone(UTC) == datetime(2026, 12, 7, 22, 59, 59, tzinfo=UTC)
    [mail] = await outbox(session)
    assert mail.to_address == "vermietung@wohnbau.example"
    assert household.reference_code in mail.subject
    assert "https://tueroeffner.example/l/" in mail.body_text
    assert mail.body_html is not None and "https://tueroeffner.example/l/" in mail.body_html
    assert "30.11.2026" in mail.body_text
    assert "Kostenübernahme durch Jobcenter (SGB II)" in mail.body_text
    for secret in ("Yilmaz", "0571 123456", "familie@example.net", "Hund"):
        assert secret not in mail.body_text and secret not in (mail.body_html or "")


async def test_identity_shared_only_when_consented_and_stored_encrypted(
    session: AsyncSession, world: World
) -> None:
    household = await make_household(session, world.counseling, world.counselor_user)
    await make_consent(session, household, scope=("composition", "income_basis", "name", "phone"))
    await session.commit()
    [outcome] = await propose(session, world, [household], world.vacancies[0])
    proposal = await session.get(Proposal, outcome.proposal_id)
    assert proposal is not None
    raw = json.dumps(proposal.shared_profile, ensure_ascii=False)
    assert "Yilmaz" not in raw  # encrypted at rest like the household's own fields
    shown = readable_profile(proposal.shared_profile)
    assert shown["identity"] == {"name": "Familie Yilmaz-Becker", "phone": "0571 123456"}
    [mail] = await outbox(session)
    assert "Yilmaz" not in mail.body_text


async def test_landlord_first_view_marks_viewed_and_every_view_is_audited(
    session: AsyncSession, world: World
) -> None:
    [outcome] = await propose(session, world, [world.households[0]], world.vacancies[0])
    assert outcome.proposal_id is not None
    link = link_actor(world.landlord.id, outcome.proposal_id)
    detail = await service.mark_viewed(session, link, outcome.proposal_id, now=later(1))
    await session.commit()
    assert detail.proposal.status == S.VIEWED
    assert detail.profile["reference_code"] == world.households[0].reference_code
    assert [a.value for a in detail.allowed_actions] == ["arrange_viewing", "accept", "decline"]
    again = await service.mark_viewed(session, world.landlord_actor, outcome.proposal_id)
    await session.commit()
    assert again.proposal.status == S.VIEWED
    views = (
        await session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "view_profile"))
    ).all()
    assert len(views) == 2
    assert all("Yilmaz" not in json.dumps(v.details) for v in views)
    # A counselor reading the proposal does not make it "viewed" for the landlord.
    [second] = await propose(session, world, [world.households[1]], world.vacancies[0])
    assert second.proposal_id is not None
    seen = await service.mark_viewed(session, world.counselor, second.proposal_id)
    assert seen.proposal.status == S.SENT


@pytest.mark.parametrize(
    ("consent_kwargs", "code", "text"),
    [
        (None, "consent_missing", "keine Einwilligung erfasst"),
        ({"valid_until": date(2026, 10, 31)}, "consent_expired", "am 31.10.2026 abgelaufen"),
        (
            {"recipients": ConsentRecipients.NAMED, "organisation_ids": ("other",)},
            "consent_wrong_landlord",
            "nicht für diesen Vermieter",
        ),
        (
            {"withdrawn_at": datetime(2026, 6, 1, tzinfo=UTC)},
            "consent_withdrawn",
            "widerrufen",
        ),
        ({"scope": ("composition", "name")}, "consent_scope", "Leistungsbezug"),
    ],
)
async def test_consent_problems_refuse_with_reason(
    session: AsyncSession,
    world: World,
    consent_kwargs: dict[str, object] | None,
    code: str,
    text: str,
) -> None:
    household = await make_household(session, world.counseling, world.counselor_user)
    if consent_kwargs is not None:
        kwargs = dict(consent_kwargs)
        if kwargs.get("organisation_ids") == ("other",):
            kwargs["organisation_ids"] = (world.other_landlord.id,)
        await make_consent(session, household, **kwargs)  # type: ignore[arg-type]
    await session.commit()
    [outcome] = await propose(session, world, [household], world.vacancies[0])
    assert not outcome.ok
    assert outcome.code == code
    assert text in outcome.message
    assert (await session.scalar(sa.select(sa.func.count()).select_from(Proposal))) == 0


async def test_named_consent_for_this_landlord_is_enough(
    session: AsyncSession, world: World
) -> None:
    household = await make_household(session, world.counseling, world.counselor_user)
    await make_consent(
        session,
        household,
        recipients=ConsentRecipients.NAMED,
        organisation_ids=(world.landlord.id,),
    )
    await session.commit()
    [outcome] = await propose(session, world, [household], world.vacancies[0])
    assert outcome.ok, outcome.message


async def test_hard_rule_refuses_unless_written_justification(
    session: AsyncSession, world: World
) -> None:
    household = world.households[0]
    sentence = "Die Bruttokaltmiete liegt über der Angemessenheitsgrenze des Jobcenters."
    checker = RuleChecker({household.id: [("RENT_ABOVE_LIMIT", sentence)]})
    [refused] = await propose(session, world, [household], world.vacancies[0], checker=checker)
    assert refused.code == "excluded" and sentence in refused.message
    assert "mindestens 20 Zeichen" in refused.message
    [short] = await propose(
        session, world, [household], world.vacancies[0], checker=checker, justification="zu kurz"
    )
    assert short.code == "excluded"
    reason = "Jobcenter hat Übernahme der Mehrkosten schriftlich zugesagt."
    [ok] = await propose(
        session, world, [household], world.vacancies[0], checker=checker, justification=reason
    )
    assert ok.ok, ok.message
    proposal = await session.get(Proposal, ok.proposal_id)
    assert proposal is not None
    assert proposal.override_justification == reason
    assert proposal.explanation["overridden"] == ["RENT_ABOVE_LIMIT"]
    override = (
        await session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "proposal.override"))
    ).one()
    assert override.details["exclusions"] == ["RENT_ABOVE_LIMIT"]


async def test_already_proposed_cannot_be_overridden(session: AsyncSession, world: World) -> None:
    household = world.households[0]
    checker = RuleChecker({household.id: [("ALREADY_PROPOSED", "Bereits vorgeschlagen.")]})
    [outcome] = await propose(
        session,
        world,
        [household],
        world.vacancies[0],
        checker=checker,
        justification="Eine ausführliche Begründung mit mehr als zwanzig Zeichen.",
    )
    assert outcome.code == "excluded"


@pytest.mark.parametrize(
    "code", [r.code.value for r in RULEBOOK.rules if not r.overridable], ids=str
)
async def test_rules_the_rulebook_marks_impossible_are_never_overridden(
    session: AsyncSession, world: World, code: str
) -> None:
    household = world.households[0]
    checker = RuleChecker({household.id: [(code, "Unmöglich.")]})
    [outcome] = await propose(
        session,
        world,
        [household],
        world.vacancies[0],
        checker=checker,
        justification="Eine ausführliche Begründung mit mehr als zwanzig Zeichen.",
    )
    assert outcome.code == "excluded" and "Unmöglich." in outcome.message
    assert (await session.scalar(sa.select(sa.func.count()).select_from(Proposal))) == 0


async def test_every_rule_the_rulebook_allows_is_overridden_with_a_justification(
    session: AsyncSession, world: World
) -> None:
    household = world.households[0]
    codes = [r.code.value for r in RULEBOOK.rules if r.overridable]
    assert len(codes) == len(RULEBOOK.rules) - 2
    checker = RuleChecker({household.id: [(c, f"Regel {c}.") for c in codes]})
    [ok] = await propose(
        session,
        world,
        [household],
        world.vacancies[0],
        checker=checker,
        justification="Jobcenter und Vermieter haben alles schriftlich bestätigt.",
    )
    assert ok.ok, ok.message
    proposal = await session.get(Proposal, ok.proposal_id)
    assert proposal is not None and proposal.explanation["overridden"] == codes


def test_the_overridable_codes_come_from_the_rulebook() -> None:
    for rule in RULEBOOK.rules:
        assert may_override(rule.code.value) is rule.overridable
    assert not may_override("ALREADY_PROPOSED") and not may_override("NOT_ACTIVE")
    assert may_override("RENT_ABOVE_LIMIT")
    assert not may_override("UNKNOWN_RULE")  # fail closed
    excluded = tuple(
        ExcludedGroup(code=r.code.value, label=r.label, count=1, households=((1, "H-1"),))
        for r in RULEBOOK.rules
    )
    page = CandidatePage(
        VacancyMatches(
            vacancy_id=1,
            policy_name="dringlichkeit",
            policy_version="2026.1",
            reference_date=date(2026, 3, 1),
            eligible_count=0,
            funnel=build_funnel("Haushalte", 15, 0, {r.code: 1 for r in RULEBOOK.rules}),
            rows=(),
            offset=0,
            limit=50,
            warnings=(),
            scope="organisation",
            vacancy=EngineVacancy(
                id=1,
                municipality_ags="05770024",
                rooms=2,
                living_area=50,
                floor=1,
                net_cold_rent=Decimal("300"),
                cold_service_charges=Decimal("80"),
                available_from=date(2026, 3, 1),
            ),
            landlord_id=1,
            excluded=excluded,
        ),
        rows=(),
        consents={},
    )
    assert page.overridable == {r.code.value for r in RULEBOOK.rules if r.overridable}


async def test_limits_per_household_and_per_vacancy(session: AsyncSession, world: World) -> None:
    h = world.households
    v = world.vacancies
    first = await propose(session, world, [h[0]], v[0])
    second = await propose(session, world, [h[0]], v[1])
    third = await propose(session, world, [h[0]], v[2])
    assert [first[0].ok, second[0].ok] == [True, True]
    assert third[0].code == "limit_household"
    assert "bereits 2 offene Vorschläge (höchstens 2)" in third[0].message
    # The landlord organisation allows two per vacancy here.
    world.landlord.max_proposals_per_vacancy = 2
    await session.commit()
    results = await propose(session, world, [h[1], h[2], h[3]], v[2])
    assert [r.code for r in results] == ["sent", "sent", "limit_vacancy"]
    assert "höchstens 2" in results[2].message


async def test_double_click_gives_one_proposal(session: AsyncSession, world: World) -> None:
    household, vacancy = world.households[0], world.vacancies[0]
    [first] = await propose(session, world, [household], vacancy)
    [second] = await propose(session, world, [household], vacancy)
    assert first.ok and not second.ok
    assert second.code == "already_proposed"
    assert "bereits vorgeschlagen" in second.message
    # Listing the same household twice in one request counts once.
    results = await propose(session, world, [world.households[1], world.households[1]], vacancy)
    assert len(results) == 1 and results[0].ok


async def test_access_other_org_household_and_landlord_actor(
    session: AsyncSession, world: World
) -> None:
    stranger = await make_household(session, world.other_counseling)
    await make_consent(session, stranger)
    await session.commit()
    [outcome] = await propose(session, world, [stranger], world.vacancies[0])
    assert outcome.code == "not_found"
    with pytest.raises(Forbidden):
        await service.propose(
            session,
            world.landlord_actor,
            world.vacancies[0].id,
            [world.households[0].id],
            checker=CHECK,
        )
    with pytest.raises(NotFound):
        await service.propose(
            session, world.counselor, 999_999, [world.households[0].id], checker=CHECK
        )


async def test_vacancy_not_open_and_household_inactive(session: AsyncSession, world: World) -> None:
    world.vacancies[0].status = VacancyStatus.RESERVED
    world.households[1].status = HouseholdStatus.PAUSED
    await session.commit()
    [outcome] = await propose(session, world, [world.households[1]], world.vacancies[1])
    assert outcome.code == "household_inactive"
    assert "pausiert" in outcome.message
    with pytest.raises(Conflict) as info:
        await propose(session, world, [world.households[0]], world.vacancies[0])
    assert info.value.code == "vacancy_not_open"


async def test_object_level_access_on_proposals(session: AsyncSession, world: World) -> None:
    [outcome] = await propose(session, world, [world.households[0]], world.vacancies[0])
    pid = outcome.proposal_id
    assert pid is not None
    for stranger in (world.other_counselor, world.other_landlord_actor, link_actor(0, pid + 1)):
        with pytest.raises(NotFound):
            await service.get_proposal(session, stranger, pid)
        with pytest.raises(NotFound):
            await service.transition(
                session, stranger, pid, "withdraw", expected_version=2, now=NOW
            )
    assert (await service.get_proposal(session, world.admin, pid)).id == pid
    assert await queries.list_for_landlord(session, world.other_landlord_actor) == []


async def test_stale_version_is_refused(session: AsyncSession, world: World) -> None:
    [outcome] = await propose(session, world, [world.households[0]], world.vacancies[0])
    pid = outcome.proposal_id
    assert pid is not None
    proposal = await session.get(Proposal, pid)
    assert proposal is not None
    old_version = proposal.version
    await act(session, world.landlord_actor, pid, "arrange_viewing")
    with pytest.raises(StaleVersion) as info:
        await service.transition(
            session, world.landlord_actor, pid, "accept", expected_version=old_version, now=NOW
        )
    assert info.value.http_status == 409
    assert "inzwischen" in info.value.message


async def test_decline_requires_reason_and_tells_counselor(
    session: AsyncSession, world: World
) -> None:
    [outcome] = await propose(session, world, [world.households[0]], world.vacancies[0])
    pid = outcome.proposal_id
    assert pid is not None
    with pytest.raises(ValidationFailed) as no_reason:
        await act(session, world.landlord_actor, pid, "decline")
    assert no_reason.value.http_status == 422
    await session.rollback()
    with pytest.raises(ValidationFailed) as no_text:
        await act(session, world.landlord_actor, pid, "decline", reason_code="L_OTHER")
    assert no_text.value.field == "text"
    await session.rollback()
    with pytest.raises(ValidationFailed):
        await act(session, world.landlord_actor, pid, "decline", reason_code="H_COST")
    await session.rollback()
    proposal = await act(
        session, world.landlord_actor, pid, "decline", reason_code="L_PETS", when=later(2)
    )
    assert proposal.status == S.DECLINED
    assert proposal.decline_reason_code == "L_PETS"
    assert proposal.answered_at is not None and proposal.closed_at is not None
    mails = await outbox(session)
    answer = [m for m in mails if m.kind == "proposal_answer"]
    assert len(answer) == 1
    assert answer[0].to_address == world.counselor_user.email
    assert "abgesagt" in answer[0].subject
    assert "Haustierhaltung nicht möglich" in answer[0].body_text
    tokens = (await session.scalars(sa.select(ProposalToken))).all()
    assert all(t.revoked_at is not None for t in tokens)


async def test_transition_not_allowed_names_allowed(session: AsyncSession, world: World) -> None:
    [outcome] = await propose(session, world, [world.households[0]], world.vacancies[0])
    assert outcome.proposal_id is not None
    with pytest.raises(TransitionNotAllowed) as info:
        await act(session, world.landlord_actor, outcome.proposal_id, "let")
    assert "Erlaubt" in info.value.message
    assert "accept" not in info.value.allowed


async def test_accept_reserves_and_let_cascades(session: AsyncSession, world: World) -> None:
    h, v = world.households, world.vacancies
    hh_versions = await versioning.current(session, versioning.HOUSEHOLDS)
    [chosen] = await propose(session, world, [h[0]], v[0])
    [rival] = await propose(session, world, [h[1]], v[0])
    [elsewhere] = await propose(session, world, [h[0]], v[1])
    assert chosen.proposal_id and rival.proposal_id and elsewhere.proposal_id
    landlord = world.landlord_actor
    await act(session, landlord, chosen.proposal_id, "arrange_viewing")
    await act(session, landlord, chosen.proposal_id, "accept")
    vacancy = await session.get(Vacancy, v[0].id, populate_existing=True)
    assert vacancy is not None and vacancy.status == VacancyStatus.RESERVED
    let = await act(session, landlord, chosen.proposal_id, "let", when=later(3))
    assert let.status == S.LET

    vacancy = await session.get(Vacancy, v[0].id, populate_existing=True)
    household = await session.get(Household, h[0].id, populate_existing=True)
    assert vacancy is not None and vacancy.status == VacancyStatus.LET
    assert household is not None and household.status == HouseholdStatus.HOUSED
    assert await versioning.current(session, versioning.HOUSEHOLDS) == hh_versions + 1
    rival_p = await session.get(Proposal, rival.proposal_id, populate_existing=True)
    elsewhere_p = await session.get(Proposal, elsewhere.proposal_id, populate_existing=True)
    assert rival_p is not None and elsewhere_p is not None
    assert (rival_p.status, rival_p.decline_reason_code) == (S.WITHDRAWN, "S_VACANCY_LET")
    assert (elsewhere_p.status, elsewhere_p.decline_reason_code) == (
        S.WITHDRAWN,
        "S_HOUSEHOLD_HOUSED",
    )
    mails = await outbox(session)
    # The rival's counselor learns the flat is gone; the other landlord that the household is.
    assert any(m.kind == "proposal_answer" and "anderweitig vergeben" in m.subject for m in mails)
    withdrawn = [m for m in mails if m.kind == "proposal_withdrawn"]
    assert len(withdrawn) == 1 and "Haushalt ist bereits versorgt" in withdrawn[0].body_text
    assert (await verify_chain(session)).ok


async def test_declining_an_accepted_proposal_reopens_the_flat(
    session: AsyncSession, world: World
) -> None:
    [outcome] = await propose(session, world, [world.households[0]], world.vacancies[0])
    pid = outcome.proposal_id
    assert pid is not None
    await act(session, world.landlord_actor, pid, "arrange_viewing")
    await act(session, world.landlord_actor, pid, "accept")
    await act(session, world.counselor, pid, "decline", reason_code="H_FOUND_OTHER")
    vacancy = await session.get(Vacancy, world.vacancies[0].id, populate_existing=True)
    assert vacancy is not None and vacancy.status == VacancyStatus.OPEN
    mails = [m for m in await outbox(session) if m.kind == "proposal_withdrawn"]
    assert len(mails) == 1 and "im Namen des Haushalts abgesagt" in mails[0].body_text


async def test_withdraw_tells_landlord_and_revokes_links(
    session: AsyncSession, world: World
) -> None:
    [outcome] = await propose(session, world, [world.households[0]], world.vacancies[0])
    pid = outcome.proposal_id
    assert pid is not None
    proposal = await act(session, world.counselor, pid, "withdraw")
    assert proposal.status == S.WITHDRAWN
    [_, withdrawal] = await outbox(session)
    assert withdrawal.to_address == "vermietung@wohnbau.example"
    assert "zurückgezogen" in withdrawal.subject
    token = (await session.scalars(sa.select(ProposalToken))).one()
    assert token.revoked_at is not None


async def test_draft_then_send_and_discard(session: AsyncSession, world: World) -> None:
    [draft] = await propose(session, world, [world.households[0]], world.vacancies[0], send=False)
    assert draft.code == "draft" and draft.proposal_id is not None
    assert await outbox(session) == []
    assert await queries.list_for_landlord(session, world.landlord_actor) == []
    sent = await act(session, world.counselor, draft.proposal_id, "send", when=later(1))
    assert sent.status == S.SENT and sent.shared_profile["reference_code"]
    assert len(await outbox(session)) == 1
    [other] = await propose(session, world, [world.households[1]], world.vacancies[0], send=False)
    assert other.proposal_id is not None
    discarded = await act(session, world.counselor, other.proposal_id, "withdraw")
    assert discarded.status == S.WITHDRAWN
    assert len(await outbox(session)) == 1  # the landlord never saw the draft


async def test_lists_and_dashboards(session: AsyncSession, world: World) -> None:
    h, v = world.households, world.vacancies
    [a] = await propose(session, world, [h[0]], v[0])
    [b] = await propose(session, world, [h[1]], v[1])
    assert a.proposal_id and b.proposal_id
    await act(session, world.landlord_actor, a.proposal_id, "arrange_viewing", when=later(1))
    rows = await queries.list_for_landlord(session, world.landlord_actor)
    assert [r.id for r in rows] == [b.proposal_id, a.proposal_id]  # awaiting answer first
    assert rows[0].town == "Bad Oeynhausen"
    mine = await queries.list_for_counselor(session, world.counselor)
    assert {r.id for r in mine} == {a.proposal_id, b.proposal_id}
    assert await queries.list_for_counselor(session, world.other_counselor) == []

    board = await queries.counselor_dashboard(session, world.counselor, since=NOW, now=later(2))
    assert {x.reference_code for x in board.households} == {
        h[0].reference_code,
        h[1].reference_code,
    }
    assert [p.id for p in board.deadlines_soon] == [b.proposal_id]
    assert [p.id for p in board.answers_since] == [a.proposal_id]
    landlord_board = await queries.landlord_dashboard(session, world.landlord_actor)
    assert [p.id for p in landlord_board.awaiting_answer] == [b.proposal_id]
    assert landlord_board.counts_by_status == {"sent": 1, "viewing_arranged": 1}
    with pytest.raises(Forbidden):
        await queries.fachstelle_dashboard(session, world.counselor)
    stats = await queries.fachstelle_dashboard(session, world.admin)
    assert stats.by_town_and_status == {"Bad Oeynhausen": {"sent": 1, "viewing_arranged": 1}}
    assert stats.median_hours_to_answer == 24.0
    assert stats.answered == 1


async def test_landlord_org_of_other_kind_is_not_a_counselor(
    session: AsyncSession, world: World
) -> None:
    org = await make_org(session, OrganisationKind.LANDLORD)
    await session.commit()
    assert org.kind == OrganisationKind.LANDLORD
    with pytest.raises(Forbidden):
        await queries.list_for_counselor(session, world.landlord_actor)
    with pytest.raises(Forbidden):
        await queries.list_for_landlord(session, world.counselor)
