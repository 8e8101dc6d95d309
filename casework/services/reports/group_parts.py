"""What every rollup's groups are made of: the facts tables with the organisation each groups
its rows under, the shared flag, and the order upserts take their groups in."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Integer, Select, case, literal, true

from casework.models.report_case import EVERY_ORGANISATION, ReportCase, ReportOrgCase


def fact_tables() -> tuple[tuple[Any, Any], ...]:
    """Each facts table with the organisation its rows are grouped under."""
    return (
        (ReportCase.__table__, literal(EVERY_ORGANISATION, Integer)),
        (ReportOrgCase.__table__, ReportOrgCase.__table__.c.organisation_id),
    )


def shared_flag(c: Any) -> Any:
    """1 when another organisation also holds the case of the facts `c`, else 0."""
    return case((c.organisations > 1, 1), else_=0)


def in_key_order(ids: Any, counted: Select[Any], keys: tuple[str, ...]) -> Select[Any]:
    # `WHERE true`: SQLite reads an upsert's SELECT unambiguously only with a WHERE clause.
    columns = [counted.selected_columns[key] for key in keys]
    grouped = counted.where(true()).group_by(*columns)
    # An upsert locks its groups (PostgreSQL) in the order of its rows: always the key order,
    # so two transactions moving the same groups wait for each other, never deadlock.
    return grouped if ids is None else grouped.order_by(*columns)


__all__ = ["fact_tables", "in_key_order", "shared_flag"]
