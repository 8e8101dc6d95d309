"""Who complains, about what, and what happens next: a seeded plan of every demo case.

Everything here is invented (agencies, employers, people); the corridors, languages,
currencies and codes are the real ones of the demo corridors (DOMAIN.md). The plan is the same
on every run for the same seed, so the demo and its tests see the same story.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from casework.vocabulary.languages import LANGUAGES

# origin: (weight, destinations, language, currency)
CORRIDORS: dict[str, tuple[int, tuple[str, ...], str, str]] = {
    "NP": (30, ("QA", "AE", "SA", "MY"), "ne", "NPR"),
    "PH": (18, ("SA", "AE", "HK", "QA"), "tl", "PHP"),
    "ID": (12, ("MY", "HK", "TW"), "id", "IDR"),
    "BD": (12, ("SA", "OM", "AE", "MY"), "bn", "BDT"),
    "PK": (12, ("SA", "AE"), "ur", "PKR"),
    "ET": (6, ("SA",), "am", "ETB"),
    "KE": (6, ("SA",), "sw", "KES"),
    "UG": (4, ("SA",), "en", "UGX"),
}
WAGE_CURRENCY = {
    "QA": "QAR", "AE": "AED", "SA": "SAR", "MY": "MYR", "HK": "HKD", "TW": "TWD", "OM": "OMR",
}  # fmt: skip
# promised monthly wage in the destination's currency (the actual one is lower)
WAGES = {
    "QA": 1400, "AE": 1500, "SA": 1500, "MY": 1700, "HK": 4900, "TW": 27000, "OM": 150,
}  # fmt: skip
# a typical recruitment fee in the origin's currency
FEES = {
    "NP": 250000, "PH": 60000, "ID": 25000000, "BD": 450000, "PK": 600000,
    "ET": 60000, "KE": 120000, "UG": 3500000,
}  # fmt: skip
# invented agencies: (name, licence number or "")
AGENCIES: dict[str, list[tuple[str, str]]] = {
    "NP": [
        ("Himal Overseas Manpower", "1234/067/68"),
        ("Sagarmatha Job Placement", "877/070/71"),
        ("Everest Gulf Recruiters", ""),
        ("Kathmandu Bright Future Services", "2101/075/76"),
    ],
    "PH": [("Pacific Bridge Placement", "POEA-112-LB"), ("Manila Star Manpower", "")],
    "ID": [("Nusantara Tenaga Kerja", "KEP-301/2019"), ("Jaya Abadi Penempatan", "")],
    "BD": [("Padma Overseas Ltd", "RL-1452"), ("Sonar Bangla Recruiting", "")],
    "PK": [("Indus Overseas Employment", "OEP-3310/RWP"), ("Karachi Gulf Link", "")],
    "ET": [("Abay Employment Agency", "ET-0457")],
    "KE": [("Nairobi Jobs Abroad", "NEA-2211")],
    "UG": [("Pearl Labour Export", "")],
}
EMPLOYERS = {
    "QA": ["Doha Build Contracting", "Pearl Facilities Services", "Al Wakra Security"],
    "AE": ["Gulf Star Cleaning", "Desert Rose Hospitality", "Jebel Ali Logistics"],
    "SA": ["Riyadh Household Services", "Najd Construction Co.", "Red Sea Farms"],
    "MY": ["Selangor Gloves Sdn Bhd", "Penang Electronics Assembly", "Johor Palm Estates"],
    "HK": ["A private household (Kowloon)", "A private household (Sha Tin)"],
    "TW": ["Taichung Precision Parts", "Kaohsiung Fishing Fleet"],
    "OM": ["Muscat Cleaning Services"],
}
OCCUPATIONS = [
    "Construction labourer", "Domestic worker", "Security guard", "Cleaner", "Factory worker",
    "Driver", "Farm worker", "Waiter", "Fisher",
]  # fmt: skip
# abuse patterns, each a set workers often name together
ABUSES = [
    ["RA_FEES", "RA_CONTRACT_SUB", "FL_DEBT"],
    ["FL_WAGES", "RA_DEDUCTIONS"],
    ["FL_DOCS", "FL_MOVEMENT", "FL_WAGES"],
    ["RA_FEES", "RA_NO_JOB"],
    ["FL_OVERTIME", "FL_CONDITIONS"],
    ["RA_ABSCONDING", "FL_DOCS"],
    ["FL_THREATS", "FL_ISOLATION", "FL_WAGES"],
    ["RA_FEES", "RA_UNLICENSED", "FL_DECEPTION"],
    ["RA_STRANDED", "FL_WAGES"],
]
REMEDIES = [
    ("OUT_MONEY_RECOVERED", 30),
    ("OUT_SETTLED_MEDIATION", 12),
    ("OUT_DOCS_RETURNED", 10),
    ("OUT_REPATRIATED", 8),
    ("OUT_EMPLOYER_TRANSFER", 6),
    ("OUT_LICENCE_ACTION", 4),
    ("OUT_UNRESOLVED", 6),
    ("OUT_LOST_CONTACT", 8),
    ("OUT_TIME_BARRED", 3),
]
NOTES = [
    "Called the worker; the agency promised a refund by the end of the month.",
    "Asked the worker for the receipt and the contract photo.",
    "The employer's representative agreed to meet at the labour office.",
    "Worker is safe and in contact every week.",
]


NO_DESK_AT_HOME = frozenset({"ID", "ET", "KE", "UG"})
BUSY_EVERY = (8.0, 13.0)  # days between two touches of a case someone is working
MAX_BUSY = timedelta(days=90)


@dataclass
class Step:
    """One thing that happens to a case, at its time: `what` names the service to call."""

    at: datetime
    what: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class CasePlan:
    number: int
    lodged_at: datetime
    payload: dict[str, Any]
    steps: list[Step] = field(default_factory=list)


def _weighted(rng: random.Random, pairs: list[tuple[str, int]]) -> str:
    return rng.choices([p for p, _ in pairs], weights=[w for _, w in pairs])[0]


def _payload(rng: random.Random, origin: str, lodged: datetime) -> dict[str, Any]:
    _, destinations, language, currency = CORRIDORS[origin]
    destination = rng.choice(destinations)
    agency_name, licence = rng.choice(AGENCIES[origin])
    fee = round(FEES[origin] * rng.uniform(0.4, 1.6), -2)
    promised = WAGES[destination]
    started = (lodged - timedelta(days=rng.randint(60, 500))).date()
    payload: dict[str, Any] = {
        "language": language if language in LANGUAGES else "en",  # one the form offers
        "origin_country": origin,
        "destination_country": destination,
        "agency": {"name": agency_name, "licence_number": licence},
        "employer": {"name": rng.choice(EMPLOYERS[destination])},
        "occupation": rng.choice(OCCUPATIONS),
        "abuse_categories": list(rng.choice(ABUSES)),
        "recruitment_channel": "agency",
        "promised_monthly_wage": {"amount": str(promised), "currency": WAGE_CURRENCY[destination]},
        "actual_monthly_wage": {
            "amount": str(round(promised * rng.uniform(0.5, 0.9))),
            "currency": WAGE_CURRENCY[destination],
        },
        "departure_date": (started - timedelta(days=5)).isoformat(),
        "job_start_date": started.isoformat(),
        "incident_date": (lodged - timedelta(days=rng.randint(3, 50))).date().isoformat(),
        "narrative": "Demo complaint: the worker's own words would be here.",
        "contact": None,
        "consent": {
            "share_with_partners": True,
            # no desk at home for some corridors: their workers need the destination's help
            "share_across_borders": origin in NO_DESK_AT_HOME or rng.random() < 0.75,
        },
    }
    if "RA_FEES" in payload["abuse_categories"] or rng.random() < 0.5:
        payload["fees"] = [
            {
                "category": "FEE_AGENT",
                "amount": f"{fee:.0f}",
                "currency": currency,
                "paid_on": (started - timedelta(days=rng.randint(20, 90))).isoformat(),
                "payee": "agency",
            }
        ]
    return payload


def _keep_busy(rng: random.Random, plan: CasePlan, until: datetime) -> None:
    """Notes while a case is in progress (from its first status change until it is referred,
    finished, or at most MAX_BUSY after its last step), so that only the cases meant to
    stall climb the stalled-case ladder (no activity for 14 days while in progress)."""
    worked = [step.at for step in plan.steps if step.what != "accept"]
    if not worked:
        return
    sent = [s.at for s in plan.steps if s.what == "referral" and s.data.get("to") == "sent"]
    until = min([until, worked[-1] + MAX_BUSY, *sent[:1]])
    notes, t = [], worked[0]
    for mark in [*[w for w in worked[1:] if w < until], until]:
        while (mark - t).days > BUSY_EVERY[1]:
            t = t + timedelta(days=rng.uniform(*BUSY_EVERY))
            notes.append(Step(t, "note", {"text": rng.choice(NOTES)}))
        t = max(t, mark)
    plan.steps = sorted(plan.steps + notes, key=lambda step: step.at)


def _story(rng: random.Random, plan: CasePlan, now: datetime) -> None:
    """What happens after the complaint arrives (see `_steps`), kept busy while worked; a
    case still open is worked until a little before now, unless it is meant to stall."""
    finished = _steps(rng, plan, now)
    if plan.steps:
        quiet = timedelta(days=rng.uniform(1, 30))
        _keep_busy(rng, plan, finished or now - quiet)


def _steps(rng: random.Random, plan: CasePlan, now: datetime) -> datetime | None:
    """What happens after the complaint arrives, drawn so that the older a case, the
    further it got; some are never answered, some stall, some are referred."""
    t = plan.lodged_at
    age = (now - t).days
    steps = plan.steps

    def later(low: float, high: float) -> datetime | None:
        nonlocal t
        t = t + timedelta(hours=rng.uniform(low, high))
        return t if t < now - timedelta(hours=1) else None

    if age < 3 and rng.random() < 0.7:
        return None  # just arrived: still offered, waiting for an answer
    if rng.random() < 0.06:
        return None  # nobody answered: the stalled scan flags it
    fast = rng.random()
    accepted = later(1, 20) if fast < 0.5 else later(20, 72) if fast < 0.9 else later(72, 240)
    if accepted is None:
        return None
    steps.append(Step(accepted, "accept"))
    if rng.random() < 0.12:
        return None  # accepted, then left alone: the stalled scan climbs its ladder
    began = later(2, 72)
    if began is None:
        return None
    steps.append(Step(began, "status", {"to": "in_progress"}))
    if rng.random() < 0.4:
        noted = later(24, 24 * 14)
        if noted is None:
            return None
        steps.append(Step(noted, "note", {"text": rng.choice(NOTES)}))
    if rng.random() < 0.03:
        withdrawn = later(24, 24 * 20)
        if withdrawn is not None:
            steps.append(Step(withdrawn, "outcome", {"code": "OUT_WITHDRAWN"}))
            reason = "The worker asked to stop."
            steps.append(Step(withdrawn, "status", {"to": "withdrawn", "reason": reason}))
        return withdrawn
    referred = rng.random() < 0.22
    if referred:
        proposed = later(24 * 3, 24 * 30)
        if proposed is None:
            return None
        steps.append(Step(proposed, "refer"))
        for status, low, high in (("sent", 24, 24 * 10), ("acknowledged", 24 * 5, 24 * 30)):
            when = later(low, high)
            if when is None:
                return None
            steps.append(Step(when, "referral", {"to": status}))
        decided = later(24 * 20, 24 * 120)
        if decided is None:
            return None
        awarded = rng.random() < 0.6
        steps.append(Step(decided, "referral", {"to": "decided", "award": awarded}))
    if rng.random() < 0.18:
        return None  # still being worked on
    finished = later(24 * 5, 24 * 60)
    if finished is None:
        return None
    code = _weighted(rng, REMEDIES)
    fees = plan.payload.get("fees") or [{"amount": "50000"}]
    money = {"money": code == "OUT_MONEY_RECOVERED", "fee": float(fees[0]["amount"])}
    steps.append(Step(finished, "outcome", {"code": code, **money}))
    steps.append(Step(finished, "status", {"to": "resolved"}))
    if rng.random() < 0.6:
        closed = later(24 * 3, 24 * 40)
        if closed is not None:
            steps.append(Step(closed, "status", {"to": "closed"}))
    return finished


def make_plans(count: int, months: int, now: datetime, seed: int = 14) -> list[CasePlan]:
    """`count` cases lodged over the last `months` months (more in recent months, as a desk
    becomes known), each with its story up to `now`."""
    rng = random.Random(seed)  # noqa: S311 - demo data, seeded on purpose
    origins = [(code, weight) for code, (weight, *_rest) in CORRIDORS.items()]
    start = now - timedelta(days=30.4 * months)
    span = (now - start).total_seconds()
    plans = []
    for number in range(count):
        share = rng.random() ** 0.8  # a little busier lately
        lodged = start + timedelta(seconds=span * share)
        lodged = lodged.replace(hour=rng.randint(5, 20), minute=rng.randint(0, 59), tzinfo=UTC)
        if lodged >= now:
            lodged = now - timedelta(hours=2)
        origin = _weighted(rng, origins)
        if number < len(CORRIDORS):  # every corridor at least once, early on
            origin = list(CORRIDORS)[number]
            lodged = start + timedelta(days=3 + number * 5, hours=9)
        plan = CasePlan(number, lodged, _payload(rng, origin, lodged))
        _story(rng, plan, now)
        plans.append(plan)
    plans.sort(key=lambda p: p.lodged_at)
    return plans
