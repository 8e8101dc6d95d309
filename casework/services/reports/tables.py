"""Report tables and the small-cell rule.

Every figure is a `Table`: columns that say what kind of number they hold, and rows of raw
values. `protect` applies the small-cell rule before anything is shown or exported:

- a count from 1 to 4 becomes "<5";
- a derived figure (money, a median, a mean, a rate) becomes "n<5" when any count it rests on
  (its `basis`) is from 1 to 4, so it cannot single out the few workers behind it;
- in a table whose rows split one total (`partition`), a single hidden cell in a column could be
  worked out from the total, so the next smallest cell of that column is hidden as well.

Who gets it: every export; admins always (they look at every organisation's cases); supervisors
on the rows that include a case another organisation also holds an assignment on. Zero is shown
as zero: it describes no one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

SMALL = 5

# column kinds
LABEL = "label"
COUNT = "count"
MONEY = "money"
DAYS = "days"
MONTHS = "months"
PERCENT = "percent"
CURRENCY = "currency"
TEXT = "text"
DERIVED = frozenset({MONEY, DAYS, MONTHS, PERCENT})


@dataclass(frozen=True)
class Hidden:
    """A suppressed cell: "<5" for a count, "n<5" for a figure derived from one."""

    text: str

    def __str__(self) -> str:
        return self.text


SMALL_COUNT = Hidden("<5")
SMALL_BASIS = Hidden("n<5")


@dataclass(frozen=True)
class Column:
    key: str
    label: Any  # a lazy string
    kind: str = COUNT
    basis: tuple[str, ...] = ()  # the counts a derived figure rests on
    vocabulary: str = ""  # how to turn a label code into words (see the blueprint)


@dataclass(frozen=True)
class Chart:
    """Which columns a chart draws: bars per row (`bars`) or columns over time (`columns`)."""

    kind: str
    label: str
    values: tuple[str, ...]


@dataclass
class Table:
    name: str
    title: Any
    description: Any
    columns: list[Column]
    rows: list[dict[str, Any]] = field(default_factory=list)
    partition: bool = False
    chart: Chart | None = None
    note: Any = None

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    @property
    def hidden_cells(self) -> int:
        return sum(isinstance(v, Hidden) for row in self.rows for v in row.values())


def _small(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < SMALL


def protect(table: Table, everyone: bool) -> Table:
    """The table with small cells hidden: in every row when `everyone`, else in the rows that
    include a case another organisation also holds (the `_shared` count of the row)."""
    counts = [c.key for c in table.columns if c.kind == COUNT]
    derived = [c for c in table.columns if c.kind in DERIVED]
    rows: list[dict[str, Any]] = []
    applies: list[bool] = []
    for raw in table.rows:
        row = dict(raw)
        hide = everyone or bool(row.get("_shared"))
        applies.append(hide)
        if hide:
            for column in derived:
                if any(_small(raw.get(key)) for key in column.basis):
                    row[column.key] = SMALL_BASIS
            for key in counts:
                if _small(raw.get(key)):
                    row[key] = SMALL_COUNT
        rows.append(row)
    if table.partition and any(applies):
        _hide_complements(rows, counts)
    return replace(table, rows=rows)


def _hide_complements(rows: list[dict[str, Any]], counts: list[str]) -> None:
    for key in counts:
        hidden = [i for i, row in enumerate(rows) if isinstance(row.get(key), Hidden)]
        if len(hidden) != 1:
            continue
        candidates = [
            (row[key], i)
            for i, row in enumerate(rows)
            if isinstance(row.get(key), int) and row[key] > 0
        ]
        if candidates:
            rows[min(candidates)[1]][key] = SMALL_COUNT


def protect_all(tables: Iterable[Table], everyone: bool) -> list[Table]:
    return [protect(table, everyone) for table in tables]
