"""Accepting, declining, reassigning and transferring cases."""

from __future__ import annotations

from sqlalchemy import select

from casework.extensions import db
from casework.models import Assignment, Case, CaseEvent, Organisation, User
from casework.models import event as ev
from casework.models.assignment import ACCEPTED, DECLINED, ENDED, LIVE, OFFERED
from casework.models.columns import utcnow
from casework.services import audit
from casework.services.assignments.routing import offer, route_side
from casework.services.casefile.access import covers_case
from casework.services.errors import NotFound, NotPermitted
from casework.services.escalation.deadlines import set_status, touch
from casework.vocabulary.status import RECEIVED, TRIAGED


class AssignmentRefused(NotPermitted):
    """The actor may not do this to this assignment."""


def _assignment(case: Case, assignment_id: int) -> Assignment:
    for assignment in case.assignments:
        if assignment.id == assignment_id:
            return assignment
    raise NotFound(f"assignment {assignment_id}")


def _event(case: Case, actor: User, detail: str) -> None:
    case.events.append(
        CaseEvent(
            kind=ev.ASSIGNMENT,
            visibility=ev.INTERNAL,
            actor_kind="staff",
            actor_user_id=actor.id,
            organisation_id=actor.organisation_id,
            detail=detail[:200],
        )
    )
    db.session.flush()
    touch(case)


def may_answer_offer(actor: User, assignment: Assignment) -> bool:
    """An offer is answered by the person it names. An offer that names nobody (made to the
    organisation as a whole) is answered by any caseworker or supervisor of the organisation.
    A supervisor never answers an offer naming a colleague, such as the one their own
    reassignment just made: they reassign it again instead."""
    if assignment.organisation_id != actor.organisation_id or assignment.status != OFFERED:
        return False
    if actor.role not in ("caseworker", "supervisor"):
        return False
    return assignment.user_id in (None, actor.id)


def may_reassign(actor: User, assignment: Assignment) -> bool:
    """Only a supervisor of the holding organisation offers a live assignment to someone else."""
    return (
        actor.role == "supervisor"
        and assignment.organisation_id == actor.organisation_id
        and assignment.status in LIVE
    )


def may_route(actor: User, case: Case) -> bool:
    """Supervisors and admins route a case nobody holds (from triage)."""
    return actor.role in ("supervisor", "admin") and not any(
        a.status in LIVE for a in case.assignments
    )


def accept_offer(actor: User, case: Case, assignment_id: int) -> Assignment:
    """Accept an offer; an unassigned offer becomes the accepting caseworker's. A transfer
    completes here: the assignment it replaces ends now, not before."""
    assignment = _assignment(case, assignment_id)
    if not may_answer_offer(actor, assignment):
        raise AssignmentRefused("not your offer")
    if assignment.user_id is None and actor.role == "caseworker":
        assignment.user_id = actor.id
    assignment.status = ACCEPTED
    assignment.responded_at = utcnow()
    if assignment.replaces_id is not None:
        for old in case.assignments:
            if old.id == assignment.replaces_id and old.status in LIVE:
                old.status = ENDED
                old.responded_at = utcnow()
    if case.status == RECEIVED:
        set_status(case, TRIAGED)
    _event(case, actor, f"accepted ({assignment.side})")
    audit.record_audit(actor, audit.ASSIGNMENT, "case", str(case.id), f"accepted {assignment.id}")
    db.session.commit()
    return assignment


def decline_offer(actor: User, case: Case, assignment_id: int, reason: str) -> Assignment | None:
    """Decline with a reason; the side is routed again, skipping whoever declined it."""
    assignment = _assignment(case, assignment_id)
    if not may_answer_offer(actor, assignment):
        raise AssignmentRefused("not your offer")
    if not reason.strip():
        raise AssignmentRefused("a reason is required")
    assignment.status = DECLINED
    assignment.decline_reason = reason.strip()[:500]
    assignment.responded_at = utcnow()
    _event(case, actor, f"declined ({assignment.side})")
    audit.record_audit(actor, audit.ASSIGNMENT, "case", str(case.id), f"declined {assignment.id}")
    db.session.flush()
    new_offer = None
    if assignment.replaces_id is None:
        new_offer = route_side(case, assignment.side)
    db.session.commit()
    return new_offer


def reassign(
    actor: User,
    case: Case,
    assignment_id: int,
    to_user_id: int | None,
    to_org_id: int | None = None,
) -> Assignment:
    """A supervisor offers their side of the case to a colleague (or another organisation).

    The current assignment keeps ownership until the new one is accepted; an offer nobody
    accepted yet is simply replaced.
    """
    assignment = _assignment(case, assignment_id)
    if actor.role != "supervisor" or assignment.organisation_id != actor.organisation_id:
        raise AssignmentRefused("only a supervisor of this organisation can reassign")
    if not may_reassign(actor, assignment):
        raise AssignmentRefused("this assignment has ended")
    org = assignment.organisation
    user = None
    if to_org_id is not None and to_org_id != org.id:
        target = db.session.get(Organisation, to_org_id)
        if target is None or not target.active:
            raise AssignmentRefused("unknown organisation")
        org = target
    elif to_user_id is not None:
        user = db.session.get(User, to_user_id)
        if user is None or user.organisation_id != org.id or not user.is_active:
            raise AssignmentRefused("that person is not in this organisation")
    new = offer(case, org, assignment.side, user, replaces=assignment)
    if assignment.status == OFFERED:
        assignment.status = ENDED
        assignment.responded_at = utcnow()
        new.replaces_id = None
    _event(case, actor, f"reassigned ({assignment.side})")
    audit.record_audit(actor, audit.ASSIGNMENT, "case", str(case.id), f"reassigned {assignment.id}")
    db.session.commit()
    return new


def assign_from_triage(
    actor: User, case: Case, org_id: int, user_id: int | None, side: str
) -> Assignment:
    """Supervisors (for their countries) and admins route a case that found no match."""
    if any(a.status in LIVE and a.side == side for a in case.assignments):
        raise AssignmentRefused("this side is already assigned")
    org = db.session.get(Organisation, org_id)
    if org is None or not org.active:
        raise AssignmentRefused("unknown organisation")
    if actor.role == "supervisor" and not (
        org.id == actor.organisation_id and covers_case(actor, case)
    ):
        raise AssignmentRefused("supervisors route cases to their own organisation")
    if actor.role not in ("supervisor", "admin"):
        raise AssignmentRefused("only supervisors and admins route cases")
    user = None
    if user_id is not None:
        user = db.session.scalars(
            select(User).where(User.id == user_id, User.organisation_id == org.id)
        ).first()
        if user is None:
            raise AssignmentRefused("that person is not in this organisation")
    new = offer(case, org, side, user)
    _event(case, actor, f"routed from triage ({side})")
    audit.record_audit(actor, audit.ASSIGNMENT, "case", str(case.id), f"triage -> org {org.id}")
    db.session.commit()
    return new
