"""Insert many rows of one table in the current transaction, the fastest way the database has.

PostgreSQL: `COPY ... FROM STDIN` through psycopg, one stream for all the rows. An executemany
sends one INSERT a row (pipelined, but each still parsed, planned and executed on its own):
for the thousands of flags, events and notifications of a first stalled scan that was most of
its time. SQLite: executemany, which is already a loop inside the driver over one prepared
statement.

COPY bypasses SQLAlchemy's statement compilation, so this does what the compiler would: every
column the rows leave out gets its Python-side default (a scalar, or a callable such as
`utcnow`), and every value goes through its column type's bind processing (`UTCDateTime`
refuses naive datetimes and stores UTC). Server-side defaults and the primary key sequence
apply as with an INSERT that leaves them out.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Column, Connection, Table, insert


def _default(column: Column[Any]) -> Callable[[], Any] | None:
    default = column.default
    if default is None or not (default.is_scalar or default.is_callable):
        return None
    arg: Any = default.arg  # type: ignore[attr-defined]
    if default.is_callable:
        return lambda: arg(None)  # SQLAlchemy wraps a callable default to take a context
    return lambda: arg


def _complete(table: Table, rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every row with the same columns: the ones any row gives, and those with a Python-side
    default (which a row that leaves them out gets). An executemany takes its columns from the
    first row, so rows must agree."""
    given = {name for row in rows for name in row}
    unknown = given - set(table.columns.keys())
    if unknown:
        raise KeyError(f"{table.name} has no column(s) {', '.join(sorted(unknown))}")
    fill = {}
    for column in table.columns:
        default = _default(column)
        if column.name in given or default is not None:
            fill[column.name] = default
    return [
        {
            name: row[name] if name in row else (default() if default is not None else None)
            for name, default in fill.items()
        }
        for row in rows
    ]


def _copy(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    dialect = connection.dialect
    names = list(rows[0])
    processors = [table.columns[name].type.bind_processor(dialect) for name in names]
    quote = dialect.identifier_preparer.quote
    statement = (
        f"COPY {dialect.identifier_preparer.format_table(table)} "
        f"({', '.join(quote(name) for name in names)}) FROM STDIN"
    )
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        with cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(
                    [
                        process(value) if process is not None else value
                        for process, value in zip(processors, row.values(), strict=True)
                    ]
                )
    finally:
        cursor.close()


def insert_rows(connection: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """INSERT `rows` (dicts of column name to value) into `table` on `connection`."""
    if not rows:
        return
    complete = _complete(table, rows)
    if connection.dialect.name == "postgresql" and connection.dialect.driver == "psycopg":
        _copy(connection, table, complete)
    else:
        connection.execute(insert(table), complete)
