"""Answers that are allowed but unusual: the web form asks the worker to confirm them.

A date of something that already happened lying in the future, or a loan's interest over 100 %
a year, is more often a slip of the thumb than the truth. The form shows a warning at each such
field and sends the complaint once the worker ticks "Yes, this is right". The JSON API does not
ask: a partner's app checks with the worker in its own way.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l

from casework.models.columns import utcnow
from casework.services.errors import DomainError
from casework.services.intake.complaint import ComplaintInput

HIGH_INTEREST_PCT = Decimal(100)
# "Today" where the day starts first (UTC+14): a date that is today anywhere is not future.
_EARLIEST_ZONE = timedelta(hours=14)
# Things that have already happened; a contract's end may well lie ahead.
PAST_DATES = ("departure_date", "job_start_date", "incident_date")


class Unusual(DomainError):
    """Some answers look unusual; `fields` maps each field's payload path to a message.
    Raised before anything changed."""

    def __init__(self, fields: dict[str, str]):
        super().__init__("unusual: " + ", ".join(sorted(fields)))
        self.fields = fields


def _latest_today() -> date:
    return (utcnow() + _EARLIEST_ZONE).date()


def unusual_answers(complaint: ComplaintInput, payload: Mapping[str, Any]) -> dict[str, str]:
    """Field path → a warning in the request's language, for each unusual answer of a
    complaint parsed from `payload` (whose blank fee rows keep their place in the paths)."""
    today = _latest_today()
    future = str(_l("This date is in the future. Please check it."))
    warnings: dict[str, str] = {}
    for name in PAST_DATES:
        day = getattr(complaint, name)
        if day is not None and day > today:
            warnings[name] = future
    raw_fees = payload.get("fees") or []
    places = [index for index, item in enumerate(raw_fees) if item is not None]
    for index, fee in zip(places, complaint.fees, strict=False):
        if fee.paid_on is not None and fee.paid_on > today:
            warnings[f"fees.{index}.paid_on"] = future
        if fee.loan_interest_pct is not None and fee.loan_interest_pct > HIGH_INTEREST_PCT:
            warnings[f"fees.{index}.loan.annual_interest_pct"] = str(
                _l("Interest over 100% a year is very high. Please check the number.")
            )
    return warnings
