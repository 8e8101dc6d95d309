"""Duplicate cases: linked when one worker filed twice (the follow-up page tells a worker who
lost their secret to file again and that staff will link both), and merged when staff decide
the two are one case.

A merge keeps one case and closes the other with a pointer to it. The merged case's timeline
(notes, messages, status changes), evidence and reminders move to the kept case, re-sealed
under the kept case's key (evidence blobs are not touched: only their file keys are re-wrapped);
its story joins the kept case's timeline; its identity stays on it, readable through the link.
The worker can follow up with either secret: the merged case's secret opens the kept case.
Both steps need full access to both cases, are recorded on both timelines and audited.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select

from casework.extensions import db
from casework.models import Case, CaseEvent, CaseLink, Reminder, User
from casework.models import event as ev
from casework.models.case_link import DUPLICATE, MERGED_INTO
from casework.services import audit
from casework.services.casefile.access import Access, case_access, load_case
from casework.services.errors import CaseChanged, NotPermitted
from casework.services.escalation.deadlines import set_status, touch
from casework.services.evidence.rehome import rehome_evidence
from casework.services.keys.case_keys import (
    EventBodyUnverified,
    case_key,
    open_event_body,
    open_text,
    seal_event_body,
    seal_text,
)
from casework.vocabulary.status import CLOSED

CASE_LINKED = "case_linked"  # timeline event kind and audit action
CASE_MERGED = "case_merged"
MAX_HOPS = 5


class LinkRefused(NotPermitted):
    """The link or merge makes no sense (the same case, already linked, already merged)."""


@dataclass(frozen=True)
class LinkedCase:
    reference: str  # "" when the actor may not open the other case
    status: str
    kind: str  # duplicate / merged_into (this case went there) / merged_from (came here)
    may_open: bool


def _merged_into(case: Case) -> CaseLink | None:
    return db.session.scalars(
        select(CaseLink).where(CaseLink.case_id == case.id, CaseLink.kind == MERGED_INTO)
    ).first()


def kept_case(case: Case) -> Case:
    """Where a worker following up on `case` is taken: the case it was merged into (following
    a merge of a merge a few steps at most), or the case itself."""
    for _hop in range(MAX_HOPS):
        link = _merged_into(case)
        if link is None:
            break
        target = db.session.get(Case, link.other_case_id)
        if target is None:
            break
        case = target
    return case


def linked_cases(actor: User, case: Case) -> list[LinkedCase]:
    """Cases linked to `case`, each named only if the actor may open it."""
    links = db.session.scalars(
        select(CaseLink)
        .where(or_(CaseLink.case_id == case.id, CaseLink.other_case_id == case.id))
        .order_by(CaseLink.id)
    ).all()
    merged_with = {
        link.case_id if link.other_case_id == case.id else link.other_case_id
        for link in links
        if link.kind == MERGED_INTO
    }
    found = []
    for link in links:
        other_id = link.other_case_id if link.case_id == case.id else link.case_id
        other = db.session.get(Case, other_id)
        if other is None:
            continue
        kind = link.kind
        if kind == DUPLICATE and other_id in merged_with:
            continue  # the merge says more
        if kind == MERGED_INTO and link.other_case_id == case.id:
            kind = "merged_from"
        may_open = case_access(actor, other) >= Access.FACTS
        found.append(LinkedCase(other.reference if may_open else "", other.status, kind, may_open))
    return found


def _both(actor: User, case: Case, other_reference: str) -> Case:
    other = load_case(actor, other_reference.strip().upper(), need=Access.FULL)
    if other.id == case.id:
        raise LinkRefused("the same case")
    return other


def _record(actor: User, case: Case, kind: str, detail: str, action: str) -> CaseEvent:
    event = CaseEvent(
        kind=kind,
        visibility=ev.PARTNERS,
        actor_kind="staff",
        actor_user_id=actor.id,
        organisation_id=actor.organisation_id,
        detail=detail,
    )
    case.events.append(event)
    audit.record_audit(actor, action, "case", str(case.id), detail)
    return event


def link_duplicate(actor: User, case: Case, other_reference: str) -> Case:
    """Link `case` and the case named `other_reference` as duplicates (the actor needs full
    access to both: `CaseNotFound` / `NotPermitted` otherwise). Returns the other case."""
    other = _both(actor, case, other_reference)
    low, high = sorted((case, other), key=lambda c: c.id)
    exists = db.session.scalars(
        select(CaseLink.id).where(
            CaseLink.case_id == low.id,
            CaseLink.other_case_id == high.id,
            CaseLink.kind == DUPLICATE,
        )
    ).first()
    if exists is not None:
        raise LinkRefused("already linked")
    db.session.add(
        CaseLink(case_id=low.id, other_case_id=high.id, kind=DUPLICATE, created_by=actor.id)
    )
    _record(actor, case, CASE_LINKED, f"duplicate of {other.reference}", CASE_LINKED)
    _record(actor, other, CASE_LINKED, f"duplicate of {case.reference}", CASE_LINKED)
    touch(case)
    touch(other)
    db.session.commit()
    return other


def merge_check(actor: User, kept: Case, merged_reference: str) -> Case:
    """The case that would be merged into `kept`, if the merge may go ahead (both open in full
    to the actor, neither already merged); raises otherwise. Changes nothing."""
    merged = _both(actor, kept, merged_reference)
    if _merged_into(merged) is not None or _merged_into(kept) is not None:
        raise LinkRefused("already merged")
    return merged


def merge_cases(actor: User, kept: Case, merged_reference: str, expected_version: int) -> Case:
    """Merge the case named `merged_reference` into `kept` (see the module docstring). Raises
    `CaseChanged` if `kept` changed since the actor loaded it. Returns the merged case."""
    if kept.version != expected_version:
        raise CaseChanged(kept, expected_version)
    merged = merge_check(actor, kept, merged_reference)
    kept_key, merged_key = case_key(kept), case_key(merged)
    moved_events = list(merged.events)
    bodies: dict[int, str | None] = {}
    for event in moved_events:
        try:
            bodies[event.id] = open_event_body(merged_key, merged, event)
        except EventBodyUnverified:
            bodies[event.id] = None  # moved as it is: it shows as unverified, as it did before
    for evidence in list(merged.evidence):
        rehome_evidence(evidence, merged, merged_key, kept, kept_key)
    for event in moved_events:
        event.case = kept
        # Said on the kept case's timeline as "(from CW-…)"; the detail is not sealed.
        event.detail = f"from {merged.reference}: {event.detail}"[:200]
    _move_reminders(merged, merged_key, kept, kept_key)
    db.session.flush()
    for event in moved_events:
        if bodies[event.id] is not None:
            seal_event_body(kept_key, kept, event, bodies[event.id] or "")
    story = (
        open_text(merged_key, merged, "narrative", merged.narrative_sealed)
        if merged.narrative_sealed is not None
        else None
    )
    into = _record(
        actor, kept, CASE_MERGED, f"merged {merged.reference} into this case", CASE_MERGED
    )
    _record(actor, merged, CASE_MERGED, f"merged into {kept.reference}", CASE_MERGED)
    db.session.add(
        CaseLink(case_id=merged.id, other_case_id=kept.id, kind=MERGED_INTO, created_by=actor.id)
    )
    if merged.status != CLOSED:
        set_status(merged, CLOSED)
    touch(kept)
    db.session.flush()
    if story:
        seal_event_body(kept_key, kept, into, story)
    db.session.commit()
    return merged


def _move_reminders(source: Case, source_key: bytes, target: Case, target_key: bytes) -> None:
    for reminder in db.session.scalars(select(Reminder).where(Reminder.case_id == source.id)):
        field = f"reminder:{reminder.id}"
        if reminder.note_sealed is not None:
            note = open_text(source_key, source, field, reminder.note_sealed)
            reminder.note_sealed = seal_text(target_key, target, field, note)
        reminder.case_id = target.id
