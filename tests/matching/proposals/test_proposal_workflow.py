"""The state machine on its own: every (status, action, actor) cell, and random walks."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from matching.enums import LIVE_PROPOSAL_STATUSES, ProposalStatus
from matching.proposals.errors import TransitionNotAllowed, ValidationFailed
from matching.proposals.workflow import (
    TERMINAL_STATUSES,
    TRANSITIONS,
    Action,
    ActorKind,
    ReasonInfo,
    allowed_actions,
    check_reason,
    check_transition,
)

S, A = ProposalStatus, Action
C, L, SYS = ActorKind.COUNSELOR, ActorKind.LANDLORD, ActorKind.SYSTEM

# The expected graph, written out independently of the table: (from, action, actor) -> to.
EXPECTED: dict[tuple[ProposalStatus, Action, ActorKind], ProposalStatus] = {
    (S.DRAFT, A.SEND, C): S.SENT,
    (S.SENT, A.OPEN, L): S.VIEWED,
    (S.SENT, A.ARRANGE_VIEWING, L): S.VIEWING_ARRANGED,
    (S.VIEWED, A.ARRANGE_VIEWING, L): S.VIEWING_ARRANGED,
    (S.VIEWED, A.ACCEPT, L): S.ACCEPTED,
    (S.VIEWING_ARRANGED, A.ACCEPT, L): S.ACCEPTED,
    (S.ACCEPTED, A.LET, L): S.LET,
    (S.SENT, A.EXPIRE, SYS): S.EXPIRED,
    (S.VIEWED, A.EXPIRE, SYS): S.EXPIRED,
}
for status in (S.SENT, S.VIEWED, S.VIEWING_ARRANGED, S.ACCEPTED):
    EXPECTED[(status, A.DECLINE, L)] = S.DECLINED
    EXPECTED[(status, A.DECLINE, C)] = S.DECLINED
for status in LIVE_PROPOSAL_STATUSES:
    EXPECTED[(status, A.WITHDRAW, C)] = S.WITHDRAWN
    EXPECTED[(status, A.WITHDRAW, SYS)] = S.WITHDRAWN

CELLS = list(itertools.product(ProposalStatus, Action, ActorKind))


@pytest.mark.parametrize(("status", "action", "actor"), CELLS)
def test_every_cell_of_the_table(status: ProposalStatus, action: Action, actor: ActorKind) -> None:
    expected = EXPECTED.get((status, action, actor))
    if expected is None:
        with pytest.raises(TransitionNotAllowed) as info:
            check_transition(status, action, actor)
        assert set(info.value.allowed) == {a.value for a in allowed_actions(status, actor)}
    else:
        assert check_transition(status, action, actor).target == expected


def test_refusal_names_the_allowed_actions_in_german() -> None:
    with pytest.raises(TransitionNotAllowed) as info:
        check_transition(S.SENT, "accept", L)
    message = info.value.message
    assert "„Zusagen“ ist im Status „gesendet“ nicht möglich." in message
    assert "Erlaubt: „Ansehen“, „Besichtigung vereinbaren“, „Absagen“." in message
    assert info.value.http_status == 409


def test_terminal_states_allow_nothing() -> None:
    assert {S.LET, S.DECLINED, S.WITHDRAWN, S.EXPIRED} == TERMINAL_STATUSES
    for status, actor in itertools.product(TERMINAL_STATUSES, ActorKind):
        assert allowed_actions(status, actor) == []
    with pytest.raises(TransitionNotAllowed, match="keine Aktion möglich"):
        check_transition(S.LET, A.WITHDRAW, C)


def test_unknown_action_is_refused_not_crashing() -> None:
    with pytest.raises(TransitionNotAllowed, match="„fly“"):
        check_transition(S.SENT, "fly", L)


DECLINE_L = check_transition(S.SENT, A.DECLINE, L)
DECLINE_C = check_transition(S.SENT, A.DECLINE, C)
WITHDRAW_C = check_transition(S.SENT, A.WITHDRAW, C)
WITHDRAW_SYS = check_transition(S.SENT, A.WITHDRAW, SYS)
L_PETS = ReasonInfo("L_PETS", "landlord", "Haustierhaltung nicht möglich", False)
L_OTHER = ReasonInfo("L_OTHER", "landlord", "Sonstiger Grund", True)
H_COST = ReasonInfo("H_COST", "household", "Zu teuer", False)
S_LET = ReasonInfo("S_VACANCY_LET", "system", "Wohnung anderweitig vergeben", False)


def test_decline_needs_a_reason_of_the_right_side_and_text_where_required() -> None:
    with pytest.raises(ValidationFailed) as info:
        check_reason(DECLINE_L, None, None, code=None)
    assert info.value.code == "reason_required" and info.value.http_status == 422
    with pytest.raises(ValidationFailed, match="nicht zulässig"):
        check_reason(DECLINE_L, H_COST, None, code="H_COST")
    with pytest.raises(ValidationFailed, match="nicht zulässig"):
        check_reason(DECLINE_C, L_PETS, None, code="L_PETS")
    with pytest.raises(ValidationFailed, match="nicht zulässig"):
        check_reason(DECLINE_L, None, None, code="MADE_UP")
    with pytest.raises(ValidationFailed) as text_info:
        check_reason(DECLINE_L, L_OTHER, "   ", code="L_OTHER")
    assert text_info.value.field == "text"
    check_reason(DECLINE_L, L_PETS, None, code="L_PETS")
    check_reason(DECLINE_L, L_OTHER, "Wohnung wird saniert", code="L_OTHER")
    check_reason(DECLINE_C, H_COST, None, code="H_COST")


def test_withdrawal_reasons() -> None:
    check_reason(WITHDRAW_C, None, None, code=None)  # optional for the counselor
    check_reason(WITHDRAW_C, H_COST, None, code="H_COST")
    with pytest.raises(ValidationFailed):
        check_reason(WITHDRAW_SYS, None, None, code=None)  # the system always says why
    with pytest.raises(ValidationFailed):
        check_reason(WITHDRAW_C, S_LET, None, code="S_VACANCY_LET")
    check_reason(WITHDRAW_SYS, S_LET, None, code="S_VACANCY_LET")
    with pytest.raises(ValidationFailed, match="kein Grund"):
        check_reason(check_transition(S.SENT, A.OPEN, L), L_PETS, None, code="L_PETS")


ALL_STATUSES = set(ProposalStatus)
REACHABLE_FROM_DRAFT = {t.target for t in TRANSITIONS} | {S.DRAFT}


@given(st.lists(st.tuples(st.sampled_from(Action), st.sampled_from(ActorKind)), max_size=30))
def test_random_sequences_never_leave_the_graph(steps: list[tuple[Action, ActorKind]]) -> None:
    status = S.DRAFT
    for action, actor in steps:
        if action not in allowed_actions(status, actor):
            with pytest.raises(TransitionNotAllowed):
                check_transition(status, action, actor)
            continue
        rule = check_transition(status, action, actor)
        assert status in rule.sources
        assert (status, action, actor) in EXPECTED
        status = rule.target
        assert status in REACHABLE_FROM_DRAFT <= ALL_STATUSES
        if status in TERMINAL_STATUSES:
            assert all(allowed_actions(status, k) == [] for k in ActorKind)
