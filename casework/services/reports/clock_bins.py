"""Median and 90th percentile of a clock (seconds to a first answer, to resolution) for a
report with no filter but the organisation or the dates, exact, at a cost that follows the
number of bins the values spread over rather than the number of cases.

The entity rollup counts the report's cases per bin of the clock: per whole hour
(`sql.hour_bin`) in its totals groups; per month of the complaint, per hour to a first
answer and per whole day to resolution (`sql.day_bin`). The running count over those bins
says which bin holds each rank the figures need (the middle one or two, and ceil(0.9 n)),
and how many values come before it; the value itself is then read from the clock's index
within that bin alone. Ranks as `sql.percentiles_by_index` defines them, so the figures are
those the facts give."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, literal, select, union_all

from casework.extensions import db
from casework.services.reports import cubes
from casework.services.reports.entity_rollups import CLOCK_BINS
from casework.services.reports.scope import Scope


def _ranks(n: int) -> tuple[list[int], int]:
    """The 1-based ranks of the middle value(s) and of the 90th percentile."""
    low, high = (n + 1) // 2, (n + 2) // 2
    return sorted({low, high}), (9 * n + 9) // 10


def _hours_of(scope: Scope, kind: str, ranks: list[int]) -> dict[int, tuple[int, int]]:
    """For each rank: the hour holding it and how many values come before that hour."""
    e = cubes.entities(scope, kind)
    running = (  # materialised: each rank reads it
        select(
            e.c.entity_id.label("hour"),
            e.c.cases,
            func.sum(e.c.cases).over(order_by=e.c.entity_id).label("upto"),
        )
        .cte("running")
        .prefix_with("MATERIALIZED")
    )
    holding = [
        select(literal(rank).label("rank"), running.c.hour, running.c.upto - running.c.cases).where(
            running.c.upto >= rank, running.c.upto - running.c.cases < rank
        )
        for rank in ranks
    ]
    found = db.session.execute(union_all(*holding)).all()
    return {int(rank): (int(hour), int(before)) for rank, hour, before in found}


def _value(scope: Scope, seconds: Any, bin_: int, width: int, offset: int) -> float | None:
    """The `offset`-th value (0-based) of the report's cases within one bin of the clock
    (`width` seconds wide), read from its index (for one organisation's cases, its range of
    the index)."""
    within = [seconds < 0] if bin_ < 0 else [seconds >= bin_ * width, seconds < (bin_ + 1) * width]
    ordered = select(seconds).where(*within, *scope.cases()).order_by(seconds)
    value = db.session.scalar(ordered.limit(1).offset(offset))
    return None if value is None else float(value)


def binned_percentiles(scope: Scope, kind: str, seconds: Any) -> dict[str, Any]:
    """Count, median and p90 (in seconds) of a clock over the report's cases, with the count
    of those another organisation shares for supervisors (`shared`)."""
    e = cubes.entities(scope, kind)
    shared = [] if "_shared" not in e.c else [cubes.total(e.c._shared).label("shared")]
    totals = db.session.execute(select(cubes.total(e.c.cases).label("n"), *shared)).one()
    figure: dict[str, Any] = {"n": int(totals.n or 0)}
    if shared:
        figure["shared"] = int(totals.shared or 0)
    if not figure["n"]:
        return figure
    middle, p90 = _ranks(figure["n"])
    hours = _hours_of(scope, kind, sorted({*middle, p90}))
    width = CLOCK_BINS[kind][1].width
    values = {
        rank: _value(scope, seconds, bin_, width, rank - before - 1)
        for rank, (bin_, before) in hours.items()
    }
    known = [value for rank in middle if (value := values.get(rank)) is not None]
    # (a value missing would mean groups out of step with the facts: shown as not known)
    figure["median"] = sum(known) / len(known) if len(known) == len(middle) else None
    figure["p90"] = values.get(p90)
    return figure


__all__ = ["binned_percentiles"]
