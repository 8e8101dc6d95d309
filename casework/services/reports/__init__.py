"""Supervisor outcome reports: every figure aggregated in SQL, small cells protected.

`build_report(scope)` gives every table of the page; `report_table(scope, name)` one of them,
as exported. Both apply the small-cell rule (see `tables.protect`): exports always hide small
cells; the page hides them for admins, and for supervisors in the rows that include a case
another organisation also holds.

scope.py                the cases a report covers: the access rule in SQL, and the filters
case_figures.py         how many cases, in which status, how fast, carried by whom
flag_figures.py         the open cases flagged or past a deadline
remedy_figures.py       outcomes, remedies and money recovered
referral_figures.py     referrals to forums: counts, amounts, what the forums decided
recruitment_figures.py  fees, recruitment cost and SDG 10.7.1, agencies and corridors
licences.py             an agency's licence on the day of recruitment, from the registry, in SQL
regulator.py            the regulator export: agencies, abuses, fees and money per country
tables.py               the Table every figure returns, and the small-cell rule
sql.py                  durations, months, percentiles, currency conversion on both databases
facts.py                report_cases/report_org_cases: the rows computed and written
fact_listeners.py       the flush listeners that keep those rows current
money_facts.py          report_money and report_referrals: each outcome's amounts and each
                        referral, written with the facts
rollups.py              every rollup: the facts added up per group, moved with the facts
group_parts.py          what every rollup's groups are made of (facts tables, shared flag,
                        the months, corridors and abuse codes of the entity and money groups)
entity_rollups.py       the rollups per agency, caseworker, currency, forum and clock bin
money_rollups.py        the money groups: amounts per currency and day
cubes.py                the groups of a report's cases, read from the rollups
month_edges.py          the months a date filter cuts in two: the smaller part from the facts
rolled.py               the counting figures read from the rollups
wait_ranges.py          the ranges of days to a first answer (the response spread)
prebuilt.py             the flush's statements about a list of cases, compiled once as text
rates.py                the exchange-rate table admins edit
options.py              the choices the filters offer one viewer
clock_bins.py           exact medians and 90th percentiles found through the clocks' hours
spread.py               days to a first answer, counted per range (a distribution)
charts.py               chart geometry (lines, bars, ranges) for the page to draw
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from flask import current_app
from sqlalchemy import text

from casework.extensions import db
from casework.models import User
from casework.services import audit
from casework.services.errors import NotFound
from casework.services.reports import (
    case_figures,
    flag_figures,
    recruitment_figures,
    referral_figures,
    remedy_figures,
    spread,
)
from casework.services.reports.scope import ReportFilters, Scope
from casework.services.reports.tables import Table, protect

# name -> figure, in the order of the page
FIGURES: dict[str, Callable[[Scope], Table]] = {
    "summary": case_figures.summary,
    "new_cases": case_figures.new_cases,
    "open_by_status": case_figures.open_by_status,
    "response_times": case_figures.response_times,
    "response_spread": spread.first_response_spread,
    "outcomes": remedy_figures.outcomes_by_code,
    "remedy_rate": remedy_figures.remedy_rate,
    "money": remedy_figures.money,
    "referrals": referral_figures.referrals,
    "referral_outcomes": referral_figures.referral_outcomes,
    "flags": flag_figures.flags_and_overdue,
    "caseload": case_figures.caseload,
    "recruitment_cost": recruitment_figures.recruitment_cost,
    "agencies": recruitment_figures.agencies,
    "agency_licences": recruitment_figures.agency_licences,
}


# The slowest figures first, so parallel workers finish together.
HEAVY_FIRST = ("recruitment_cost", "response_times", "caseload", "money", "outcomes")


def _tune_session() -> None:
    """PostgreSQL, for this transaction only: room for the report's hashes and sorts in memory;
    no JIT compilation (it costs more than it saves on queries of this size); and no parallel
    workers within a query (the figures already run side by side, one connection each: workers
    on top only fight them for the same cores). One statement."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(
            text(
                "SELECT set_config('work_mem', '64MB', true), set_config('jit', 'off', true), "
                "set_config('max_parallel_workers_per_gather', '0', true)"
            )
        )


def _workers() -> int:
    configured = current_app.config.get("REPORT_WORKERS")
    return int(configured) if configured else min(4, os.cpu_count() or 1)


def compute(scope: Scope, names: list[str]) -> dict[str, Table]:
    """Run the figures `names`, each on its own connection when several workers are allowed
    (the queries are independent and read only)."""
    workers = min(_workers(), len(names))
    if workers <= 1:
        _tune_session()
        return {name: FIGURES[name](scope) for name in names}
    app = current_app._get_current_object()  # type: ignore[attr-defined]

    def run(name: str) -> Table:
        with app.app_context():
            try:
                _tune_session()
                return FIGURES[name](scope)
            finally:
                db.session.remove()

    order = sorted(
        names, key=lambda n: (n not in HEAVY_FIRST, HEAVY_FIRST.index(n) if n in HEAVY_FIRST else 0)
    )
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="report") as pool:
        done = dict(zip(order, pool.map(run, order), strict=True))
    return {name: done[name] for name in names}


def build_report(scope: Scope) -> list[Table]:
    """Every table of the report page, small cells hidden as the viewer requires."""
    tables = compute(scope, list(FIGURES))
    return [protect(table, scope.sees_everything) for table in tables.values()]


def report_table(scope: Scope, name: str) -> Table:
    """One table as exported: small cells hidden whoever asks. KeyError if unknown."""
    return protect(compute(scope, [name])[name], everyone=True)


def export_table(actor: User, scope: Scope, name: str) -> Table:
    """One table for a CSV export, the export recorded on the audit trail (with the filters,
    never a case). `NotFound` if there is no such figure."""
    if name not in FIGURES:
        raise NotFound(f"report {name}")
    table = report_table(scope, name)
    detail = "&".join(f"{k}={v}" for k, v in sorted(scope.filters.to_args().items()))
    audit.record_audit(actor, audit.EXPORT, "report", name, detail)
    db.session.commit()
    return table


__all__ = [
    "FIGURES",
    "ReportFilters",
    "Scope",
    "Table",
    "build_report",
    "compute",
    "export_table",
    "report_table",
]
