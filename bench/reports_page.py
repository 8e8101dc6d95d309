"""The supervisor outcome report with 1,000,000 cases, SQLite and PostgreSQL (budget < 2 s).

Budget (DESIGN §8): the outcome reports page answers in < 2 s with 1,000,000 cases, on both
databases. Figures are printed, never asserted.

Data (bench/dataset.py, with the `ReportCases` mix below). `db.create_all()` (the models, so the
indexes are exactly the models' ones), countries and monthly exchange rates for every currency
over three years, 7 organisations with 200 caseworkers, 1,500 agencies (a third without a
licence number), then the cases bulk-inserted with SQLAlchemy Core executemany, 20,000 a
chunk (seeded random, reproducible; the models' secondary indexes
are dropped for the load and built again after it): corridors NP→QA/AE/SA/MY, PH→SA/AE/HK/QA,
ID→MY/HK, BD→SA/MY, PK→SA/AE; statuses by age; 1-3 abuse codes; 0-3 fee payments in the origin
currency; an origin-side assignment for ~97 % and a destination-side one for ~30 % (accepted
after hours to days, or still offered, a few declined); outcomes on resolved, closed and
withdrawn cases (money in the destination currency on many); referrals on ~9 %; open flags on
~4 % of open cases. The load bypasses the ORM, so the report facts (`report_cases` and
`report_org_cases`, which every flush keeps current) are then computed for every case at once,
as `flask reports refresh-facts` does; that time is printed. Then ANALYZE (PostgreSQL: VACUUM ANALYZE).

Measurement. In-process through the Flask test client, on the production app object (signed
in through POST /login; CSRF, 2FA and rate limits off), so a figure is the whole request: SQL,
Python, template, SVG. Four pages, interleaved, `--runs` times after one warm-up: the admin's
unfiltered report (every case), the supervisor of GEFONT (the largest organisation) unfiltered
and for the last 12 months, and the admin filtered to one corridor and one abuse code. The
warm-up request also counts the SQL statements (all threads) with their total and slowest
time. The pages are measured twice on the same data: first with every figure read from the
facts, as before `report_rollups` existed (the rollup's reader switched off), then with the
counting figures read from the rollup; the ratio of the two p50s is printed per page. With
`--proposed-indexes`, the indexes in PROPOSED_INDEXES are then added, ANALYZE again, and the
pages measured again: the figures say what those indexes buy.

While the pages are measured, another process lodges complaints through the real intake
service at a steady `--intake-rate` (2 a second by default; bench/steady_intake.py), on the same
database and cores: the report is read while intake is busy. What it lodged, and the CPU it
took, is printed with the figures.

The rollup's cost to lodging a complaint is measured by bench/rollup_cost.py.

    .venv/bin/python bench/reports_page.py [--cases 1000000] [--runs 3]
                                           [--backend both|sqlite|postgresql]
                                           [--proposed-indexes] [--intake-rate 2]
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from dataset import (
    CURRENCY,
    FINISHED,
    LANGUAGES,
    OPEN,
    PER_USD,
    WAGE,
    CaseMix,
    add_monthly_rates,
    analyze,
    create_staff,
    insert_agencies,
    insert_registry,
    load_cases,
    organisations,
    prepare_database,
)
from steady_intake import steady_intake

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
for folder in (str(REPO_DIR), str(BENCH_DIR)):
    if folder not in sys.path:
        sys.path.insert(0, folder)

BUDGET_S = 2.0
# Complaints a second lodged beside the measurement (bench/steady_intake.py): 7,200 an hour,
# more than a federation's busiest day brings in an hour.
INTAKE_RATE = 2.0
PASSWORD = "reports-bench-password-2026"  # noqa: S105 - throwaway staff in a temp database
CHUNK = 20_000

ABUSES = ("RA_FEES", "RA_FEES", "RA_FEES", "FL_WAGES", "FL_WAGES", "FL_DOCS", "FL_DOCS",
          "RA_CONTRACT_SUB", "FL_DEBT", "RA_DEDUCTIONS", "FL_DECEPTION", "FL_OVERTIME",
          "FL_CONDITIONS", "RA_NO_CONTRACT", "FL_MOVEMENT", "RA_ABSCONDING", "FL_THREATS",
          "RA_NO_JOB", "RA_UNLICENSED", "RA_DEPOSIT", "RA_STRANDED")  # fmt: skip
FEES = ("FEE_AGENT", "FEE_AGENT", "COST_MEDICAL", "COST_ADMIN", "COST_TRAVEL", "ILLEG_BRIBE")
OUTCOMES = ("OUT_MONEY_RECOVERED", "OUT_MONEY_RECOVERED", "OUT_SETTLED_MEDIATION", "OUT_AWARD",
            "OUT_DOCS_RETURNED", "OUT_REPATRIATED", "OUT_LICENCE_ACTION", "OUT_WITHDRAWN",
            "OUT_LOST_CONTACT", "OUT_UNRESOLVED", "OUT_TIME_BARRED")  # fmt: skip
FORUMS = ("DEST_CONCILIATION", "DEST_LABOUR_COURT", "ORIG_REGULATOR", "ORIG_TRIBUNAL",
          "DEST_EMBASSY", "ORIG_WELFARE_FUND", "UNION")  # fmt: skip
TABLES = ("cases", "case_abuses", "fee_payments", "assignments", "outcomes", "referrals", "flags")


@dataclass
class Fixture:
    admin: str
    supervisor: str
    counts: dict[str, int] = field(default_factory=dict)
    build_seconds: float = 0.0
    facts_seconds: float = 0.0  # computing the report facts of every case, within the build


class ReportCases(CaseMix):
    """Cases with fees in the origin currency, offers on one or both sides (a few declined
    first), outcomes with money on finished cases, referrals and open flags."""

    tables = TABLES

    def add_case(self, case_id: int) -> None:
        rng, now = self.rng, self.now
        origin, destination, created, status = self.lodged()
        since = created + (now - created) * rng.random() ** 0.5
        wage_currency = CURRENCY[destination]
        promised = Decimal(WAGE[destination] + rng.randrange(-200, 400))
        departure = (created - timedelta(days=rng.randrange(30, 700))).date()
        closed = status in ("closed", "withdrawn")
        deadline = now + timedelta(days=rng.uniform(-30, 120)) if status in OPEN else None
        self.rows["cases"].append(
            {
                "id": case_id,
                "reference": f"CW-{case_id:08X}"[:16],
                "status": status,
                "language": LANGUAGES[origin][0],
                "origin_country": origin,
                "destination_country": destination,
                "agency_id": self.agency(origin),
                "employer_name": "",
                "occupation": "",
                "recruitment_channel": "agency",
                "promised_wage_amount": promised,
                "promised_wage_currency": wage_currency,
                "actual_wage_amount": (promised * Decimal(rng.uniform(0.4, 1.0))).quantize(
                    Decimal("1")
                )
                if rng.random() < 0.8
                else None,
                "actual_wage_currency": wage_currency,
                "departure_date": departure,
                "job_start_date": departure + timedelta(days=rng.randrange(1, 30)),
                "incident_date": None,
                "contract_end_date": None,
                "consent_share_partners": True,
                "consent_cross_border": True,
                "source": "web",
                "created_at": created,
                "updated_at": since,
                "last_activity_at": since,
                "status_since": since,
                "paused_seconds": 0,
                "closed_at": since if closed else None,
                "next_deadline_at": deadline,
                "claim_deadline": None,
                "version": 1,
                "key_id": "bench",  # never opened: reports read structured facts only
                "wrapped_key": None,
                "narrative_sealed": None,
                "secret_hash": "bench",
            }
        )
        for code in sorted(set(rng.choices(ABUSES, k=rng.choice((1, 1, 2, 2, 3))))):
            self.rows["case_abuses"].append({"case_id": case_id, "code": code})
        for _ in range(rng.choice((0, 1, 1, 1, 2, 3))):
            self.rows["fee_payments"].append(self._fee(case_id, origin, departure))
        if status == "received" and rng.random() < 0.1:
            return  # triage: no organisation offered yet
        sides = [("origin", self.staff.org_for[origin])]
        if rng.random() < 0.3:
            sides.append(("destination", self.staff.org_for[destination]))
        for side, slug in sides:
            self._assignment(case_id, side, slug, status, created)
        if status in FINISHED:
            self._outcomes(case_id, status, since, wage_currency)
        if status not in ("received", "triaged") and rng.random() < 0.1:
            self._referral(case_id, created, wage_currency)
        self.maybe_flag(case_id, status, reason="")

    def _fee(self, case_id: int, origin: str, departure: date) -> dict[str, Any]:
        rng = self.rng
        currency = CURRENCY[origin]
        usd = rng.randrange(50, 2500)
        return {
            "id": self.next_id("fee_payments"),
            "case_id": case_id,
            "category": rng.choice(FEES),
            "amount_paid": Decimal(round(usd * PER_USD[currency], -1)),
            "receipt_amount": None,
            "currency": currency,
            "paid_on": departure - timedelta(days=rng.randrange(5, 120)),
            "payee_kind": "agency",
            "loan": False,
            "lender_kind": None,
            "loan_interest_pct": None,
        }

    def _assignment(
        self, case_id: int, side: str, slug: str, status: str, created: datetime
    ) -> None:
        rng = self.rng
        offered_at = created + timedelta(minutes=1)
        caseworkers = self.staff.caseworkers[slug]
        if rng.random() < 0.03:  # declined by another caseworker first
            self.rows["assignments"].append(
                {
                    "id": self.next_id("assignments"),
                    "case_id": case_id,
                    "organisation_id": self.staff.org_ids[slug],
                    "user_id": rng.choice(caseworkers),
                    "side": side,
                    "status": "declined",
                    "replaces_id": None,
                    "decline_reason": "language",
                    "offered_at": offered_at,
                    "responded_at": offered_at + timedelta(hours=rng.uniform(1, 30)),
                }
            )
        offered = status == "received" or (side == "destination" and rng.random() < 0.15)
        self.rows["assignments"].append(
            {
                "id": self.next_id("assignments"),
                "case_id": case_id,
                "organisation_id": self.staff.org_ids[slug],
                "user_id": rng.choice(caseworkers),
                "side": side,
                "status": "offered" if offered else "accepted",
                "replaces_id": None,
                "decline_reason": "",
                "offered_at": offered_at,
                "responded_at": None
                if offered
                else offered_at + timedelta(hours=rng.expovariate(1 / 40)),
            }
        )

    def _outcomes(self, case_id: int, status: str, at: datetime, currency: str) -> None:
        rng = self.rng
        codes = {"OUT_WITHDRAWN"} if status == "withdrawn" else set(rng.choices(OUTCOMES, k=2))
        for code in sorted(codes):  # sorted: the same amounts on the same codes in every run
            money = code in ("OUT_MONEY_RECOVERED", "OUT_AWARD", "OUT_SETTLED_MEDIATION")
            claimed = Decimal(rng.randrange(500, 8000)) if money else None
            amount = (
                (claimed * Decimal(rng.uniform(0, 1))).quantize(Decimal("1")) if claimed else None
            )
            self.rows["outcomes"].append(
                {
                    "id": self.next_id("outcomes"),
                    "case_id": case_id,
                    "code": code,
                    "kind": "wages" if money else None,
                    "amount_claimed": claimed,
                    "amount": amount,
                    "amount_enforced": amount if code == "OUT_AWARD" else None,
                    "currency": currency if money else None,
                    "recorded_by_id": None,
                    "recorded_at": at,
                }
            )

    def _referral(self, case_id: int, created: datetime, currency: str) -> None:
        rng = self.rng
        status = rng.choice(("proposed", "sent", "acknowledged", "hearing", "decided", "closed"))
        decided = status in ("decided", "closed")
        awarded = Decimal(rng.randrange(500, 9000)) if decided and rng.random() < 0.6 else None
        sent = created + timedelta(days=rng.randrange(10, 90))
        self.rows["referrals"].append(
            {
                "id": self.next_id("referrals"),
                "case_id": case_id,
                "pathway_id": None,
                "forum_kind": rng.choice(FORUMS),
                "status": status,
                "proposed_by": "staff",
                "consent_via": "caseworker",
                "consent_share_identity": False,
                "consented_at": sent,
                "sent_at": sent if status != "proposed" else None,
                "decided_at": sent + timedelta(days=60) if decided else None,
                "outcome_code": rng.choice(("OUT_AWARD", "OUT_UNRESOLVED")) if decided else None,
                "amount_awarded": awarded,
                "amount_enforced": (awarded * Decimal("0.5")).quantize(Decimal("1"))
                if awarded is not None and rng.random() < 0.5
                else None,
                "currency": currency if awarded is not None else None,
                "created_at": created,
                "updated_at": sent,
            }
        )


def build(app: Any, cases: int, seed: int = 20260) -> Fixture:
    """The schema from the models, the world of bench/dataset.py, then the bulk rows (the
    models' secondary indexes dropped for the load and built again after it) and the report
    facts of every case."""
    from sqlalchemy import text

    from casework.extensions import db
    from casework.services.reports.facts import refresh_all

    started = time.perf_counter()
    with app.app_context():
        now = datetime.now(UTC).replace(microsecond=0)
        prepare_database("models")
        add_monthly_rates(now)
        staff = create_staff(organisations(), PASSWORD, admin=True)
        agencies = insert_agencies(now, random.Random(11), unlicensed_every=3)
        insert_registry(now, random.Random(12))  # the licensed ones are on their country's list
        mix = ReportCases(seed, now, staff, agencies)
        counts = load_cases(mix, cases, chunk=CHUNK, drop_indexes=True)
        # The load bypassed the ORM, so no flush kept the report facts: compute them all,
        # as `flask reports refresh-facts` does after such a load.
        facts_started = time.perf_counter()
        with db.engine.begin() as conn:
            refresh_all(conn)
            for table in ("report_rollups", "report_code_rollups", "report_entity_rollups"):
                counts[table] = conn.execute(
                    text(f"SELECT count(*) FROM {table} WHERE cases > 0")  # noqa: S608
                ).scalar_one()
        facts_seconds = time.perf_counter() - facts_started
        analyze()
        db.session.remove()
        db.engine.dispose()
    fixture = Fixture(staff.admin, staff.supervisors["gefont"], counts)
    fixture.build_seconds, fixture.facts_seconds = time.perf_counter() - started, facts_seconds
    return fixture


# Indexes that make the report's big joins index-only (measured as a second step; not in the
# models: migrations are someone else's to write).
PROPOSED_INDEXES = {
    # first response: the earliest acceptance per case, from the index alone
    "ix_assignments_case_status_responded": ("assignments", ("case_id", "status", "responded_at")),
    # a supervisor's "shared with another organisation" check, from the index alone
    "ix_assignments_case_org_status": ("assignments", ("case_id", "organisation_id", "status")),
    # the caseworker filter and the caseload
    "ix_assignments_user_status_case": ("assignments", ("user_id", "status", "case_id")),
    # recruitment cost and fees per agency, from the index alone
    "ix_fee_payments_case_cover": (
        "fee_payments",
        ("case_id", "currency", "paid_on", "amount_paid"),
    ),
}


def add_proposed_indexes(app: Any) -> float:
    from sqlalchemy import text

    from casework.extensions import db

    started = time.perf_counter()
    with app.app_context():
        with db.engine.begin() as conn:
            for name, (table, columns) in PROPOSED_INDEXES.items():
                conn.execute(text(f"CREATE INDEX {name} ON {table} ({', '.join(columns)})"))
        analyze()
        db.session.remove()
        db.engine.dispose()
    return time.perf_counter() - started


# --- measurement ------------------------------------------------------------------------------
@dataclass
class Page:
    name: str
    who: str  # an email
    path: str
    expect: bytes = b'id="recruitment_cost"'  # every good answer holds it
    samples: list[float] = field(default_factory=list)
    sql: tuple[int, float, float] = (0, 0.0, 0.0)  # statements, their total and slowest time


def _pages(fixture: Fixture, today: date) -> list[Page]:
    year_ago = (today - timedelta(days=365)).isoformat()
    return [
        Page("admin: every case", fixture.admin, "/reports/"),
        Page("supervisor: GEFONT and shared", fixture.supervisor, "/reports/", GEFONT),
        Page(
            "supervisor: last 12 months", fixture.supervisor, f"/reports/?from={year_ago}", GEFONT
        ),
        Page(
            "admin: NP->QA, RA_FEES",
            fixture.admin,
            "/reports/?origin=NP&destination=QA&abuse=RA_FEES",
        ),
    ]


GEFONT = b"The cases of GEFONT Migrant Workers Desk"  # the supervisor's page says whose cases


@contextmanager
def _sql_listener(engine: Any) -> Iterator[list[float]]:
    from sqlalchemy import event

    times: list[float] = []

    def before(conn: Any, *_args: Any) -> None:
        conn.info.setdefault("bench_started", []).append(time.perf_counter())

    def after(conn: Any, *_args: Any) -> None:
        times.append(time.perf_counter() - conn.info["bench_started"].pop())

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        yield times
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)


@contextmanager
def _rollups(on: bool) -> Iterator[None]:
    """With `on` False, every figure reads the facts as before `report_rollups` existed (the
    rollup kept current all the same): the same data, the same load, before and after."""
    from casework.services.reports import rollups

    serves = rollups.serves
    if not on:
        rollups.serves = lambda _scope: False  # type: ignore[assignment]
    try:
        yield
    finally:
        rollups.serves = serves  # type: ignore[assignment]


def measure(app: Any, fixture: Fixture, runs: int, rollups: bool = True) -> list[Page]:
    """GET each page `runs` times (after one warm-up), interleaved, through the test client.

    No application context is held across requests: each request gets its own, as in
    production (a shared one would carry the signed-in user from one client to the next)."""

    with _rollups(rollups):
        return _measure(app, fixture, runs)


def _measure(app: Any, fixture: Fixture, runs: int) -> list[Page]:
    from casework.extensions import db

    pages = _pages(fixture, datetime.now(UTC).date())
    with app.app_context():
        engine = db.engine
    clients = {}
    for email in {p.who for p in pages}:
        client = app.test_client()
        answer = client.post("/login", data={"email": email, "password": PASSWORD})
        if answer.status_code != 302:
            raise RuntimeError(f"login of {email} answered {answer.status_code}")
        clients[email] = client
    for page in pages:  # warm-up, and the SQL profile
        with _sql_listener(engine) as times:
            answer = clients[page.who].get(page.path)
        if answer.status_code != 200 or page.expect not in answer.data:
            raise RuntimeError(f"{page.path} answered {answer.status_code}")
        page.sql = (len(times), sum(times), max(times, default=0.0))
    for _ in range(runs):
        for page in pages:
            started = time.perf_counter()
            answer = clients[page.who].get(page.path)
            page.samples.append(time.perf_counter() - started)
            if answer.status_code != 200:
                raise RuntimeError(f"{page.path} answered {answer.status_code}")
    engine.dispose()
    return pages


def report(label: str, pages: list[Page]) -> None:
    print(f"\n  {label}")
    print(
        f"  {'page':<34} {'p50 s':>7} {'max s':>7} {'p50/budget':>10}  SQL: n, total s, slowest s"
    )
    for page in pages:
        p50, worst = statistics.median(page.samples), max(page.samples)
        n, total, slowest = page.sql
        print(
            f"  {page.name:<34} {p50:7.2f} {worst:7.2f} {p50 / BUDGET_S:9.2f}x  "
            f"{n:3d}, {total:6.2f}, {slowest:6.2f}"
        )


def figure_times(app: Any, fixture: Fixture, runs: int, shown: int = 8) -> None:
    """Each figure of the report on its own (no page, no threads), for the admin and the
    supervisor: the slowest `shown` by median of `runs`, so a page's time can be read. Each
    runs through `compute`, with the session settings the page uses (on PostgreSQL: no JIT,
    which alone cost the agency table a second of compilation at 1,000,000 cases)."""
    from sqlalchemy import select

    from casework.extensions import db
    from casework.models import User
    from casework.services.reports import FIGURES, ReportFilters, Scope, compute

    with app.app_context():
        for email in (fixture.admin, fixture.supervisor):
            user = db.session.scalars(select(User).where(User.email == email)).one()
            scope = Scope.for_actor(user, ReportFilters())
            timed = []
            for name in FIGURES:
                samples = []
                for _ in range(runs):
                    started = time.perf_counter()
                    compute(scope, [name])
                    samples.append(time.perf_counter() - started)
                timed.append((statistics.median(samples), name))
            slowest = ", ".join(
                f"{name} {t:.2f}" for t, name in sorted(timed, reverse=True)[:shown]
            )
            print(
                f"  figures alone, {user.role}: total {sum(t for t, _ in timed):.2f} s; {slowest}"
            )
        db.session.remove()


def rejudge_time(app: Any) -> None:
    """What a list import touching every entry of Nepal's registry costs the facts: the licence
    judgement of every case naming a Nepali agency judged again (facts.rejudge_licences), in
    one transaction, rolled back afterwards so the figures above stay comparable. Twice: when
    no judgement changes (a list re-imported as it was: nothing is written), and when every one
    does (each fact row's judgement cleared first, outside the timing: every row rewritten)."""
    from sqlalchemy import func, select, update

    from casework.extensions import db
    from casework.models import Agency, Case, RegistryAgency
    from casework.services.reports.facts import FACT_TABLES, rejudge_licences

    with app.app_context():
        entries = set(
            db.session.scalars(select(RegistryAgency.id).where(RegistryAgency.country == "NP"))
        )
        linked = select(Agency.id).where(Agency.registry_agency_id.in_(entries))
        cases = db.session.scalar(
            select(func.count()).select_from(Case).where(Case.agency_id.in_(linked))
        )
        named = select(Case.id).where(Case.agency_id.in_(linked))
        timings = []
        for every_one_changes in (False, True):
            with db.engine.connect() as conn:
                transaction = conn.begin()
                if every_one_changes:
                    for table in FACT_TABLES:
                        conn.execute(
                            update(table)
                            .where(table.c.case_id.in_(named))
                            .values(licence_then=None)
                        )
                started = time.perf_counter()
                rejudge_licences(conn, set(), entries)
                timings.append(time.perf_counter() - started)
                transaction.rollback()
        print(
            f"  registry change: {len(entries):,} Nepali entries naming {cases:,} cases judged "
            f"again in {timings[0]:.1f} s when no judgement changes, {timings[1]:.1f} s when "
            "every one does"
        )
        db.session.remove()


def _app(url: str, instance: Path) -> Any:
    from casework import create_app

    return create_app(
        {
            "INSTANCE_PATH": str(instance),
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "reports-bench",
            "REQUIRE_2FA": False,
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
        }
    )


def run_backend(backend: str, url: str, folder: Path, args: argparse.Namespace) -> None:
    print(f"\n=== {backend}: {args.cases:,} cases ===", flush=True)
    app = _app(url, folder / "instance")
    fixture = build(app, args.cases)
    rows = ", ".join(f"{k} {v:,}" for k, v in fixture.counts.items())
    print(f"  built in {fixture.build_seconds:.0f} s: {rows}")
    print(
        f"  report facts and rollups of every case computed in {fixture.facts_seconds:.1f} s "
        "(in the build)"
    )
    print(
        f"  report workers (threads, one connection each): {app.config.get('REPORT_WORKERS') or min(4, os.cpu_count() or 1)}"
    )
    with steady_intake(url, folder / "instance", args.intake_rate) as intake:
        before = measure(app, fixture, args.runs, rollups=False)
        after = measure(app, fixture, args.runs, rollups=True)
    print(f"  measured under a steady {intake.summary()}")
    report("figures from the facts (before report_rollups)", before)
    report("counting figures from report_rollups", after)
    for old, new in zip(before, after, strict=True):
        ratio = statistics.median(new.samples) / statistics.median(old.samples)
        print(f"  {old.name:<34} rollups/facts p50 ratio {ratio:5.2f}")
    figure_times(app, fixture, args.runs)
    rejudge_time(app)
    if not args.proposed_indexes:
        return
    seconds = add_proposed_indexes(app)
    print(f"\n  proposed indexes built in {seconds:.0f} s: " + ", ".join(PROPOSED_INDEXES))
    report("with the proposed indexes too", measure(app, fixture, args.runs))


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--backend", choices=("both", "sqlite", "postgresql"), default="both")
    parser.add_argument(
        "--proposed-indexes", action="store_true", help="then measure with PROPOSED_INDEXES too"
    )
    parser.add_argument(
        "--intake-rate",
        type=float,
        default=INTAKE_RATE,
        help=f"complaints lodged a second while the pages are measured ({INTAKE_RATE}; 0: none)",
    )
    args = parser.parse_args()
    logging.getLogger("casework").setLevel(logging.WARNING)
    from machine_facts import print_machine_facts

    print(f"Outcome report page, budget < {BUDGET_S:.0f} s (DESIGN §8)")
    print_machine_facts()
    if args.backend in ("both", "sqlite"):
        with tempfile.TemporaryDirectory(prefix="casework-bench-reports-") as folder:
            run_backend("SQLite", f"sqlite:///{folder}/casework.db", Path(folder), args)
    if args.backend in ("both", "postgresql"):
        from tests.pg_cluster import find_pg_bin, throwaway_cluster

        if find_pg_bin() is None:
            print("\nPostgreSQL skipped: initdb/pg_ctl are not installed")
        else:
            with (
                tempfile.TemporaryDirectory(prefix="casework-bench-reports-") as folder,
                throwaway_cluster("casework_reports_bench") as url,
            ):
                run_backend("PostgreSQL", url, Path(folder), args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
