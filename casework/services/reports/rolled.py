"""The counting figures read from the rollups (see cubes.py): the same rows the
figures' queries over the facts give, at a cost that follows the number of groups, not cases.

Each function returns the raw rows its figure builds its table from (case_figures,
remedy_figures, recruitment_figures call them when `rollups.serves(scope)`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, case, func, select

from casework.extensions import db
from casework.models.report_case import OUTCOME, REMEDY
from casework.services.reports.cubes import code_cube, cube, shared_cases, total
from casework.services.reports.rollups import BY_OUTCOME, BY_WAIT
from casework.services.reports.scope import Scope
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


def _rows(query: Any) -> list[dict[str, Any]]:
    return [dict(row._mapping) for row in db.session.execute(query)]


def _count(c: Any, test: Any = None) -> Any:
    """How many cases the groups (passing `test`) hold: 0 for none, as count() says."""
    kept = c.cases if test is None else case((test, c.cases), else_=0)
    return func.coalesce(total(kept), 0)


def summary(scope: Scope) -> dict[str, Any]:
    c = cube(scope)
    query = select(
        _count(c.c).label("cases"),
        _count(c.c, c.c.status.in_(OPEN)).label("open"),
        _count(c.c, c.c.status.in_(FINISHED)).label("finished"),
        _count(c.c, c.c.status == WITHDRAWN).label("withdrawn"),
        *shared_cases(c, scope),
    )
    return _rows(query)[0]


def open_shared(scope: Scope) -> int:
    """How many of the report's open cases another organisation also holds."""
    c = cube(scope).c
    return int(_rows(select(_count(c, and_(c.status.in_(OPEN), c.shared == 1)).label("n")))[0]["n"])


def bounds(scope: Scope) -> tuple[datetime, datetime] | None:
    """The first and last month with a case of the report (None: no case)."""
    c = cube(scope)
    first, last = db.session.execute(
        select(func.min(c.c.created_month), func.max(c.c.created_month))
    ).one()
    if first is None:
        return None
    return _start(first), _start(last)


def _start(month: str) -> datetime:
    return datetime(int(month[:4]), int(month[5:7]), 1, tzinfo=UTC)


def new_cases(scope: Scope, by_year: bool) -> list[dict[str, Any]]:
    c = cube(scope)
    period: Any = c.c.created_month
    if by_year:
        period = func.substr(period, 1, 4)
    query = select(
        period.label("period"), _count(c.c).label("cases"), *shared_cases(c, scope)
    ).group_by(period)
    return _rows(query)


def open_by_status(scope: Scope) -> list[dict[str, Any]]:
    c = cube(scope)
    query = (
        select(c.c.status.label("status"), _count(c.c).label("cases"), *shared_cases(c, scope))
        .where(c.c.status.in_(OPEN))
        .group_by(c.c.status)
    )
    return _rows(query)


def remedy_rate(scope: Scope) -> list[dict[str, Any]]:
    c = cube(scope)
    query = select(
        _count(c.c).label("with_outcome"),
        _count(c.c, c.c.outcome_state == REMEDY).label("remedied"),
        *shared_cases(c, scope),
    ).where(c.c.outcome_state >= OUTCOME)
    return _rows(query)


def outcomes(scope: Scope) -> list[dict[str, Any]]:
    """Per outcome code: the cases with it, most first."""
    c = code_cube(scope, BY_OUTCOME)
    cases = total(c.c.cases)
    query = (
        select(c.c.code.label("code"), cases.label("cases"), *shared_cases(c, scope))
        .group_by(c.c.code)
        .order_by(cases.desc(), c.c.code)
    )
    return _rows(query)


def waits(scope: Scope) -> dict[str, dict[str, Any]]:
    """Per range of days to the first answer: the cases in it (ranges without any left out)."""
    c = code_cube(scope, BY_WAIT)
    query = select(
        c.c.code.label("range"), total(c.c.cases).label("cases"), *shared_cases(c, scope)
    ).group_by(c.c.code)
    return {row["range"]: row for row in _rows(query)}


def recruitment_cost(scope: Scope) -> list[dict[str, Any]]:
    """Per corridor: the workers with a recruitment cost and the mean of it."""
    c = cube(scope)
    workers = total(c.c.measured)
    query = (
        select(
            c.c.origin_country.label("origin"),
            c.c.destination_country.label("destination"),
            workers.label("workers"),
            func.sum(c.c.months_sum).label("months_sum"),
            *shared_cases(c, scope, "measured"),
        )
        .group_by(c.c.origin_country, c.c.destination_country)
        .having(func.sum(c.c.measured) > 0)
        .order_by(workers.desc(), c.c.origin_country, c.c.destination_country)
    )
    found = _rows(query)
    for row in found:
        row["months"] = float(row.pop("months_sum")) / row["workers"]
    return found
