"""Deadlines: when each open case next needs attention, stored so the scan is a range query.

Every change to a case goes through `touch` (or `set_status`), which recomputes the claim
deadline and `next_deadline_at`, and clears flags that no longer apply ("flags clear
themselves when the case moves"). The stalled scan computes the same bookkeeping
(`current_deadlines`) and writes it for a whole batch itself (batch_writes.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import select

from casework.extensions import db
from casework.models import Case, Flag, LimitationRule, StallRule
from casework.models.assignment import LIVE, OFFERED
from casework.models.columns import utcnow
from casework.models.referral import SENT
from casework.vocabulary.status import AWAITING_WORKER, CLOSED, RESOLVED, WITHDRAWN

CLAIM_RULE = "CLAIM_DEADLINE"
FINISHED = (RESOLVED, CLOSED, WITHDRAWN)
TOP_LEVEL = 3


@dataclass(frozen=True)
class Ladder:
    """When a rule reaches each level (1 warn caseworker, 2 supervisor, 3 referral)."""

    rule: str
    reason: str
    thresholds: tuple[datetime, datetime, datetime]

    def level_at(self, now: datetime) -> int:
        return sum(1 for t in self.thresholds if t <= now)

    def next_after(self, level: int) -> datetime | None:
        return self.thresholds[level] if level < TOP_LEVEL else None


def _clock_start(case: Case, clock: str) -> datetime | None:
    if clock == "created":
        return case.created_at
    if clock == "status_since":
        return case.status_since
    if clock == "last_activity":
        # Time spent awaiting the worker never counts: the clock restarts on the status change.
        return max(case.last_activity_at, case.status_since)
    if clock == "offered":
        offered = [a.offered_at for a in case.assignments if a.status == OFFERED]
        return min(offered) if offered else None
    if clock == "referral_sent":
        sent = [r.sent_at for r in case.referrals if r.status == SENT and r.sent_at is not None]
        return min(sent) if sent else None
    raise ValueError(f"unknown clock {clock}")


def active_stall_rules() -> list[StallRule]:
    return list(db.session.scalars(select(StallRule).where(StallRule.active.is_(True))))


def ladders(case: Case, rules: list[StallRule], claim: date | None) -> list[Ladder]:
    """Every rule that applies to the case now, with its thresholds (`claim`: the case's claim
    deadline)."""
    if case.status in FINISHED or case.purged_at is not None:
        return []
    found = []
    for rule in rules:
        if rule.status is not None and rule.status != case.status:
            continue
        if rule.status is None and case.status == AWAITING_WORKER and rule.clock != "referral_sent":
            continue  # the clock pauses while we wait for the worker
        start = _clock_start(case, rule.clock)
        if start is None:
            continue
        due = start + timedelta(days=rule.days)
        found.append(
            Ladder(
                rule.code,
                rule.description,
                (
                    due,
                    due + timedelta(days=rule.escalate_after_days),
                    due + timedelta(days=rule.refer_after_days),
                ),
            )
        )
    if claim is not None:
        config = current_app.config
        end = datetime.combine(claim, time(0, 0), UTC)
        found.append(
            Ladder(
                CLAIM_RULE,
                "claim deadline approaching",
                (
                    end - timedelta(days=config["DEADLINE_WARN_DAYS"]),
                    end - timedelta(days=config["DEADLINE_ESCALATE_DAYS"]),
                    end - timedelta(days=config["DEADLINE_REFER_DAYS"]),
                ),
            )
        )
    return found


def active_limitation_rules() -> list[LimitationRule]:
    return list(db.session.scalars(select(LimitationRule).where(LimitationRule.active.is_(True))))


def claim_deadline(case: Case, limits: list[LimitationRule] | None = None) -> date | None:
    """The earliest time limit among the limitation rules that apply to this case."""
    jurisdictions = {case.origin_country}
    if case.consent_cross_border:
        jurisdictions.add(case.destination_country)
    codes = set(case.abuse_codes) | {"*"}
    best: date | None = None
    if limits is None:
        limits = list(
            db.session.scalars(
                select(LimitationRule).where(
                    LimitationRule.active.is_(True), LimitationRule.jurisdiction.in_(jurisdictions)
                )
            )
        )
    for rule in limits:
        if rule.jurisdiction not in jurisdictions or rule.claim_kind not in codes:
            continue
        trigger = getattr(case, rule.trigger, None)
        if not isinstance(trigger, date):
            continue
        candidate = trigger + timedelta(days=rule.period_days)
        if best is None or candidate < best:
            best = candidate
    return best


def open_flags(case: Case) -> dict[str, Flag]:
    return {
        flag.rule: flag
        for flag in db.session.scalars(
            select(Flag).where(Flag.case_id == case.id, Flag.resolved_at.is_(None))
        )
    }


def next_deadline(current: list[Ladder], flags: dict[str, Flag]) -> datetime | None:
    """The earliest threshold above the level each ladder's open flag has reached."""
    upcoming = []
    for ladder in current:
        open_flag = flags.get(ladder.rule)
        level = open_flag.level if open_flag is not None and open_flag.resolved_at is None else 0
        nxt = ladder.next_after(level)
        if nxt is not None:
            upcoming.append(nxt)
    return min(upcoming) if upcoming else None


@dataclass(frozen=True)
class Bookkeeping:
    """What the scheduler keeps on a case, derived from the rest of it: whether it waits in
    triage, its claim deadline, and when the scheduler next needs to look at it."""

    in_triage: bool
    claim_deadline: date | None
    next_deadline_at: datetime | None


def _resolve_flags(current: list[Ladder], flags: dict[str, Flag], now: datetime) -> None:
    """Resolve the open flags whose rule no longer applies or whose clock restarted."""
    by_rule = {ladder.rule: ladder for ladder in current}
    for rule, flag in flags.items():
        if flag.resolved_at is not None:
            continue
        ladder = by_rule.get(rule)
        if ladder is None or ladder.level_at(now) == 0:
            flag.resolved_at = now


def current_deadlines(
    case: Case,
    now: datetime,
    rules: list[StallRule],
    limits: list[LimitationRule],
    flags: dict[str, Flag],
) -> tuple[Bookkeeping, list[Ladder]]:
    """What `refresh_deadlines` computes, for a batch that writes it itself: the case's
    bookkeeping now and the ladders that apply, leaving the case as it is (and `flags`, its
    open flags, resolved as there)."""
    claim = claim_deadline(case, limits)
    current = ladders(case, rules, claim)
    _resolve_flags(current, flags, now)
    in_triage = not any(a.status in LIVE for a in case.assignments)
    return Bookkeeping(in_triage, claim, next_deadline(current, flags)), current


def refresh_deadlines(
    case: Case,
    now: datetime | None = None,
    rules: list[StallRule] | None = None,
    limits: list[LimitationRule] | None = None,
    flags: dict[str, Flag] | None = None,
) -> list[Ladder]:
    """Recompute the claim deadline and the next time the case needs the scheduler; resolve
    flags whose rule no longer applies or whose clock restarted. Batch callers pass the rules
    and the case's open flags they already loaded. Returns the ladders that apply now."""
    now = now or utcnow()
    case.in_triage = not any(a.status in LIVE for a in case.assignments)
    case.claim_deadline = claim_deadline(case, limits)
    current = ladders(
        case, rules if rules is not None else active_stall_rules(), case.claim_deadline
    )
    if flags is None:
        flags = open_flags(case) if case.id is not None else {}
    _resolve_flags(current, flags, now)
    case.next_deadline_at = next_deadline(current, flags)
    return current


def touch(case: Case, now: datetime | None = None) -> None:
    """Record activity on the case and recompute its deadlines (the caller commits)."""
    now = now or utcnow()
    case.updated_at = case.last_activity_at = now
    refresh_deadlines(case, now)


def set_status(case: Case, to: str, now: datetime | None = None) -> None:
    """Change status with its bookkeeping: time awaiting the worker, closing time, deadlines."""
    now = now or utcnow()
    if case.status == AWAITING_WORKER:
        case.paused_seconds += int((now - case.status_since).total_seconds())
    case.status = to
    case.status_since = now
    case.closed_at = now if to in (CLOSED, WITHDRAWN) else None
    touch(case, now)
