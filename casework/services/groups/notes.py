"""Shared notes on a group. There is no group key: each note is sealed into every member
case's timeline with that case's own key, as an internal note (or one shared with the partner
organisation, when asked). Purging a worker's case erases that worker's copy with the rest."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from casework.extensions import db
from casework.models import CaseEvent, CaseGroup, CaseGroupNote, User
from casework.models import event as ev
from casework.services import audit
from casework.services.escalation.deadlines import touch
from casework.services.groups.access import member_cases
from casework.services.intake.complaint import parse_message
from casework.services.keys.case_keys import (
    EventBodyUnverified,
    case_key,
    open_event_body,
    seal_event_body,
)

PREFIX = "group_note:"


@dataclass(frozen=True)
class GroupNoteView:
    at: datetime
    author_id: int | None
    body: str | None  # None: no copy the viewer may open is left (cases purged or removed)


def add_group_note(actor: User, group: CaseGroup, text: object, shared: bool) -> CaseGroupNote:
    """Seal the note into each member case the actor fully holds (one commit for all)."""
    body = parse_message(text)
    note = CaseGroupNote(author_id=actor.id)
    group.notes.append(note)
    db.session.flush()
    for case in member_cases(actor, group):
        event = CaseEvent(
            kind=ev.NOTE,
            visibility=ev.PARTNERS if shared else ev.INTERNAL,
            actor_kind="staff",
            actor_user_id=actor.id,
            organisation_id=actor.organisation_id,
            detail=f"{PREFIX}{note.id}",
        )
        case.events.append(event)
        db.session.flush()  # the body is bound to the event's id
        seal_event_body(case_key(case), case, event, body)
        touch(case)
    audit.record_audit(actor, audit.GROUP_CHANGE, "case_group", str(group.id), f"note {note.id}")
    db.session.commit()
    return note


def group_notes(actor: User, group: CaseGroup) -> list[GroupNoteView]:
    """The group's notes, newest first, each read from a member case the actor fully holds."""
    cases = {case.id: case for case in member_cases(actor, group)}
    details = [f"{PREFIX}{note.id}" for note in group.notes]
    copies: dict[str, CaseEvent] = {}
    if cases and details:
        for event in db.session.scalars(
            select(CaseEvent).where(CaseEvent.case_id.in_(cases), CaseEvent.detail.in_(details))
        ):
            copies.setdefault(event.detail, event)
    views = []
    for note in reversed(group.notes):
        copy = copies.get(f"{PREFIX}{note.id}")
        body = None
        if copy is not None:
            case = cases[copy.case_id]
            try:
                body = open_event_body(case_key(case), case, copy)
            except EventBodyUnverified:
                body = None
        views.append(GroupNoteView(note.created_at, note.author_id, body))
    return views
