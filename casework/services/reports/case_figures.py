"""Figures about the cases themselves: how many, in which status, how fast, stuck, and who
carries them. Each function runs its aggregate in SQL and returns an unprotected `Table`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Integer,
    Select,
    case,
    func,
    literal,
    or_,
    select,
    union_all,
)

from casework.extensions import db
from casework.models import Assignment, Organisation, User
from casework.models.assignment import OFFERED
from casework.services.reports import clock_bins, cubes, rolled, rollups
from casework.services.reports.entity_rollups import (
    RESOLUTION_HOURS,
    RESOLUTION_MONTHS,
    RESPONSE_HOURS,
    RESPONSE_MONTHS,
)
from casework.services.reports.scope import Scope
from casework.services.reports.sql import Expr, percentiles, percentiles_by_index
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


def shared_sum(scope: Scope) -> list[Any]:
    """The `_shared` column: how many rows of the group involve another organisation (the
    query holds the facts of the rows' cases, `scope.narrow` joins them for supervisors)."""
    shared = scope.shared()
    return [] if shared is None else [func.sum(case((shared, 1), else_=0)).label("_shared")]


def shared_column(scope: Scope) -> list[Any]:
    """For a supervisor, the `shared` column of a row picked from the facts: 1 when another
    organisation also holds its case, else 0 (`shared_sum` adds such rows up). None for admins."""
    shared = scope.shared()
    return [] if shared is None else [case((shared, 1), else_=0).label("shared")]


def rows(query: Any) -> list[dict[str, Any]]:
    return [dict(row._mapping) for row in db.session.execute(query)]


def summary(scope: Scope) -> Table:
    facts = scope.facts
    counted = (
        select(
            func.count().label("cases"),
            func.count().filter(facts.status.in_(OPEN)).label("open"),
            func.count().filter(facts.status.in_(FINISHED)).label("finished"),
            func.count().filter(facts.status == WITHDRAWN).label("withdrawn"),
            *shared_sum(scope),
        )
        .select_from(facts)
        .where(*scope.cases())
    )
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
        [rolled.summary(scope)] if rollups.serves(scope) else rows(counted),
    )


def _bounds(scope: Scope) -> tuple[datetime, datetime] | None:
    facts = scope.facts
    f = scope.filters
    low = (
        datetime(f.created_from.year, f.created_from.month, 1, tzinfo=UTC)
        if f.created_from
        else None
    )
    high = datetime(f.created_to.year, f.created_to.month, 1, tzinfo=UTC) if f.created_to else None
    if (low is None or high is None) and rollups.serves(scope):
        first_month = rolled.bounds(scope)
        if first_month is None:
            return None
        low, high = low or first_month[0], high or first_month[1]
    elif low is None or high is None:
        first, last = db.session.execute(
            select(func.min(facts.created_at), func.max(facts.created_at)).where(*scope.cases())
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
    """Cases lodged per month (per year over long spans), grouped on the stored UTC month."""
    facts = scope.facts
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
    period: Expr = facts.created_month
    if by_year:
        period = func.substr(period, 1, 4)
    query = (
        select(period.label("period"), func.count().label("cases"), *shared_sum(scope))
        .where(*scope.cases())
        .group_by(period)
    )
    counted = rolled.new_cases(scope, by_year) if rollups.serves(scope) else rows(query)
    found = {row["period"]: row for row in counted}
    labels = sorted({label[:4] for label, _, _ in months}) if by_year else [m[0] for m in months]
    table.rows = [found.get(label, {"period": label, "cases": 0}) for label in labels]
    return table


def open_by_status(scope: Scope) -> Table:
    facts = scope.facts
    query = (
        select(facts.status.label("status"), func.count().label("cases"), *shared_sum(scope))
        .where(facts.status.in_(OPEN), *scope.cases())
        .group_by(facts.status)
    )
    counted = rolled.open_by_status(scope) if rollups.serves(scope) else rows(query)
    found = {row["status"]: row for row in counted}
    return Table(
        "open_by_status",
        _l("Open cases by status"),
        _l("Where the open cases are now."),
        [Column("status", _l("Status"), LABEL, vocabulary="status"), Column("cases", _l("Cases"))],
        [found.get(status, {"status": status, "cases": 0}) for status in OPEN],
        partition=True,
        chart=Chart("bars", "status", ("cases",)),
    )


def _narrowed_percentiles(scope: Scope, clocks: dict[str, Any]) -> list[dict[str, Any]]:
    """Count, median and p90 of each clock over the report's cases, in one statement: the
    cases are picked once (a common table both rankings read)."""
    flag = shared_column(scope)
    picked = (
        select(*[seconds.label(name) for name, seconds in clocks.items()], *flag)
        .where(or_(*[seconds.is_not(None) for seconds in clocks.values()]), *scope.cases())
        .cte("measured")
    )
    parts = []
    for name in clocks:
        values = select(picked.c[name].label("value"), *([picked.c.shared] if flag else [])).where(
            picked.c[name].is_not(None)
        )
        ranked = percentiles(values.subquery(), bool(flag))
        parts.append(ranked.add_columns(literal(name).label("measure")))
    by_measure = {row["measure"]: row for row in rows(union_all(*parts))}
    return [by_measure[name] for name in clocks]


def _binned_percentiles(scope: Scope, clocks: dict[str, Any]) -> list[dict[str, Any]] | None:
    """Count, median and p90 of each clock where the ranks fall found from the clock's bins
    (clock_bins.py): for a report with no filter but the organisation, or the dates; None
    for any other."""
    if rollups.serves_totals(scope):
        kinds = {"first_response": RESPONSE_HOURS, "resolution": RESOLUTION_HOURS}
    elif rollups.serves_months(scope):
        kinds = {"first_response": RESPONSE_MONTHS, "resolution": RESOLUTION_MONTHS}
    else:
        return None
    return [
        {"measure": measure, **clock_bins.binned_percentiles(scope, kinds[measure], seconds)}
        for measure, seconds in clocks.items()
    ]


def _indexed_percentiles(scope: Scope, clocks: dict[str, Any]) -> list[dict[str, Any]]:
    """Count, median and p90 of each clock, the values read by rank from the index on the
    clock (for one organisation's cases, its range of the index): no sort at all."""
    where, shared = scope.cases(), scope.shared()
    found = []
    for measure, seconds in clocks.items():
        counted = select(
            func.count(seconds).label("n"),
            *([] if shared is None else [func.count(seconds).filter(shared).label("shared")]),
        ).where(*where)
        figure = {"measure": measure, **rows(counted)[0]}
        if figure["n"]:
            ranks = percentiles_by_index(seconds, figure["n"], *where)
            figure.update(db.session.execute(ranks).one()._mapping)
        found.append(figure)
    return found


def response_times(scope: Scope) -> Table:
    """Median and 90th percentile, in days, of two clocks that start when the complaint arrives:
    the first acceptance by an organisation, and resolution (resolved: when it was resolved;
    closed: when it was closed). Withdrawn cases are not resolved."""
    facts = scope.facts
    clocks = {
        "first_response": facts.first_response_seconds,
        "resolution": facts.resolution_seconds,
    }
    binned = _binned_percentiles(scope, clocks)
    if binned is not None:
        found = binned
    elif scope.filtered:
        found = _narrowed_percentiles(scope, clocks)
    else:  # every case, or one organisation's: values read by rank from their index
        found = _indexed_percentiles(scope, clocks)
    for figure in found:
        figure["cases"] = int(figure.pop("n") or 0)
        for key in ("median", "p90"):
            value = figure.get(key)
            figure[key] = None if value is None else round(float(value) / DAY, 1)
        figure["_shared"] = int(figure.pop("shared", 0) or 0)
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


def _held_rolled(scope: Scope) -> Select[Any]:
    """The cases each caseworker holds (on either side), open and finished, from the entity
    rollup: a report with no filter but the organisation."""
    e = cubes.entities(scope, rollups.BY_HOLDER)

    def where(statuses: tuple[str, ...]) -> Any:
        return func.sum(case((e.c.detail.in_(statuses), e.c.cases), else_=0))

    shared = [] if "_shared" not in e.c else [func.sum(e.c._shared).label("_shared")]
    return select(
        e.c.entity_id.label("user_id"),
        where(OPEN).label("open"),
        literal(0).label("offered"),
        where(FINISHED).label("finished"),
        *shared,
    ).group_by(e.c.entity_id)


def _held(holder: Any, status: Any, shared: list[Any], *where: Any) -> Select[Any]:
    """The cases each caseworker on one side (`holder`) holds, open and finished, of the rows
    `where` keeps (`shared`: the `_shared` column, if any)."""
    return (
        select(
            holder.label("user_id"),
            func.count().filter(status.in_(OPEN)).label("open"),
            literal(0).label("offered"),
            func.count().filter(status.in_(FINISHED)).label("finished"),
            *shared,
        )
        .where(holder.is_not(None), *where)
        .group_by(holder)
    )


def _held_from_indexes(scope: Scope) -> bool:
    """Whether each side's caseworker index answers the report alone: an organisation's rows
    (`report_org_cases` indexes the organisation, caseworker, status, shared count and
    day of the complaint) filtered on nothing else than the dates (or a set of case ids)."""
    f = scope.filters
    return scope.organisation is not None and not (
        f.origin or f.destination or f.abuse or f.agency_id is not None
    )


def _held_picked(scope: Scope) -> list[Select[Any]]:
    """The cases each caseworker holds, per side, from the facts. When the caseworker indexes
    do not answer the report alone (`_held_from_indexes`), its cases are picked in one pass
    (materialised), then counted per caseworker of each side: each side re-read the report's
    rows (1M cases, NP->QA + RA_FEES, SQLite 0.20 -> 0.12 s)."""
    facts = scope.facts
    sides = (facts.origin_caseworker_id, facts.destination_caseworker_id)
    if _held_from_indexes(scope):
        where = scope.cases()
        return [_held(holder, facts.status, shared_sum(scope), *where) for holder in sides]
    flag = shared_column(scope)
    picked = (
        select(*[holder.label(f"side_{i}") for i, holder in enumerate(sides)], facts.status, *flag)
        .where(or_(*[holder.is_not(None) for holder in sides]), *scope.cases())
        .cte("held")
        .prefix_with("MATERIALIZED")
    )
    p = picked.c
    counted = [func.sum(p.shared).label("_shared")] if flag else []
    return [_held(p[f"side_{i}"], p.status, counted) for i in range(len(sides))]


def caseload(scope: Scope) -> Table:
    """Per caseworker: open cases they hold, offers waiting for them, cases they finished.
    Supervisors see their own organisation's caseworkers.

    The cases held come from the facts (each side's caseworker), the offers from the
    assignments: a few thousand rows, where the held cases are every case."""
    zero = literal(0)
    # The status inline, so the index of offers (partial: status = 'offered') applies.
    waiting = [Assignment.status == literal(OFFERED, literal_execute=True)]
    if not scope.sees_everything:  # only their own caseworkers are shown
        waiting.append(Assignment.organisation_id == scope.organisation_id)
    offers = scope.narrow(
        select(
            Assignment.user_id.label("user_id"),
            zero.label("open"),
            func.count().label("offered"),
            zero.label("finished"),
            *shared_sum(scope),
        ).where(*waiting, Assignment.user_id.is_not(None)),
        Assignment.case_id,
    ).group_by(Assignment.user_id)
    if rollups.serves(scope):
        parts = union_all(_held_rolled(scope), offers).subquery()
    else:
        parts = union_all(*_held_picked(scope), offers).subquery()
    # Whole numbers on every database (PostgreSQL sums integers as numeric).
    totals = [func.sum(c).cast(Integer).label(c.key) for c in parts.c if c.key != "user_id"]
    per_user = select(parts.c.user_id, *totals).group_by(parts.c.user_id).subquery()
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
