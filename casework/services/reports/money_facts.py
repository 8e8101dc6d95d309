"""`report_money`: one row per outcome recorded with a currency, its amounts in cents and the
UTC day it was recorded; `report_referrals`: one row per referral, what the referral figures
count and its amounts. Both written with the case's report facts (facts.py), so that the
money and referral groups (entity_rollups.py) can be moved from them as the other groups are
from the facts.

Recovered is what reached the worker, as the money figure counts it: the amount paid, except
for an award, where it is the amount actually enforced."""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, Select, case, delete, func, insert, select

from casework.models import Outcome, Referral, ReportMoney, ReportReferral
from casework.services.reports import prebuilt
from casework.services.reports.sql import utc_day

MONEY = ReportMoney.__table__
COLUMNS = ("case_id", "outcome_id", "currency", "day", "claimed", "agreed", "recovered")
REFERRALS = ReportReferral.__table__
REFERRAL_COLUMNS = (
    "case_id",
    "referral_id",
    "forum",
    "status",
    "outcome_code",
    "currency",
    "day",
    "awarded",
    "enforced",
)


def _cents(amount: Any) -> Any:
    return func.round(amount * 100).cast(BigInteger)


def recovered(outcome: Any = Outcome) -> Any:
    """What reached the worker: the amount paid; for an award, the amount enforced."""
    return case((outcome.code == "OUT_AWARD", outcome.amount_enforced), else_=outcome.amount)


def money_query(ids: Any) -> Select[Any]:
    """The rows of these cases' outcomes with a currency (every case's for None)."""
    only = [] if ids is None else [prebuilt.among(Outcome.case_id, ids)]
    return select(
        Outcome.case_id,
        Outcome.id,
        Outcome.currency,
        utc_day(Outcome.recorded_at),
        _cents(Outcome.amount_claimed),
        _cents(Outcome.amount),
        _cents(recovered()),
    ).where(Outcome.currency.is_not(None), *only)


def referral_query(ids: Any) -> Select[Any]:
    """The rows of these cases' referrals (every case's for None); their amounts are
    converted at the decision day's rate, else the last update's."""
    only = [] if ids is None else [prebuilt.among(Referral.case_id, ids)]
    return select(
        Referral.case_id,
        Referral.id,
        Referral.forum_kind,
        Referral.status,
        Referral.outcome_code,
        Referral.currency,
        utc_day(func.coalesce(Referral.decided_at, Referral.updated_at)),
        _cents(Referral.amount_awarded),
        _cents(Referral.amount_enforced),
    ).where(*only)


def _deleted(table: Any, ids: Any) -> Any:
    only = [] if ids is None else [prebuilt.among(table.c.case_id, ids)]
    return delete(table).where(*only)


def delete_rows(ids: Any) -> Any:
    return _deleted(MONEY, ids)


def insert_rows(ids: Any) -> Any:
    return insert(MONEY).from_select(COLUMNS, money_query(ids))


def delete_referrals(ids: Any) -> Any:
    return _deleted(REFERRALS, ids)


def insert_referrals(ids: Any) -> Any:
    return insert(REFERRALS).from_select(REFERRAL_COLUMNS, referral_query(ids))


__all__ = [
    "COLUMNS",
    "MONEY",
    "REFERRALS",
    "REFERRAL_COLUMNS",
    "delete_referrals",
    "delete_rows",
    "insert_referrals",
    "insert_rows",
    "money_query",
    "recovered",
    "referral_query",
]
