"""A caseworker's decisions about a case's agency: confirm a candidate (the agency is linked
and its name taught to the matcher as an alias), reject one (never proposed again), undo a
wrong link, accept the proposed RA_UNLICENSED code. Each is audited and commits once. The
agency row is shared by every complaint naming it the same way, so a decision holds for all
of them: that is the merge."""

from __future__ import annotations

from sqlalchemy import select

from casework.extensions import db
from casework.models import AgencyMatchCandidate, Case, CaseAbuse, CaseEvent, User
from casework.models import event as ev
from casework.models.registry import CANDIDATE, REJECTED
from casework.services import audit
from casework.services.agencies.merge import AGENCY_LINK, link_to_entry
from casework.services.agencies.panel import UNLICENSED_CODE
from casework.services.casefile.facts import FACT_LABELS, FACTS_EDITED, shown
from casework.services.errors import NotFound, NotPermitted
from casework.services.escalation.deadlines import touch
from casework.services.keys.case_keys import case_key, seal_event_body

AGENCY_MATCH = AGENCY_LINK


class MatchRefused(NotPermitted):
    """Nothing to decide: the case names no agency, or it is already linked."""


def _candidate(case: Case, candidate_id: int) -> AgencyMatchCandidate:
    if case.agency is None:
        raise MatchRefused("the case names no agency")
    candidate = db.session.scalars(
        select(AgencyMatchCandidate).where(
            AgencyMatchCandidate.id == candidate_id,
            AgencyMatchCandidate.agency_id == case.agency.id,
        )
    ).first()
    if candidate is None:
        raise NotFound(f"candidate {candidate_id}")
    if case.agency.registry_agency_id is not None or candidate.state != CANDIDATE:
        raise MatchRefused("already decided")
    return candidate


def confirm_candidate(actor: User, case: Case, candidate_id: int) -> None:
    """Link the case's agency to the candidate's registry entry and teach its name."""
    candidate = _candidate(case, candidate_id)
    link_to_entry(actor, candidate.agency, candidate.registry_agency)
    db.session.commit()


def reject_candidate(actor: User, case: Case, candidate_id: int) -> None:
    candidate = _candidate(case, candidate_id)
    candidate.state = REJECTED
    candidate.decided_by_user_id = actor.id
    audit.record_audit(
        actor,
        AGENCY_MATCH,
        "agency",
        str(candidate.agency_id),
        f"rejected registry:{candidate.registry_agency_id}",
    )
    db.session.commit()


def unlink_agency(actor: User, case: Case) -> None:
    """Undo a wrong link: the entry becomes a rejected candidate so it is not linked again."""
    agency = case.agency
    if agency is None or agency.registry_agency_id is None:
        raise MatchRefused("the agency is not linked")
    entry_id = agency.registry_agency_id
    existing = next((c for c in agency.candidates if c.registry_agency_id == entry_id), None)
    if existing is None:
        existing = AgencyMatchCandidate(registry_agency_id=entry_id, score=0)
        agency.candidates.append(existing)
    existing.state = REJECTED
    existing.decided_by_user_id = actor.id
    agency.registry_agency = None
    agency.match_state = None
    agency.matched_at = None
    audit.record_audit(
        actor, AGENCY_MATCH, "agency", str(agency.id), f"unlinked registry:{entry_id}"
    )
    db.session.commit()


def accept_unlicensed(actor: User, case: Case) -> bool:
    """Add RA_UNLICENSED to the case's abuse codes (as proposed by the agency panel). False
    when the case already had it."""
    if UNLICENSED_CODE in case.abuse_codes:
        return False
    before = ",".join(case.abuse_codes)
    case.abuses.append(CaseAbuse(code=UNLICENSED_CODE))
    # On the timeline like any change of the facts (sealed with the case key, as edit_facts does).
    event = CaseEvent(
        kind=FACTS_EDITED,
        visibility=ev.PARTNERS,
        actor_kind="staff",
        actor_user_id=actor.id,
        organisation_id=actor.organisation_id,
        detail="changed: abuse_codes",
    )
    case.events.append(event)
    touch(case)  # the new code can bring a claim deadline with it
    db.session.flush()
    after = ",".join(case.abuse_codes)
    seal_event_body(
        case_key(case),
        case,
        event,
        f"{FACT_LABELS['abuse_codes']}: {shown('abuse_codes', before)} → "
        f"{shown('abuse_codes', after)}",
    )
    audit.record_audit(actor, AGENCY_MATCH, "case", str(case.id), f"added {UNLICENSED_CODE}")
    db.session.commit()
    return True
