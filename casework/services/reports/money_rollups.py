"""`report_money_rollups`: per organisation, forum ("" for the outcomes), currency, day and
shared flag, the outcomes' and referrals' amounts added up in cents (from `report_money` and
`report_referrals`, casework.services.reports.money_facts), in each case's totals group and
its grains (group_parts.expanded), kept by rollups.py as the other rollups.

`money_grouped(ids, sign)` gives the groups of these cases' rows times `sign` (the referrals'
alone: `referral_money_grouped`); `money_edges` the same of some rows of one facts table,
whatever their dimensions, for the part of a month a report reads from the facts (cubes.py).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    CompoundSelect,
    Select,
    String,
    cast,
    func,
    literal,
    null,
    select,
    union_all,
)

from casework.models.report_money import ReportMoneyRollup
from casework.services.reports.entity_rollups import MONEY, REFERRALS
from casework.services.reports.group_parts import (
    dimension_columns,
    expanded,
    fact_tables,
    in_key_order,
    of_cases,
    shared_flag,
)

MONEY_ROLLUP = ReportMoneyRollup.__table__
MONEY_KEYS = tuple(column.name for column in MONEY_ROLLUP.primary_key.columns)
MONEY_MEASURES = tuple(c.name for c in MONEY_ROLLUP.columns if c.name not in MONEY_KEYS)
AMOUNTS = ("claimed", "agreed", "recovered")
OUTCOMES = ""  # the forum of the outcomes' money groups


def _money_parts(
    table: Any, org: Any, only: list[Any], ids: Any, referrals_only: bool = False
) -> list[Select[Any]]:
    """One row per outcome with money (unless `referrals_only`), and per referral with a
    currency, of a facts table's rows that `only` keeps, with the group's key columns (under
    `org`), the amounts (a referral's awarded as agreed, its enforced as recovered) and the
    dimension columns."""
    r, c = REFERRALS.c, table.c
    org, shared = org.label("organisation_id"), shared_flag(c).label("shared")
    dims = dimension_columns(c)
    outcomes = select(
        org,
        literal(OUTCOMES, String(30)).label("forum"),
        MONEY.c.currency,
        MONEY.c.day,
        shared,
        *[MONEY.c[name] for name in AMOUNTS],
        *dims,
    ).join_from(table, MONEY, MONEY.c.case_id == c.case_id)
    referrals = select(
        org,
        r.forum,
        r.currency,
        r.day,
        shared,
        cast(null(), BigInteger).label("claimed"),  # typed: it may lead the union
        r.awarded.label("agreed"),
        r.enforced.label("recovered"),
        *dims,
    ).join_from(table, REFERRALS, r.case_id == c.case_id)
    # the amounts kept to the cases too (as the referral kinds, `_referral_parts`)
    parts = [] if referrals_only else [outcomes.where(*only, *of_cases(MONEY.c.case_id, ids))]
    return [*parts, referrals.where(r.currency.is_not(None), *only, *of_cases(r.case_id, ids))]


def _money_contributions(ids: Any, referrals_only: bool = False) -> CompoundSelect[Any]:
    parts = []
    for table, organisation in fact_tables():
        only = of_cases(table.c.case_id, ids)
        parts += _money_parts(table, organisation, only, ids, referrals_only)
    return union_all(*parts)


def referral_money_grouped(ids: Any, sign: int) -> Select[Any]:
    """The money groups of the referrals alone."""
    return _money_counted(_money_contributions(ids, referrals_only=True), sign)


def money_grouped(ids: Any, sign: int) -> Select[Any]:
    return _money_counted(_money_contributions(ids), sign)


def _money_measures(rows: Any, sign: int = 1) -> list[Any]:
    measures = [(func.count() * sign).label("items")]
    for name in AMOUNTS:
        measures.append((func.count(rows.c[name]) * sign).label(f"n_{name}"))
        measures.append((func.coalesce(func.sum(rows.c[name]), 0) * sign).label(name))
    return measures


def _money_counted(contributions: CompoundSelect[Any], sign: int) -> Select[Any]:
    rows = contributions.subquery("contributions")
    grained = expanded(rows, MONEY_KEYS[:1], (*MONEY_KEYS[5:], *AMOUNTS)).subquery("grained")
    counted = select(*[grained.c[key] for key in MONEY_KEYS], *_money_measures(grained, sign))
    return in_key_order(counted, MONEY_KEYS)


def money_edges(table: Any, org: Any, only: list[Any], sign: int = 1) -> Select[Any]:
    """The money groups of a facts table's rows that `only` keeps, per forum, currency, day
    and shared flag (under `org`), counted `sign` times, whatever their dimensions (as
    `entity_edges`)."""
    ids = select(table.c.case_id).where(*only)
    rows = union_all(*_money_parts(table, org, only, ids)).subquery()
    keys = [rows.c.forum, rows.c.currency, rows.c.day, rows.c.shared]
    return select(*keys, *_money_measures(rows, sign)).group_by(*keys)


__all__ = [
    "AMOUNTS",
    "MONEY_KEYS",
    "MONEY_MEASURES",
    "MONEY_ROLLUP",
    "OUTCOMES",
    "money_edges",
    "money_grouped",
    "referral_money_grouped",
]
