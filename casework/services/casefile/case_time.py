"""Time on the case page: the open flags, the next deadline and every claim deadline, each with
the days left and how near it is.

Everything here is a structured fact (rules, levels, dates): no key is needed, so staff who may
only see the facts of a case (an offer not yet accepted) see it too. The claim deadlines are the
same `LimitationRule` rows `deadlines.claim_deadline` takes the earliest of, listed one by one
so the caseworker sees which forum each limit belongs to.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from casework.extensions import db
from casework.models import Case, Flag, LimitationRule
from casework.models.assignment import OFFERED
from casework.models.columns import utcnow
from casework.services.escalation.deadlines import (
    FINISHED,
    active_stall_rules,
    ladders,
    next_deadline,
)
from casework.services.escalation.scan import FLAG as FLAG_EVENT

OFFER_RULE = "OFFER_NOT_ACCEPTED"  # the seeded rule whose clock is an unanswered offer
SOON_DAYS = 14  # a deadline this close (or closer) is highlighted as near
OVERDUE, SOON, LATER = "overdue", "soon", "later"


@dataclass(frozen=True)
class Due:
    """A date and how far away it is, counted in whole days (UTC)."""

    on: date
    days_left: int  # negative: that many days ago

    @property
    def urgency(self) -> str:
        if self.days_left < 0:
            return OVERDUE
        return SOON if self.days_left <= SOON_DAYS else LATER

    @property
    def days_ago(self) -> int:
        return -self.days_left


@dataclass(frozen=True)
class OpenFlag:
    rule: str
    description: str  # the rule's own words, for rules admins added
    level: int  # the step of the ladder reached: 1 warn, 2 supervisor, 3 referral
    raised_at: datetime
    level_since: datetime  # when the flag reached this step


@dataclass(frozen=True)
class NextDeadline:
    """When the scheduler next acts on the case, for which rule, and which step it takes."""

    rule: str
    description: str
    step: int
    at: datetime
    due: Due
    waiting_on: str = ""  # whose unanswered offer the clock counts ("Organisation · Person")


@dataclass(frozen=True)
class ClaimDeadline:
    jurisdiction: str
    forum_kind: str
    claim_kind: str  # "*" for any claim, or an abuse code
    trigger: str  # the case date the period runs from
    trigger_date: date
    period_days: int
    note: str
    due: Due


@dataclass(frozen=True)
class MissingDate:
    """A time limit that applies to the case but cannot be counted: its start date is unknown."""

    jurisdiction: str
    forum_kind: str
    trigger: str


@dataclass(frozen=True)
class CaseTime:
    flags: list[OpenFlag]
    next_deadline: NextDeadline | None
    claims: list[ClaimDeadline]  # earliest first
    missing: list[MissingDate]
    finished: bool = False  # resolved, closed, withdrawn or purged: no deadline counts

    @property
    def nearest_claim(self) -> ClaimDeadline | None:
        return self.claims[0] if self.claims else None


def due(on: date, today: date) -> Due:
    return Due(on, (on - today).days)


def case_time(case: Case, now: datetime | None = None) -> CaseTime:
    """The case's open flags, its next deadline and its claim deadlines as of `now`."""
    now = now or utcnow()
    today = now.date()
    flags = list(
        db.session.scalars(
            select(Flag)
            .where(Flag.case_id == case.id, Flag.resolved_at.is_(None))
            .order_by(Flag.raised_at, Flag.id)
        )
    )
    finished = case.status in FINISHED or case.purged_at is not None
    claims, missing = ([], []) if finished else claim_deadlines(case, today)
    return CaseTime(
        flags=[_open_flag(case, flag) for flag in flags],
        next_deadline=_next(case, {f.rule: f for f in flags}, today),
        claims=claims,
        missing=missing,
        finished=finished,
    )


def _open_flag(case: Case, flag: Flag) -> OpenFlag:
    steps = [
        e.created_at
        for e in case.events
        if e.kind == FLAG_EVENT
        and e.detail == f"{flag.rule} level {flag.level}"
        and e.created_at >= flag.raised_at
    ]
    return OpenFlag(
        flag.rule, flag.reason, flag.level, flag.raised_at, max(steps, default=flag.raised_at)
    )


def _next(case: Case, flags: dict[str, Flag], today: date) -> NextDeadline | None:
    """The earliest step still ahead on any ladder (what `next_deadline_at` stores), named."""
    current = ladders(case, active_stall_rules(), case.claim_deadline)
    at = next_deadline(current, flags)
    if at is None:
        return None
    for ladder in current:
        flag = flags.get(ladder.rule)
        level = flag.level if flag is not None else 0
        if ladder.next_after(level) == at:
            return NextDeadline(
                ladder.rule,
                ladder.reason,
                level + 1,
                at,
                due(at.date(), today),
                _oldest_offer(case) if ladder.rule == OFFER_RULE else "",
            )
    return None  # pragma: no cover - next_deadline took `at` from one of the ladders


def _oldest_offer(case: Case) -> str:
    """Who holds the offer the "offer not answered" clock runs on (the oldest one)."""
    offers = [a for a in case.assignments if a.status == OFFERED]
    if not offers:
        return ""
    oldest = min(offers, key=lambda a: (a.offered_at, a.id))
    person = oldest.user.name if oldest.user is not None else ""
    return " · ".join(part for part in (oldest.organisation.name, person) if part)


def claim_deadlines(case: Case, today: date) -> tuple[list[ClaimDeadline], list[MissingDate]]:
    """Every time limit for bringing a claim that applies to the case (its countries, the
    destination only with cross-border consent, and what happened), earliest first; and the
    ones that apply but whose start date the case does not have."""
    jurisdictions = {case.origin_country}
    if case.consent_cross_border:
        jurisdictions.add(case.destination_country)
    codes = set(case.abuse_codes) | {"*"}
    rules = db.session.scalars(
        select(LimitationRule)
        .where(LimitationRule.active.is_(True), LimitationRule.jurisdiction.in_(jurisdictions))
        .order_by(LimitationRule.id)
    )
    found, missing = [], []
    for rule in rules:
        if rule.claim_kind not in codes:
            continue
        start = getattr(case, rule.trigger, None)
        if not isinstance(start, date):
            missing.append(MissingDate(rule.jurisdiction, rule.forum_kind, rule.trigger))
            continue
        on = date.fromordinal(start.toordinal() + rule.period_days)
        found.append(
            ClaimDeadline(
                rule.jurisdiction,
                rule.forum_kind,
                rule.claim_kind,
                rule.trigger,
                start,
                rule.period_days,
                rule.note,
                due(on, today),
            )
        )
    found.sort(key=lambda claim: (claim.due.on, claim.jurisdiction, claim.forum_kind))
    return found, _unique(missing)


def _unique(missing: list[MissingDate]) -> list[MissingDate]:
    return list(dict.fromkeys(missing))
