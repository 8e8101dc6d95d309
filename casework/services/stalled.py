"""The stalled-case scan: an indexed range query over `next_deadline_at`, then the ladder.

For each due case, every rule whose thresholds have passed climbs one level at a time (so a
scheduler that was down still raises every level once, in order): 1 warns the caseworker,
2 escalates to the supervisor, 3 proposes an access-to-justice referral. One open flag per case
and rule, however often the scan runs.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from casework.extensions import db
from casework.models import Case, CaseEvent, Flag, StallRule, User
from casework.models import event as ev
from casework.models.assignment import ACCEPTED, LIVE
from casework.models.columns import utcnow
from casework.services.deadlines import (
    CLAIM_RULE,
    active_stall_rules,
    ladders,
    open_flags,
    refresh_deadlines,
)

log = logging.getLogger(__name__)
BATCH = 500
FLAG = "flag"


@dataclass
class ScanReport:
    cases: int = 0
    raised: list[tuple[str, str, int]] = field(default_factory=list)  # (reference, rule, level)

    def __str__(self) -> str:
        return f"{self.cases} due case(s), {len(self.raised)} flag level(s) raised"


def _caseworkers(case: Case) -> list[User]:
    accepted = [a.user for a in case.assignments if a.status == ACCEPTED and a.user is not None]
    if accepted:
        return accepted
    return [a.user for a in case.assignments if a.status in LIVE and a.user is not None]


def _supervisors(case: Case) -> list[User]:
    org_ids = {a.organisation_id for a in case.assignments if a.status in LIVE}
    if not org_ids:
        from casework.models import OrganisationCountry

        countries = [case.origin_country] + (
            [case.destination_country] if case.consent_cross_border else []
        )
        org_ids = set(
            db.session.scalars(
                select(OrganisationCountry.organisation_id).where(
                    OrganisationCountry.country.in_(countries)
                )
            )
        )
    if not org_ids:
        return []
    return list(
        db.session.scalars(
            select(User).where(
                User.organisation_id.in_(org_ids), User.role == "supervisor", User.active.is_(True)
            )
        )
    )


def _kind(rule: str, level: int) -> str:
    if level >= 3:
        return "referral_proposed"
    if rule == CLAIM_RULE:
        return "deadline_warning" if level == 1 else "deadline_escalation"
    if rule == "OFFER_NOT_ACCEPTED" and level == 1:
        return "offer_waiting"
    return "stalled_warning" if level == 1 else "stalled_escalation"


def _climb(case: Case, rule: str, level: int, now: datetime) -> None:
    """Act on one step of the ladder."""
    from casework.services.notifications import notify
    from casework.services.referrals import propose_referral

    case.events.append(
        CaseEvent(
            kind=FLAG,
            visibility=ev.INTERNAL,
            actor_kind="system",
            detail=f"{rule} level {level}",
            created_at=now,
        )
    )
    kind = _kind(rule, level)
    if level == 1:
        recipients = _caseworkers(case) or _supervisors(case)
        notify(recipients, case, kind, urgent=False)
    elif level == 2:
        notify(_supervisors(case), case, kind, urgent=True)
    else:
        propose_referral(case, proposed_by="scheduler")
        notify(_supervisors(case) + _caseworkers(case), case, kind, urgent=True)


def process_case(
    case: Case, now: datetime, rules: list[StallRule] | None = None
) -> list[tuple[str, int]]:
    """Raise or climb the flags that are due on one case; returns the levels raised."""
    rules = rules if rules is not None else active_stall_rules()
    refresh_deadlines(case, now, rules)  # first clear what no longer applies
    flags = open_flags(case)
    raised = []
    for ladder in ladders(case, rules):
        target = ladder.level_at(now)
        flag = flags.get(ladder.rule)
        current = flag.level if flag is not None else 0
        if target <= current:
            continue
        if flag is None:
            flag = Flag(
                case_id=case.id,
                rule=ladder.rule,
                level=0,
                reason=ladder.reason[:200],
                raised_at=now,
            )
            db.session.add(flag)
        for level in range(current + 1, target + 1):
            flag.level = level
            _climb(case, ladder.rule, level, now)
            raised.append((ladder.rule, level))
    db.session.flush()
    refresh_deadlines(case, now, rules)
    return raised


def scan_stalled_cases(now: datetime | None = None, batch: int = BATCH) -> ScanReport:
    """Process every case whose stored deadline has passed, in batches, committing each."""
    from casework.services.rules_admin import apply_rule_changes

    now = now or utcnow()
    apply_rule_changes()
    rules = active_stall_rules()
    report = ScanReport()
    last_seen: tuple[datetime, int] | None = None
    while True:
        query = select(Case).where(Case.next_deadline_at.is_not(None), Case.next_deadline_at <= now)
        if last_seen is not None:
            query = query.where(
                (Case.next_deadline_at > last_seen[0])
                | ((Case.next_deadline_at == last_seen[0]) & (Case.id > last_seen[1]))
            )
        cases = db.session.scalars(
            query.order_by(Case.next_deadline_at, Case.id).limit(batch)
        ).all()
        if not cases:
            break
        last_seen = (cases[-1].next_deadline_at, cases[-1].id)  # type: ignore[assignment]
        for case in cases:
            report.cases += 1
            for rule, level in process_case(case, now, rules):
                report.raised.append((case.reference, rule, level))
        db.session.commit()
    if report.raised:
        log.info("stalled scan: %s", report)
    return report
