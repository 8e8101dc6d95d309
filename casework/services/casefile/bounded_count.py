"""Counting a search's matches within a time budget.

A search over an organisation's hundreds of thousands of cases finds its first page quickly
(the database walks the cases in the order shown and stops after a page), but counting its
matches means finding every one of them, up to the cap: at 1,000,000 cases a count of an open
flag over the last quarter took 250-500 ms on PostgreSQL, five times the page. The number is
there to help a person narrow a search, not to be exact at any price: past the budget the count
is abandoned and the page says "more than" what it has seen, with a next page if there is one.

PostgreSQL: the count runs under `SET LOCAL statement_timeout` inside a savepoint, so a
cancelled count leaves the page's transaction usable and the timeout ends with the savepoint.
SQLite: a progress handler interrupts the statement (an interrupted SELECT does not touch the
transaction). Other databases count without a budget.
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import Connection, Select, func, select, text
from sqlalchemy.exc import DBAPIError

from casework.extensions import db
from casework.models import Case

COUNT_SECONDS = 0.04
_SQLITE_STEPS = 2000  # virtual-machine steps between two looks at the clock (~0.1 ms)


def count_within(query: Select[Any], cap: int, seconds: float | None = None) -> int | None:
    """How many cases `query` finds, counting no further than `cap + 1`; None when counting
    would take longer than `seconds` (default COUNT_SECONDS)."""
    budget = COUNT_SECONDS if seconds is None else seconds
    capped = query.with_only_columns(Case.id).limit(cap + 1).subquery()
    statement = select(func.count()).select_from(capped)
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        return _on_postgresql(connection, statement, budget)
    if connection.dialect.name == "sqlite":
        return _on_sqlite(connection, statement, budget)
    return int(connection.scalar(statement) or 0)


def _on_postgresql(connection: Connection, statement: Select[Any], seconds: float) -> int | None:
    savepoint = connection.begin_nested()
    try:
        # A whole number of milliseconds, formatted here: SET takes no bound parameters.
        connection.execute(text(f"SET LOCAL statement_timeout = {max(1, int(seconds * 1000))}"))
        count = connection.scalar(statement)
    except DBAPIError as error:
        savepoint.rollback()  # also undoes the SET LOCAL
        if getattr(error.orig, "sqlstate", None) == "57014":  # query_canceled
            return None
        raise
    connection.execute(text("SET LOCAL statement_timeout TO DEFAULT"))
    savepoint.commit()
    return int(count or 0)


def _on_sqlite(connection: Connection, statement: Select[Any], seconds: float) -> int | None:
    raw = connection.connection.driver_connection
    deadline = time.perf_counter() + seconds
    raw.set_progress_handler(lambda: int(time.perf_counter() > deadline), _SQLITE_STEPS)
    try:
        count = connection.scalar(statement)
    except DBAPIError as error:
        if "interrupted" in str(error.orig):
            return None
        raise
    finally:
        raw.set_progress_handler(None, 0)
    return int(count or 0)
