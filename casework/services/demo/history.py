"""Plays the demo plan through the real services, each step at its own time.

Every step of every case goes into one timeline, sorted by time, and runs with the clock set
to its moment (time travel, `time_machine`): lodging, acceptance, status changes, notes,
outcomes, referrals, and the stalled scan once a week of demo time. So the facts, rollups,
deadlines, flags and the audit chain are exactly what the app itself would have written.
"""

from __future__ import annotations

import heapq
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy import select

from casework.extensions import db
from casework.models import Case, Referral, User
from casework.models.assignment import ACCEPTED, OFFERED
from casework.models.columns import utcnow
from casework.models.referral import PROPOSED
from casework.services.assignments.operations import accept_offer
from casework.services.casefile.lifecycle import change_status
from casework.services.casefile.messages import add_note
from casework.services.casefile.outcomes import record_outcome
from casework.services.demo.plan import CORRIDORS, WAGE_CURRENCY, CasePlan, Step, make_plans
from casework.services.errors import InvalidInput, NotPermitted
from casework.services.escalation.scan import scan_stalled_cases
from casework.services.intake.operations import lodge_complaint
from casework.services.referrals.changes import ReferralRefused
from casework.services.referrals.operations import (
    advance_referral,
    record_consent,
    staff_proposes_referral,
)

log = logging.getLogger(__name__)
SCAN_EVERY = timedelta(days=7)


@dataclass
class Played:
    """What the load did, for the banner and the tests."""

    cases: int = 0
    steps: int = 0
    skipped: int = 0
    scans: int = 0
    seconds: float = 0.0
    references: list[str] = field(default_factory=list)


def _travel() -> Any:
    """time_machine (a development dependency, as is `make run`'s demo)."""
    import time_machine

    return time_machine.travel


def _holder(case: Case) -> User | None:
    """Who works the case: the caseworker of an accepted side, origin side first."""
    for assignment in sorted(case.assignments, key=lambda a: a.side != "origin"):
        if assignment.status == ACCEPTED and assignment.user_id is not None:
            return db.session.get(User, assignment.user_id)
    return None


def _staff_of(organisation_id: int) -> User | None:
    return db.session.scalars(
        select(User)
        .where(User.organisation_id == organisation_id, User.role.in_(("caseworker", "supervisor")))
        .order_by(User.role, User.id)
    ).first()


def _accept(case: Case, step: Step) -> bool:
    offers = [a for a in case.assignments if a.status == OFFERED]
    for assignment in offers:
        actor = (
            db.session.get(User, assignment.user_id)
            if assignment.user_id is not None
            else _staff_of(assignment.organisation_id)
        )
        if actor is not None:
            accept_offer(actor, case, assignment.id)
    return bool(offers)


def _outcome(case: Case, actor: User, step: Step, rng: random.Random) -> None:
    data: dict[str, Any] = {"code": step.data["code"]}
    if step.data.get("money"):
        if rng.random() < 0.5:  # a fee refund, in the origin's currency
            currency = CORRIDORS[case.origin_country][3]
            claimed, kind = float(step.data.get("fee") or 50000), "fee_refund"
        else:  # unpaid wages, in the destination's currency
            currency = WAGE_CURRENCY.get(case.destination_country or "", "USD")
            claimed, kind = 3.0 * float(rng.randint(600, 1500)), "wages"
        data.update(
            kind=kind,
            currency=currency,
            amount_claimed=f"{claimed:.2f}",
            amount=f"{claimed * rng.uniform(0.2, 1.0):.2f}",
        )
    record_outcome(actor, case, data, case.version)


def _referral(case: Case, actor: User, step: Step, rng: random.Random) -> None:
    referral = db.session.scalars(
        select(Referral).where(Referral.case_id == case.id).order_by(Referral.id.desc())
    ).first()
    if referral is None:
        return
    to = step.data["to"]
    data: dict[str, Any] = {}
    if to == "decided":
        if step.data.get("award"):
            currency = WAGE_CURRENCY.get(case.destination_country or "", "USD")
            awarded = 3.0 * rng.randint(800, 2000)
            data = {
                "outcome_code": "OUT_AWARD",
                "amount_awarded": f"{awarded:.2f}",
                "amount_enforced": f"{awarded * rng.uniform(0.0, 1.0):.2f}",
                "currency": currency,
            }
        else:
            data = {"outcome_code": "OUT_UNRESOLVED"}
    advance_referral(actor, referral, to, **data)


def _run(step: Step, case_id: int, rng: random.Random) -> bool:
    case = db.session.get(Case, case_id)
    if case is None:
        return False
    if step.what == "accept":
        return _accept(case, step)
    actor = _holder(case)
    if actor is None:
        return False
    if step.what == "status":
        change_status(actor, case, step.data["to"], case.version, step.data.get("reason", ""))
    elif step.what == "note":
        add_note(actor, case, step.data["text"], False, case.version)
    elif step.what == "outcome":
        _outcome(case, actor, step, rng)
    elif step.what == "refer":  # the scan may have proposed one already: consent to that
        waiting = [r for r in case.referrals if r.status == PROPOSED]
        referral = waiting[0] if waiting else staff_proposes_referral(actor, case, None)
        record_consent(actor, referral, share_identity=True)
    elif step.what == "referral":
        _referral(case, actor, step, rng)
    return True


def play(count: int = 300, months: int = 18, seed: int = 14) -> Played:
    """Lodge `count` demo complaints over the last `months` months and play their stories."""
    travel = _travel()
    started = utcnow()
    now = started.replace(microsecond=0)
    plans = make_plans(count, months, now, seed)
    rng = random.Random(seed + 1)  # noqa: S311 - demo data, seeded on purpose
    played = Played()
    timeline: list[tuple[datetime, int, Callable[[], bool]]] = []
    order = 0

    def add(when: datetime, action: Callable[[], bool]) -> None:
        nonlocal order
        order += 1
        heapq.heappush(timeline, (when, order, action))

    case_ids: dict[int, int] = {}

    def lodge(plan: CasePlan) -> Callable[[], bool]:
        def action() -> bool:
            lodged = lodge_complaint(plan.payload, source="demo")
            case = db.session.scalars(select(Case).where(Case.reference == lodged.reference)).one()
            case_ids[plan.number] = case.id
            played.references.append(lodged.reference)
            for step in plan.steps:
                add(step.at, partial(_step, plan.number, step))
            return True

        return action

    def _step(number: int, step: Step) -> bool:
        try:
            return _run(step, case_ids[number], rng)
        except (NotPermitted, InvalidInput, ReferralRefused) as refused:
            db.session.rollback()
            log.debug("demo step %s skipped: %s", step.what, type(refused).__name__)
            return False

    def scan(when: datetime) -> Callable[[], bool]:
        def action() -> bool:
            scan_stalled_cases(now=when)
            played.scans += 1
            return True

        return action

    for plan in plans:
        add(plan.lodged_at, lodge(plan))
    tick = plans[0].lodged_at + SCAN_EVERY if plans else now
    while tick < now - timedelta(days=3):  # the last scan a few days ago: some deadlines passed
        add(tick, scan(tick))
        tick += SCAN_EVERY
    while timeline:
        when, _, action = heapq.heappop(timeline)
        with travel(when, tick=False):
            done = action()
        played.steps += 1
        played.skipped += not done
    played.cases = len(case_ids)
    played.seconds = (utcnow() - started).total_seconds()
    return played
