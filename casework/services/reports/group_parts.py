"""What every rollup's groups are made of: the facts tables with the organisation each groups
its rows under, the shared flag, the dimensions of the entity and money groups (`expanded`),
and the order upserts take their groups in."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Integer, Select, String, and_, case, literal, or_, select, true, union_all

from casework.models.report_case import (
    ANY_ABUSE,
    EVERY_ORGANISATION,
    TOTAL,
    ReportCase,
    ReportOrgCase,
)
from casework.services.reports import prebuilt
from casework.services.reports.sql import contains_word
from casework.vocabulary.abuse import ABUSE_CODES

# The dimensions of the entity and money groups, after the organisation (and the kind).
DIMENSIONS = ("abuse_code", "origin_country", "destination_country", "created_month")


def fact_tables() -> tuple[tuple[Any, Any], ...]:
    """Each facts table with the organisation its rows are grouped under."""
    return (
        (ReportCase.__table__, literal(EVERY_ORGANISATION, Integer)),
        (ReportOrgCase.__table__, ReportOrgCase.__table__.c.organisation_id),
    )


def shared_flag(c: Any) -> Any:
    """1 when another organisation also holds the case of the facts `c`, else 0."""
    return case((c.organisations > 1, 1), else_=0)


def of_cases(column: Any, ids: Any) -> list[Any]:
    """`column IN ids` (a list or a query of case ids, or the prebuilt marker), or nothing for
    every case (None)."""
    return [] if ids is None else [prebuilt.among(column, ids)]


def dimension_columns(c: Any) -> list[Any]:
    """The columns of a facts table's rows (`c`) the entity and money groups are keyed on,
    for `expanded`: the case's abuse codes (spaced), corridor and month."""
    return [
        c.abuse_codes.label("abuse_codes"),
        c.origin_country.label("origin_country"),
        c.destination_country.label("destination_country"),
        c.created_month.label("created_month"),
    ]


def _grains() -> Any:
    """What a row is counted under, as a constant table: the totals group (`total` 1), its
    month and corridor for any abuse, and for each abuse code."""
    grains = [
        select(literal(ANY_ABUSE, String(20)).label("code"), literal(1).label("total")),
        select(literal(ANY_ABUSE, String(20)).label("code"), literal(0).label("total")),
    ]
    grains += [
        select(literal(code, String(20)).label("code"), literal(0).label("total"))
        for code in sorted(ABUSE_CODES)
    ]
    return union_all(*grains).subquery("grains")


def expanded(
    rows: Any, before: tuple[str, ...], after: tuple[str, ...], dimensional: Any = None
) -> Select[Any]:
    """The rows of a subquery of contributions (with `dimension_columns`) once in the totals
    group (every dimension TOTAL) and once per grain of their month and corridor: for any
    abuse and per abuse code of the case (only those passing `dimensional`, when given);
    columns `before`, the DIMENSIONS, then `after`."""
    grains = _grains()
    total = grains.c.total == 1

    def dimension(name: str) -> Any:
        return case((total, literal(TOTAL, String(7))), else_=rows.c[name]).label(name)

    counted = or_(grains.c.code == ANY_ABUSE, contains_word(rows.c.abuse_codes, grains.c.code))
    if dimensional is not None:
        counted = and_(counted, dimensional)
    return select(
        *[rows.c[name] for name in before],
        grains.c.code.label("abuse_code"),
        *[dimension(name) for name in DIMENSIONS[1:]],
        *[rows.c[name] for name in after],
    ).join_from(rows, grains, or_(total, counted))


def in_key_order(counted: Select[Any], keys: tuple[str, ...]) -> Select[Any]:
    # `WHERE true`: SQLite reads an upsert's SELECT unambiguously only with a WHERE clause.
    columns = [counted.selected_columns[key] for key in keys]
    grouped = counted.where(true()).group_by(*columns)
    # An upsert locks its groups (PostgreSQL) in the order of its rows: always the key order,
    # so two transactions moving the same groups wait for each other, never deadlock. A
    # rebuild writes them in key order too: PostgreSQL's heap then keeps a report's groups
    # together (inserted as aggregated, the 20,000 hours of a clock read at
    # 1,000,000 cases were scattered over the table's pages).
    return grouped.order_by(*columns)


__all__ = [
    "DIMENSIONS",
    "dimension_columns",
    "expanded",
    "fact_tables",
    "in_key_order",
    "of_cases",
    "shared_flag",
]
