"""Internal notes and messages to the worker, written by staff; bodies sealed with the case key."""

from __future__ import annotations

from casework.extensions import db
from casework.models import Case, CaseEvent, User
from casework.models import event as ev
from casework.services.errors import CaseChanged
from casework.services.escalation.deadlines import touch
from casework.services.intake.complaint import parse_message
from casework.services.keys.case_keys import case_key, seal_event_body
from casework.services.notifications.nudges import note_news

NOTE_VISIBILITIES = (ev.INTERNAL, ev.PARTNERS)


def _check_version(case: Case, expected_version: int) -> None:
    if case.version != expected_version:
        raise CaseChanged(case, expected_version)


def add_note(
    actor: User, case: Case, text: object, shared_with_partner: bool, expected_version: int
) -> CaseEvent:
    """An internal note: visible to the author's organisation, or also to the partner
    organisation on the other side when shared."""
    visibility = ev.PARTNERS if shared_with_partner else ev.INTERNAL
    return _write(actor, case, ev.NOTE, visibility, text, expected_version)


def message_worker(actor: User, case: Case, text: object, expected_version: int) -> CaseEvent:
    """A message the worker reads on the follow-up page (and through the API)."""
    return _write(actor, case, ev.MESSAGE_TO_WORKER, ev.WORKER, text, expected_version)


def _write(
    actor: User, case: Case, kind: str, visibility: str, text: object, expected_version: int
) -> CaseEvent:
    _check_version(case, expected_version)
    body = parse_message(text)
    event = CaseEvent(
        kind=kind,
        visibility=visibility,
        actor_kind="staff",
        actor_user_id=actor.id,
        organisation_id=actor.organisation_id,
    )
    case.events.append(event)
    db.session.flush()  # the body is bound to the event's id
    seal_event_body(case_key(case), case, event, body)
    touch(case)
    if visibility == ev.WORKER:
        note_news(case)  # a content-free nudge, if the worker asked for them
    db.session.commit()
    return event
