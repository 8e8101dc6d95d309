"""An agency's file for staff: the registry's facts and status history, and the cases naming it
that the viewer may open, with what they say about the agency (abuse codes, fees paid, money
claimed and recovered, open referrals, outcomes) and how many came in each quarter.

Which cases the viewer sees is decided case by case by `case_access`, the one check every case
load goes through: a case the viewer could not open is never listed, counted or summed. The
file holds structured facts only (no worker's name, contact, story or evidence), so reading it
is not audited, like the queue."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from casework.extensions import db
from casework.models import Agency, Case, Outcome, RegistryAgency, RegistryStatusChange, User
from casework.models.columns import utcnow
from casework.models.referral import OPEN_REFERRAL_STATUSES
from casework.services.agencies.status import status_on
from casework.services.casefile.access import Access, case_access, could_see
from casework.services.casefile.outcomes import claimed_by_currency
from casework.services.errors import NotFound

LISTED = 200  # cases listed on the page, newest first; the sums cover every visible case
AWARD = "OUT_AWARD"  # an award's amount is what was decided, not what the worker received

Money = dict[str, Decimal]  # currency → amount


@dataclass(frozen=True)
class CaseLine:
    reference: str
    status: str
    received: datetime
    abuse_codes: list[str]
    fees_paid: Money
    claimed: Money
    recovered: Money
    open_referrals: list[tuple[str, str]]  # (forum kind, referral status)
    outcomes: list[str]


@dataclass(frozen=True)
class Quarter:
    year: int
    quarter: int
    received: int = 0  # cases received
    referred: int = 0  # referrals made
    outcomes: int = 0  # outcomes recorded


@dataclass(frozen=True)
class AgencyFile:
    entry: RegistryAgency
    status_today: str | None
    history: list[RegistryStatusChange]  # newest first
    cases: list[CaseLine]  # newest first, at most LISTED
    total_cases: int
    abuse_counts: list[tuple[str, int]]  # (code, cases), most frequent first
    outcome_counts: list[tuple[str, int]]
    fees_paid: Money
    claimed: Money
    recovered: Money
    open_referrals: int
    quarters: list[Quarter] = field(default_factory=list)  # oldest first

    @property
    def more(self) -> int:
        return self.total_cases - len(self.cases)


def recovered_amount(outcome: Outcome) -> Decimal | None:
    """What reached the worker: the amount paid, except for an award, where it is the amount
    actually enforced (the reports' money figure counts it the same way)."""
    return outcome.amount_enforced if outcome.code == AWARD else outcome.amount


def agency_file(actor: User, entry_id: int) -> AgencyFile:
    """The file of registry entry `entry_id` as `actor` may see it; NotFound if no such entry."""
    entry = db.session.get(RegistryAgency, entry_id)
    if entry is None:
        raise NotFound(f"registry entry {entry_id}")
    cases = _visible_cases(actor, entry.id)
    lines = [_line(case) for case in cases]
    abuse = Counter(code for line in lines for code in line.abuse_codes)
    outcomes = Counter(code for line in lines for code in line.outcomes)
    return AgencyFile(
        entry=entry,
        status_today=status_on(entry, utcnow().date()),
        history=sorted(entry.history, key=lambda c: (c.status_from, c.id), reverse=True),
        cases=lines[:LISTED],
        total_cases=len(lines),
        abuse_counts=sorted(abuse.items(), key=lambda item: (-item[1], item[0])),
        outcome_counts=sorted(outcomes.items(), key=lambda item: (-item[1], item[0])),
        fees_paid=_add(line.fees_paid for line in lines),
        claimed=_add(line.claimed for line in lines),
        recovered=_add(line.recovered for line in lines),
        open_referrals=sum(len(line.open_referrals) for line in lines),
        quarters=_quarters(cases),
    )


def _visible_cases(actor: User, entry_id: int) -> list[Case]:
    """Every case whose agency is linked to the entry, kept only if `case_access` lets the
    actor open it (facts at least), newest first. Only the cases the actor could see are
    loaded to be checked (`could_see`), not every case naming the agency."""
    narrowed = could_see(actor)
    cases = db.session.scalars(
        select(Case)
        .join(Agency, Case.agency_id == Agency.id)
        .where(Agency.registry_agency_id == entry_id, *([] if narrowed is None else [narrowed]))
        .options(
            selectinload(Case.assignments),
            selectinload(Case.abuses),
            selectinload(Case.fees),
            selectinload(Case.outcomes),
            selectinload(Case.referrals),
        )
        .order_by(Case.created_at.desc(), Case.id.desc())
    ).all()
    return [case for case in cases if case_access(actor, case) >= Access.FACTS]


def _line(case: Case) -> CaseLine:
    fees: Money = defaultdict(Decimal)
    for fee in case.fees:
        fees[fee.currency] += fee.amount_paid
    recovered: Money = defaultdict(Decimal)
    for outcome in case.outcomes:
        got = recovered_amount(outcome)
        if got is not None and outcome.currency is not None:
            recovered[outcome.currency] += got
    return CaseLine(
        reference=case.reference,
        status=case.status,
        received=case.created_at,
        abuse_codes=case.abuse_codes,
        fees_paid=dict(fees),
        claimed=claimed_by_currency(case),
        recovered=dict(recovered),
        open_referrals=[
            (r.forum_kind, r.status) for r in case.referrals if r.status in OPEN_REFERRAL_STATUSES
        ],
        outcomes=[outcome.code for outcome in case.outcomes],
    )


def _add(amounts: Iterable[Money]) -> Money:
    total: Money = defaultdict(Decimal)
    for money in amounts:
        for currency, amount in money.items():
            total[currency] += amount
    return dict(sorted(total.items()))


def _quarter_of(day: date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def _quarters(cases: list[Case]) -> list[Quarter]:
    """Per quarter: cases received, referrals made and outcomes recorded (UTC dates)."""
    counts: dict[tuple[int, int], Counter[str]] = defaultdict(Counter)
    for case in cases:
        counts[_quarter_of(case.created_at.date())]["received"] += 1
        for referral in case.referrals:
            counts[_quarter_of(referral.created_at.date())]["referred"] += 1
        for outcome in case.outcomes:
            counts[_quarter_of(outcome.recorded_at.date())]["outcomes"] += 1
    return [
        Quarter(year, quarter, c["received"], c["referred"], c["outcomes"])
        for (year, quarter), c in sorted(counts.items())
    ]
