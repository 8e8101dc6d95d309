"""Statements about "these cases" compiled once per database dialect, as SQL text with an
expanding `:ids` parameter.

The report facts and rollups are rewritten on every flush that touches a case. Building and
compiling those set-based statements with SQLAlchemy cost 10-35 ms each time (their cache key
alone walks hundreds of elements), more than the database takes to run them; as text they cost
under a millisecond. A statement is built once with a marker in place of the id list, rendered
with its constants inline, and the marker replaced by the expanding parameter.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import ColumnClause, TextClause, bindparam, literal_column, text
from sqlalchemy.engine import Connection

MARKER = "__CASE_IDS__"
_COMPILED: dict[tuple[str, str], TextClause] = {}


def marker() -> ColumnClause[Any]:
    """What a statement builder receives in place of the id list."""
    return literal_column(MARKER)


def among(column: Any, ids: Any) -> Any:
    """`column IN ids` for a list or a query of ids, or for the marker (kept as is, to be
    replaced by the list parameter)."""
    if isinstance(ids, ColumnClause) and ids.name == MARKER:
        return column.op("IN")(ids)
    return column.in_(ids)


def for_ids(connection: Connection, name: str, build: Callable[[Any], Any]) -> TextClause:
    """The statement `build(marker())` as text taking `ids` (a list of case ids); `name` keys
    the cache and must identify the builder."""
    key = (connection.dialect.name, name)
    if key not in _COMPILED:
        statement = build(marker())
        sql = str(
            statement.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True})
        )
        if connection.dialect.paramstyle in ("format", "pyformat"):
            # psycopg's rendering doubled each literal %; text() doubles them again on use.
            sql = sql.replace("%%", "%")
        sql = sql.replace(f"IN ({MARKER})", "IN :ids").replace(f"IN {MARKER}", "IN :ids")
        if MARKER in sql:  # pragma: no cover - a rendering this code does not expect
            raise RuntimeError(f"prebuilt statement {name}: case id list not rendered as IN")
        _COMPILED[key] = text(sql).bindparams(bindparam("ids", expanding=True))
    return _COMPILED[key]
