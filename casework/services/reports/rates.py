"""The exchange-rate table that reports convert money with; admins edit it.

A rate says how many units of a currency one US dollar bought from a day on. Reports use the
latest rate valid on the day an amount was paid or recorded (the earliest known rate for days
before it). Every change is audited; the report facts whose recruitment cost converts that
currency follow on the flush (casework.services.reports.facts).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from casework.extensions import db
from casework.models import Country, ExchangeRate, User
from casework.services import audit
from casework.services.errors import InvalidInput, NotPermitted
from casework.services.validation import FieldReader

MAX_RATE = Decimal("1e12")


def require_rate_editor(actor: User) -> User:
    """Only admins see and edit the exchange-rate table (`NotPermitted` otherwise)."""
    if actor.role != "admin":
        raise NotPermitted("exchange rates")
    return actor


def rate_currencies() -> list[str]:
    """Currencies a rate may be given for: every country's, and any that already has one."""
    known = set(db.session.scalars(select(Country.currency)))
    return sorted((known - {"USD"}) | {rate.currency for rate in list_rates()})


def list_rates() -> list[ExchangeRate]:
    return list(
        db.session.scalars(
            select(ExchangeRate).order_by(ExchangeRate.currency, ExchangeRate.valid_from.desc())
        )
    )


def _per_usd(r: FieldReader, data: dict[str, Any]) -> Decimal | None:
    raw = str(data.get("per_usd", "")).strip().replace(",", "")
    try:
        value = Decimal(raw)
    except InvalidOperation:
        value = Decimal(0)
    if not value.is_finite() or value <= 0 or value >= MAX_RATE:
        r.fail("per_usd", _l("Please write how many units one US dollar buys, like 133.25."))
        return None
    if value != value.quantize(Decimal("0.000001")):
        r.fail("per_usd", _l("Please use at most six decimals."))
        return None
    return value


def save_rate(actor: User, data: dict[str, Any]) -> ExchangeRate:
    """Add a rate, or change the one for the same currency and day. Raises InvalidInput."""
    r = FieldReader()
    currency = r.currency(data, "currency", "currency")
    if not currency:
        r.fail("currency", _l("Please choose the currency."))
    elif currency == "USD":
        r.fail("currency", _l("Rates are per US dollar: the dollar itself needs none."))
    valid_from = r.day(data, "valid_from", "valid_from")
    if valid_from is None and "valid_from" not in r.errors:
        r.fail("valid_from", _l("Please give the day the rate applies from."))
    per_usd = _per_usd(r, data)
    if r.errors or valid_from is None or per_usd is None:
        raise InvalidInput(r.errors)
    rate = db.session.get(ExchangeRate, (currency, valid_from))
    if rate is None:
        rate = ExchangeRate(currency=currency, valid_from=valid_from, per_usd=per_usd)
        db.session.add(rate)
    else:
        rate.per_usd = per_usd
    audit.record_audit(
        actor, audit.ADMIN_CHANGE, "exchange_rate", f"{currency}:{valid_from}", f"{per_usd}"
    )
    db.session.commit()
    return rate


def delete_rate(actor: User, currency: str, valid_from: str) -> bool:
    """Remove one rate; False if there was none."""
    r = FieldReader()
    day = r.day({"valid_from": valid_from}, "valid_from", "valid_from")
    rate = db.session.get(ExchangeRate, (currency.upper(), day)) if day else None
    if rate is None:
        return False
    db.session.delete(rate)
    audit.record_audit(
        actor, audit.ADMIN_CHANGE, "exchange_rate", f"{rate.currency}:{day}", "deleted"
    )
    db.session.commit()
    return True
