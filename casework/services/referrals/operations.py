"""Access-to-justice referrals: a caseworker's proposal, the worker's consent, the follow-through.

A referral moves proposed → consented → sent → acknowledged → hearing → decided → closed
(DESIGN §4). Nothing is sent without the worker's recorded consent, given on the follow-up
page or by phone to the caseworker; the worker may also say no. Every change leaves a case
event that partners see (no personal data in it) and an audit event (changes.py). Choosing a
pathway and what a proposal writes: proposals.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

from casework.extensions import db
from casework.models import Case, Referral, ReferralPathway, User
from casework.models.columns import utcnow
from casework.models.referral import (
    ACKNOWLEDGED,
    CLOSED,
    CONSENTED,
    DECIDED,
    DECLINED_BY_WORKER,
    HEARING,
    PROPOSED,
    SENT,
)
from casework.services.actors import WorkerActor
from casework.services.errors import InvalidInput
from casework.services.notifications.nudges import note_news
from casework.services.referrals.changes import ReferralRefused, record_change, touch_case
from casework.services.referrals.proposals import propose_referral
from casework.services.validation import FieldReader
from casework.vocabulary.forums import FORUM_DOES_FOR_WORKER, FORUM_KINDS_FOR_WORKER
from casework.vocabulary.outcomes import OUTCOMES
from casework.vocabulary.status import REFERRED

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


# --- proposing, consenting, following through ----------------------------------------------


def staff_proposes_referral(actor: User, case: Case, pathway_id: int | None) -> Referral:
    """A caseworker proposes a pathway from the suggestions (or the best one)."""
    pathway = db.session.get(ReferralPathway, pathway_id) if pathway_id else None
    if pathway_id and pathway is None:
        raise ReferralRefused(str(_l("That pathway does not fit this case.")))
    referral = propose_referral(case, proposed_by="staff", actor=actor, pathway=pathway)
    if referral is None:
        raise ReferralRefused(str(_l("No referral pathway fits this case.")))
    note_news(case)  # the follow-up page asks the worker's consent: a nudge, if asked for
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
    record_change(referral.case, referral, actor, what)
    touch_case(referral.case)
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
    record_change(case, referral, WorkerActor(), what)
    touch_case(case)
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
    record_change(case, referral, actor, what)
    if to_status == SENT and not _move_case_to_referred(actor, case):
        touch_case(case)
    elif to_status != SENT:
        touch_case(case)
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
    does: str  # what it can do for the worker, in one plain sentence


def awaiting_worker_answer(case: Case) -> list[PendingReferral]:
    """Referrals proposed to the worker and not yet answered."""
    return [
        PendingReferral(
            r.id,
            r.forum_kind,
            str(FORUM_KINDS_FOR_WORKER.get(r.forum_kind, "")),
            r.pathway.name if r.pathway else "",
            r.pathway.country if r.pathway else "",
            str(FORUM_DOES_FOR_WORKER.get(r.forum_kind, "")),
        )
        for r in case.referrals
        if r.status == PROPOSED
    ]


def referral_for_case(case: Case, referral_id: int) -> Referral | None:
    return next((r for r in case.referrals if r.id == referral_id), None)
