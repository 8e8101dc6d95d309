"""The groups of a report's cases, read from the rollups (casework.services.reports.rollups).

`cube(scope)` is what the counting figures read: the groups of the report's cases, from
`report_rollups` for every whole month the report covers and from the facts, grouped the same
way, for a month the date filter cuts in two. `code_cube(scope, measure)` does the same with
`report_code_rollups` for one measure (the outcomes figure, the response spread). Both only
when `rollups.serves(scope)`. `entities(scope, kind)` reads the counts per agency or per
caseworker of `report_entity_rollups`, for a report with no filter but the organisation.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import Float, Integer, case, func, select, union_all

from casework.models.report_case import ANY_ABUSE, EVERY_ORGANISATION
from casework.services.reports.rollups import (
    CODE_ROLLUP,
    ENTITY_ROLLUP,
    MEASURES,
    ROLLUP,
    code_rows,
    shared_flag,
)
from casework.services.reports.scope import Scope


def _month(day: date) -> str:
    return f"{day:%Y-%m}"


def _whole_months(scope: Scope) -> tuple[str | None, str | None, list[str]]:
    """The first and last month the date filter covers whole (None: unbounded), and the months
    it cuts in two."""
    f = scope.filters
    first = last = None
    cut: list[str] = []
    if f.created_from:
        start = f.created_from
        if start.day == 1:
            first = _month(start)
        else:
            cut.append(_month(start))
            first = _month((start.replace(day=28) + timedelta(days=4)).replace(day=1))
    if f.created_to:
        end = f.created_to
        if (end + timedelta(days=1)).day == 1:
            last = _month(end)
        else:
            cut.append(_month(end))
            last = _month(end.replace(day=1) - timedelta(days=1))
    return first, last, sorted(set(cut))


def organisation_key(scope: Scope) -> int:
    """The `organisation_id` of the report's groups: its organisation's, or every case's."""
    return EVERY_ORGANISATION if scope.organisation is None else scope.organisation


def cents(r: Any, name: str, label: str | None = None) -> Any:
    """The sum of a money group's amount `name` (cents), in units; NULL when none of the
    groups' items has that amount (as a sum over the items themselves would be)."""
    summed = func.sum(r[name]).cast(Float) / 100.0
    return case((func.sum(r[f"n_{name}"]) > 0, summed)).label(label or name)


def _groups_of(scope: Scope, r: Any) -> tuple[list[Any], list[str]]:
    """The conditions that keep a rollup's groups (columns `r`) to the report's whole months,
    and the months the date filter cuts in two (to be read from the facts)."""
    f = scope.filters
    where = [
        r.organisation_id == organisation_key(scope),
        r.abuse_code == (f.abuse or ANY_ABUSE),
        r.cases > 0,
    ]
    if f.origin:
        where.append(r.origin_country == f.origin)
    if f.destination:
        where.append(r.destination_country == f.destination)
    first, last, cut = _whole_months(scope)
    if first is not None:
        where.append(r.created_month >= first)
    if last is not None:
        where.append(r.created_month <= last)
    return where, cut


def cube(scope: Scope) -> Any:
    """The groups of the report's cases (see the module docstring), as a subquery with the
    columns created_month, origin_country, destination_country, status, outcome_state, shared,
    cases, measured and months_sum. Groups at zero are left out."""
    r = ROLLUP.c
    where, cut = _groups_of(scope, r)
    names = ("created_month", "origin_country", "destination_country", "status", "outcome_state")
    rolled = select(*[r[name] for name in names], r.shared, *[r[m] for m in MEASURES]).where(*where)
    if not cut:
        return rolled.subquery("cube")
    facts = scope.facts
    columns = [getattr(facts, name) for name in names]
    shared = shared_flag(facts)
    months = facts.recruitment_months
    edges = (
        select(
            *columns,
            shared.label("shared"),
            func.count().label("cases"),
            func.count(months).label("measured"),
            func.coalesce(func.sum(months), 0.0).cast(Float).label("months_sum"),
        )
        .where(facts.created_month.in_(cut), *scope.cases())
        .group_by(*columns, shared)
    )
    return union_all(rolled, edges).subquery("cube")


def code_cube(scope: Scope, measure: str) -> Any:
    """The groups of one measure's codes for the report's cases, as a subquery with the
    columns code, shared and cases (from the rollup for whole months, from the facts for a
    month the date filter cuts in two). Groups at zero are left out."""
    r = CODE_ROLLUP.c
    where, cut = _groups_of(scope, r)
    rolled = select(r.code, r.shared, r.cases).where(r.measure == measure, *where)
    if not cut:
        return rolled.subquery("code_cube")
    facts = scope.facts
    # The cut months' cases picked first (materialised), then matched with the codes: joined
    # to the constant table of codes directly, SQLite searched the cases once per code.
    columns = (facts.outcome_codes, facts.first_response_seconds, facts.organisations)
    picked = (
        select(*columns)
        .where(facts.created_month.in_(cut), *scope.cases())
        .cte("cut_months")
        .prefix_with("MATERIALIZED")
    )
    joins, code, kept = code_rows(measure, picked.c)
    shared = shared_flag(picked.c)
    edges = select(code.label("code"), shared.label("shared"), func.count().label("cases"))
    edges = edges.select_from(picked)
    for target, on in joins:
        edges = edges.join(target, on)
    edges = edges.where(*kept).group_by(code, shared)
    return union_all(rolled, edges).subquery("code_cube")


def entities(scope: Scope, *kinds: str) -> Any:
    """The report's cases per entity of these `kinds` (rollups.BY_AGENCY, BY_HOLDER...) and
    detail, from `report_entity_rollups`: columns kind, entity_id, detail, cases and (for
    supervisors) _shared. Only when `rollups.serves_totals(scope)`. Groups at zero are left
    out."""
    r = ENTITY_ROLLUP.c
    shared = [] if scope.shared() is None else [r.shared_cases.label("_shared")]
    return (
        select(r.kind, r.entity_id, r.detail, r.cases, *shared)
        .where(
            r.organisation_id == organisation_key(scope),
            r.kind.in_(kinds),
            r.cases > 0,
        )
        .subquery(f"{kinds[0]}_counts")
    )


def total(column: Any) -> Any:
    """A whole-number sum (PostgreSQL sums integers as numeric)."""
    return func.sum(column).cast(Integer)


def shared_cases(cube_: Any, scope: Scope, column: str = "cases") -> list[Any]:
    """The `_shared` column for supervisors: how many of the group's cases another
    organisation also holds."""
    if scope.shared() is None:
        return []
    c = cube_.c
    return [total(case((c.shared == 1, c[column]), else_=0)).label("_shared")]


__all__ = [
    "cents",
    "code_cube",
    "cube",
    "entities",
    "organisation_key",
    "shared_cases",
    "total",
]
