"""Caseworker queue, search and case pages: p95 latency with 100,000 cases (or 1,000,000), SQLite
and PostgreSQL.

Budget (DESIGN §8): p95 < 100 ms for the queue page, the search and the case page with 1,000,000
cases, on both databases. Figures are printed, never asserted.

Data. The schema comes from the real migrations (`flask db upgrade`; `--schema models` uses
`db.create_all()` instead, to try a model change before its migration exists), then the
countries and exchange rates. 100,000 cases are bulk-inserted with SQLAlchemy Core by
bench/dataset.py, with the `QueueCases` mix below (seeded random, reproducible): corridors
NP→QA/AE/SA/MY, PH→SA/AE/HK/QA, ID→MY/HK, BD→SA/MY, PK→SA/AE; statuses by age (old cases
mostly closed); 1-4 abuse codes each; 0-3 fee payments; 3-4 events; open flags on a few; 7
organisations (one per origin country, two on the destination side) with 200 caseworkers and
a supervisor each; origin-side assignments for all but ~3 % (triage),
destination-side ones when the worker consented. The measured caseworker (GEFONT, Nepal) has
~300 live (offered or accepted) cases; the organisation has ~26,000. Bulk cases are only listed,
but each carries a real case key wrapped by the instance's key ring (the app refuses to start on
a database holding keys its ring cannot open). Five more complaints are lodged through the real intake
service (key ring, sealed narrative and identity, one evidence file), accepted by the measured
caseworker through the assignment service, moved to in progress, given a note and a message:
those are the case pages opened. Then ANALYZE (PostgreSQL: VACUUM ANALYZE, so autovacuum does
not start in the middle of the measurement).

Measurement. A real gunicorn (the production entry point `casework:create_app()`, 1 sync worker)
on 127.0.0.1, configured by instance/config.py with REQUIRE_2FA, CSRF and rate limits off. The
caseworker and the supervisor sign in through POST /login; each request is a fresh HTTP
connection (gunicorn's sync workers close after each response) timed from connect to the last
body byte. Pages, interleaved round-robin after a warm-up:
  mine           GET /cases/?tab=mine                                         (caseworker)
  mine filtered  GET /cases/?tab=mine&status=in_progress&abuse=RA_FEES&sort=deadline
  org_all        GET /cases/?tab=org_all                                      (supervisor)
  org_all p.40   GET /cases/?tab=org_all&page=40: the last page the tab lists  (supervisor)
  triage         GET /cases/triage                                            (supervisor)
  search: …      GET /cases/?tab=org_all&<fields> (SEARCHES: a whole reference, part of an
                 agency's name, the start of an employer's name, any open flag received in the
                 last 90 days, four pickers at once)                         (supervisor)
  case page      GET /cases/<reference> of an accepted case, full access      (caseworker)
and, as the machine's baseline, GET /_bench/select1: a route added to the same app object that
runs `SELECT 1` through the app's session (the only difference from production; see
`server_app`). After the HTTP run, the same pages are requested in-process through the Flask
test client with a SQLAlchemy cursor listener: SQL statements per page, their total time and
the slowest one; for a page over budget (or with --explain) that statement's plan is printed.

PostgreSQL runs in a throwaway cluster (tests/pg_cluster.py) when initdb is installed; otherwise
it is skipped with a message. Everything lives in temporary folders removed afterwards.

    .venv/bin/python bench/queue_pages.py [--cases 100000] [--requests 200]
                                          [--backend both|sqlite|postgresql] [--explain]
                                          [--schema migrations|models]
"""

from __future__ import annotations

import argparse
import http.client
import logging
import os
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from dataset import (
    CORRIDORS,
    CURRENCY,
    DUMMY_KEY,
    LANGUAGES,
    OPEN,
    CaseMix,
    Staff,
    analyze,
    create_staff,
    insert_agencies,
    load_cases,
    organisations,
    prepare_database,
)
from gunicorn_server import (
    BENCH_DIR,
    HOST,
    REPO_DIR,
    Server,
    exit_cleanly_on_sigterm,
    gunicorn,
    scratch_folder,
    server_env,
    stop_after,
)
from machine_facts import print_machine_facts

from casework.services.casefile.queues import COUNT_CAP, PAGE_SIZE

BUDGET_MS = 100.0
BENCH_PASSWORD = "queue-bench-password-2026"  # noqa: S105 - throwaway staff in a temp database
SELECT1_PATH = "/_bench/select1"
CASE_REAL = 5  # complaints lodged through the real service, opened on the case page

MEASURED_ORG = "gefont"
MEASURED_LIVE = 300  # the measured caseworker's target number of live assignments
ABUSE_WEIGHTS = {
    "RA_FEES": 60, "FL_WAGES": 35, "FL_DOCS": 30, "RA_CONTRACT_SUB": 25, "FL_DEBT": 15,
    "RA_DEDUCTIONS": 12, "FL_DECEPTION": 12, "FL_OVERTIME": 10, "FL_CONDITIONS": 10,
    "RA_NO_CONTRACT": 8, "FL_MOVEMENT": 6, "RA_ABSCONDING": 6, "FL_THREATS": 5,
    "RA_NO_JOB": 5, "RA_UNLICENSED": 4, "RA_DEPOSIT": 4, "FL_ISOLATION": 3, "RA_STRANDED": 3,
    "FL_VULN": 3, "FL_VIOLENCE": 2, "RA_DEATH_INJURY": 1, "RA_TRAFFICKING": 1,
    "RA_DATA_MISUSE": 1,
}  # fmt: skip
FEE_CATEGORIES = ("FEE_AGENT", "FEE_AGENT", "COST_MEDICAL", "COST_ADMIN", "COST_TRAVEL",
                  "COST_TRAINING", "ILLEG_BRIBE", "FEE_RECOVERY")  # fmt: skip
CHANNELS = ("agency", "agency", "agency", "personal_network", "direct", "government")
OCCUPATIONS = ("Construction labourer", "Domestic worker", "Security guard", "Factory worker",
               "Driver", "Cleaner", "Farm worker", "Hotel staff")  # fmt: skip
TABLES = ("cases", "case_abuses", "fee_payments", "assignments", "case_events", "flags")


# --- the app gunicorn serves ------------------------------------------------------------------
def server_app() -> Any:
    """`casework.create_app()` plus one route: SELECT 1 through the app's session (the baseline).

    gunicorn loads this as `queue_pages:server_app()`; everything else is the production app.
    """
    from casework import create_app

    return with_select1(create_app())


def with_select1(app: Any) -> Any:
    from sqlalchemy import text

    from casework.extensions import db

    def select1() -> str:
        return str(db.session.execute(text("SELECT 1")).scalar())

    app.add_url_rule(SELECT1_PATH, "bench_select1", select1)
    return app


# --- data -------------------------------------------------------------------------------------
@dataclass
class Fixture:
    caseworker: str  # emails
    supervisor: str
    references: list[str]  # the cases opened on the case page
    counts: dict[str, int] = field(default_factory=dict)
    build_seconds: float = 0.0
    searches: dict[str, str] = field(default_factory=dict)  # sample values the searches use


def _weighted_codes(rng: random.Random, k: int) -> list[str]:
    codes, weights = list(ABUSE_WEIGHTS), list(ABUSE_WEIGHTS.values())
    chosen: list[str] = []
    while len(chosen) < k:
        code = rng.choices(codes, weights)[0]
        if code not in chosen:
            chosen.append(code)
    return chosen


class QueueCases(CaseMix):
    """Cases as the queues list them: varied facts, a timeline, offers on the destination side
    when the worker consented, a few transfers, and the measured caseworker on ~MEASURED_LIVE
    live origin-side ones."""

    tables = TABLES

    def __init__(
        self,
        seed: int,
        now: datetime,
        staff: Staff,
        agencies: dict[str, list[int]],
        measured_id: int,
        total: int,
        wrap: Callable[[str], tuple[str, bytes]],
    ) -> None:
        super().__init__(seed, now, staff, agencies)
        self.measured_id = measured_id
        # the others: the measured caseworker gets cases only by p_measured
        self.caseworkers = {
            slug: [i for i in ids if i != measured_id] for slug, ids in staff.caseworkers.items()
        }
        measured_share = sum(w for o, _, w in CORRIDORS if o == "NP") / sum(self.weights)
        self.p_measured = MEASURED_LIVE / (total * measured_share * 0.97)
        self.references: set[str] = set()
        self.wrap = wrap

    def _reference(self) -> str:
        alphabet = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
        while True:
            chars = "".join(self.rng.choice(alphabet) for _ in range(8))
            reference = f"CW-{chars[:4]}-{chars[4:]}"
            if reference not in self.references:
                self.references.add(reference)
                return reference

    def _user(self, slug: str, side: str) -> int:
        if slug == MEASURED_ORG and side == "origin" and self.rng.random() < self.p_measured:
            return self.measured_id
        return self.rng.choice(self.caseworkers[slug])

    def add_case(self, case_id: int) -> None:
        rng, now = self.rng, self.now
        origin, destination, created, status = self.lodged()
        last_activity = created + (now - created) * rng.random() ** 0.6
        deadline = None
        if status in OPEN and rng.random() < 0.6:
            deadline = now + timedelta(days=rng.uniform(-20, 120))
        cross_border = rng.random() < 0.45
        partners = rng.random() < 0.85
        wage_currency = CURRENCY[destination]
        promised = Decimal(rng.randrange(900, 2500))
        departure = (created - timedelta(days=rng.randrange(30, 700))).date()
        self.rows["cases"].append(
            {
                "id": case_id,
                "reference": self._reference(),
                "status": status,
                "language": rng.choice(LANGUAGES[origin]),
                "origin_country": origin,
                "destination_country": destination,
                "agency_id": self.agency(origin),
                "employer_name": f"Employer {rng.randrange(4000)}",
                "occupation": rng.choice(OCCUPATIONS),
                "recruitment_channel": rng.choice(CHANNELS),
                "promised_wage_amount": promised,
                "promised_wage_currency": wage_currency,
                "actual_wage_amount": (promised * Decimal(rng.uniform(0.4, 1.0))).quantize(
                    Decimal("1")
                ),
                "actual_wage_currency": wage_currency,
                "departure_date": departure,
                "job_start_date": departure + timedelta(days=rng.randrange(1, 30)),
                "incident_date": departure + timedelta(days=rng.randrange(30, 300)),
                "contract_end_date": departure + timedelta(days=730),
                "consent_share_partners": partners,
                "consent_cross_border": cross_border,
                "source": rng.choice(("web", "web", "api")),
                "created_at": created,
                "updated_at": last_activity,
                "last_activity_at": last_activity,
                "next_deadline_at": deadline,
                "claim_deadline": None,
                "version": 1,
                "narrative_sealed": None,
                **DUMMY_KEY,
            }
        )
        # A real case key wrapped by the instance's key ring: the app checks at start-up that
        # the ring opens the keys the database holds (a dummy key stops it: KeysUnavailable).
        row = self.rows["cases"][-1]
        row["key_id"], row["wrapped_key"] = self.wrap(row["reference"])
        for code in _weighted_codes(rng, rng.choice((1, 1, 2, 2, 2, 3, 3, 4))):
            self.rows["case_abuses"].append({"case_id": case_id, "code": code})
        for _ in range(rng.choice((0, 1, 1, 1, 2, 2, 3))):
            self.rows["fee_payments"].append(self._fee(case_id, origin, departure))
        self.event(case_id, "lodged", "internal", "worker", created, "via web")
        if status == "received" and rng.random() < 0.1:
            return  # triage: no organisation offered yet
        sides = [("origin", self.staff.org_for[origin])]
        if cross_border and partners and rng.random() < 0.8:
            sides.append(("destination", self.staff.org_for[destination]))
        for side, slug in sides:
            self._assignment(case_id, side, slug, status, created)
        if status not in ("received", "triaged"):
            at = created + timedelta(days=rng.uniform(2, 10))
            self.event(case_id, "status_change", "partners", "staff", at, f"triaged → {status}")
        self.maybe_flag(case_id, status, reason="no activity for 30 days")

    def _fee(self, case_id: int, origin: str, departure: date) -> dict[str, Any]:
        rng = self.rng
        loan = rng.random() < 0.3
        return {
            "id": self.next_id("fee_payments"),
            "case_id": case_id,
            "category": rng.choice(FEE_CATEGORIES),
            "amount_paid": Decimal(rng.randrange(50, 3000)) * 100,
            "receipt_amount": Decimal(rng.randrange(0, 50)) * 100 if rng.random() < 0.5 else None,
            "currency": CURRENCY[origin],
            "paid_on": departure - timedelta(days=rng.randrange(5, 120)),
            "payee_kind": rng.choice(("agency", "sub_agent", "employer", "official")),
            "loan": loan,
            "lender_kind": rng.choice(("moneylender", "family", "bank")) if loan else None,
            "loan_interest_pct": Decimal(rng.randrange(12, 60)) if loan else None,
        }

    def _assignment(
        self, case_id: int, side: str, slug: str, status: str, created: datetime
    ) -> None:
        rng = self.rng
        org_id = self.staff.org_ids[slug]
        offered_at = created + timedelta(minutes=1)
        offered = status == "received" or (side == "destination" and rng.random() < 0.15)
        user: int | None = self._user(slug, side)
        if offered and rng.random() < 0.25:
            user = None  # offered to the organisation, unassigned
        replaces = None
        if not offered and rng.random() < 0.05:  # an earlier owner, transferred away
            replaces = self.next_id("assignments")
            self.rows["assignments"].append(
                {
                    "id": replaces,
                    "case_id": case_id,
                    "organisation_id": org_id,
                    "user_id": rng.choice(self.caseworkers[slug]),
                    "side": side,
                    "status": "ended",
                    "replaces_id": None,
                    "decline_reason": "",
                    "offered_at": offered_at,
                    "responded_at": offered_at + timedelta(days=1),
                }
            )
        responded = None if offered else offered_at + timedelta(days=rng.uniform(0.1, 3))
        self.rows["assignments"].append(
            {
                "id": self.next_id("assignments"),
                "case_id": case_id,
                "organisation_id": org_id,
                "user_id": user,
                "side": side,
                "status": "offered" if offered else "accepted",
                "replaces_id": replaces,
                "decline_reason": "",
                "offered_at": offered_at,
                "responded_at": responded,
            }
        )
        label = f"offered to {slug} / user {user} ({side})" if user else f"offered to {slug}"
        self.event(case_id, "assignment", "internal", "system", offered_at, label, org_id)
        if responded is not None:
            self.event(
                case_id, "assignment", "internal", "staff", responded, f"accepted ({side})",
                org_id, user,
            )  # fmt: skip


def _lodge_real_cases(caseworker_email: str) -> list[str]:
    """Complaints through the real intake, accepted by the measured caseworker, worked on."""
    from flask import current_app
    from sqlalchemy import select

    from casework.extensions import db
    from casework.models import Case, User
    from casework.services.assignments.operations import accept_offer
    from casework.services.casefile.lifecycle import change_status
    from casework.services.casefile.messages import add_note, message_worker
    from casework.services.demo_data import TINY_PNG
    from casework.services.intake.operations import lodge_complaint
    from casework.services.runtime import evidence_store
    from casework.storage.spool import spool_bytes
    from tests.conftest import complaint_payload

    measured = db.session.scalars(select(User).where(User.email == caseworker_email)).one()
    config = current_app.config
    references = []
    for _ in range(CASE_REAL):
        upload = spool_bytes(
            evidence_store(), TINY_PNG, config["MAX_FILE_BYTES"], config["EVIDENCE_CHUNK_SIZE"]
        )
        lodged = lodge_complaint(complaint_payload(), [("receipt.png", upload)], source="api")
        case = db.session.scalars(select(Case).where(Case.reference == lodged.reference)).one()
        origin = next(a for a in case.assignments if a.side == "origin")
        origin.user_id = measured.id  # whoever routing chose, the measured caseworker takes it
        db.session.commit()
        accept_offer(measured, case, origin.id)
        change_status(measured, case, "in_progress", case.version)
        add_note(
            measured,
            case,
            "Called the worker; the agent refuses to return the passport.",
            False,
            case.version,
        )
        message_worker(measured, case, "Please send a photo of any receipt you have.", case.version)
        references.append(case.reference)
    return references


def build(app: Any, cases: int, schema: str, seed: int = 20260) -> Fixture:
    from sqlalchemy import func, select, text

    from casework.extensions import db
    from casework.models import Assignment, Case, User

    started = time.perf_counter()
    with app.app_context():
        prepare_database(schema)
        now = datetime.now(UTC).replace(microsecond=0)
        staff = create_staff(organisations(), BENCH_PASSWORD)
        measured_id = staff.caseworkers[MEASURED_ORG][0]
        caseworker, supervisor = staff.emails[measured_id], staff.supervisors[MEASURED_ORG]
        agencies = insert_agencies(now, random.Random(seed))
        load_cases(
            QueueCases(seed, now, staff, agencies, measured_id, cases, _case_key_wrapper()), cases
        )
        references = _lodge_real_cases(caseworker)
        _analyze()
        measured = db.session.scalars(select(User).where(User.email == caseworker)).one()
        boss = db.session.scalars(select(User).where(User.email == supervisor)).one()

        def count(*where: Any) -> int:
            return int(db.session.scalar(select(func.count(Assignment.id)).where(*where)) or 0)

        counts = {
            "cases": int(db.session.scalar(select(func.count(Case.id))) or 0),
            **{
                name: int(db.session.scalar(text(f"SELECT count(*) FROM {name}")) or 0)  # noqa: S608
                for name in TABLES[1:]
            },
            "staff": int(db.session.scalar(select(func.count(User.id))) or 0),
            "mine (accepted)": count(
                Assignment.user_id == measured.id, Assignment.status == "accepted"
            ),
            "offered to me": count(
                Assignment.user_id == measured.id, Assignment.status == "offered"
            ),
            "org live": count(
                Assignment.organisation_id == boss.organisation_id,
                Assignment.status.in_(("offered", "accepted")),
            ),
        }
        held = select(Case.reference).join(Assignment, Assignment.case_id == Case.id)
        held = held.where(
            Assignment.organisation_id == boss.organisation_id, Assignment.status == "accepted"
        )
        searches = {
            "reference": db.session.scalar(held.order_by(Case.id).offset(cases // 20).limit(1))
            or db.session.scalar(held.limit(1))
            or "",
        }
        db.session.remove()
        db.engine.dispose()
    return Fixture(
        caseworker, supervisor, references, counts, time.perf_counter() - started, searches
    )


def _case_key_wrapper() -> Callable[[str], tuple[str, bytes]]:
    """(key id, wrapped key) of a fresh case key for a reference, by the app's key ring."""
    from casework.crypto.envelope import new_data_key
    from casework.services.keys.case_keys import wrap_aad
    from casework.services.runtime import keyring

    ring = keyring()
    return lambda reference: ring.wrap(new_data_key(), wrap_aad(reference))


def _analyze() -> None:
    from sqlalchemy import text

    from casework.extensions import db

    with db.engine.begin() as conn:  # bulk rows carry no triage marker: set it as routing would
        conn.execute(
            text(
                "UPDATE cases SET in_triage = NOT EXISTS (SELECT 1 FROM assignments WHERE "
                "assignments.case_id = cases.id AND assignments.status IN ('offered', 'accepted'))"
            )
        )
    analyze()


# --- HTTP -------------------------------------------------------------------------------------
class Browser:
    """One signed-in person: a cookie jar and timed requests on fresh connections."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, form: dict[str, str] | None = None
    ) -> tuple[int, bytes, float]:
        headers = {"User-Agent": "casework-bench/queue-pages", "Accept-Language": "en"}
        body = None
        if form is not None:
            body = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        started = time.perf_counter()
        connection = http.client.HTTPConnection(HOST, self.port, timeout=60)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
        finally:
            connection.close()
        elapsed = time.perf_counter() - started
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, value = header.split(";", 1)[0].partition("=")
            if "expires=thu, 01 jan 1970" in header.lower() or "max-age=0" in header.lower():
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = value.strip()
        return response.status, data, elapsed

    def login(self, email: str) -> None:
        status, body, _ = self.request(
            "POST", "/login", {"email": email, "password": BENCH_PASSWORD}
        )
        if status != 302:
            raise RuntimeError(f"login of {email} answered {status}: {body[:300]!r}")


LISTED = b'href="/cases/CW-'  # a queue answer that lists at least one case


@dataclass
class Page:
    name: str
    browser: Browser
    paths: list[str]  # cycled
    expect: bytes  # a byte string every good answer contains
    who: str = ""
    samples: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def path(self, n: int) -> str:
        return self.paths[n % len(self.paths)]


def _pages(port: int, fixture: Fixture) -> list[Page]:
    caseworker, supervisor, anonymous = Browser(port), Browser(port), Browser(port)
    caseworker.login(fixture.caseworker)
    supervisor.login(fixture.supervisor)
    filtered = "/cases/?tab=mine&status=in_progress&abuse=RA_FEES&sort=deadline"
    # The last page a supervisor can reach: the tab lists no more than COUNT_CAP cases (40
    # pages of 25) and asks for a search beyond that.
    last = COUNT_CAP // PAGE_SIZE
    far = min(last, -(-fixture.counts["org live"] // PAGE_SIZE))
    return [
        Page("SELECT 1 (baseline)", anonymous, [SELECT1_PATH], b"1"),
        Page("queue: mine", caseworker, ["/cases/?tab=mine"], LISTED, "caseworker"),
        Page("queue: mine, filtered", caseworker, [filtered], LISTED, "caseworker"),
        Page("queue: org_all", supervisor, ["/cases/?tab=org_all"], LISTED, "supervisor"),
        Page(
            f"queue: org_all page {far}",
            supervisor,
            [f"/cases/?tab=org_all&page={far}"],
            LISTED,
            "supervisor",
        ),
        Page("triage", supervisor, ["/cases/triage"], LISTED, "supervisor"),
        *_search_pages(supervisor, fixture),
        Page(
            "case page",
            caseworker,
            [f"/cases/{r}" for r in fixture.references],
            b'id="story"',
            "caseworker",
        ),
    ]


SEARCHES = {  # name: the query after /cases/?tab=org_all& (the supervisor's whole organisation)
    "search: reference": "reference={reference}",
    "search: agency": "agency=overseas+manpower+04",
    "search: employer": "employer=employer+12",
    "search: flag, received": "flag=any&received_from={quarter_ago}",
    "search: 4 fields": "status=in_progress&abuse=FL_DOCS&destination=QA&sort=deadline",
}


def _search_pages(supervisor: Browser, fixture: Fixture) -> list[Page]:
    """Searches over the supervisor's organisation (the largest scope a person searches)."""
    values = {
        **fixture.searches,
        "quarter_ago": (datetime.now(UTC) - timedelta(days=90)).date().isoformat(),
    }
    return [
        Page(
            name,
            supervisor,
            ["/cases/?tab=org_all&" + query.format(**values)],
            LISTED,
            "supervisor",
        )  # fmt: skip
        for name, query in SEARCHES.items()
    ]


def measure(pages: list[Page], requests: int, warmup: int) -> None:
    for n in range(warmup + requests):
        for page in pages:
            status, body, elapsed = page.browser.request("GET", page.path(n))
            if status != 200 or page.expect not in body:
                page.failures.append(f"{page.path(n)} -> {status}: {body[:200]!r}")
            elif n >= warmup:
                page.samples.append(elapsed * 1000)


def _quantile(samples: list[float], q: int) -> float:
    if len(samples) < 2:
        return float("nan")
    return statistics.quantiles(samples, n=100, method="inclusive")[q - 1]


# --- in-process: statements per page ----------------------------------------------------------
@dataclass
class Profile:
    statements: int = 0
    sql_ms: float = 0.0
    slowest_ms: float = 0.0
    slowest: tuple[str, Any] = ("", ())
    error: str = ""


@contextmanager
def _statements(engine: Any) -> Iterator[list[tuple[str, Any, float]]]:
    from sqlalchemy import event

    seen: list[tuple[str, Any, float]] = []

    def before(
        conn: Any, _cursor: Any, _statement: str, _params: Any, _context: Any, _many: bool
    ) -> None:
        conn.info["bench_started"] = time.perf_counter()

    def after(
        conn: Any, _cursor: Any, statement: str, params: Any, _context: Any, _many: bool
    ) -> None:
        seen.append((statement, params, (time.perf_counter() - conn.info["bench_started"]) * 1000))

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)


def profile(app: Any, fixture: Fixture, pages: list[Page], repeats: int = 5) -> dict[str, Profile]:
    """Each page through the Flask test client; the run with the median SQL time counts."""
    from casework.extensions import db

    clients = {
        "caseworker": app.test_client(),
        "supervisor": app.test_client(),
        "": app.test_client(),
    }
    for who, email in (("caseworker", fixture.caseworker), ("supervisor", fixture.supervisor)):
        response = clients[who].post("/login", data={"email": email, "password": BENCH_PASSWORD})
        if response.status_code != 302:
            raise RuntimeError(f"in-process login of {email}: {response.status_code}")
    with app.app_context():
        engine = db.engine
    results = {}
    for page in pages:
        runs = []
        for n in range(repeats):
            with _statements(engine) as seen:
                response = clients[page.who].get(page.path(n))
            if response.status_code != 200:  # e.g. the code changed under this process
                results[page.name] = Profile(error=f"in-process answer {response.status_code}")
                print(f"  {page.name}: in-process request answered {response.status_code}")
                break
            slowest = max(seen, key=lambda s: s[2], default=("", (), 0.0))
            runs.append(
                Profile(len(seen), sum(s[2] for s in seen), slowest[2], (slowest[0], slowest[1]))
            )
        else:
            runs.sort(key=lambda p: p.sql_ms)
            results[page.name] = runs[len(runs) // 2]
    return results


def explain(app: Any, statement: str, params: Any) -> list[str]:
    from casework.extensions import db

    with app.app_context():
        postgres = db.engine.dialect.name == "postgresql"
        prefix = "EXPLAIN (ANALYZE, BUFFERS) " if postgres else "EXPLAIN QUERY PLAN "
        raw = db.engine.raw_connection()
        try:
            cursor = raw.cursor()
            cursor.execute(prefix + statement, params)
            rows = cursor.fetchall()
            raw.rollback()
        finally:
            raw.close()
    if postgres:
        return [row[0] for row in rows]
    return [f"{row[1]:>3} {row[0]:>3} {row[-1]}" for row in rows]  # parent, id, detail


# --- one backend ------------------------------------------------------------------------------
def _config_py(url: str) -> str:
    return (
        f"SQLALCHEMY_DATABASE_URI = {url!r}\n"
        "REQUIRE_2FA = False\n"
        "WTF_CSRF_ENABLED = False\n"
        "RATELIMIT_ENABLED = False\n"
        "SESSION_COOKIE_SECURE = False\n"
    )


def run_backend(
    name: str,
    url_for: Callable[[Path], str],
    work: Path,
    cases: int,
    requests: int,
    schema: str,
    always_explain: bool,
) -> dict[str, Any]:
    from casework import create_app
    from casework.extensions import db

    instance = work / "instance"
    instance.mkdir(mode=0o700)
    url = url_for(work)
    (instance / "config.py").write_text(_config_py(url), encoding="utf-8")
    app = with_select1(create_app({"INSTANCE_PATH": str(instance)}))
    print(f"{name}: building {cases:,} cases ({schema} schema)")
    logging.disable(logging.INFO)  # alembic and intake chatter, in this process only
    try:
        fixture = build(app, cases, schema)
    finally:
        logging.disable(logging.NOTSET)
    print(
        f"  built in {fixture.build_seconds:.0f} s: "
        + ", ".join(f"{k} {v:,}" for k, v in fixture.counts.items())
    )
    env = server_env(CASEWORK_INSTANCE_PATH=str(instance))
    server_args = ["--pythonpath", f"{REPO_DIR},{BENCH_DIR}"]
    with gunicorn(
        "queue_pages:server_app()",
        env,
        work,
        workers=1,
        ready_path=SELECT1_PATH,
        extra_args=server_args,
    ) as server:
        pages = _pages(server.port, fixture)
        warmup = max(10, requests // 10)
        started = time.perf_counter()
        measure(pages, requests, warmup)
        seconds = time.perf_counter() - started
        log_tail = _errors_in_log(server)
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(
        f"  {requests} requests per page after {warmup} warm-up, interleaved ({seconds:.0f} s); "
        f"load average after: {load} on {len(os.sched_getaffinity(0))} CPUs"
    )
    logging.disable(logging.INFO)  # the in-process requests' audit-anchor lines
    try:
        profiles = profile(app, fixture, pages)
    finally:
        logging.disable(logging.NOTSET)
    result = _report(name, pages, profiles, log_tail)
    for page in pages:
        statement, params = profiles[page.name].slowest
        if page is pages[0]:
            continue  # the baseline
        over = bool(page.samples) and _quantile(page.samples, 95) > BUDGET_MS
        if statement and (over or always_explain):
            print(
                f"\n  plan of the slowest statement of {page.name!r} "
                f"({profiles[page.name].slowest_ms:.1f} ms):"
            )
            print("    " + " ".join(statement.split())[:1500])
            print(f"    parameters: {params!r}"[:400])
            for line in explain(app, statement, params):
                print("    | " + line)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    return result


def _errors_in_log(server: Server) -> str:
    tail = server.log_tail(200)
    return tail if "Traceback" in tail else ""


def _report(
    name: str, pages: list[Page], profiles: dict[str, Profile], log_tail: str
) -> dict[str, Any]:
    print(f"\n  {name}: p95 budget {BUDGET_MS:.0f} ms")
    header = f"  {'page':<24}{'p50':>8}{'p95':>8}{'max':>8}{'p95/budget':>12}{'SQL stmts':>11}"
    print(header + f"{'SQL ms':>9}{'slowest':>9}")
    figures: dict[str, dict[str, float]] = {}
    for page in pages:
        p50, p95 = _quantile(page.samples, 50), _quantile(page.samples, 95)
        peak = max(page.samples, default=float("nan"))
        prof = profiles[page.name]
        ratio = f"{p95 / BUDGET_MS:.2f}" if page is not pages[0] else ""
        sql = f"{prof.statements:>11}{prof.sql_ms:9.1f}{prof.slowest_ms:9.1f}"
        if prof.error:
            sql = f"{'-':>11}{'-':>9}{'-':>9}"
        print(f"  {page.name:<24}{p50:8.1f}{p95:8.1f}{peak:8.1f}{ratio:>12}{sql}")
        figures[page.name] = {
            "p50_ms": p50,
            "p95_ms": p95,
            "max_ms": peak,
            "statements": prof.statements,
            "sql_ms": prof.sql_ms,
        }
    print(
        "  (ms; HTTP through gunicorn on 127.0.0.1, connect to last byte; SQL columns from one "
        "in-process request, the median of 5)"
    )
    failures = [f"{p.name}: {f}" for p in pages for f in p.failures[:3]]
    for failure in failures:
        print("  FAILED " + failure)
    if log_tail:
        print("  server log shows a traceback:\n" + log_tail)
    measured = [p for p in pages if p is not pages[0]]
    return {
        "pages": figures,
        "ok": all(_quantile(p.samples, 95) < BUDGET_MS for p in measured),
        "functional_ok": not failures and not log_tail,
    }


def _postgres_available() -> bool:
    from tests.pg_cluster import find_pg_bin

    return find_pg_bin() is not None


def run(
    cases: int = 100_000,
    requests: int = 200,
    backends: tuple[str, ...] = ("sqlite", "postgresql"),
    schema: str = "migrations",
    always_explain: bool = False,
) -> dict[str, Any]:
    from tests.pg_cluster import throwaway_cluster

    results: dict[str, Any] = {"budget_ms": BUDGET_MS, "cases": cases, "backends": {}}
    for backend in backends:
        print()
        with scratch_folder(f"queue-{backend}") as work:
            if backend == "sqlite":
                results["backends"]["SQLite"] = run_backend(
                    "SQLite",
                    lambda w: f"sqlite:///{w / 'casework.db'}",
                    work,
                    cases,
                    requests,
                    schema,
                    always_explain,
                )
                continue
            if not _postgres_available():
                print("PostgreSQL: skipped, initdb/pg_ctl not installed (apt install postgresql)")
                results["backends"]["PostgreSQL"] = {"skipped": "PostgreSQL not installed"}
                continue
            with throwaway_cluster("casework_bench") as url:
                results["backends"]["PostgreSQL"] = run_backend(
                    "PostgreSQL", lambda _w: url, work, cases, requests, schema, always_explain
                )
    ran = [r for r in results["backends"].values() if "skipped" not in r]
    results["ok"] = all(r["ok"] for r in ran)
    results["functional_ok"] = all(r["functional_ok"] for r in ran)
    return results


def _summary(result: dict[str, Any]) -> None:
    ran = {k: v for k, v in result["backends"].items() if "skipped" not in v}
    if not ran:
        return
    print(
        f"\nsummary: p95 in ms (p95/budget), {result['cases']:,} cases, budget {BUDGET_MS:.0f} ms"
    )
    names = list(next(iter(ran.values()))["pages"])
    print(f"  {'page':<24}" + "".join(f"{backend:>20}" for backend in ran))
    for name in names:
        cells = []
        for figures in ran.values():
            p95 = figures["pages"][name]["p95_ms"]
            ratio = "" if name == names[0] else f" ({p95 / BUDGET_MS:.2f})"
            cells.append(f"{p95:.1f}{ratio}")
        print(f"  {name:<24}" + "".join(f"{cell:>20}" for cell in cells))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=100_000, help="bulk cases (100000)")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per page (200)")
    parser.add_argument("--backend", choices=("both", "sqlite", "postgresql"), default="both")
    parser.add_argument(
        "--schema",
        choices=("migrations", "models"),
        default="migrations",
        help="create tables by the migrations (default) or db.create_all()",
    )
    parser.add_argument(
        "--explain", action="store_true", help="print the plan of every page's slowest statement"
    )
    args = parser.parse_args()
    exit_cleanly_on_sigterm()
    stop_after(20 * 60)
    print("queue and case pages: p95 latency")
    print_machine_facts()
    backends = ("sqlite", "postgresql") if args.backend == "both" else (args.backend,)
    started = time.perf_counter()
    result = run(args.cases, args.requests, backends, args.schema, args.explain)
    _summary(result)
    print(
        f"\ndone in {time.perf_counter() - started:.0f} s; "
        f"{'all pages within budget' if result['ok'] else 'BUDGET MISSED'}"
    )
    return 0 if result["functional_ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
