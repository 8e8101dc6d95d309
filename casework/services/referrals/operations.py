"""Access-to-justice referrals: propose a forum, record the worker's consent, follow it through.

A referral moves proposed → consented → sent → acknowledged → hearing → decided → closed
(DESIGN §4). Nothing is sent without the worker's recorded consent, given on the follow-up
page or by phone to the caseworker; the worker may also say no. Every change leaves a case
event that partners see (no personal data in it) and an audit event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from casework.extensions import db
from casework.models import Case, CaseEvent, Referral, ReferralPathway, User
from casework.models import event as ev
from casework.models.columns import utcnow
from casework.models.referral import (
    ACKNOWLEDGED,
    CLOSED,
    CONSENTED,
    DECIDED,
    DECLINED_BY_WORKER,
    HEARING,
    OPEN_REFERRAL_STATUSES,
    PROPOSED,
    SENT,
)
from casework.services import audit
from casework.services.actors import Actor, SystemActor, WorkerActor
from casework.services.errors import InvalidInput, NotPermitted
from casework.services.validation import FieldReader
from casework.vocabulary.forums import (
    FORUM_KINDS_FOR_WORKER,
    is_destination_side,
    is_origin_side,
)
from casework.vocabulary.outcomes import OUTCOMES
from casework.vocabulary.status import CLOSED as CASE_CLOSED
from casework.vocabulary.status import REFERRED, RESOLVED, WITHDRAWN

REFERRAL = "referral"  # the case-event kind and the audit action
FINISHED_CASE = (RESOLVED, CASE_CLOSED, WITHDRAWN)
SCHEDULER = "scheduler"

# Where a referral may go next. Consent is recorded (record_consent, worker_answers_referral),
# never simply advanced to; a hearing may be skipped (a settlement at conciliation); a referral
# may be closed early at any point (the worker settled, the forum never answered).
NEXT: dict[str, tuple[str, ...]] = {
    PROPOSED: (CLOSED,),
    CONSENTED: (SENT, CLOSED),
    SENT: (ACKNOWLEDGED, CLOSED),
    ACKNOWLEDGED: (HEARING, DECIDED, CLOSED),
    HEARING: (DECIDED, CLOSED),
    DECIDED: (CLOSED,),
}
_STAMPS = {
    SENT: "sent_at",
    ACKNOWLEDGED: "acknowledged_at",
    HEARING: "hearing_at",
    DECIDED: "decided_at",
    CLOSED: "closed_at",
}


class ReferralRefused(NotPermitted):
    """Not allowed now: out of order, no consent, or a pathway that does not fit the case."""


# --- choosing a pathway ------------------------------------------------------------------------


def corridor_countries(case: Case) -> set[str]:
    """The origin country always; the destination only with the worker's cross-border consent."""
    countries = {case.origin_country}
    if case.consent_cross_border:
        countries.add(case.destination_country)
    return countries


def worker_still_abroad(case: Case, today: date | None = None) -> bool:
    """A guess from the case's dates: left home (or started the job) and the contract has not
    ended; never deployed means at home."""
    today = today or utcnow().date()
    if "RA_NO_JOB" in case.abuse_codes:
        return False
    if case.contract_end_date is not None and case.contract_end_date < today:
        return False
    return case.departure_date is not None or case.job_start_date is not None


def _fits_deadline(pathway: ReferralPathway, case: Case, today: date) -> bool:
    if case.claim_deadline is None or pathway.time_limit_days is None:
        return True
    return today.toordinal() + pathway.time_limit_days <= case.claim_deadline.toordinal()


def _side_rank(forum_kind: str, abroad: bool) -> int:
    """0: the side where the worker is; 1: either side (unions, NGOs); 2: the other side."""
    here, there = (
        (is_destination_side, is_origin_side) if abroad else (is_origin_side, is_destination_side)
    )
    return 0 if here(forum_kind) else 2 if there(forum_kind) else 1


def active_pathways() -> list[ReferralPathway]:
    """The whole active catalogue, for callers that suggest pathways for many cases."""
    return list(db.session.scalars(select(ReferralPathway).where(ReferralPathway.active.is_(True))))


def suggest_pathways(
    case: Case,
    limit: int | None = 5,
    skip_declined: bool = False,
    catalogue: list[ReferralPathway] | None = None,
) -> list[ReferralPathway]:
    """Active pathways of the corridor that take at least one of the case's abuse codes (a
    pathway with no codes takes any), best first: those whose time limit ends before the
    claim deadline, then the side where the worker is now, then the closest match of codes.
    Pathways with an open referral on this case are left out (and, with `skip_declined`,
    those the worker already refused). `catalogue`: `active_pathways()`, when the caller
    has loaded it already."""
    codes = set(case.abuse_codes)
    taken = {
        r.pathway_id
        for r in case.referrals
        if r.status in OPEN_REFERRAL_STATUSES or (skip_declined and r.status == DECLINED_BY_WORKER)
    }
    countries = corridor_countries(case)
    if catalogue is None:
        pathways = list(
            db.session.scalars(
                select(ReferralPathway).where(
                    ReferralPathway.active.is_(True),
                    ReferralPathway.country.in_(sorted(countries)),
                )
            )
        )
    else:
        pathways = [p for p in catalogue if p.country in countries]
    today = utcnow().date()
    abroad = worker_still_abroad(case, today)
    ranked = []
    for pathway in pathways:
        accepted = set(pathway.claim_codes)
        if pathway.id in taken or (accepted and not accepted & codes):
            continue
        ranked.append(
            (
                not _fits_deadline(pathway, case, today),
                _side_rank(pathway.forum_kind, abroad),
                -len(accepted & codes),
                pathway.time_limit_days if pathway.time_limit_days is not None else 10**6,
                pathway.id,
                pathway,
            )
        )
    ranked.sort(key=lambda row: row[:5])
    chosen = [row[-1] for row in ranked]
    return chosen[:limit] if limit is not None else chosen


# --- recording changes -------------------------------------------------------------------------


def _touch(case: Case) -> None:
    """Record activity on the case through the deadlines service when it is there."""
    try:
        from casework.services.escalation import deadlines
    except ImportError:  # pragma: no cover - only while the deadlines service is absent
        case.updated_at = case.last_activity_at = utcnow()
        return
    deadlines.touch(case)


def _record(case: Case, referral: Referral, actor: Actor, what: str) -> None:
    """A partner-visible case event and an audit event, both free of personal data."""
    pathway = referral.pathway
    where = f"{pathway.country} {referral.forum_kind}" if pathway else referral.forum_kind
    detail = f"referral {referral.id} {what} ({where})"
    user = actor if isinstance(actor, User) else None
    kind = "staff" if user else "worker" if isinstance(actor, WorkerActor) else "system"
    db.session.add(  # added, not appended: no need to load the whole timeline
        CaseEvent(
            case_id=case.id,
            kind=REFERRAL,
            visibility=ev.PARTNERS,
            actor_kind=kind,
            actor_user_id=user.id if user else None,
            organisation_id=user.organisation_id if user else None,
            detail=detail[:200],
        )
    )
    audit.record_audit(actor, REFERRAL, "case", str(case.id), detail)


def propose_referral(
    case: Case,
    proposed_by: str = "staff",
    actor: User | None = None,
    pathway: ReferralPathway | None = None,
    *,
    events: list[dict[str, Any]] | None = None,
    catalogue: list[ReferralPathway] | None = None,
) -> Referral | None:
    """Propose the best-fitting pathway (or `pathway`, which must be among those that fit).

    Returns None when nothing fits or the case is finished. The referral waits for the
    worker's consent. Flushes only: the caller commits (the scheduler commits each batch).
    A proposal by the scheduler is not activity on the case, so it does not restart the
    case's stall clocks (its flag stays open at the referral level). A batch caller (the
    stalled scan) passes `events` to receive its case event as a row to insert itself, and
    the `catalogue` of active pathways it loaded once."""
    if case.status in FINISHED_CASE or case.purged_at is not None:
        return None
    fitting = suggest_pathways(
        case, limit=None, skip_declined=proposed_by == SCHEDULER, catalogue=catalogue
    )
    if pathway is None:
        if not fitting:
            return None
        pathway = fitting[0]
    elif pathway not in fitting:
        raise ReferralRefused(str(_l("That pathway does not fit this case.")))
    referral = Referral(
        pathway=pathway,
        forum_kind=pathway.forum_kind,
        status=PROPOSED,
        proposed_by=proposed_by,
    )
    case.referrals.append(referral)
    if proposed_by == SCHEDULER:
        # Part of the scheduler's batch, flushed with it. Not a person's act: the timeline
        # records it, the audit trail records what people then do with it.
        now = utcnow()
        row = {
            "case_id": case.id,
            "kind": REFERRAL,
            "visibility": ev.PARTNERS,
            "actor_kind": "system",
            "detail": f"referral proposed by the scheduler ({pathway.country} {pathway.forum_kind})",
            "created_at": now,
        }
        if events is not None:
            events.append(row)
        else:
            db.session.add(CaseEvent(**row))  # added, not appended: the timeline stays unloaded
        case.updated_at = now
        return referral
    db.session.flush()
    _record(case, referral, actor if actor is not None else SystemActor(proposed_by), "proposed")
    _touch(case)
    db.session.flush()
    return referral


def staff_proposes_referral(actor: User, case: Case, pathway_id: int | None) -> Referral:
    """A caseworker proposes a pathway from the suggestions (or the best one)."""
    pathway = db.session.get(ReferralPathway, pathway_id) if pathway_id else None
    if pathway_id and pathway is None:
        raise ReferralRefused(str(_l("That pathway does not fit this case.")))
    referral = propose_referral(case, proposed_by="staff", actor=actor, pathway=pathway)
    if referral is None:
        raise ReferralRefused(str(_l("No referral pathway fits this case.")))
    db.session.commit()
    return referral


def _consent(referral: Referral, via: str, share_identity: bool) -> None:
    referral.status = CONSENTED
    referral.consent_via = via
    referral.consent_share_identity = share_identity
    referral.consented_at = referral.updated_at = utcnow()


def record_consent(actor: User, referral: Referral, share_identity: bool) -> None:
    """The caseworker records the consent the worker gave them (by phone, in person)."""
    if referral.status not in (PROPOSED, DECLINED_BY_WORKER):
        raise ReferralRefused(str(_l("Consent can only be recorded before the referral is sent.")))
    _consent(referral, "caseworker", share_identity)
    what = "consent recorded" + (" with identity" if share_identity else "")
    _record(referral.case, referral, actor, what)
    _touch(referral.case)
    db.session.commit()


def worker_answers_referral(
    case: Case, referral_id: int, agree: bool, share_identity: bool
) -> Referral:
    """The worker's yes or no from the follow-up page, for a referral awaiting it."""
    referral = next((r for r in case.referrals if r.id == referral_id), None)
    if referral is None or referral.status != PROPOSED:
        raise ReferralRefused(str(_l("This question has already been answered.")))
    if agree:
        _consent(referral, "worker_followup", share_identity)
        what = "worker agreed" + (" with identity" if share_identity else "")
    else:
        referral.status = DECLINED_BY_WORKER
        referral.consent_share_identity = False
        referral.updated_at = utcnow()
        what = "worker said no"
    _record(case, referral, WorkerActor(), what)
    _touch(case)
    db.session.commit()
    return referral


def _decision(referral: Referral, data: dict[str, Any]) -> None:
    r = FieldReader()
    code = r.choice(data, "outcome_code", "outcome_code", OUTCOMES)
    if code is None and "outcome_code" not in r.errors:
        r.fail("outcome_code", _l("Please choose the outcome."))
    awarded = r.amount(data, "amount_awarded", "amount_awarded")
    enforced = r.amount(data, "amount_enforced", "amount_enforced")
    currency = r.currency(data, "currency", "currency")
    if (awarded is not None or enforced is not None) and not currency:
        r.fail("currency", _l("Please choose the currency."))
    if r.errors:
        raise InvalidInput(r.errors)
    referral.outcome_code = code
    referral.amount_awarded, referral.amount_enforced = awarded, enforced
    referral.currency = currency or None


def _enforced_later(referral: Referral, data: dict[str, Any]) -> None:
    """On closing, what was actually paid out may be known by now."""
    r = FieldReader()
    enforced = r.amount(data, "amount_enforced", "amount_enforced")
    currency = r.currency(data, "currency", "currency") or referral.currency or ""
    if enforced is not None and not currency:
        r.fail("currency", _l("Please choose the currency."))
    if r.errors:
        raise InvalidInput(r.errors)
    if enforced is not None:
        referral.amount_enforced, referral.currency = enforced, currency


def advance_referral(actor: User, referral: Referral, to_status: str, **data: Any) -> None:
    """Move the referral one step on. Sending needs the worker's recorded consent and moves
    the case to `referred` when the status table allows it; `decided` takes `outcome_code`
    and optionally `amount_awarded`, `amount_enforced` and `currency`."""
    if to_status not in NEXT.get(referral.status, ()):
        raise ReferralRefused(str(_l("That step is not possible now.")))
    if to_status == SENT and (referral.consented_at is None or referral.consent_via is None):
        raise ReferralRefused(str(_l("The worker's consent is not recorded.")))
    if to_status == DECIDED:
        _decision(referral, data)
    elif to_status == CLOSED:
        _enforced_later(referral, data)
    case = referral.case
    now = utcnow()
    referral.status = to_status
    setattr(referral, _STAMPS[to_status], now)
    referral.updated_at = now
    what = to_status + (f" {referral.outcome_code}" if to_status == DECIDED else "")
    _record(case, referral, actor, what)
    if to_status == SENT and not _move_case_to_referred(actor, case):
        _touch(case)
    elif to_status != SENT:
        _touch(case)
    db.session.commit()


def _move_case_to_referred(actor: User, case: Case) -> bool:
    from casework.services.casefile.lifecycle import TransitionRefused, apply_transition

    try:
        apply_transition(actor, case, REFERRED)
    except TransitionRefused:
        return False  # e.g. a resolved case whose referral goes on: its status stays
    return True


# --- what the worker is asked ------------------------------------------------------------------


@dataclass(frozen=True)
class PendingReferral:
    id: int
    forum_kind: str
    authority: str  # who it is, in plain words in the worker's language
    name: str  # the forum's own name, as the catalogue writes it
    country: str


def awaiting_worker_answer(case: Case) -> list[PendingReferral]:
    """Referrals proposed to the worker and not yet answered."""
    return [
        PendingReferral(
            r.id,
            r.forum_kind,
            str(FORUM_KINDS_FOR_WORKER.get(r.forum_kind, "")),
            r.pathway.name if r.pathway else "",
            r.pathway.country if r.pathway else "",
        )
        for r in case.referrals
        if r.status == PROPOSED
    ]


def referral_for_case(case: Case, referral_id: int) -> Referral | None:
    return next((r for r in case.referrals if r.id == referral_id), None)
