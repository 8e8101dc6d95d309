"""Recruitment cost for one worker: fee totals and SDG indicator 10.7.1 in months of wages.

RCI = RC / E: RC is every fee and cost the worker paid, converted to the wage currency at the
payment date's rate; E is the actual first-month wage. Costs and earnings are the same worker's.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from casework.extensions import db
from casework.models import Case, ExchangeRate


@dataclass(frozen=True)
class RecruitmentCost:
    paid_by_currency: dict[str, Decimal]
    receipts_by_currency: dict[str, Decimal]
    total_in_wage_currency: Decimal | None
    months_of_wages: Decimal | None
    missing_rates: list[str]


def rate_per_usd(currency: str, on: date) -> Decimal | None:
    """Units of `currency` per US dollar on a date: the latest rate valid by then."""
    if currency == "USD":
        return Decimal(1)
    rate = db.session.scalar(
        select(ExchangeRate.per_usd)
        .where(ExchangeRate.currency == currency, ExchangeRate.valid_from <= on)
        .order_by(ExchangeRate.valid_from.desc())
        .limit(1)
    )
    if rate is None:  # before the first known rate: use the earliest one
        rate = db.session.scalar(
            select(ExchangeRate.per_usd)
            .where(ExchangeRate.currency == currency)
            .order_by(ExchangeRate.valid_from)
            .limit(1)
        )
    return rate


def convert(amount: Decimal, from_currency: str, to_currency: str, on: date) -> Decimal | None:
    if from_currency == to_currency:
        return amount
    source, target = rate_per_usd(from_currency, on), rate_per_usd(to_currency, on)
    if source is None or target is None:
        return None
    return amount / source * target


def recruitment_cost(case: Case) -> RecruitmentCost:
    paid: dict[str, Decimal] = defaultdict(Decimal)
    receipts: dict[str, Decimal] = defaultdict(Decimal)
    for fee in case.fees:
        paid[fee.currency] += fee.amount_paid
        if fee.receipt_amount is not None:
            receipts[fee.currency] += fee.receipt_amount
    wage, wage_currency = case.actual_wage_amount, case.actual_wage_currency
    total: Decimal | None = None
    missing: list[str] = []
    if wage_currency:
        total = Decimal(0)
        for fee in case.fees:
            converted = convert(
                fee.amount_paid, fee.currency, wage_currency, fee.paid_on or case.created_at.date()
            )
            if converted is None:
                missing.append(fee.currency)
            else:
                total += converted
    months = None
    if total is not None and not missing and wage:
        months = (total / wage).quantize(Decimal("0.01"))
        total = total.quantize(Decimal("0.01"))
    return RecruitmentCost(
        dict(paid), dict(receipts), total if not missing else None, months, sorted(set(missing))
    )
