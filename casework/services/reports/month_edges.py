"""Which months a report's date filter lets it read whole from the rollups, and what it reads
from the facts for a month the filter cuts in two (an edge).

The rollups are kept per month of the complaint. A filter from the 4th of a month covers 28
days of it or so: reading those days' cases from the facts costs in proportion to them, while
reading the month whole from the groups and taking out the 3 days the filter leaves out
costs in proportion to those 3. So each edge is the smaller part of its month: the days the
report covers (added, sign +1), or, when the month is cut on one side only and the days left
out are fewer, the days left out (subtracted, sign -1; the month is then read whole from the
groups). The same cases either way: the sum is exact.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, replace
from datetime import date, timedelta

from casework.services.reports.scope import Scope


@dataclass(frozen=True)
class Edge:
    """A part of one month read from the facts: the cases of `scope` (the report's, or the
    report's filters with the dates of the part left out) in `month`, counted `sign` times."""

    month: str
    sign: int
    scope: Scope


def _month(day: date) -> str:
    return f"{day:%Y-%m}"


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def _dated(scope: Scope, start: date | None, end: date | None) -> Scope:
    """The report with the same filters but the dates `start` to `end`."""
    return replace(scope, filters=replace(scope.filters, created_from=start, created_to=end))


def months(scope: Scope) -> tuple[str | None, str | None, list[Edge]]:
    """The first and last month read whole from the groups (None: unbounded), and the edges."""
    f = scope.filters
    start, end = f.created_from, f.created_to
    cuts_start = start is not None and start.day != 1
    cuts_end = end is not None and (end + timedelta(days=1)).day != 1
    first = last = None
    if start is not None:
        first = _month(_next_month(start) if cuts_start else start)
    if end is not None:
        last = _month(end.replace(day=1) - timedelta(days=1) if cuts_end else end)
    if start is not None and end is not None:
        if start > end:  # no day at all: no group, no edge
            return first, last, []
        if cuts_start and cuts_end and _month(start) == _month(end):  # cut on both sides
            return first, last, [Edge(_month(start), 1, scope)]
    edges: list[Edge] = []
    if start is not None and cuts_start:
        days = calendar.monthrange(start.year, start.month)[1]
        if start.day - 1 < days - start.day + 1:  # fewer days left out than covered
            first = _month(start)
            edges.append(Edge(first, -1, _dated(scope, None, start - timedelta(days=1))))
        else:
            edges.append(Edge(_month(start), 1, scope))
    if end is not None and cuts_end:
        days = calendar.monthrange(end.year, end.month)[1]
        if days - end.day < end.day:
            last = _month(end)
            edges.append(Edge(last, -1, _dated(scope, end + timedelta(days=1), None)))
        else:
            edges.append(Edge(_month(end), 1, scope))
    return first, last, edges


__all__ = ["Edge", "months"]
