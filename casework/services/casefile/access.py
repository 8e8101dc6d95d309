"""Who may see a case: the one check every case load goes through.

Deny by default. Staff see a case only through an assignment of their organisation (or, for
supervisors, an unrouted case in a country their organisation covers); admins manage routing
and see structured facts, never identities, stories or evidence.
"""

from __future__ import annotations

from enum import IntEnum

from sqlalchemy import ColumnElement, exists, or_, select

from casework.extensions import db
from casework.models import Assignment, Case, User
from casework.models.assignment import ACCEPTED, LIVE, OFFERED
from casework.services.errors import CaseNotFound, NotPermitted


class Access(IntEnum):
    NONE = 0
    FACTS = 1  # countries, codes, amounts, dates, status: enough to accept or route
    FULL = 2  # identity, narrative, evidence, notes, messages


def covers_case(user: User, case: Case) -> bool:
    countries = set(user.organisation.countries)
    return case.origin_country in countries or (
        case.consent_cross_border and case.destination_country in countries
    )


def could_see(actor: User) -> ColumnElement[bool] | None:
    """A SQL condition every case `actor` may see meets (it lets through more: `case_access`
    still decides case by case), so that a list of cases need not load every case to check
    it; None when no condition narrows it (admins see the facts of every case)."""
    if actor.role == "admin":
        return None
    live = Assignment.status.in_(tuple(LIVE))
    own = exists().where(
        Assignment.case_id == Case.id, Assignment.organisation_id == actor.organisation_id, live
    )
    if actor.role == "supervisor":  # or an unrouted case in a country they cover
        return or_(own, ~exists().where(Assignment.case_id == Case.id, live))
    return own


def case_access(actor: User, case: Case) -> Access:
    if not actor.is_active:
        return Access.NONE
    if case.purged_at is not None:  # the key is destroyed: only the structured facts remain
        return min(_level(actor, case), Access.FACTS)
    return _level(actor, case)


def _level(actor: User, case: Case) -> Access:
    live = [a for a in case.assignments if a.status in LIVE]
    if actor.role == "admin":
        return Access.FACTS
    own = [a for a in live if a.organisation_id == actor.organisation_id]
    if any(a.status == ACCEPTED for a in own):
        return Access.FULL
    if actor.role == "supervisor":
        if own or (not live and covers_case(actor, case)):
            return Access.FACTS
        return Access.NONE
    if any(a.status == OFFERED and a.user_id in (None, actor.id) for a in own):
        return Access.FACTS
    return Access.NONE


def load_case(actor: User, reference: str, need: Access = Access.FULL) -> Case:
    """The case if `actor` may see it at level `need`.

    `CaseNotFound` when the actor may not know the case exists (a missing case and another
    organisation's case look the same); `NotPermitted` when they may see it but not at the
    level asked for (e.g. reading the story of a case only offered to them).
    """
    case = db.session.scalars(select(Case).where(Case.reference == reference)).first()
    if case is None:
        raise CaseNotFound(reference)
    level = case_access(actor, case)
    if level == Access.NONE:
        raise CaseNotFound(reference)
    if level < need:
        raise NotPermitted(reference)
    return case
