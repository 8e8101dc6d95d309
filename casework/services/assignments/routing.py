"""Routing: which organisations and caseworkers are offered a case.

The organisation covering the origin country takes the origin side; the one covering the
destination takes the destination side, only with the worker's consent to share across
borders (and to share with partners at all). Within an organisation, the least-loaded active
caseworker who speaks the worker's language is offered the case; if none speaks it, the offer
goes to the organisation, unassigned. No organisation at all: the case waits in triage.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from sqlalchemy import func, select

from casework.extensions import db
from casework.models import Assignment, Case, CaseEvent, Organisation, OrganisationCountry, User
from casework.models import event as ev
from casework.models.assignment import DECLINED, DESTINATION, LIVE, OFFERED, ORIGIN
from casework.models.columns import utcnow

log = logging.getLogger(__name__)


def _live_load(column: object, ids: list[int]) -> dict[int, int]:
    if not ids:
        return {}
    rows = db.session.execute(
        select(column, func.count(Assignment.id))  # type: ignore[call-overload]
        .where(column.in_(ids), Assignment.status.in_(LIVE))  # type: ignore[attr-defined]
        .group_by(column)
    ).all()
    return {row[0]: row[1] for row in rows}


def pick_organisation(
    country: str, language: str, exclude: Iterable[int] = ()
) -> Organisation | None:
    excluded = set(exclude)
    candidates = [
        org
        for org in db.session.scalars(
            select(Organisation)
            .join(OrganisationCountry)
            .where(OrganisationCountry.country == country, Organisation.active.is_(True))
            .order_by(Organisation.id)
        )
        if org.id not in excluded
    ]
    if not candidates:
        return None
    load = _live_load(Assignment.organisation_id, [o.id for o in candidates])
    return min(candidates, key=lambda o: (language not in o.languages, load.get(o.id, 0), o.id))


def pick_caseworker(org: Organisation, language: str, exclude: Iterable[int] = ()) -> User | None:
    excluded = set(exclude)
    speakers = [
        user
        for user in db.session.scalars(
            select(User).where(
                User.organisation_id == org.id, User.role == "caseworker", User.active.is_(True)
            )
        )
        if language in user.languages and user.id not in excluded
    ]
    if not speakers:
        return None
    load = _live_load(Assignment.user_id, [u.id for u in speakers])
    return min(speakers, key=lambda u: (load.get(u.id, 0), u.id))


def offer(
    case: Case, org: Organisation, side: str, user: User | None, replaces: Assignment | None = None
) -> Assignment:
    assignment = Assignment(
        organisation=org,
        user=user,
        side=side,
        status=OFFERED,
        offered_at=utcnow(),
        replaces_id=replaces.id if replaces else None,
    )
    case.assignments.append(assignment)
    case.in_triage = False
    case.events.append(
        CaseEvent(
            kind=ev.ASSIGNMENT,
            visibility=ev.INTERNAL,
            actor_kind="system",
            organisation_id=org.id,
            detail=f"offered to {org.slug}"
            + (f" / user {user.id}" if user else " (unassigned)")
            + f" ({side})",
        )
    )
    return assignment


def _declined_by(case: Case, side: str) -> tuple[set[int], set[int]]:
    declined = [a for a in case.assignments if a.side == side and a.status == DECLINED]
    users = {a.user_id for a in declined if a.user_id is not None}
    orgs = {a.organisation_id for a in declined if a.user_id is None}
    return users, orgs


def route_side(case: Case, side: str) -> Assignment | None:
    """Offer one side of the case, skipping people and organisations that declined it."""
    country = case.origin_country if side == ORIGIN else case.destination_country
    users_out, orgs_out = _declined_by(case, side)
    other_side_orgs = {
        a.organisation_id for a in case.assignments if a.status in LIVE and a.side != side
    }
    org = pick_organisation(country, case.language, orgs_out | other_side_orgs)
    if org is None:
        return None
    return offer(case, org, side, pick_caseworker(org, case.language, users_out))


def route_case(case: Case) -> list[Assignment]:
    """Route a new case (within the caller's transaction). Returns the offers made; none means
    the case waits in the supervisors' triage queue."""
    offers = []
    origin = route_side(case, ORIGIN)
    if origin is not None:
        offers.append(origin)
    wants_destination = case.consent_cross_border and (
        case.consent_share_partners or origin is None
    )
    if wants_destination and case.destination_country != case.origin_country:
        destination = route_side(case, DESTINATION)
        if destination is not None:
            offers.append(destination)
    case.updated_at = utcnow()
    log.info("case %s routed: %d offer(s)", case.reference, len(offers))
    return offers
