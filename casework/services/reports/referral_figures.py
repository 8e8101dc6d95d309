"""Figures about referrals to access-to-justice forums: per forum kind, the cases referred,
referrals open and decided, amounts awarded and enforced; and what the forums decided.

Each reads the referrals of the report's cases, or (a report with no filter but the
organisation) the referral groups: the counts of `report_entity_rollups` and the day sums of
`report_money_rollups`. Returns unprotected `Table`s."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Float, case, func, select

from casework.models import Referral
from casework.models.referral import CLOSED, DECIDED, OPEN_REFERRAL_STATUSES
from casework.services.reports import cubes, rollups
from casework.services.reports.case_figures import rows, shared_column
from casework.services.reports.entity_rollups import (
    REF_AWARD,
    REF_CODE,
    REF_DONE,
    REF_OPEN,
    REFERRED,
)
from casework.services.reports.money_rollups import OUTCOMES
from casework.services.reports.remedy_figures import in_cents, shared_cases_column
from casework.services.reports.scope import Scope
from casework.services.reports.sql import converted, utc_day, with_rates
from casework.services.reports.tables import LABEL, MONEY, Chart, Column, Table


def _shared_cases(scope: Scope) -> list[Any]:
    """The `_shared` column: how many of the group's cases another organisation also holds
    (each case once, as the groups count them)."""
    shared = scope.shared()
    return [] if shared is None else [shared_cases_column(Referral.case_id, shared)]


def _picked(scope: Scope) -> Any:
    """The referrals of the report's cases, picked once (materialised) for both the counts
    and the day sums: each read them and the report's facts again (1M cases, a supervisor's
    last 12 months: SQLite 0.10 -> 0.06 s). `shared` is 1 when the case is another
    organisation's too (supervisors)."""
    day = utc_day(func.coalesce(Referral.decided_at, Referral.updated_at))
    picked = select(
        Referral.case_id,
        Referral.forum_kind.label("forum"),
        Referral.status,
        Referral.currency,
        day.label("day"),
        Referral.amount_awarded.label("awarded"),
        Referral.amount_enforced.label("enforced"),
        *shared_column(scope),
    )
    return (
        scope.narrow(picked, Referral.case_id).cte("picked_referrals").prefix_with("MATERIALIZED")
    )


def _daily_picked(picked: Any) -> Any:
    """Per forum kind, currency and day: the amounts awarded and enforced (from the
    referrals of the report's cases)."""
    p = picked.c
    return (
        select(
            p.forum,
            p.currency,
            p.day,
            func.sum(p.awarded, type_=Float).label("awarded"),
            func.sum(p.enforced, type_=Float).label("enforced"),
        )
        .where(p.currency.is_not(None))
        .group_by(p.forum, p.currency, p.day)
        .subquery()
    )


def _counts_picked(picked: Any) -> Any:
    p = picked.c
    shared = [] if "shared" not in p else [shared_cases_column(p.case_id, p.shared == 1)]
    return (
        select(
            p.forum,
            func.count(p.case_id.distinct()).label("cases"),
            func.count().filter(p.status.in_(OPEN_REFERRAL_STATUSES)).label("open"),
            func.count().filter(p.status.in_((DECIDED, CLOSED))).label("decided"),
            func.count().filter(p.awarded > 0).label("awards"),
            *shared,
        )
        .group_by(p.forum)
        .subquery()
    )


def _daily_rolled(scope: Scope) -> Any:
    """The same day sums, from the money groups of the forum kinds (cents)."""
    r = cubes.money_groups(scope).c
    awarded, enforced = cubes.cents(r, "agreed", "awarded"), cubes.cents(r, "recovered", "enforced")
    return (
        select(r.forum, r.currency, r.day, awarded, enforced)
        .where(r.forum != OUTCOMES)
        .group_by(r.forum, r.currency, r.day)
        .subquery()
    )


def _counts_rolled(scope: Scope) -> Any:
    """The same counts, from the referral kinds of the entity rollup."""
    e = cubes.entities(scope, REFERRED, REF_OPEN, REF_DONE, REF_AWARD)

    def of(kind: str) -> Any:
        return cubes.total(case((e.c.kind == kind, e.c.cases), else_=0))

    shared = []
    if "_shared" in e.c:
        shared = [cubes.total(case((e.c.kind == REFERRED, e.c._shared), else_=0)).label("_shared")]
    return (
        select(
            e.c.detail.label("forum"),
            of(REFERRED).label("cases"),
            of(REF_OPEN).label("open"),
            of(REF_DONE).label("decided"),
            of(REF_AWARD).label("awards"),
            *shared,
        )
        .group_by(e.c.detail)
        .having(of(REFERRED) > 0)
        .subquery()
    )


def referrals(scope: Scope) -> Table:
    """Per forum kind: cases referred, referrals open and decided, and the amounts awarded and
    enforced, converted at the rate of the decision day (added up per currency and day first)."""
    target = scope.currency
    rolled = rollups.serves(scope)
    if rolled:
        daily, counts = _daily_rolled(scope), _counts_rolled(scope)
    else:
        picked = _picked(scope)
        daily, counts = _daily_picked(picked), _counts_picked(picked)
    d = with_rates(daily, target, "referral_rated").c
    amounts = (
        select(
            d.forum,
            func.sum(converted(d.awarded, d, target)).label("awarded"),
            func.sum(converted(d.enforced, d, target)).label("enforced"),
        )
        .group_by(d.forum)
        .subquery()
    )
    query = (
        select(*counts.c, amounts.c.awarded, amounts.c.enforced)
        .outerjoin(amounts, amounts.c.forum == counts.c.forum)
        .order_by(counts.c.cases.desc(), counts.c.forum)
    )
    found = rows(query)
    for row in found:
        row["awarded"], row["enforced"] = in_cents(row["awarded"]), in_cents(row["enforced"])
    return Table(
        "referrals",
        _l("Referrals by forum"),
        _l(
            "Cases referred to each kind of forum; referrals still open and decided; amounts "
            "awarded and actually enforced, in %(currency)s at the rate of the decision day.",
            currency=target,
        ),
        [
            Column("forum", _l("Forum"), LABEL, vocabulary="forum"),
            Column("cases", _l("Cases referred")),
            Column("open", _l("Open")),
            Column("decided", _l("Decided")),
            Column("awards", _l("With an award")),
            Column("awarded", _l("Awarded (%(currency)s)", currency=target), MONEY, ("awards",)),
            Column("enforced", _l("Enforced (%(currency)s)", currency=target), MONEY, ("awards",)),
        ],
        found,
        chart=Chart("bars", "forum", ("awarded", "enforced")),
    )


def _outcomes_rolled(scope: Scope) -> list[dict[str, Any]]:
    e = cubes.entities(scope, REF_CODE)
    found = []
    for row in rows(select(e.c.detail, e.c.cases, *[c for c in e.c if c.key == "_shared"])):
        forum, code = row.pop("detail").split(" ", 1)
        found.append({"forum": forum, "code": code, "cases": row["cases"]})
        if "_shared" in row:
            found[-1]["_shared"] = row["_shared"]
    return sorted(found, key=lambda r: (r["forum"], -r["cases"], r["code"]))


def referral_outcomes(scope: Scope) -> Table:
    cases = func.count(Referral.case_id.distinct())
    counted = select(
        Referral.forum_kind.label("forum"),
        Referral.outcome_code.label("code"),
        cases.label("cases"),
        *_shared_cases(scope),
    ).where(Referral.outcome_code.is_not(None))
    query = (
        scope.narrow(counted, Referral.case_id)
        .group_by(Referral.forum_kind, Referral.outcome_code)
        .order_by(Referral.forum_kind, cases.desc(), Referral.outcome_code)
    )
    return Table(
        "referral_outcomes",
        _l("Referral outcomes by forum"),
        _l("What the forums decided: cases per forum and outcome."),
        [
            Column("forum", _l("Forum"), LABEL, vocabulary="forum"),
            Column("code", _l("Outcome"), LABEL, vocabulary="outcome"),
            Column("cases", _l("Cases")),
        ],
        _outcomes_rolled(scope) if rollups.serves(scope) else rows(query),
    )
