"""Which part of a month a date filter cuts in two a report reads from the facts: the smaller
one (the property test in test_report_rollups.py checks the figures are the same either way)."""

from __future__ import annotations

from datetime import date

from casework.services.reports.month_edges import months
from casework.services.reports.scope import ReportFilters, Scope


def _edges(start: date | None, end: date | None) -> tuple[object, ...]:
    scope = Scope("admin", None, ReportFilters(created_from=start, created_to=end))
    first, last, edges = months(scope)
    parts = [
        (e.month, e.sign, e.scope.filters.created_from, e.scope.filters.created_to) for e in edges
    ]
    return first, last, parts


def test_a_filter_from_early_in_a_month_reads_it_whole_less_the_days_left_out() -> None:
    assert _edges(date(2026, 3, 4), None) == (
        "2026-03",
        None,
        [("2026-03", -1, None, date(2026, 3, 3))],
    )


def test_a_filter_from_late_in_a_month_reads_the_days_it_covers() -> None:
    assert _edges(date(2026, 3, 20), None) == (
        "2026-04",
        None,
        [("2026-03", 1, date(2026, 3, 20), None)],
    )


def test_a_filter_to_late_in_a_month_reads_it_whole_less_the_days_after() -> None:
    assert _edges(None, date(2026, 2, 25)) == (
        None,
        "2026-02",
        [("2026-02", -1, date(2026, 2, 26), None)],
    )


def test_whole_months_need_no_edge_and_one_month_cut_twice_is_read_from_the_facts() -> None:
    assert _edges(date(2026, 1, 1), date(2026, 2, 28)) == ("2026-01", "2026-02", [])
    first, last, parts = _edges(date(2026, 2, 5), date(2026, 2, 20))
    assert parts == [("2026-02", 1, date(2026, 2, 5), date(2026, 2, 20))]
    assert first is not None and last is not None and first > last  # no month read whole


def test_a_range_ending_before_it_starts_reads_nothing() -> None:
    first, last, parts = _edges(date(2026, 3, 15), date(2026, 1, 10))
    assert parts == [] and first is not None and last is not None and first > last
