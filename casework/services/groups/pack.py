"""The joint referral pack: the respondent and, for each worker who agreed to be referred,
their facts and amounts. Never a worker without a consented referral.

Who is in: a member case with a consented referral (consent recorded, not declined) to the
forum kind chosen, or — with no forum chosen — with at least one consented referral. Names
and contact details only for workers who agreed to share their identity with that forum (so
never with no forum chosen); everyone else is "worker N (identity withheld)". Each identity
read is audited, and the pack is audited as an export of every case in it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from casework.extensions import db
from casework.models import Case, CaseGroup, Referral, User
from casework.models.columns import utcnow
from casework.models.referral import DECLINED_BY_WORKER
from casework.services import audit
from casework.services.casefile.outcomes import claimed_by_currency
from casework.services.casefile.reading import read_identity
from casework.services.casefile.recruitment_cost import recruitment_cost
from casework.services.groups.access import member_cases
from casework.services.groups.page import respondent_name


@dataclass(frozen=True)
class PackWorker:
    number: int
    case: Case
    identity: dict[str, str] | None  # None: withheld (or anonymous complaint: {})
    fees_paid: dict[str, Decimal]
    claimed: dict[str, Decimal]


@dataclass(frozen=True)
class JointPack:
    group: CaseGroup
    respondent: str
    forum_kind: str | None
    workers: list[PackWorker]
    left_out: int  # members without a consented referral (shown on screen only)
    prepared_by: str
    generated_on: date


def consented_referrals(case: Case, forum_kind: str | None) -> list[Referral]:
    return [
        r
        for r in case.referrals
        if r.consented_at is not None
        and r.status != DECLINED_BY_WORKER
        and (forum_kind is None or r.forum_kind == forum_kind)
    ]


def build_joint_pack(actor: User, group: CaseGroup, forum_kind: str | None) -> JointPack:
    """Everything the pack shows, read once; audited (and committed) before it is shown."""
    workers: list[PackWorker] = []
    cases = member_cases(actor, group)
    for case in cases:
        referrals = consented_referrals(case, forum_kind)
        if not referrals:
            continue
        number = len(workers) + 1
        share = forum_kind is not None and any(r.consent_share_identity for r in referrals)
        audit.record_audit(
            actor,
            audit.EXPORT,
            "case",
            str(case.id),
            f"group {group.id} joint pack" + (" with identity" if share else ""),
        )
        identity = (read_identity(actor, case) or {}) if share else None
        workers.append(
            PackWorker(
                number,
                case,
                identity,
                recruitment_cost(case).paid_by_currency,
                claimed_by_currency(case),
            )
        )
    audit.record_audit(
        actor,
        audit.EXPORT,
        "case_group",
        str(group.id),
        f"joint pack ({forum_kind or 'any forum'}): {len(workers)} workers",
    )
    db.session.commit()
    return JointPack(
        group,
        respondent_name(group),
        forum_kind,
        workers,
        len(cases) - len(workers),
        actor.organisation.name if actor.organisation else "",
        utcnow().date(),
    )
