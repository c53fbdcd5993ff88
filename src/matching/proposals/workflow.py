"""The proposal state machine: one table of every allowed transition and who may make it.

Why one table: the services, the pages (which buttons to show) and the tests all read the same
rows, so a transition cannot be allowed in one place and refused in another. Pure functions,
no database.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from matching.enums import LIVE_PROPOSAL_STATUSES, ProposalStatus, label
from matching.proposals.errors import TransitionNotAllowed, ValidationFailed

S = ProposalStatus


class Action(StrEnum):
    SEND = "send"
    OPEN = "open"
    ARRANGE_VIEWING = "arrange_viewing"
    ACCEPT = "accept"
    LET = "let"
    DECLINE = "decline"
    WITHDRAW = "withdraw"
    EXPIRE = "expire"


class ActorKind(StrEnum):
    """The actor's relation to one proposal (derived per proposal by the service)."""

    COUNSELOR = "counselor"  # of the counselling organisation owning the household
    LANDLORD = "landlord"  # of the vacancy's organisation, or its secure link
    SYSTEM = "system"  # scheduler, cascades


class ReasonSide(StrEnum):
    """Which list of decline reasons applies (column ``side`` of decline_reasons)."""

    LANDLORD = "landlord"
    HOUSEHOLD = "household"
    SYSTEM = "system"


ACTION_LABELS_DE: dict[Action, str] = {
    Action.SEND: "Senden",
    Action.OPEN: "Ansehen",
    Action.ARRANGE_VIEWING: "Besichtigung vereinbaren",
    Action.ACCEPT: "Zusagen",
    Action.LET: "Vermietet",
    Action.DECLINE: "Absagen",
    Action.WITHDRAW: "Zurückziehen",
    Action.EXPIRE: "Ablaufen lassen",
}


@dataclass(frozen=True)
class Transition:
    """One row: ``actor`` may do ``action`` from any of ``sources``, reaching ``target``."""

    action: Action
    sources: frozenset[ProposalStatus]
    target: ProposalStatus
    actor: ActorKind
    reason_side: ReasonSide | None = None
    reason_required: bool = False


def _t(
    action: Action,
    sources: tuple[ProposalStatus, ...],
    target: ProposalStatus,
    actor: ActorKind,
    reason_side: ReasonSide | None = None,
    reason_required: bool = False,
) -> Transition:
    return Transition(action, frozenset(sources), target, actor, reason_side, reason_required)


_ANSWERABLE = (S.SENT, S.VIEWED, S.VIEWING_ARRANGED, S.ACCEPTED)
C, L, SYS = ActorKind.COUNSELOR, ActorKind.LANDLORD, ActorKind.SYSTEM

TRANSITIONS: tuple[Transition, ...] = (
    _t(Action.SEND, (S.DRAFT,), S.SENT, C),
    _t(Action.OPEN, (S.SENT,), S.VIEWED, L),
    _t(Action.ARRANGE_VIEWING, (S.SENT, S.VIEWED), S.VIEWING_ARRANGED, L),
    _t(Action.ACCEPT, (S.VIEWED, S.VIEWING_ARRANGED), S.ACCEPTED, L),
    _t(Action.LET, (S.ACCEPTED,), S.LET, L),
    _t(Action.DECLINE, _ANSWERABLE, S.DECLINED, L, ReasonSide.LANDLORD, True),
    _t(Action.DECLINE, _ANSWERABLE, S.DECLINED, C, ReasonSide.HOUSEHOLD, True),
    # A draft is discarded by withdrawing it; the counselor may name a household reason.
    _t(Action.WITHDRAW, LIVE_PROPOSAL_STATUSES, S.WITHDRAWN, C, ReasonSide.HOUSEHOLD, False),
    _t(Action.WITHDRAW, LIVE_PROPOSAL_STATUSES, S.WITHDRAWN, SYS, ReasonSide.SYSTEM, True),
    _t(Action.EXPIRE, (S.SENT, S.VIEWED), S.EXPIRED, SYS, ReasonSide.SYSTEM, True),
)

TERMINAL_STATUSES: frozenset[ProposalStatus] = frozenset(S) - frozenset(LIVE_PROPOSAL_STATUSES)


def allowed_transitions(status: ProposalStatus, actor_kind: ActorKind) -> list[Transition]:
    """Every row this actor may use from ``status`` (table order: the order of the buttons)."""
    return [t for t in TRANSITIONS if t.actor == actor_kind and status in t.sources]


def allowed_actions(status: ProposalStatus, actor_kind: ActorKind) -> list[Action]:
    return [t.action for t in allowed_transitions(status, actor_kind)]


def check_transition(
    status: ProposalStatus, action: Action | str, actor_kind: ActorKind
) -> Transition:
    """The matching row, or ``TransitionNotAllowed`` naming what is allowed instead."""
    try:
        wanted: Action | None = Action(action)
    except ValueError:
        wanted = None
    for t in allowed_transitions(status, actor_kind):
        if t.action == wanted:
            return t
    allowed = allowed_actions(status, actor_kind)
    what = f"„{ACTION_LABELS_DE[wanted]}“" if wanted else f"„{action}“"
    message = f"{what} ist im Status „{label(status)}“ nicht möglich."
    if allowed:
        names = ", ".join(f"„{ACTION_LABELS_DE[a]}“" for a in allowed)
        message += f" Erlaubt: {names}."
    else:
        message += " Für Sie ist in diesem Status keine Aktion möglich."
    raise TransitionNotAllowed(message, allowed=[a.value for a in allowed])


@dataclass(frozen=True)
class ReasonInfo:
    """What the workflow needs to know of a decline reason (a row of decline_reasons)."""

    code: str
    side: str
    label_de: str
    needs_text: bool


def check_reason(
    transition: Transition, reason: ReasonInfo | None, text: str | None, *, code: str | None
) -> None:
    """Validate the reason for a transition; ``reason`` is None when ``code`` is unknown."""
    has_text = bool(text and text.strip())
    if transition.reason_side is None:
        if code:
            raise ValidationFailed(
                "Für diese Aktion wird kein Grund angegeben.", field="reason_code"
            )
        return
    if not code:
        if transition.reason_required:
            raise ValidationFailed(
                "Bitte wählen Sie einen Grund aus der Liste.",
                field="reason_code",
                code="reason_required",
            )
        return
    if reason is None or reason.side != transition.reason_side.value:
        raise ValidationFailed(
            "Dieser Grund ist hier nicht zulässig. Bitte wählen Sie einen Grund aus der Liste.",
            field="reason_code",
            code="reason_invalid",
        )
    if reason.needs_text and not has_text:
        raise ValidationFailed(
            f"Bei „{reason.label_de}“ beschreiben Sie den Grund bitte kurz im Textfeld.",
            field="text",
            code="reason_text_required",
        )


_LANDLORD_TARGETS = frozenset({S.VIEWING_ARRANGED, S.ACCEPTED, S.LET})


def landlord_may_read_note(
    to_status: str, reason_code: str | None, landlord_reasons: set[str]
) -> bool:
    """Whether the landlord may read the free text of one history entry.

    Only what the landlord wrote himself: a counselor's text on a household decline or a
    withdrawal is an internal note of the office and never leaves it.
    """
    if to_status == S.DECLINED.value:
        return reason_code is not None and reason_code in landlord_reasons
    return to_status in {s.value for s in _LANDLORD_TARGETS}
