"""Removing the demo's invented exchange rates from a live system.

Before `reference load` existed, production set-up ran `flask demo reference`, which also loaded
approximate rates dated 2025-01-01. They are recognised exactly (currency, day and figure of the
demo table, and no source other than the demo's), so a rate an admin imported or typed in is
never taken for one.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from casework.extensions import db
from casework.models import ExchangeRate
from casework.services import audit
from casework.services.actors import Actor


def demo_rates_held() -> list[ExchangeRate]:
    """The demo's rates this database holds."""
    from casework.services.demo_data import DEMO_RATES, DEMO_RATES_DAY, DEMO_RATES_SOURCE

    held = db.session.scalars(
        select(ExchangeRate).where(
            ExchangeRate.valid_from == DEMO_RATES_DAY,
            ExchangeRate.currency.in_(sorted(DEMO_RATES)),
            ExchangeRate.source.in_(["", DEMO_RATES_SOURCE]),
        )
    )
    return [rate for rate in held if Decimal(rate.per_usd) == Decimal(DEMO_RATES[rate.currency])]


def remove_demo_rates(actor: Actor) -> list[str]:
    """Delete the demo's rates (see the module docstring); one audit event per rate; commits.
    Returns the currencies whose demo rate went."""
    removed = []
    for rate in demo_rates_held():
        audit.record_audit(
            actor,
            audit.ADMIN_CHANGE,
            "exchange_rate",
            f"{rate.currency}:{rate.valid_from.isoformat()}",
            "deleted: demo rate",
        )
        db.session.delete(rate)
        removed.append(rate.currency)
    db.session.commit()
    return sorted(removed)
