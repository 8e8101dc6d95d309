"""Bulk changes for supervisors: reassign, transfer or change the status of many cases at once.

Nothing here decides what may be done to a case: each selected case is loaded through the one
permission check (`load_case`) and changed by the same service a single change uses
(`assignments.operations.reassign`, `casefile.lifecycle.change_status`), so each case gets its
own timeline event, audit event and commit. A case that cannot be changed is reported and
skipped; the others go ahead.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from casework.extensions import db
from casework.models import Organisation, User
from casework.models.assignment import LIVE
from casework.services.assignments.operations import AssignmentRefused, reassign
from casework.services.casefile.access import Access, load_case
from casework.services.casefile.lifecycle import TransitionRefused, change_status
from casework.services.errors import CaseChanged, CaseNotFound, InvalidInput, NotPermitted
from casework.services.validation import whole_number
from casework.vocabulary.labels import label
from casework.vocabulary.status import STATUSES

REASSIGN = "reassign"  # to a colleague in the supervisor's organisation
TRANSFER = "transfer"  # to another organisation (ownership moves when it accepts)
STATUS = "status"
ACTIONS = (REASSIGN, TRANSFER, STATUS)
MAX_CASES = 100  # a page holds 25; more than this is not a person's selection


@dataclass(frozen=True)
class BulkChoices:
    """What the bulk form offers a supervisor."""

    colleagues: list[tuple[int, str]]  # (user id, name), active staff of the organisation
    organisations: list[tuple[int, str]]  # (id, name), the other active organisations
    statuses: tuple[str, ...]


@dataclass
class BulkResult:
    action: str
    done: list[str] = field(default_factory=list)  # references changed
    refused: list[tuple[str, str]] = field(default_factory=list)  # (reference, why, in words)


def may_bulk(actor: User) -> bool:
    return actor.role == "supervisor"


def bulk_choices(actor: User) -> BulkChoices | None:
    """The form's pickers, or None when the actor may not make bulk changes."""
    if not may_bulk(actor):
        return None
    colleagues = db.session.execute(
        select(User.id, User.name)
        .where(
            User.organisation_id == actor.organisation_id,
            User.role.in_(("caseworker", "supervisor")),
            User.active.is_(True),
            User.awaiting_approval.is_(False),
        )
        .order_by(User.name)
    ).all()
    organisations = db.session.execute(
        select(Organisation.id, Organisation.name)
        .where(Organisation.active.is_(True), Organisation.id != actor.organisation_id)
        .order_by(Organisation.name)
    ).all()
    return BulkChoices(
        colleagues=[(row.id, row.name) for row in colleagues],
        organisations=[(row.id, row.name) for row in organisations],
        statuses=STATUSES,
    )


def bulk_change(
    actor: User, references: list[str], action: str, target: str, reason: str = ""
) -> BulkResult:
    """Apply one change to each selected case the actor may change.

    `target` is a user id (reassign), an organisation id (transfer) or a status. Raises
    `NotPermitted` unless the actor is a supervisor and `InvalidInput` (nothing changed) for an
    empty selection, an unknown action or a missing target. Each case is changed and committed
    on its own; the ones refused are listed with the reason in words.
    """
    if not may_bulk(actor):
        raise NotPermitted("bulk changes are for supervisors")
    selected = list(dict.fromkeys(r.strip().upper() for r in references if r.strip()))
    problems = {}
    if not selected:
        problems["reference"] = _l("Select at least one case.")
    elif len(selected) > MAX_CASES:
        problems["reference"] = _l("Select at most %(n)s cases at a time.", n=MAX_CASES)
    if action not in ACTIONS:
        problems["action"] = _l("Choose what to do with the selected cases.")
    elif action == STATUS and target not in STATUSES:
        problems["target"] = _l("Choose the new status.")
    elif action != STATUS and whole_number(target) is None:
        problems["target"] = (
            _l("Choose who takes the cases.")
            if action == REASSIGN
            else _l("Choose the organisation.")
        )
    if problems:
        raise InvalidInput(problems)
    result = BulkResult(action)
    for reference in selected:
        why = _change_one(actor, reference, action, target, reason)
        if why is None:
            result.done.append(reference)
        else:
            db.session.rollback()
            result.refused.append((reference, why))
    return result


def _change_one(actor: User, reference: str, action: str, target: str, reason: str) -> str | None:
    """None when the case was changed, else why not (in words)."""
    # A status change reads like the single change on the case page, which needs full access;
    # an offer needs only the facts (the supervisor may not read the story of a case they route).
    need = Access.FULL if action == STATUS else Access.FACTS
    try:
        case = load_case(actor, reference, need=need)
    except CaseNotFound:
        return str(_l("not found among your organisation's cases"))
    except NotPermitted:  # offered, not accepted: the facts only
        return str(_l("your organisation has not accepted this case yet"))
    current = label(case.status, "status")
    try:
        if action == STATUS:
            if case.status == target:
                return str(_l("already %(status)s", status=label(target, "status")))
            change_status(actor, case, target, case.version, reason)
            return None
        own = next(
            (
                a
                for a in case.assignments
                if a.organisation_id == actor.organisation_id and a.status in LIVE
            ),
            None,
        )
        if own is None:
            return str(_l("your organisation does not hold this case"))
        number = whole_number(target)
        if action == REASSIGN:
            if own.user_id == number:
                return str(_l("already with this person"))
            reassign(actor, case, own.id, number)
        else:
            if number == actor.organisation_id:
                return str(_l("already with your organisation"))
            reassign(actor, case, own.id, None, number)
    except TransitionRefused as refused:
        if "reason" in str(refused):
            return str(_l("a reason is needed for this change"))
        if "outcome" in str(refused):
            return str(_l("record an outcome first"))
        return str(_l("not possible from %(status)s", status=current))
    except AssignmentRefused as refused:
        return str(refused)
    except CaseChanged:
        return str(_l("someone changed it at the same moment; try again"))
    return None
