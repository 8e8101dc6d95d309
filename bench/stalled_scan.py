"""The stalled scan with 1,000,000 cases of which 1,000 are due, on SQLite and PostgreSQL.

Budget (DESIGN §8): one stalled scan (`casework.services.escalation.scan.scan_stalled_cases`) takes
< 1 s with 1,000,000 cases. Figures are printed, never asserted.

Data (bench/dataset.py, with the `StalledCases` mix below). The app comes from tests/conftest.py
(`make_app`); the schema from the models (`db.create_all()`), then `load_reference_data()`,
which seeds the stall rules. Four organisations with a supervisor and 10 caseworkers each.
1,000,000 cases are inserted with SQLAlchemy Core, 10,000 rows per executemany (SQLite with
`PRAGMA synchronous=OFF` for the load only), seeded and reproducible: statuses mostly
in_progress / awaiting_worker / referred / resolved / closed, `next_deadline_at` spread over
the next year for open cases and NULL for finished ones; every open case has an accepted (or,
when just received, offered) origin-side assignment. Exactly 1,000 cases, spread evenly over
the id range, are due: in_progress, `next_deadline_at` in the past (the first NO_ACTIVITY
threshold, as `refresh_deadlines` stores it), an accepted assignment to a caseworker of an
organisation with a supervisor (a second, destination-side one on every other case), two abuse
codes and a 12-event timeline (8 of them sealed notes or messages of 200 bytes). Their last
activity is old enough to climb one level of NO_ACTIVITY (70 %), two (20 %) or three (10 %,
with an access-to-justice referral proposal), so the first scan raises flags, writes events
and notifications, queues escalation e-mails and proposes referrals. The other cases have no
events or abuse codes (the scan never reads them). Cases carry dummy keys: the scan never opens
sealed data. Then ANALYZE (PostgreSQL: VACUUM ANALYZE).

Measurement, in-process, inside an app context, each timed run on a fresh session:
  due query   the scan's own range query (`next_deadline_at <= now ORDER BY next_deadline_at,
              id LIMIT 500`, keyset pages until empty), loading the Case rows as the scan does;
              its plan (EXPLAIN QUERY PLAN / EXPLAIN (ANALYZE, BUFFERS)) for pages 1 and 2
  first run   scan_stalled_cases(now) over the 1,000 due cases (raises every level)
  steady run  scan_stalled_cases(now) again at once: nothing due, what runs every 15 minutes
  no rollups  the first run again with the report facts written as before any rollup existed
              (bench/rollup_toggle.py): the ratio is what the rollups cost a scan (<= 1.1)
  baseline    SELECT count(*) FROM cases, and a count over an unindexed column (a true full
              table scan): what any scan of all cases would cost on this machine
Before each repeat of the first run, the same 1,000 rows get their `next_deadline_at` back and
the flags, events, referrals, audit events, notifications and e-mails the scan wrote are
deleted. Best and median are printed with their ratio to the 1 s budget. One more run of each,
with listeners, counts the SQL statements and the ORM flushes (autoflush or explicit), each by
the casework line that caused it, and the time spent inside flushes; when a scan misses the
budget (or with --profile) one more first run goes under cProfile (on the first backend only,
unless --profile) and its top functions are printed. About 4-5 minutes in all.

SQLite lives in a temporary folder; PostgreSQL in a throwaway cluster (tests/pg_cluster.py)
when initdb is installed, otherwise it is skipped with a message. Both are removed afterwards.

    .venv/bin/python bench/stalled_scan.py [--cases 1000000] [--due 1000] [--repeats 3]
                                           [--backend both|sqlite|postgresql] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import logging
import pstats
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from dataset import (
    DUMMY_KEY,
    FINISHED,
    CaseMix,
    Staff,
    analyze,
    create_staff,
    load_cases,
    organisations,
    prepare_database,
)
from gunicorn_server import REPO_DIR, exit_cleanly_on_sigterm, scratch_folder, stop_after
from machine_facts import print_machine_facts
from rollup_toggle import rollups_off

BUDGET_S = 1.0
BASELINE = "(baseline: reads every case)"
PROFILED: list[str] = []  # backends already profiled in this process (one is enough)
CHUNK = 10_000
RULE = "NO_ACTIVITY"
# each with a supervisor and CASEWORKERS caseworkers
ORGANISATIONS = ("gefont", "pinoy-mrc", "pakistan-union", "gulf-legal-aid")
CASEWORKERS = 10
# case n takes corridor n % 6 (not drawn: the due cases spread evenly over them)
CORRIDOR_CYCLE = (("NP", "QA"), ("NP", "AE"), ("PH", "SA"), ("PH", "QA"), ("PK", "SA"),
                  ("PK", "AE"))  # fmt: skip
# the cases that are not due: (status, weight); finished ones have no deadline
STATUSES = (
    ("received", 2), ("triaged", 3), ("in_progress", 30), ("awaiting_worker", 15),
    ("referred", 10), ("resolved", 20), ("closed", 18), ("withdrawn", 2),
)  # fmt: skip
# the due cases: how many NO_ACTIVITY levels the first scan raises on them
LEVEL_MIX = ((1, 70), (2, 20), (3, 10))
EVENTS_PER_DUE = 12
SCAN_TABLES = ("notifications", "outbox_messages", "case_events", "referrals", "audit_events")


# --- data -------------------------------------------------------------------------------------
@dataclass
class Fixture:
    due: dict[int, datetime]  # case id: its stored deadline before the first scan
    levels: Counter[int] = field(default_factory=Counter)  # levels to raise: how many cases
    counts: dict[str, int] = field(default_factory=dict)
    build_seconds: float = 0.0


def _reference(case_id: int) -> str:
    alphabet = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
    chars = []
    n = case_id * 7919 + 104729  # spread, still unique: a bijection on the ids
    for _ in range(8):
        n, r = divmod(n, 30)
        chars.append(alphabet[r])
    return f"CW-{''.join(chars[:4])}-{''.join(chars[4:])}"


class StalledCases(CaseMix):
    """Cases the scan skips (a deadline months away, or none once finished), and the due ones:
    in progress, last activity old enough to climb `LEVEL_MIX` levels, with a timeline."""

    tables = ("cases", "assignments", "case_events", "case_abuses")

    def __init__(
        self,
        seed: int,
        now: datetime,
        staff: Staff,
        rule: tuple[int, int, int],
        due_ids: set[int],
    ) -> None:
        super().__init__(seed, now, staff)
        self.rule = rule  # NO_ACTIVITY: days, escalate after, refer after
        self.due_ids = due_ids
        self.statuses = [s for s, _ in STATUSES]
        self.status_weights = [w for _, w in STATUSES]
        self.level_values = [lvl for lvl, _ in LEVEL_MIX]
        self.level_weights = [w for _, w in LEVEL_MIX]
        self.fixture = Fixture(due={})

    def _inactive_days(self, level: int) -> float:
        """Days since the last activity so that NO_ACTIVITY is due up to `level` (margins of
        0.2 day on both sides, so minutes between the build and the scan change nothing)."""
        days, escalate, refer = self.rule
        low, high = {
            1: (days, days + escalate),
            2: (days + escalate, days + refer),
            3: (days + refer, days + refer + 30),
        }[level]
        return self.rng.uniform(low + 0.2, high - 0.2)

    def add_case(self, case_id: int) -> None:
        rng, now = self.rng, self.now
        origin, destination = CORRIDOR_CYCLE[case_id % len(CORRIDOR_CYCLE)]
        due = case_id in self.due_ids
        deadline = None
        if due:
            status = "in_progress"
            level = rng.choices(self.level_values, self.level_weights)[0]
            self.fixture.levels[level] += 1
            last_activity = now - timedelta(days=self._inactive_days(level))
            status_since = last_activity - timedelta(days=rng.uniform(1, 30))
            created = status_since - timedelta(days=rng.uniform(2, 60))
            deadline = last_activity + timedelta(days=self.rule[0])
            self.fixture.due[case_id] = deadline
        else:
            status = rng.choices(self.statuses, self.status_weights)[0]
            created = now - timedelta(days=rng.uniform(1, 1000))
            last_activity = created + (now - created) * rng.random()
            status_since = created + (last_activity - created) * rng.random()
            if status not in FINISHED:
                deadline = now + timedelta(days=rng.uniform(1, 365))
        # every other case; every other due one (they are every n-th id)
        cross_border = (len(self.fixture.due) if due else case_id) % 2 == 0
        departure = (created - timedelta(days=rng.randrange(30, 300))).date()
        self.rows["cases"].append(
            {
                "id": case_id,
                "reference": _reference(case_id),
                "status": status,
                "language": "en",
                "origin_country": origin,
                "destination_country": destination,
                "employer_name": f"Employer {case_id % 4000}",
                "occupation": "Construction labourer",
                "recruitment_channel": "agency",
                "departure_date": departure,
                "job_start_date": departure + timedelta(days=7),
                "incident_date": now.date() - timedelta(days=60),  # claim deadlines months away
                "contract_end_date": now.date() + timedelta(days=500),
                "consent_share_partners": True,
                "consent_cross_border": cross_border,
                "source": "web",
                "created_at": created,
                "updated_at": last_activity,
                "last_activity_at": last_activity,
                "status_since": status_since,
                "paused_seconds": 0,
                "closed_at": last_activity if status in ("closed", "withdrawn") else None,
                "next_deadline_at": deadline,
                # worked by an organisation (or finished): none waits in triage
                "in_triage": False,
                "version": 1,
                **DUMMY_KEY,
            }
        )
        if status not in FINISHED:
            self._assignment(case_id, self.staff.org_for[origin], "origin", status, created)
        if due:
            if cross_border:
                slug = self.staff.org_for[destination]
                self._assignment(case_id, slug, "destination", status, created)
            self.rows["case_abuses"] += [
                {"case_id": case_id, "code": "RA_FEES"},
                {"case_id": case_id, "code": "FL_WAGES"},
            ]
            self._timeline(case_id, created, last_activity)

    def _assignment(
        self, case_id: int, slug: str, side: str, status: str, created: datetime
    ) -> None:
        offered = status == "received"
        offered_at = created + timedelta(minutes=5)
        self.rows["assignments"].append(
            {
                "id": self.next_id("assignments"),
                "case_id": case_id,
                "organisation_id": self.staff.org_ids[slug],
                "user_id": None if offered else self.rng.choice(self.staff.caseworkers[slug]),
                "side": side,
                "status": "offered" if offered else "accepted",
                "decline_reason": "",
                "offered_at": offered_at,
                "responded_at": None if offered else offered_at + timedelta(hours=6),
            }
        )

    def _timeline(self, case_id: int, created: datetime, last_activity: datetime) -> None:
        kinds = [("lodged", "internal", "worker"), ("assignment", "internal", "system")]
        kinds += [("assignment", "internal", "staff"), ("status_change", "partners", "staff")]
        kinds += [("note", "internal", "staff"), ("message_to_worker", "worker", "staff")] * 4
        step = (last_activity - created) / len(kinds)
        for n, (kind, visibility, actor) in enumerate(kinds[:EVENTS_PER_DUE]):
            sealed = self.rng.randbytes(200) if kind in ("note", "message_to_worker") else None
            at = created + step * (n + 1)
            self.event(case_id, kind, visibility, actor, at, kind.replace("_", " "), sealed=sealed)


def build(app: Any, cases: int, due: int, seed: int = 20261) -> Fixture:
    from sqlalchemy import func, select

    from casework.extensions import db
    from casework.models import Case, StallRule, User

    started = time.perf_counter()
    with app.app_context():
        prepare_database("models")
        rule = db.session.get(StallRule, RULE)
        if rule is None:
            raise RuntimeError(f"stall rule {RULE} not seeded by load_reference_data()")
        staff = create_staff(organisations(*ORGANISATIONS, caseworkers=CASEWORKERS))
        step = cases // due
        due_ids = {k * step + step // 2 + 1 for k in range(due)}
        mix = StalledCases(
            seed,
            datetime.now(UTC),
            staff,
            (rule.days, rule.escalate_after_days, rule.refer_after_days),
            due_ids,
        )
        counts = load_cases(mix, cases, chunk=CHUNK)
        analyze()
        fixture = mix.fixture
        fixture.counts = {
            **counts,
            "users": int(db.session.scalar(select(func.count(User.id))) or 0),
            "due now": len(
                db.session.scalars(
                    select(Case.id).where(Case.next_deadline_at <= datetime.now(UTC))
                ).all()
            ),
        }
        db.session.remove()
    fixture.build_seconds = time.perf_counter() - started
    return fixture


# --- measurement ------------------------------------------------------------------------------
CASEWORK_DIR = str(REPO_DIR / "casework") + "/"


def _origin() -> str:
    """The innermost casework frame of the current stack, as `path:line (function)`."""
    frame = sys._getframe(2)
    while frame is not None:
        filename = frame.f_code.co_filename
        if filename.startswith(CASEWORK_DIR):
            where = filename[len(str(REPO_DIR)) + 1 :]
            return f"{where}:{frame.f_lineno} ({frame.f_code.co_name})"
        frame = frame.f_back  # type: ignore[assignment]
    return "(outside casework)"


@dataclass
class Trace:
    statements: list[tuple[str, Any, float, str]] = field(default_factory=list)
    flushes: Counter[str] = field(default_factory=Counter)  # by origin
    flush_ms: float = 0.0  # wall time inside flushes, their INSERTs and UPDATEs included
    flush_sql_ms: float = 0.0  # of which in the driver
    seconds: float = 0.0

    @property
    def sql_ms(self) -> float:
        return sum(s[2] for s in self.statements)


@contextmanager
def traced(engine: Any) -> Iterator[Trace]:
    """Every SQL statement run on `engine` meanwhile (statement, parameters, milliseconds, the
    casework line that caused it) and every ORM flush, by the casework line that caused it."""
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    trace = Trace()
    flushing_since: list[float] = []

    def before(conn: Any, _cur: Any, _stmt: str, _params: Any, _ctx: Any, _many: bool) -> None:
        conn.info["bench_started"] = time.perf_counter()

    def after(conn: Any, _cur: Any, stmt: str, params: Any, _ctx: Any, _many: bool) -> None:
        ms = (time.perf_counter() - conn.info["bench_started"]) * 1000
        trace.statements.append((stmt, params, ms, _origin()))
        if flushing_since:
            trace.flush_sql_ms += ms

    def flushing(_session: Any, _context: Any, _instances: Any) -> None:
        trace.flushes[_origin()] += 1
        flushing_since.append(time.perf_counter())

    def flushed(_session: Any, _context: Any) -> None:
        if flushing_since:
            trace.flush_ms += (time.perf_counter() - flushing_since.pop()) * 1000

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    event.listen(Session, "before_flush", flushing)
    event.listen(Session, "after_flush_postexec", flushed)
    try:
        yield trace
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)
        event.remove(Session, "before_flush", flushing)
        event.remove(Session, "after_flush_postexec", flushed)


def due_query(now: datetime) -> int:
    """The scan's own range query, every keyset page, loading the rows as the scan does."""
    from sqlalchemy import select

    from casework.extensions import db
    from casework.models import Case
    from casework.services.escalation.scan import BATCH

    found = 0
    last_seen = None
    while True:
        query = select(Case).where(Case.next_deadline_at.is_not(None), Case.next_deadline_at <= now)
        if last_seen is not None:
            query = query.where(
                (Case.next_deadline_at > last_seen[0])
                | ((Case.next_deadline_at == last_seen[0]) & (Case.id > last_seen[1]))
            )
        cases = db.session.scalars(
            query.order_by(Case.next_deadline_at, Case.id).limit(BATCH)
        ).all()
        if not cases:
            break
        found += len(cases)
        last_seen = (cases[-1].next_deadline_at, cases[-1].id)
    return found


def scan(now: datetime) -> Any:
    from casework.services.escalation.scan import scan_stalled_cases

    return scan_stalled_cases(now)


def timed(fn: Callable[[datetime], Any]) -> tuple[float, Any]:
    """One run on a fresh session (as a scheduler job gets), timed."""
    from casework.extensions import db

    db.session.remove()
    now = datetime.now(UTC)
    started = time.perf_counter()
    result = fn(now)
    seconds = time.perf_counter() - started
    db.session.rollback()
    db.session.remove()
    return seconds, result


def high_marks() -> dict[str, int]:
    from sqlalchemy import text

    from casework.extensions import db

    return {
        table: int(db.session.scalar(text(f"SELECT coalesce(max(id), 0) FROM {table}")) or 0)  # noqa: S608
        for table in (*SCAN_TABLES, "flags")
    }


def rows_past(marks: dict[str, int]) -> dict[str, int]:
    """How many rows each table holds past its mark (what one scan wrote)."""
    from sqlalchemy import text

    from casework.extensions import db

    return {
        table: int(db.session.scalar(text(f"SELECT count(*) FROM {table} WHERE id > {mark}")) or 0)  # noqa: S608
        for table, mark in marks.items()
    }


def reset_due(fixture: Fixture, marks: dict[str, int]) -> None:
    """Put the same due cases back: their deadline, and nothing the scan wrote."""
    from sqlalchemy import bindparam, update

    from casework.extensions import db
    from casework.models import Case

    db.session.remove()
    with db.engine.begin() as conn:
        for table, mark in marks.items():
            conn.exec_driver_sql(f"DELETE FROM {table} WHERE id > {int(mark)}")  # noqa: S608
        conn.execute(
            update(Case.__table__)
            .where(Case.__table__.c.id == bindparam("case_id"))
            .values(next_deadline_at=bindparam("deadline"), claim_deadline=None),
            [{"case_id": i, "deadline": d} for i, d in fixture.due.items()],
        )


def baseline_counts() -> dict[str, float]:
    """A full pass over the 1,000,000 cases: what any unindexed scan would cost at least."""
    from sqlalchemy import text

    from casework.extensions import db

    now: Any = datetime.now(UTC)
    if db.engine.dialect.name == "sqlite":  # a text() parameter: the text SQLAlchemy stores
        now = now.replace(tzinfo=None).isoformat(" ", "microseconds")
    seconds = {}
    for sql, params in (
        ("SELECT count(*) FROM cases", {}),
        ("SELECT count(*) FROM cases WHERE last_activity_at < :now", {"now": now}),  # unindexed
    ):
        db.session.remove()
        started = time.perf_counter()
        db.session.execute(text(sql), params).scalar()
        seconds[sql] = time.perf_counter() - started
    db.session.remove()
    return seconds


def explain(statement: str, params: Any) -> list[str]:
    from casework.extensions import db

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


def _kind_of(statement: str) -> str:
    """A statement shortened to its verb and table, for counting."""
    words = statement.split()
    verb = words[0].upper() if words else "?"
    marker = {"INSERT": "INTO", "UPDATE": "UPDATE", "DELETE": "FROM"}.get(verb, "FROM")
    if marker in words and words.index(marker) + 1 < len(words):
        return f"{verb} {words[words.index(marker) + 1]}"
    return verb


def traced_run(fn: Callable[[datetime], Any]) -> Trace:
    from casework.extensions import db

    with traced(db.engine) as trace:
        trace.seconds, _ = timed(fn)
    return trace


def python_profile(fn: Callable[[datetime], Any], top: int = 25) -> str:
    from casework.extensions import db

    db.session.remove()
    profiler = cProfile.Profile()
    profiler.enable()
    fn(datetime.now(UTC))
    profiler.disable()
    db.session.remove()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(r"casework/", top)
    stats.sort_stats("tottime").print_stats(top // 2)
    text = out.getvalue().replace(str(REPO_DIR) + "/", "")
    return re.sub(r"\S*/site-packages/", "", text)


def _figure(samples: list[float]) -> dict[str, float]:
    return {"best_s": min(samples), "median_s": statistics.median(samples), "runs": len(samples)}


def _line(label: str, samples: list[float], extra: str = "") -> str:
    best, median = min(samples), statistics.median(samples)
    return (
        f"  {label:<36}{best * 1000:>10.1f}{median * 1000:>10.1f}"
        f"{median / BUDGET_S:>12.3f}{len(samples):>6}  {extra}"
    ).rstrip()


# --- one backend ------------------------------------------------------------------------------
def run_backend(
    name: str, url: str, work: Path, cases: int, due: int, repeats: int, profile: bool
) -> dict[str, Any]:
    from casework.extensions import db
    from casework.services.escalation.scan import BATCH
    from tests.conftest import make_app

    app = make_app(work, SQLALCHEMY_DATABASE_URI=url, TESTING=False)
    print(f"{name}: building {cases:,} cases, {due:,} due")
    fixture = build(app, cases, due)
    print(
        f"  built in {fixture.build_seconds:.0f} s: "
        + ", ".join(f"{k} {v:,}" for k, v in fixture.counts.items())
    )
    print(
        "  NO_ACTIVITY levels due: "
        + ", ".join(f"{n} case(s) up to level {lvl}" for lvl, n in sorted(fixture.levels.items()))
    )
    expected_levels = sum(level * n for level, n in fixture.levels.items())
    failures: list[str] = []
    if fixture.counts["due now"] != due:
        failures.append(f"{fixture.counts['due now']} cases due after the build, not {due}")
    with app.app_context():
        engine = db.engine
        marks = high_marks()
        counts: dict[str, list[float]] = {}
        for _ in range(3):
            for label, seconds in baseline_counts().items():
                counts.setdefault(label, []).append(seconds)
        queries = []
        for _ in range(max(5, repeats)):
            seconds, found = timed(due_query)
            queries.append(seconds)
            if found != due:
                failures.append(f"due query found {found}, not {due}")
        query_trace = traced_run(due_query)
        plans = [
            (f"page {n + 1}", statement, params, explain(statement, params))
            for n, (statement, params, _ms, _where) in enumerate(query_trace.statements[:2])
        ]
        first, steady = [], []
        raised: Counter[tuple[str, int]] = Counter()
        for n in range(repeats):
            if n:
                reset_due(fixture, marks)
            seconds, report = timed(scan)
            first.append(seconds)
            raised = Counter((rule, level) for _ref, rule, level in report.raised)
            if report.cases != due or len(report.raised) != expected_levels:
                failures.append(
                    f"first run {n + 1}: {report.cases} case(s), {len(report.raised)} level(s) "
                    f"raised; expected {due} and {expected_levels}"
                )
            for _ in range(2 if n < repeats - 1 else max(5, repeats)):
                seconds, report = timed(scan)
                steady.append(seconds)
                if report.cases or report.raised:
                    failures.append(f"steady run found {report.cases} due case(s)")
        written = rows_past(marks)
        # the same first run with the facts written as before any rollup: what they cost
        first_off = []
        with rollups_off():
            for _ in range(repeats):
                reset_due(fixture, marks)
                first_off.append(timed(scan)[0])
        # statements and flushes, outside the timed runs
        reset_due(fixture, marks)
        first_trace = traced_run(scan)
        steady_trace = traced_run(scan)
        over = statistics.median(first) > BUDGET_S or statistics.median(steady) > BUDGET_S
        python = ""
        if over or profile:
            reset_due(fixture, marks)
            python = python_profile(scan) if profile or not PROFILED else ""
            PROFILED.append(name)
        db.session.remove()
        engine.dispose()

    print(f"\n  {name}: figures in ms, budget {BUDGET_S * 1000:.0f} ms per scan")
    print(f"  {'':<36}{'best':>10}{'median':>10}{'median/1 s':>12}{'runs':>6}")
    for label, samples in counts.items():
        print(_line(label.replace("SELECT count(*) FROM cases", "count(*)"), samples, BASELINE))
    print(_line("due query (all pages, Case rows)", queries, f"{due:,} rows, {BATCH} a page"))
    print(_line("scan, first run", first, f"{due:,} due, {expected_levels:,} levels raised"))
    cost = statistics.median(first) / statistics.median(first_off)
    print(_line("scan, first run, no rollups", first_off, f"rollups cost x{cost:.3f}"))
    print(_line("scan, steady run (nothing due)", steady))
    print(
        "  first run raised: "
        + ", ".join(f"{r} level {lv}: {n}" for (r, lv), n in sorted(raised.items()))
    )
    print("  rows one first run writes: " + ", ".join(f"{t} {n:,}" for t, n in written.items()))
    for label, trace in (
        ("due query", query_trace),
        ("first run", first_trace),
        ("steady run", steady_trace),
    ):
        print(
            f"  {label}: {len(trace.statements):,} SQL statements ({trace.sql_ms:.0f} ms in the "
            f"driver), {sum(trace.flushes.values()):,} ORM flushes; {trace.seconds * 1000:.0f} ms "
            "with the listeners"
        )
    print(
        f"  first run, time inside ORM flushes: {first_trace.flush_ms:.0f} ms "
        f"({first_trace.flush_ms / max(first_trace.seconds * 1000, 1e-9):.0%} of the run), of "
        f"which {first_trace.flush_sql_ms:.0f} ms running their INSERTs and UPDATEs"
    )
    _print_trace(first_trace, due)
    for label, statement, params, plan in plans:
        print(f"\n  plan of the due query, {label}:")
        print("    " + " ".join(statement.split())[-420:])
        print(f"    parameters: {params!r}"[:300])
        for line in plan:
            print("    | " + line)
    if python:
        print(f"\n  cProfile of one first run ({name}):")
        for line in python.splitlines():
            if line.strip():
                print("    " + line)
    for failure in failures:
        print("  FAILED " + failure)
    return {
        "build_s": fixture.build_seconds,
        "counts": fixture.counts,
        "counts_s": {k: _figure(v) for k, v in counts.items()},
        "due_query": _figure(queries),
        "first": _figure(first),
        "first_rollups_off": _figure(first_off),
        "steady": _figure(steady),
        "statements": {
            "due_query": len(query_trace.statements),
            "first": len(first_trace.statements),
            "steady": len(steady_trace.statements),
        },
        "flushes_first": sum(first_trace.flushes.values()),
        "plans": {label: plan for label, _s, _p, plan in plans},
        "ok": not over,
        "functional_ok": not failures,
    }


def _print_trace(trace: Trace, due: int, top: int = 12) -> None:
    """Where a first run's statements and flushes come from, most frequent first."""
    per = max(due, 1)
    kinds: Counter[str] = Counter()
    kind_ms: Counter[str] = Counter()
    origins: Counter[str] = Counter()
    for statement, _params, ms, where in trace.statements:
        kinds[_kind_of(statement)] += 1
        kind_ms[_kind_of(statement)] += ms
        origins[where] += 1
    print("  first run, SQL statements by kind:")
    for kind, number in kinds.most_common(top):
        print(f"    {number:>7,} {number / per:5.1f}/case  {kind:<30}{kind_ms[kind]:8.0f} ms")
    print("  first run, SQL statements by the casework line that ran them:")
    for where, number in origins.most_common(top):
        print(f"    {number:>7,} {number / per:5.1f}/case  {where}")
    print("  first run, ORM flushes (autoflush before a query, or explicit) by casework line:")
    for where, number in trace.flushes.most_common(top):
        print(f"    {number:>7,} {number / per:5.1f}/case  {where}")


def _postgres_available() -> bool:
    from tests.pg_cluster import find_pg_bin

    return find_pg_bin() is not None


def run(
    cases: int = 1_000_000,
    due: int = 1000,
    repeats: int = 3,
    backends: tuple[str, ...] = ("sqlite", "postgresql"),
    profile: bool = False,
) -> dict[str, Any]:
    from tests.pg_cluster import throwaway_cluster

    results: dict[str, Any] = {"budget_s": BUDGET_S, "cases": cases, "due": due, "backends": {}}
    logging.disable(logging.INFO)  # one "notified" line per notification otherwise
    try:
        for backend in backends:
            print()
            with scratch_folder(f"stalled-{backend}") as work:
                if backend == "sqlite":
                    url = f"sqlite:///{work / 'casework.db'}"
                    results["backends"]["SQLite"] = run_backend(
                        "SQLite", url, work, cases, due, repeats, profile
                    )
                    continue
                if not _postgres_available():
                    print(
                        "PostgreSQL: skipped, initdb/pg_ctl not installed (apt install postgresql)"
                    )
                    results["backends"]["PostgreSQL"] = {"skipped": "PostgreSQL not installed"}
                    continue
                with throwaway_cluster("casework_bench") as url:
                    results["backends"]["PostgreSQL"] = run_backend(
                        "PostgreSQL", url, work, cases, due, repeats, profile
                    )
    finally:
        logging.disable(logging.NOTSET)
    ran = [r for r in results["backends"].values() if "skipped" not in r]
    results["ok"] = all(r["ok"] for r in ran)
    results["functional_ok"] = all(r["functional_ok"] for r in ran)
    return results


def _summary(result: dict[str, Any]) -> None:
    ran = {k: v for k, v in result["backends"].items() if "skipped" not in v}
    if not ran:
        return
    print(
        f"\nsummary: median ms (median / 1 s budget), {result['cases']:,} cases, "
        f"{result['due']:,} due"
    )
    print(f"  {'':<34}" + "".join(f"{backend:>20}" for backend in ran))
    rows = [("due query (all pages)", "due_query"), ("scan, first run", "first")]
    rows.append(("scan, steady run", "steady"))
    for label, key in rows:
        cells = [
            f"{v[key]['median_s'] * 1000:.0f} ({v[key]['median_s'] / BUDGET_S:.3f})"
            for v in ran.values()
        ]
        print(f"  {label:<34}" + "".join(f"{cell:>20}" for cell in cells))
    medians = [v["counts_s"]["SELECT count(*) FROM cases"]["median_s"] for v in ran.values()]
    cells = [f"{m * 1000:.0f} ({m / BUDGET_S:.3f})" for m in medians]
    print(f"  {'count(*), baseline':<34}" + "".join(f"{cell:>20}" for cell in cells))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000, help="cases (1000000)")
    parser.add_argument("--due", type=int, default=1000, help="of which due (1000)")
    parser.add_argument("--repeats", type=int, default=3, help="first runs per backend (3)")
    parser.add_argument("--backend", choices=("both", "sqlite", "postgresql"), default="both")
    parser.add_argument("--profile", action="store_true", help="cProfile one first run anyway")
    args = parser.parse_args()
    if not 0 < args.due <= args.cases:
        parser.error("--due must be between 1 and --cases")
    exit_cleanly_on_sigterm()
    stop_after(20 * 60)
    print("stalled scan: 1 s budget")
    print_machine_facts()
    backends = ("sqlite", "postgresql") if args.backend == "both" else (args.backend,)
    started = time.perf_counter()
    result = run(args.cases, args.due, max(1, args.repeats), backends, args.profile)
    _summary(result)
    print(
        f"\ndone in {time.perf_counter() - started:.0f} s; "
        f"{'within budget' if result['ok'] else 'BUDGET MISSED'}"
    )
    return 0 if result["functional_ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
