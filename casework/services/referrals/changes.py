"""What every change to a referral leaves behind, whoever makes it: a partner-visible case event
and an audit event (both free of personal data), and activity on the case. A change that is not
allowed now raises `ReferralRefused`."""

from __future__ import annotations

from casework.extensions import db
from casework.models import Case, CaseEvent, Referral, User
from casework.models import event as ev
from casework.services import audit
from casework.services.actors import Actor, WorkerActor
from casework.services.errors import NotPermitted
from casework.services.escalation import deadlines

REFERRAL = "referral"  # the case-event kind and the audit action


class ReferralRefused(NotPermitted):
    """Not allowed now: out of order, no consent, or a pathway that does not fit the case."""


def record_change(case: Case, referral: Referral, actor: Actor, what: str) -> None:
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


def touch_case(case: Case) -> None:
    """Record activity on the case: its stall clocks restart, its deadlines are recomputed."""
    deadlines.touch(case)
