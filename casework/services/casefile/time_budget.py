"""Statements a page runs only if they finish within a time budget.

A search over an organisation's hundreds of thousands of cases finds its first page quickly
when the database walks the cases in the order shown and stops after a page; counting its
matches means finding every one of them, up to the cap. At 1,000,000 cases a count of an open
flag over the last quarter took 250-500 ms on PostgreSQL, five times the page. The number is
there to help a person narrow a search, not to be exact at any price: past the budget the count
is abandoned and the page says "more than" what it has seen, with a next page if there is one.

SQLite's planner, for its part, starts a search from the filter's index and sorts every match
(150-500 ms for 20,000-230,000 of them at 1,000,000 cases) where walking the order's index and
stopping after a page takes a few milliseconds; `ordered_walk` tries that walk first, within a
budget, so a search that matches almost nothing falls back to the planner's choice.

PostgreSQL: the statement (a read) runs under `SET LOCAL statement_timeout` inside a savepoint
that is then rolled back, so a cancelled statement leaves the page's transaction usable and the
timeout ends with the savepoint. SQLite: a progress handler interrupts the statement (an interrupted SELECT does not
touch the transaction). Other databases run the statement without a budget.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Row, Select, func, select, text
from sqlalchemy.exc import DBAPIError

from casework.extensions import db
from casework.models import Case

COUNT_SECONDS = 0.01  # counting a search's matches: quickly, or not at all
WALK_SECONDS = 0.04  # SQLite: walking the order's index for a page of matches
_SQLITE_STEPS = 2000  # virtual-machine steps between two looks at the clock (~0.1 ms)


def count_within(query: Select[Any], cap: int, seconds: float | None = COUNT_SECONDS) -> int | None:
    """How many cases `query` finds, counting no further than `cap + 1`; None when counting
    would take longer than `seconds` (None: no budget, for lists small by construction, whose
    count is cheaper than the savepoint and timeout around it)."""
    capped = query.with_only_columns(Case.id).limit(cap + 1).subquery()
    statement = select(func.count()).select_from(capped)
    if seconds is None:
        return int(db.session.scalar(statement) or 0)
    rows = rows_within(statement, seconds)
    return None if rows is None else int(rows[0][0] or 0)


def ordered_walk(keys: Select[Any], index: str | None) -> Sequence[Row[Any]] | None:
    """SQLite only: `keys` (ordered and limited) read along `index`, the index of its ORDER BY,
    if that finishes within WALK_SECONDS; None otherwise, or on other databases (whose
    planners weigh the walk themselves), or with no such index."""
    connection = db.session.connection()
    if connection.dialect.name != "sqlite" or index is None:
        return None
    return rows_within(keys.with_hint(Case, f"INDEXED BY {index}", "sqlite"), WALK_SECONDS)


def rows_within(statement: Select[Any], seconds: float) -> Sequence[Row[Any]] | None:
    """The rows of `statement`, or None if it takes longer than `seconds`."""
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        return _on_postgresql(connection, statement, seconds)
    if connection.dialect.name == "sqlite":
        return _on_sqlite(connection, statement, seconds)
    return connection.execute(statement).all()


def _on_postgresql(
    connection: Connection, statement: Select[Any], seconds: float
) -> Sequence[Row[Any]] | None:
    savepoint = connection.begin_nested()
    try:
        # A whole number of milliseconds, formatted here: SET takes no bound parameters.
        connection.execute(text(f"SET LOCAL statement_timeout = {max(1, int(seconds * 1000))}"))
        return connection.execute(statement).all()
    except DBAPIError as error:
        if getattr(error.orig, "sqlstate", None) == "57014":  # query_canceled
            return None
        raise
    finally:
        # The statement only reads: rolling its savepoint back, whatever happened, undoes the
        # SET LOCAL too (one statement, where releasing it needed a reset first).
        savepoint.rollback()


def _on_sqlite(
    connection: Connection, statement: Select[Any], seconds: float
) -> Sequence[Row[Any]] | None:
    raw: Any = connection.connection.driver_connection  # the sqlite3.Connection
    deadline = time.perf_counter() + seconds
    raw.set_progress_handler(lambda: int(time.perf_counter() > deadline), _SQLITE_STEPS)
    try:
        return connection.execute(statement).all()
    except DBAPIError as error:
        if "interrupted" in str(error.orig):
            return None
        raise
    finally:
        raw.set_progress_handler(None, 0)
