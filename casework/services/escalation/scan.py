"""The stalled-case scan: an indexed range query over `next_deadline_at`, then the ladder.

For each due case, every rule whose thresholds have passed climbs one level at a time (so a
scheduler that was down still raises every level once, in order): 1 warns the caseworker,
2 escalates to the supervisor, 3 proposes an access-to-justice referral. One open flag per case
and rule, however often the scan runs.

Due cases are handled in batches: each batch is loaded with what the ladder needs in a few
queries, worked on without intermediate flushes, written with one UPDATE for its cases'
bookkeeping, one flush (flags climbing or resolved) and one INSERT per table for its new rows
(batch_writes.py), and committed once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from casework.extensions import db
from casework.models import (
    Assignment,
    Case,
    Flag,
    LimitationRule,
    OrganisationCountry,
    ReferralPathway,
    StallRule,
    User,
)
from casework.models import event as ev
from casework.models.assignment import ACCEPTED, LIVE
from casework.models.columns import utcnow
from casework.services.escalation.batch_writes import BatchWrites, CaseWrite, write_batch
from casework.services.escalation.deadlines import (
    CLAIM_RULE,
    active_limitation_rules,
    active_stall_rules,
    current_deadlines,
    next_deadline,
)
from casework.services.notifications.notify import awaiting_escalation_mail, notification_rows
from casework.services.referrals.proposals import (
    SCHEDULER,
    active_pathways,
    choose_pathway,
    scheduler_proposal,
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


@dataclass
class ScanContext:
    """What one scan loads once (rules, supervisors) or once a batch (open flags, users with
    an escalation e-mail waiting, the referral catalogue), and the new rows the batch writes
    with one INSERT per table (see batch_writes.py)."""

    now: datetime
    rules: list[StallRule]
    limits: list[LimitationRule]
    flags: dict[int, dict[str, Flag]] = field(default_factory=dict)
    supervisors: dict[frozenset[int], list[User]] = field(default_factory=dict)
    escalated: set[int] = field(default_factory=set)
    catalogue: list[ReferralPathway] | None = None  # loaded by the batch's first proposal
    proposed: dict[int, set[int]] = field(default_factory=dict)  # case id: pathway ids, in rows
    writes: BatchWrites = field(default_factory=BatchWrites)

    @classmethod
    def load(cls, now: datetime) -> ScanContext:
        return cls(now, active_stall_rules(), active_limitation_rules())

    def load_batch(self, case_ids: list[int]) -> None:
        self.flags = {case_id: {} for case_id in case_ids}
        for flag in db.session.scalars(
            select(Flag).where(Flag.case_id.in_(case_ids), Flag.resolved_at.is_(None))
        ):
            self.flags[flag.case_id][flag.rule] = flag
        self.escalated = awaiting_escalation_mail()
        self.catalogue = None
        self.proposed = {}

    def pathways(self) -> list[ReferralPathway]:
        if self.catalogue is None:
            self.catalogue = active_pathways()
        return self.catalogue

    def write(self) -> None:
        """Write the batch (`write_batch`): what it computed for its cases, its new rows."""
        write_batch(self.writes)
        self.writes = BatchWrites()


def _caseworkers(case: Case) -> list[User]:
    accepted = [a.user for a in case.assignments if a.status == ACCEPTED and a.user is not None]
    if accepted:
        return accepted
    return [a.user for a in case.assignments if a.status in LIVE and a.user is not None]


def _supervisors(case: Case, context: ScanContext) -> list[User]:
    org_ids = frozenset(a.organisation_id for a in case.assignments if a.status in LIVE)
    if not org_ids:
        countries = [case.origin_country] + (
            [case.destination_country] if case.consent_cross_border else []
        )
        org_ids = frozenset(
            db.session.scalars(
                select(OrganisationCountry.organisation_id).where(
                    OrganisationCountry.country.in_(countries)
                )
            )
        )
    if org_ids not in context.supervisors:
        context.supervisors[org_ids] = (
            list(
                db.session.scalars(
                    select(User).where(
                        User.organisation_id.in_(org_ids),
                        User.role == "supervisor",
                        User.active.is_(True),
                    )
                )
            )
            if org_ids
            else []
        )
    return context.supervisors[org_ids]


def _kind(rule: str, level: int) -> str:
    if level >= 3:
        return "referral_proposed"
    if rule == CLAIM_RULE:
        return "deadline_warning" if level == 1 else "deadline_escalation"
    if rule == "OFFER_NOT_ACCEPTED" and level == 1:
        return "offer_waiting"
    return "stalled_warning" if level == 1 else "stalled_escalation"


def _propose(case: Case, context: ScanContext) -> datetime | None:
    """The scheduler proposes the best-fitting pathway the worker has not refused: rows of the
    batch, as `propose_referral` would add them (a case may reach the top of two ladders in one
    scan: the second proposal takes the next pathway). Returns the case's new `updated_at`, or
    None when nothing fits."""
    proposed = context.proposed.setdefault(case.id, set())
    pathway = choose_pathway(case, SCHEDULER, catalogue=context.pathways(), proposed=proposed)
    if pathway is None:
        return None
    rows = scheduler_proposal(case, pathway, utcnow())
    context.writes.referrals.append(rows.referral)
    context.writes.events.append(rows.event)
    proposed.add(pathway.id)
    return rows.updated_at


def _climb(case: Case, rule: str, level: int, context: ScanContext) -> datetime | None:
    """Act on one step of the ladder. Returns the case's new `updated_at` when this step edits
    the case (a referral proposed), else None."""

    updated_at = None
    context.writes.events.append(
        {
            "case_id": case.id,
            "kind": FLAG,
            "visibility": ev.INTERNAL,
            "actor_kind": "system",
            "detail": f"{rule} level {level}",
            "created_at": context.now,
        }
    )
    kind = _kind(rule, level)
    if level == 1:
        recipients = _caseworkers(case) or _supervisors(case, context)
        urgent = False
    elif level == 2:
        recipients, urgent = _supervisors(case, context), True
    else:
        updated_at = _propose(case, context)
        recipients, urgent = _supervisors(case, context) + _caseworkers(case), True
    rows = notification_rows(recipients, case, kind, urgent, mail_waiting=context.escalated)
    context.writes.notifications += rows.notifications
    context.writes.mails += rows.mails
    context.escalated.update(mail["user_id"] for mail in rows.mails)
    return updated_at


def process_case(
    case: Case, now: datetime, context: ScanContext | None = None
) -> list[tuple[str, int]]:
    """Raise or climb the flags that are due on one case; returns the levels raised. With a
    batch's `context`, its writes wait for `context.write()`; without, they are written."""
    if context is None:
        alone = ScanContext.load(now)
        alone.load_batch([case.id])
        raised = process_case(case, now, alone)
        alone.write()
        return raised
    flags = context.flags.setdefault(case.id, {})
    # clear what no longer applies
    kept, current = current_deadlines(case, now, context.rules, context.limits, flags)
    raised = []
    updated_at = None
    for ladder in current:
        target = ladder.level_at(now)
        flag = flags.get(ladder.rule)
        if flag is not None and flag.resolved_at is not None:
            flag = None
        current_level = flag.level if flag is not None else 0
        if target <= current_level:
            continue
        if flag is None:
            flag = Flag(
                case_id=case.id,
                rule=ladder.rule,
                level=0,
                reason=ladder.reason[:200],
                raised_at=now,
            )
            context.writes.flags.append(flag)
            flags[ladder.rule] = flag
        for level in range(current_level + 1, target + 1):
            flag.level = level
            updated_at = _climb(case, ladder.rule, level, context) or updated_at
            raised.append((ladder.rule, level))
    if raised:  # the ladders still apply (a proposal moves no clock): only the levels moved
        kept = replace(kept, next_deadline_at=next_deadline(current, flags))
    context.writes.cases.append(CaseWrite(case, kept, updated_at))
    return raised


def _due_batch(now: datetime, after: tuple[datetime, int] | None, size: int) -> list[Case]:
    query = (
        select(Case)
        .where(Case.next_deadline_at.is_not(None), Case.next_deadline_at <= now)
        .options(
            selectinload(Case.assignments).joinedload(Assignment.user),
            selectinload(Case.abuses),
            selectinload(Case.referrals),
        )
    )
    if after is not None:
        query = query.where(
            (Case.next_deadline_at > after[0])
            | ((Case.next_deadline_at == after[0]) & (Case.id > after[1]))
        )
    return list(db.session.scalars(query.order_by(Case.next_deadline_at, Case.id).limit(size)))


def scan_stalled_cases(now: datetime | None = None, batch: int = BATCH) -> ScanReport:
    """Process every case whose stored deadline has passed, in batches, committing each."""
    from casework.services.escalation.rules_admin import apply_rule_changes

    now = now or utcnow()
    apply_rule_changes()
    context = ScanContext.load(now)
    report = ScanReport()
    after: tuple[datetime, int] | None = None
    while True:
        cases = _due_batch(now, after, batch)
        if not cases:
            break
        last = cases[-1]
        after = (last.next_deadline_at, last.id)  # type: ignore[assignment]
        context.load_batch([case.id for case in cases])
        with db.session.no_autoflush:
            for case in cases:
                report.cases += 1
                for rule, level in process_case(case, now, context):
                    report.raised.append((case.reference, rule, level))
            context.write()
        db.session.commit()
    if report.raised:
        log.info("stalled scan: %s", report)
    return report
