"""Figures about the cases themselves: how many, in which status, how fast, stuck, and who
carries them. Each function runs its aggregate in SQL and returns an unprotected `Table`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Select,
    and_,
    case,
    func,
    literal,
    select,
    union_all,
)

from casework.extensions import db
from casework.models import Assignment, Case, Flag, Organisation, User
from casework.models.assignment import ACCEPTED, OFFERED
from casework.services.reports.scope import Scope
from casework.services.reports.sql import Expr, percentiles, seconds_between, utc_month
from casework.services.reports.tables import DAYS, LABEL, TEXT, Chart, Column, Table
from casework.vocabulary.status import (
    AWAITING_WORKER,
    CLOSED,
    IN_PROGRESS,
    RECEIVED,
    REFERRED,
    RESOLVED,
    TRIAGED,
    WITHDRAWN,
)

OPEN = (RECEIVED, TRIAGED, IN_PROGRESS, AWAITING_WORKER, REFERRED)
FINISHED = (RESOLVED, CLOSED)
MAX_MONTHS = 48  # longer spans are counted by year
DAY = 86400.0


def shared_sum(scope: Scope, case_id: Expr) -> list[Any]:
    """The `_shared` column: how many rows of the group involve another organisation."""
    shared = scope.shared(case_id)
    return [] if shared is None else [func.sum(case((shared, 1), else_=0)).label("_shared")]


def rows(query: Any) -> list[dict[str, Any]]:
    return [dict(row._mapping) for row in db.session.execute(query)]


def summary(scope: Scope) -> Table:
    counted = select(
        func.count().label("cases"),
        func.count().filter(Case.status.in_(OPEN)).label("open"),
        func.count().filter(Case.status.in_(FINISHED)).label("finished"),
        func.count().filter(Case.status == WITHDRAWN).label("withdrawn"),
        *shared_sum(scope, Case.id),
    ).where(*scope.cases())
    return Table(
        "summary",
        _l("Cases in this report"),
        _l("Every case the filters select: still open, resolved or closed, and withdrawn."),
        [
            Column("cases", _l("Cases")),
            Column("open", _l("Open")),
            Column("finished", _l("Resolved or closed")),
            Column("withdrawn", _l("Withdrawn")),
        ],
        rows(counted),
    )


def _bounds(scope: Scope) -> tuple[datetime, datetime] | None:
    f = scope.filters
    low = (
        datetime(f.created_from.year, f.created_from.month, 1, tzinfo=UTC)
        if f.created_from
        else None
    )
    high = datetime(f.created_to.year, f.created_to.month, 1, tzinfo=UTC) if f.created_to else None
    if low is None or high is None:
        first, last = db.session.execute(
            select(func.min(Case.created_at), func.max(Case.created_at)).where(*scope.cases())
        ).one()
        if first is None:
            return None
        low = low or datetime(first.year, first.month, 1, tzinfo=UTC)
        high = high or datetime(last.year, last.month, 1, tzinfo=UTC)
    return (low, high) if low <= high else None


def _months(low: datetime, high: datetime) -> list[tuple[str, datetime, datetime]]:
    months, start = [], low
    while start <= high:
        end = datetime(start.year + start.month // 12, start.month % 12 + 1, 1, tzinfo=UTC)
        months.append((f"{start:%Y-%m}", start, end))
        start = end
    return months


def new_cases(scope: Scope) -> Table:
    """Cases lodged per month (per year over long spans).

    SQLite groups by sorting, so when only columns of the case narrow the report each month
    there is an index range count on created_at (one walk of that index, no sort); otherwise,
    and always on PostgreSQL (which hashes), the cases are grouped by month."""
    table = Table(
        "new_cases",
        _l("New cases over time"),
        _l("Complaints received per month (per year when the period is longer than four years)."),
        [Column("period", _l("Period"), LABEL), Column("cases", _l("New cases"))],
        partition=True,
        chart=Chart("columns", "period", ("cases",)),
    )
    bounds = _bounds(scope)
    if bounds is None:
        return table
    months = _months(*bounds)
    by_year = len(months) > MAX_MONTHS
    where = scope.cases()
    range_counts = db.engine.dialect.name == "sqlite" and not scope.narrowed_by_assignments
    if by_year or not range_counts:
        period: ColumnElement[str] = utc_month(Case.created_at)
        if by_year:
            period = func.substr(period, 1, 4)
        query: Select[Any] | CompoundSelect = (
            select(period.label("period"), func.count().label("cases"), *shared_sum(scope, Case.id))
            .where(*where)
            .group_by(period)
        )
    else:
        query = union_all(
            *(
                select(
                    literal(label).label("period"),
                    func.count().label("cases"),
                    *shared_sum(scope, Case.id),
                ).where(Case.created_at >= start, Case.created_at < end, *where)
                for label, start, end in months
            )
        )
    found = {row["period"]: row for row in rows(query)}
    labels = sorted({label[:4] for label, _, _ in months}) if by_year else [m[0] for m in months]
    table.rows = [found.get(label, {"period": label, "cases": 0}) for label in labels]
    return table


def open_by_status(scope: Scope) -> Table:
    query = (
        select(
            Case.status.label("status"), func.count().label("cases"), *shared_sum(scope, Case.id)
        )
        .where(Case.status.in_(OPEN), *scope.cases())
        .group_by(Case.status)
    )
    found = {row["status"]: row for row in rows(query)}
    return Table(
        "open_by_status",
        _l("Open cases by status"),
        _l("Where the open cases are now."),
        [Column("status", _l("Status"), LABEL, vocabulary="status"), Column("cases", _l("Cases"))],
        [found.get(status, {"status": status, "cases": 0}) for status in OPEN],
        partition=True,
        chart=Chart("bars", "status", ("cases",)),
    )


def response_times(scope: Scope) -> Table:
    """Median and 90th percentile, in days, of two clocks that start when the complaint arrives:
    the first acceptance by an organisation, and resolution (resolved: when it was resolved;
    closed: when it was closed). Withdrawn cases are not resolved."""
    shared = scope.shared(Case.id)
    flag = [] if shared is None else [func.max(case((shared, 1), else_=0)).label("shared")]
    first = (
        select(
            seconds_between(func.min(Assignment.responded_at), Case.created_at).label("value"),
            *flag,
        )
        .join(
            Assignment,
            and_(
                Assignment.case_id == Case.id,
                Assignment.status == ACCEPTED,
                Assignment.responded_at.is_not(None),
            ),
        )
        .where(*scope.cases())
        .group_by(Case.id, Case.created_at)
    )
    resolved_at = case((Case.status == RESOLVED, Case.status_since), else_=Case.closed_at)
    plain_flag = [] if shared is None else [case((shared, 1), else_=0).label("shared")]
    resolution = select(
        seconds_between(resolved_at, Case.created_at).label("value"), *plain_flag
    ).where(Case.status.in_(FINISHED), resolved_at.is_not(None), *scope.cases())
    found = []
    for measure, values in (("first_response", first), ("resolution", resolution)):
        row = db.session.execute(percentiles(values.subquery(), shared is not None)).one()
        found.append(
            {
                "measure": measure,
                "cases": int(row.n or 0),
                "median": None if row.median is None else round(float(row.median) / DAY, 1),
                "p90": None if row.p90 is None else round(float(row.p90) / DAY, 1),
                "_shared": int(getattr(row, "shared", 0) or 0),
            }
        )
    return Table(
        "response_times",
        _l("Time to first response and to resolution"),
        _l(
            "Days from the complaint to the first acceptance by an organisation, and to "
            "resolution (a resolved case: when it was resolved; a closed one: when it was "
            "closed). The median is the middle case; the 90th percentile is the time within "
            "which nine cases in ten were answered or resolved."
        ),
        [
            Column("measure", _l("Measure"), LABEL, vocabulary="measure"),
            Column("cases", _l("Cases measured")),
            Column("median", _l("Median (days)"), DAYS, basis=("cases",)),
            Column("p90", _l("90th percentile (days)"), DAYS, basis=("cases",)),
        ],
        found,
    )


def flags_and_overdue(scope: Scope) -> Table:
    open_cases = select(Case.id).where(Case.status.in_(OPEN), *scope.cases())
    levels = (
        select(Flag.case_id, func.max(Flag.level).label("level"))
        .where(Flag.resolved_at.is_(None), Flag.case_id.in_(open_cases))
        .group_by(Flag.case_id)
        .subquery()
    )
    by_level = {
        row["level"]: row
        for row in rows(
            select(
                levels.c.level, func.count().label("cases"), *shared_sum(scope, levels.c.case_id)
            ).group_by(levels.c.level)
        )
    }
    flagged = rows(
        select(func.count().label("cases"), *shared_sum(scope, levels.c.case_id)).select_from(
            levels
        )
    )[0]
    late = select(
        func.count().filter(Case.next_deadline_at < scope.now).label("overdue"),
        func.count().filter(Case.claim_deadline < scope.today).label("time_barred"),
        *shared_sum(scope, Case.id),
    ).where(Case.status.in_(OPEN), *scope.cases())
    overdue = rows(late)[0]
    found = [{"measure": "flagged", **flagged}]
    for level in (1, 2, 3):
        row = {k: v for k, v in by_level.get(level, {"cases": 0}).items() if k != "level"}
        found.append({"measure": f"level_{level}", **row})
    share = overdue.get("_shared", 0)
    found.append({"measure": "overdue", "cases": overdue["overdue"], "_shared": share})
    found.append({"measure": "claim_deadline", "cases": overdue["time_barred"], "_shared": share})
    return Table(
        "flags",
        _l("Flagged and overdue cases"),
        _l(
            "Open cases with an open flag (by the highest step of the ladder reached), open "
            "cases whose next deadline has passed, and open cases past their claim deadline."
        ),
        [
            Column("measure", _l("Measure"), LABEL, vocabulary="measure"),
            Column("cases", _l("Cases")),
        ],
        found,
        chart=Chart("bars", "measure", ("cases",)),
    )


def caseload(scope: Scope) -> Table:
    """Per caseworker: open cases they hold, offers waiting for them, cases they finished.
    Supervisors see their own organisation's caseworkers."""
    accepted = Assignment.status == ACCEPTED
    per_user = (
        select(
            Assignment.user_id.label("user_id"),
            func.count().filter(and_(accepted, Case.status.in_(OPEN))).label("open"),
            func.count().filter(Assignment.status == OFFERED).label("offered"),
            func.count().filter(and_(accepted, Case.status.in_(FINISHED))).label("finished"),
            *shared_sum(scope, Assignment.case_id),
        )
        .join(Case, Case.id == Assignment.case_id)
        .where(
            Assignment.status.in_((ACCEPTED, OFFERED)),
            Assignment.user_id.is_not(None),
            *scope.cases(),
        )
        .group_by(Assignment.user_id)
        .subquery()
    )
    query = (
        select(
            User.name.label("caseworker"),
            Organisation.name.label("organisation"),
            *[c for c in per_user.c if c.key != "user_id"],
        )
        .join(per_user, per_user.c.user_id == User.id)
        .join(Organisation, Organisation.id == User.organisation_id)
        .order_by(per_user.c.open.desc(), User.name)
    )
    if not scope.sees_everything:
        query = query.where(User.organisation_id == scope.organisation_id)
    return Table(
        "caseload",
        _l("Caseload per caseworker"),
        _l(
            "Open cases each caseworker holds, offers waiting for their answer, and cases they "
            "saw through to resolution or closing."
        ),
        [
            Column("caseworker", _l("Caseworker"), TEXT),
            Column("organisation", _l("Organisation"), TEXT),
            Column("open", _l("Open cases")),
            Column("offered", _l("Offers waiting")),
            Column("finished", _l("Resolved or closed")),
        ],
        rows(query),
        chart=Chart("bars", "caseworker", ("open",)),
    )
