"""The rollups per agency, caseworker, currency, forum and clock bin (see rollups.py, which
keeps them current with the other rollups, by the same upserts):

- `report_entity_rollups`: per organisation, the cases of each agency (with the licence
  judgement), of each caseworker holding them (with their status), with money in each
  currency (and in any), the referrals counted per forum kind (from `report_referrals`), and
  the cases per bin of the time to a first answer and to resolution;
- `report_money_rollups` (money_rollups.py): per organisation, forum ("" for the
  outcomes), currency, day and shared flag, the amounts added up.

Each row of facts counts in its totals group and, through `group_parts.expanded`, in the
groups of its month and corridor for any abuse and per abuse code (the clocks' hours in the
totals groups alone, their bins per month in the month's alone).

Each `..._grouped(ids, sign)` gives the groups of these cases' rows with their measures
times `sign`, from the facts as they are when it runs; `entity_edges` the same groups of some
rows of one facts table, whatever their dimensions, for the part of a month a report reads
from the facts (cubes.py).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    CompoundSelect,
    Select,
    String,
    exists,
    func,
    literal,
    select,
    union_all,
)

from casework.models.referral import CLOSED, DECIDED, OPEN_REFERRAL_STATUSES
from casework.models.report_case import TOTAL, ReportEntityRollup
from casework.models.report_money import ReportMoney, ReportReferral
from casework.services.reports.group_parts import (
    DIMENSIONS,
    dimension_columns,
    expanded,
    fact_tables,
    in_key_order,
    of_cases,
    shared_flag,
)
from casework.services.reports.sql import day_bin, hour_bin

ENTITY_ROLLUP = ReportEntityRollup.__table__
ENTITY_KEYS = tuple(column.name for column in ENTITY_ROLLUP.primary_key.columns)
BY_AGENCY, BY_HOLDER, BY_MONEY = "agency", "holder", "money"  # the kinds of entity
NO_AGENCY_ID = 0  # entity_id of the cases naming no agency
NOT_JUDGED = ""  # detail of the cases whose licence was not judged on the day of recruitment
ANY_CURRENCY = ""  # detail of the cases with money in any currency
MONEY = ReportMoney.__table__
REFERRALS = ReportReferral.__table__
# The referral kinds: cases referred to a forum kind, its referrals open, decided and with an
# award (detail: the forum kind), and cases per forum kind and outcome ("FORUM CODE").
REFERRED, REF_OPEN, REF_DONE, REF_AWARD, REF_CODE = (
    "referred",
    "ref_open",
    "ref_done",
    "ref_award",
    "ref_code",
)
# The cases per whole hour (entity_id, sql.hour_bin) of the time to a first answer and to
# resolution: where a clock's median and 90th percentile fall (clock_bins.py). In the totals
# groups only; per month of the complaint (and nothing else), the same per hour to a first
# answer and per whole day (sql.day_bin) to resolution, for a report filtered on dates alone.
RESPONSE_HOURS, RESOLUTION_HOURS = "resp_hours", "res_hours"
RESPONSE_MONTHS, RESOLUTION_MONTHS = "resp_month", "res_month"
MONTHLY = (RESPONSE_MONTHS, RESOLUTION_MONTHS)
ENTITY_KINDS = (
    BY_AGENCY,
    BY_HOLDER,
    BY_MONEY,
    REFERRED,
    REF_OPEN,
    REF_DONE,
    REF_AWARD,
    REF_CODE,
    RESPONSE_HOURS,
    RESOLUTION_HOURS,
    *MONTHLY,
)
RESPONSE, RESOLUTION = "first_response_seconds", "resolution_seconds"  # the facts' clocks
CLOCK_BINS = {  # kind: the clock and its bins
    RESPONSE_HOURS: (RESPONSE, hour_bin),
    RESOLUTION_HOURS: (RESOLUTION, hour_bin),
    RESPONSE_MONTHS: (RESPONSE, hour_bin),
    RESOLUTION_MONTHS: (RESOLUTION, day_bin),
}


def _kind(name: str) -> Any:
    return literal(name, String(10)).label("kind")


def _entity_parts(
    table: Any, org: Any, only: list[Any], ids: Any, kinds: tuple[str, ...] | None = None
) -> list[Select[Any]]:
    """One row per row of a facts table (those `only` keeps, of the cases `ids`) for its
    agency (or none), one per caseworker holding its case (on each side), for a case with
    money one per currency and one for any, the referral kinds' rows and the clocks' hours:
    the group's key columns (under `org`), the shared flag and the dimension columns. Only
    the parts of `kinds` when given."""
    c = table.c
    org, shared = org.label("organisation_id"), shared_flag(c).label("shared")
    dims = dimension_columns(c)
    wanted = (lambda kind: True) if kinds is None else (lambda kind: kind in kinds)
    parts = []
    if wanted(BY_AGENCY):
        parts.append(_agency_part(table, org, shared, only))
    if wanted(BY_HOLDER):
        for holder in (c.origin_caseworker_id, c.destination_caseworker_id):
            held = select(
                org, _kind(BY_HOLDER), holder.label("entity_id"), c.status.label("detail"), shared
            )
            parts.append(held.add_columns(*dims).where(holder.is_not(None), *only))
    if wanted(BY_MONEY):
        currencies = (
            select(MONEY.c.case_id, MONEY.c.currency)
            .where(*of_cases(MONEY.c.case_id, ids))
            .distinct()
            .subquery("currencies")
        )
        nobody = literal(0).label("entity_id")
        per_currency = select(
            org, _kind(BY_MONEY), nobody, currencies.c.currency.label("detail"), shared, *dims
        ).join_from(table, currencies, currencies.c.case_id == c.case_id)
        parts.append(per_currency.where(*only))
        with_money = exists(select(MONEY.c.case_id).where(MONEY.c.case_id == c.case_id))
        any_currency = select(
            org, _kind(BY_MONEY), nobody, literal(ANY_CURRENCY, String(20)).label("detail"), shared
        )
        parts.append(any_currency.add_columns(*dims).where(with_money, *only))
    parts += _referral_parts(table, org, shared, only, ids, kinds)
    for kind, (clock, binner) in CLOCK_BINS.items():
        seconds = c[clock]
        if wanted(kind):
            binned = select(
                org,
                _kind(kind),
                binner(seconds).label("entity_id"),
                literal("", String(64)).label("detail"),
                shared,
                *dims,
            )
            parts.append(binned.where(seconds.is_not(None), *only))
    return parts


def _entity_contributions(ids: Any, kinds: tuple[str, ...]) -> CompoundSelect[Any]:
    """The entity parts of `kinds` of both facts tables' rows of these cases (every case:
    None)."""
    parts = []
    for table, organisation in fact_tables():
        parts += _entity_parts(table, organisation, of_cases(table.c.case_id, ids), ids, kinds)
    return union_all(*parts)


def _referral_parts(
    table: Any,
    org: Any,
    shared: Any,
    only: list[Any],
    ids: Any,
    kinds: tuple[str, ...] | None = None,
) -> list[Any]:
    """The referral kinds' rows of a facts table's rows: one per referral passing each test,
    and one per case and forum kind (and per case, forum kind and outcome code); only those
    of `kinds` when given."""
    r, c, nobody = REFERRALS.c, table.c, literal(0).label("entity_id")
    dims = dimension_columns(c)
    tests = {
        REF_OPEN: r.status.in_(OPEN_REFERRAL_STATUSES),
        REF_DONE: r.status.in_((DECIDED, CLOSED)),
        REF_AWARD: r.awarded > 0,
    }
    # the referrals kept to the cases too: else PostgreSQL hashed every referral to match them
    ref_only = of_cases(r.case_id, ids)
    parts = [
        select(org, _kind(kind), nobody, r.forum.label("detail"), shared, *dims)
        .join_from(table, REFERRALS, r.case_id == c.case_id)
        .where(test, *only, *ref_only)
        for kind, test in tests.items()
        if kinds is None or kind in kinds
    ]
    forums = select(r.case_id, r.forum).where(*ref_only).distinct().subquery("forums")
    coded = (
        select(r.case_id, (r.forum + " " + r.outcome_code).label("detail"))
        .where(r.outcome_code.is_not(None), *ref_only)
        .distinct()
        .subquery("coded")
    )
    for kind, per_case in ((REFERRED, forums.c.forum), (REF_CODE, coded.c.detail)):
        if kinds is not None and kind not in kinds:
            continue
        source = per_case.table
        parts.append(
            select(org, _kind(kind), nobody, per_case.label("detail"), shared, *dims)
            .join_from(table, source, source.c.case_id == c.case_id)
            .where(*only)
        )
    return parts


def _agency_part(table: Any, org: Any, shared: Any, only: list[Any]) -> Select[Any]:
    """A facts table's rows under their agency (or none) and licence judgement."""
    c = table.c
    return select(
        org,
        _kind(BY_AGENCY),
        func.coalesce(c.agency_id, NO_AGENCY_ID).label("entity_id"),
        func.coalesce(c.licence_then, NOT_JUDGED).label("detail"),
        shared,
        *dimension_columns(c),
    ).where(*only)


def _counted(contributions: CompoundSelect[Any], sign: int, monthly: Any = None) -> Select[Any]:
    """The groups of `contributions` (in their totals groups and their grains) and of the
    `monthly` ones (the clocks' bins per month alone), counted `sign` times."""
    rows = contributions.subquery("contributions")
    after = (*ENTITY_KEYS[6:], "shared")
    dimensional = rows.c.kind.not_in((*CLOCK_BINS,))  # the hours: totals only
    parts: list[Any] = [expanded(rows, ENTITY_KEYS[:2], after, dimensional)]
    if monthly is not None:
        m = monthly.subquery("monthly")
        blank = [literal(TOTAL, String(20)).label(name) for name in DIMENSIONS[:3]]
        keys = [m.c[key] for key in ENTITY_KEYS[:2]]
        parts.append(select(*keys, *blank, m.c.created_month, *[m.c[key] for key in after]))
    grained = union_all(*parts).subquery("grained")
    counted = select(
        *[grained.c[key] for key in ENTITY_KEYS],
        (func.count() * sign).label("cases"),
        (func.sum(grained.c.shared) * sign).label("shared_cases"),
    )
    return in_key_order(counted, ENTITY_KEYS)


def agencies_grouped(ids: Any, sign: int) -> Select[Any]:
    """The agency groups alone (the only ones a licence judgement moves)."""
    parts = [
        _agency_part(
            table,
            org.label("organisation_id"),
            shared_flag(table.c).label("shared"),
            of_cases(table.c.case_id, ids),
        )
        for table, org in fact_tables()
    ]
    return _counted(union_all(*parts), sign)


def entities_grouped(ids: Any, sign: int) -> Select[Any]:
    kinds = tuple(kind for kind in ENTITY_KINDS if kind not in MONTHLY)
    return _counted(_entity_contributions(ids, kinds), sign, _entity_contributions(ids, MONTHLY))


def entity_edges(
    table: Any, org: Any, only: list[Any], kinds: tuple[str, ...], sign: int = 1
) -> Select[Any]:
    """The groups of `kinds` of a facts table's rows that `only` keeps, counted per kind,
    entity and detail (under `org`) `sign` times: what the rollup would add for them,
    whatever their dimensions (an edge of a month a report's date filter cuts in two)."""
    ids = select(table.c.case_id).where(*only)
    rows = union_all(*_entity_parts(table, org, only, ids, kinds)).subquery()
    return select(
        rows.c.kind,
        rows.c.entity_id,
        rows.c.detail,
        (func.count() * sign).label("cases"),
        (func.sum(rows.c.shared) * sign).label("shared_cases"),
    ).group_by(rows.c.kind, rows.c.entity_id, rows.c.detail)


def referrals_grouped(ids: Any, sign: int) -> Select[Any]:
    """The entity groups of the referral kinds alone."""
    parts = []
    for table, org in fact_tables():
        only = of_cases(table.c.case_id, ids)
        shared = shared_flag(table.c).label("shared")
        parts += _referral_parts(table, org.label("organisation_id"), shared, only, ids)
    return _counted(union_all(*parts), sign)


__all__ = [
    "ANY_CURRENCY",
    "BY_AGENCY",
    "BY_HOLDER",
    "BY_MONEY",
    "CLOCK_BINS",
    "ENTITY_KEYS",
    "ENTITY_KINDS",
    "ENTITY_ROLLUP",
    "MONEY",
    "MONTHLY",
    "NOT_JUDGED",
    "NO_AGENCY_ID",
    "REFERRALS",
    "REFERRED",
    "REF_AWARD",
    "REF_CODE",
    "REF_DONE",
    "REF_OPEN",
    "RESOLUTION_HOURS",
    "RESOLUTION_MONTHS",
    "RESPONSE_HOURS",
    "RESPONSE_MONTHS",
    "agencies_grouped",
    "entities_grouped",
    "entity_edges",
    "referrals_grouped",
]
