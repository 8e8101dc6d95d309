"""What the complaint form offers: the countries admins chose, and their currencies (CLDR)."""

from __future__ import annotations

from casework.services.reference.countries import (
    country_currencies,
    offered_anywhere,
    offered_codes,
)

# Wages and fees are often quoted in these even where no corridor country uses them.
EXTRA_CURRENCIES = ("USD", "EUR")


def country_codes(origin: bool) -> list[str]:
    """Codes of the countries offered as origins (`origin`) or as destinations."""
    return offered_codes("origin" if origin else "destination")


def currency_codes() -> set[str]:
    """The legal tender of every offered country, and the ones wages are commonly quoted in."""
    currencies = {code for country in offered_anywhere() for code in country_currencies(country)}
    return currencies | set(EXTRA_CURRENCIES)
