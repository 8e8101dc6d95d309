"""The groups of a report's cases, read from the rollups (casework.services.reports.rollups).

`cube(scope)` is what the counting figures read: the groups of the report's cases, from
`report_rollups` for every whole month the report covers and from the facts, grouped the same
way, for a month the date filter cuts in two. `code_cube(scope, measure)` does the same with
`report_code_rollups` for one measure (the outcomes figure, the response spread).
`entities(scope, kind)` reads the counts per agency, caseworker, currency or forum of
`report_entity_rollups`, `money_groups(scope)` the day sums of `report_money_rollups`: their
totals groups for a report with no filter but the organisation, else the groups of its
months, corridor and abuse code. All only when `rollups.serves(scope)`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Float, Integer, Select, case, func, literal, select, union_all

from casework.models.report_case import (
    ANY_ABUSE,
    EVERY_ORGANISATION,
    TOTAL,
    ReportCase,
    ReportOrgCase,
)
from casework.services.reports import month_edges
from casework.services.reports.entity_rollups import entity_edges
from casework.services.reports.group_parts import DIMENSIONS
from casework.services.reports.money_rollups import MONEY_MEASURES, MONEY_ROLLUP, money_edges
from casework.services.reports.month_edges import Edge
from casework.services.reports.rollups import (
    CODE_ROLLUP,
    ENTITY_ROLLUP,
    MEASURES,
    ROLLUP,
    code_rows,
    shared_flag,
)
from casework.services.reports.scope import Scope


def organisation_key(scope: Scope) -> int:
    """The `organisation_id` of the report's groups: its organisation's, or every case's."""
    return EVERY_ORGANISATION if scope.organisation is None else scope.organisation


def cents(r: Any, name: str, label: str | None = None) -> Any:
    """The sum of a money group's amount `name` (cents), in units; NULL when none of the
    groups' items has that amount (as a sum over the items themselves would be)."""
    summed = func.sum(r[name]).cast(Float) / 100.0
    return case((func.sum(r[f"n_{name}"]) > 0, summed)).label(label or name)


def _groups_of(scope: Scope, r: Any, count: Any = None) -> tuple[list[Any], list[Edge]]:
    """The conditions that keep a rollup's groups (columns `r`, the number of cases or
    items `count`) to the months the report reads whole, and the edges of the months the date
    filter cuts in two (to be read from the facts, month_edges.py)."""
    f = scope.filters
    where = [
        r.organisation_id == organisation_key(scope),
        r.abuse_code == (f.abuse or ANY_ABUSE),
        (r.cases if count is None else count) > 0,
    ]
    if f.origin:
        where.append(r.origin_country == f.origin)
    if f.destination:
        where.append(r.destination_country == f.destination)
    first, last, edges = month_edges.months(scope)
    if first is not None:
        where.append(r.created_month >= first)
    else:  # the entity and money rollups' totals groups: month TOTAL
        where.append(r.created_month > TOTAL)
    if last is not None:
        where.append(r.created_month <= last)
    return where, edges


def _added_up(parts: Any, keys: tuple[str, ...], measures: dict[str, Any], name: str) -> Any:
    """The groups of `parts` (some subtracted by an edge) added up per `keys`, those left at
    zero cases out: `measures` name -> the aggregate of a column."""
    p = parts.subquery(f"{name}_parts")
    counted = [aggregate(p.c[column]).label(column) for column, aggregate in measures.items()]
    columns = [p.c[key] for key in keys]
    return (
        select(*columns, *counted)
        .group_by(*columns)
        .having(func.sum(p.c[next(iter(measures))]) > 0)
        .subquery(name)
    )


def _cube_edge(edge: Edge, names: tuple[str, ...]) -> Select[Any]:
    """The groups of one edge's cases, from the facts, counted `edge.sign` times."""
    facts, sign = edge.scope.facts, edge.sign
    columns = [getattr(facts, name) for name in names]
    shared = shared_flag(facts)
    months = facts.recruitment_months
    return (
        select(
            *columns,
            shared.label("shared"),
            (func.count() * sign).label("cases"),
            (func.count(months) * sign).label("measured"),
            (func.coalesce(func.sum(months), 0.0).cast(Float) * sign).label("months_sum"),
        )
        .where(facts.created_month == edge.month, *edge.scope.cases())
        .group_by(*columns, shared)
    )


def cube(scope: Scope) -> Any:
    """The groups of the report's cases (see the module docstring), as a subquery with the
    columns created_month, origin_country, destination_country, status, outcome_state, shared,
    cases, measured and months_sum. Groups at zero are left out."""
    r = ROLLUP.c
    where, edges = _groups_of(scope, r)
    names = ("created_month", "origin_country", "destination_country", "status", "outcome_state")
    rolled = select(*[r[name] for name in names], r.shared, *[r[m] for m in MEASURES]).where(*where)
    if not edges:
        return rolled.subquery("cube")
    parts = union_all(rolled, *[_cube_edge(edge, names) for edge in edges])
    if all(edge.sign > 0 for edge in edges):
        return parts.subquery("cube")
    return _added_up(parts, (*names, "shared"), dict.fromkeys(MEASURES, func.sum), "cube")


def _code_edge(edge: Edge, measure: str, at: int) -> Select[Any]:
    """The codes of one edge's cases, from the facts, counted `edge.sign` times."""
    facts = edge.scope.facts
    # The edge's cases picked first (materialised), then matched with the codes: joined to
    # the constant table of codes directly, SQLite searched the cases once per code.
    columns = (facts.outcome_codes, facts.first_response_seconds, facts.organisations)
    picked = (
        select(*columns)
        .where(facts.created_month == edge.month, *edge.scope.cases())
        .cte(f"edge_cases_{at}")
        .prefix_with("MATERIALIZED")
    )
    joins, code, kept = code_rows(measure, picked.c)
    shared = shared_flag(picked.c)
    counted = (func.count() * edge.sign).label("cases")
    edges = select(code.label("code"), shared.label("shared"), counted).select_from(picked)
    for target, on in joins:
        edges = edges.join(target, on)
    return edges.where(*kept).group_by(code, shared)


def code_cube(scope: Scope, measure: str) -> Any:
    """The groups of one measure's codes for the report's cases, as a subquery with the
    columns code, shared and cases (from the rollup for whole months, from the facts for the
    edges of a month the date filter cuts in two). Groups at zero are left out."""
    r = CODE_ROLLUP.c
    where, edges = _groups_of(scope, r)
    rolled = select(r.code, r.shared, r.cases).where(r.measure == measure, *where)
    if not edges:
        return rolled.subquery("code_cube")
    parts = union_all(rolled, *[_code_edge(edge, measure, at) for at, edge in enumerate(edges)])
    if all(edge.sign > 0 for edge in edges):
        return parts.subquery("code_cube")
    return _added_up(parts, ("code", "shared"), {"cases": func.sum}, "code_cube")


def _on_dimensions(scope: Scope) -> bool:
    """Whether the report filters on a dimension of the groups: dates, corridor, abuse."""
    f = scope.filters
    return bool(f.created_from or f.created_to or f.origin or f.destination or f.abuse)


def _dimensioned(scope: Scope, r: Any, count: Any) -> tuple[list[Any], list[Edge]]:
    """The conditions that keep the entity or money rollup's groups (columns `r`, the number
    of cases or items `count`) to the report's: its organisation's totals groups, or with a
    filter on dates, corridor or abuse the groups of its whole months, corridor and abuse;
    and the edges of the months the date filter cuts in two."""
    if _on_dimensions(scope):
        return _groups_of(scope, r, count)
    totals = [r[name] == TOTAL for name in DIMENSIONS]
    return [r.organisation_id == organisation_key(scope), *totals, count > 0], []


def _edge_facts(scope: Scope, edge: Edge) -> tuple[Any, Any, list[Any]]:
    """The facts table of the report, its organisation key as a constant and the conditions
    keeping the cases of an edge."""
    table = ReportCase.__table__ if scope.organisation is None else ReportOrgCase.__table__
    only = [edge.scope.facts.created_month == edge.month, *edge.scope.cases()]
    return table, literal(organisation_key(scope), Integer), only


def entities(scope: Scope, *kinds: str) -> Any:
    """The report's cases per entity of these `kinds` (rollups.BY_AGENCY, BY_HOLDER...) and
    detail, from `report_entity_rollups` (for a date filter cutting a month in two, that
    month's from the facts): columns kind, entity_id, detail, cases and (for supervisors)
    _shared. Only when `rollups.serves(scope)`, and for the clocks' hours when nothing but
    the organisation is filtered. Groups at zero are left out."""
    r = ENTITY_ROLLUP.c
    name = f"{kinds[0]}_counts"
    where, edges = _dimensioned(scope, r, r.cases)
    rolled = select(r.kind, r.entity_id, r.detail, r.cases, r.shared_cases)
    rolled = rolled.where(r.kind.in_(kinds), *where)
    if not _on_dimensions(scope):  # one totals group per entity and detail
        shared = [] if scope.shared() is None else [r.shared_cases.label("_shared")]
        return rolled.with_only_columns(r.kind, r.entity_id, r.detail, r.cases, *shared).subquery(
            name
        )
    parts = union_all(
        rolled,
        *[entity_edges(*_edge_facts(scope, edge), kinds, edge.sign) for edge in edges],
    )
    p = parts.subquery(f"{name}_parts")
    shared = [] if scope.shared() is None else [total(p.c.shared_cases).label("_shared")]
    # materialised: a figure may read it twice (the groups of every month added up once)
    return (
        select(p.c.kind, p.c.entity_id, p.c.detail, total(p.c.cases).label("cases"), *shared)
        .group_by(p.c.kind, p.c.entity_id, p.c.detail)
        .having(func.sum(p.c.cases) > 0)
        .cte(name)
        .prefix_with("MATERIALIZED")
    )


def money_groups(scope: Scope) -> Any:
    """The report's money groups (`report_money_rollups`, for a date filter cutting a month in
    two that month's from the facts): columns forum, currency, day, shared and the measures
    (items, n_claimed, claimed... in cents), not added up across dimensions."""
    r = MONEY_ROLLUP.c
    where, edges = _dimensioned(scope, r, r["items"])
    columns = [r.forum, r.currency, r.day, r.shared, *[r[name] for name in MONEY_MEASURES]]
    rolled = select(*columns).where(*where)
    if not _on_dimensions(scope):
        return rolled.subquery("money_groups")
    # materialised: the money figure reads them twice
    parts = union_all(rolled, *[money_edges(*_edge_facts(scope, e), e.sign) for e in edges])
    return parts.cte("money_groups").prefix_with("MATERIALIZED")


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
    "money_groups",
    "organisation_key",
    "shared_cases",
    "total",
]
