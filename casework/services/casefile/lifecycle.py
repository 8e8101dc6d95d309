"""The case lifecycle: the one table of allowed status changes and who may make them."""

from __future__ import annotations

from dataclasses import dataclass

from casework.extensions import db
from casework.models import Case, CaseEvent, User
from casework.models import event as ev
from casework.services import audit
from casework.services.errors import CaseChanged, NotPermitted
from casework.services.escalation.deadlines import set_status
from casework.services.notifications.nudges import note_status_news
from casework.vocabulary.status import (
    AWAITING_WORKER,
    CLOSED,
    IN_PROGRESS,
    RECEIVED,
    REFERRED,
    RESOLVED,
    TRIAGED,
    WITHDRAWN,
)

STAFF = frozenset({"caseworker", "supervisor"})
SUPERVISOR = frozenset({"supervisor"})


@dataclass(frozen=True)
class Transition:
    to: str
    roles: frozenset[str]
    needs_reason: bool = False
    needs_outcome: bool = False


_OPEN = (RECEIVED, TRIAGED, IN_PROGRESS, AWAITING_WORKER, REFERRED)
OPEN_STATUSES = frozenset(_OPEN)  # a case still being worked (group suggestions)

# from status -> the transitions allowed from it (DESIGN §4)
TRANSITIONS: dict[str, tuple[Transition, ...]] = {
    RECEIVED: (Transition(TRIAGED, STAFF),),
    TRIAGED: (Transition(IN_PROGRESS, STAFF),),
    IN_PROGRESS: (
        Transition(AWAITING_WORKER, STAFF),
        Transition(REFERRED, STAFF),
        Transition(RESOLVED, STAFF, needs_outcome=True),
    ),
    AWAITING_WORKER: (
        Transition(IN_PROGRESS, STAFF),
        Transition(REFERRED, STAFF),
        Transition(RESOLVED, STAFF, needs_outcome=True),
    ),
    REFERRED: (Transition(IN_PROGRESS, STAFF), Transition(RESOLVED, STAFF, needs_outcome=True)),
    RESOLVED: (
        Transition(CLOSED, STAFF, needs_outcome=True),
        Transition(IN_PROGRESS, STAFF, needs_reason=True),  # re-open
    ),
    CLOSED: (Transition(IN_PROGRESS, SUPERVISOR, needs_reason=True),),  # re-open
    WITHDRAWN: (Transition(IN_PROGRESS, SUPERVISOR, needs_reason=True),),
}
for _status in _OPEN:
    TRANSITIONS[_status] = (*TRANSITIONS[_status], Transition(WITHDRAWN, STAFF, needs_reason=True))


class TransitionRefused(NotPermitted):
    """Not an allowed change from the current status, or missing role, reason or outcome."""


def allowed_transitions(actor: User, case: Case) -> list[Transition]:
    return [t for t in TRANSITIONS.get(case.status, ()) if actor.role in t.roles]


def change_status(
    actor: User, case: Case, to: str, expected_version: int, reason: str = ""
) -> None:
    """Move the case to `to` if the table allows it for the actor's role.

    Raises `CaseChanged` if someone else changed the case since the actor loaded it.
    """
    if case.version != expected_version:
        raise CaseChanged(case, expected_version)
    apply_transition(actor, case, to, reason)
    db.session.commit()


def apply_transition(actor: User, case: Case, to: str, reason: str = "") -> None:
    """Make the change if the table allows it (within the caller's transaction): status,
    timeline event and audit. Raises `TransitionRefused` otherwise."""
    transition = next((t for t in allowed_transitions(actor, case) if t.to == to), None)
    if transition is None:
        raise TransitionRefused(f"{case.status} → {to} is not allowed for {actor.role}")
    if transition.needs_reason and not reason.strip():
        raise TransitionRefused("a reason is required")
    if transition.needs_outcome and not case.outcomes:
        raise TransitionRefused("record at least one outcome first")
    previous = case.status
    set_status(case, to)
    case.events.append(
        CaseEvent(
            kind=ev.STATUS_CHANGE,
            visibility=ev.PARTNERS,
            actor_kind="staff",
            actor_user_id=actor.id,
            organisation_id=actor.organisation_id,
            detail=f"{previous} → {to}",
        )
    )
    audit.record_audit(actor, audit.STATUS_CHANGE, "case", str(case.id), f"{previous}->{to}")
    note_status_news(case, previous, to)  # a content-free nudge, if the worker asked for them
