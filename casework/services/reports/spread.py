"""How long workers waited for a first answer: the report's cases counted per range of whole
days from the complaint to the first acceptance by an organisation (the clock of
`case_figures.response_times`, there given as a median and a 90th percentile)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, select

from casework.services.reports import rolled, rollups
from casework.services.reports.case_figures import rows
from casework.services.reports.scope import Scope
from casework.services.reports.tables import LABEL, Chart, Column, Table
from casework.services.reports.wait_ranges import DAY, RANGES


def range_label(code: str) -> str:
    entry = RANGES.get(code)
    return str(entry[0]) if entry else code


def first_response_spread(scope: Scope) -> Table:
    """A count per range of whole days (and, for a supervisor, the count of each range that
    involves another organisation): from the rollup when it serves the filters, else in one
    pass over the answered cases' facts."""
    return _table(_from_rollup(scope) if rollups.serves(scope) else _from_facts(scope))


def _in_order(scope: Scope, counted: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Every range in order, with its count (0 if none) and, for a supervisor, its shared
    count."""
    found = []
    for code in RANGES:
        row = counted.get(code, {})
        entry: dict[str, Any] = {"range": code, "cases": int(row.get("cases") or 0)}
        if scope.shared() is not None:
            entry["_shared"] = int(row.get("_shared") or 0)
        found.append(entry)
    return found


def _from_rollup(scope: Scope) -> list[dict[str, Any]]:
    return _in_order(scope, rolled.waits(scope))


def _from_facts(scope: Scope) -> list[dict[str, Any]]:
    facts = scope.facts
    seconds = facts.first_response_seconds
    shared = scope.shared()
    counts = []
    for code, (_, low, high) in RANGES.items():
        test = (
            seconds >= low * DAY
            if high is None
            else and_(seconds >= low * DAY, seconds < high * DAY)
        )
        counts.append(func.count().filter(test).label(code))
        if shared is not None:
            counts.append(func.count().filter(and_(test, shared)).label(f"_{code}"))
    counted = rows(select(*counts).where(seconds.is_not(None), *scope.cases()))[0]
    return _in_order(
        scope,
        {code: {"cases": counted[code], "_shared": counted.get(f"_{code}")} for code in RANGES},
    )


def _table(found: list[dict[str, Any]]) -> Table:
    return Table(
        "response_spread",
        _l("How long workers waited for a first answer"),
        _l(
            "Cases by the time from the complaint to the first acceptance by an organisation, "
            "in whole days. Cases not yet accepted are not counted."
        ),
        [
            Column("range", _l("Waited"), LABEL, vocabulary="wait"),
            Column("cases", _l("Cases")),
        ],
        found,
        partition=True,
        chart=Chart("histogram", "range", ("cases",)),
    )
