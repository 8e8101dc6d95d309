"""What the complaint form offers: the countries and currencies the instance knows."""

from __future__ import annotations

from sqlalchemy import select

from casework.extensions import db
from casework.models import Country

# Wages and fees are often quoted in these even where no corridor country uses them.
EXTRA_CURRENCIES = ("USD", "EUR")


def country_codes(origin: bool) -> list[str]:
    """Codes of the countries workers leave from (`origin`) or go to."""
    flag = Country.is_origin if origin else Country.is_destination
    return list(db.session.scalars(select(Country.code).where(flag)))


def currency_codes() -> set[str]:
    """Every corridor country's currency, and the ones wages are commonly quoted in."""
    return set(db.session.scalars(select(Country.currency))) | set(EXTRA_CURRENCIES)
