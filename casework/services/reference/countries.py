"""Every country CLDR knows, and the ones this deployment offers as origins and destinations.

Which CLDR territories count as countries: the two-letter ones (the three-digit codes are
regions such as "001" World or "150" Europe), less CLDR's groupings and placeholders (EU, EZ,
UN, QO outlying Oceania, ZZ unknown, XA/XB pseudo-locales), less the places CLDR gives their
own code although ISO 3166-1 does not (AC, CP, CQ, DG, EA, IC, TA: parts of other countries)
and less Antarctica (no currency, nobody is recruited to it). What is left is ISO 3166-1 plus
Kosovo (XK), which CLDR names and whose workers migrate like any others: 249 countries.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from babel import Locale
from babel.numbers import get_territory_currencies
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from casework.extensions import db
from casework.models import Country
from casework.services import audit
from casework.services.actors import Actor
from casework.services.errors import InvalidInput

NOT_COUNTRIES = frozenset(
    {"EU", "EZ", "UN", "QO", "ZZ", "XA", "XB"}  # groupings and placeholders
    | {"AC", "CP", "CQ", "DG", "EA", "IC", "TA"}  # CLDR-only codes for parts of countries
    | {"AQ"}  # Antarctica
)
SIDES = ("origin", "destination")


def cldr_country_codes() -> list[str]:
    """The codes of every country, sorted (see the module docstring for what counts)."""
    territories = Locale("en").territories
    return sorted(
        code
        for code in map(str, territories)
        if len(code) == 2 and code.isalpha() and code not in NOT_COUNTRIES
    )


def country_currencies(code: str, on: date | None = None) -> list[str]:
    """The currencies that are legal tender in a country today, in CLDR's order."""
    return list(_tender(code, on or date.today()))


@lru_cache(maxsize=1024)
def _tender(code: str, on: date) -> tuple[str, ...]:
    return tuple(get_territory_currencies(code, on, tender=True))


@dataclass(frozen=True)
class CountryLoad:
    added: int
    updated: int
    total: int


def load_countries() -> CountryLoad:
    """Add every CLDR country that is missing and bring each one's currency up to date; the
    origin and destination choices are never changed here. Idempotent; flushes, the caller
    commits."""
    existing = {country.code: country for country in db.session.scalars(select(Country))}
    added = updated = 0
    codes = cldr_country_codes()
    for code in codes:
        currencies = country_currencies(code)
        currency = currencies[0] if currencies else ""
        country = existing.get(code)
        if country is None:
            db.session.add(
                Country(code=code, currency=currency, is_origin=False, is_destination=False)
            )
            added += 1
        elif currency and country.currency != currency:
            country.currency = currency
            updated += 1
    db.session.flush()
    return CountryLoad(added=added, updated=updated, total=len(codes))


def offered_codes(side: str) -> list[str]:
    """Codes of the countries offered as `origin` or as `destination`."""
    flag = Country.is_origin if side == "origin" else Country.is_destination
    return list(db.session.scalars(select(Country.code).where(flag).order_by(Country.code)))


def offered_anywhere() -> frozenset[str]:
    """Codes offered on either side: what a complaint may name."""
    return frozenset(
        db.session.scalars(
            select(Country.code).where(or_(Country.is_origin, Country.is_destination))
        )
    )


@dataclass(frozen=True)
class CountryRow:
    code: str
    name: str
    currency: str
    is_origin: bool
    is_destination: bool


def country_rows(locale: Locale) -> list[CountryRow]:
    """Every country with its name in `locale`, sorted by that name."""
    territories = locale.territories
    rows = [
        CountryRow(
            code=country.code,
            name=str(territories.get(country.code, country.code)),
            currency=country.currency,
            is_origin=country.is_origin,
            is_destination=country.is_destination,
        )
        for country in db.session.scalars(select(Country))
    ]
    return sorted(rows, key=lambda row: (row.name.casefold(), row.code))


def _codes(values: Iterable[str], known: set[str], side: str, errors: dict[str, str]) -> set[str]:
    codes = {str(value).strip().upper() for value in values if str(value).strip()}
    unknown = sorted(codes - known)
    if unknown:
        errors[side] = str(_l("Unknown country code: %(codes)s.", codes=", ".join(unknown)))
    return codes & known


def choose_countries(
    actor: Actor, origins: Iterable[str], destinations: Iterable[str], *, add_only: bool = False
) -> list[str]:
    """Offer exactly these countries as origins and destinations (with `add_only`, offer these
    too and keep the others). One audit event per country and side that changes; commits.
    Returns the changes ("NP origin on", "QA destination off"); raises InvalidInput for codes
    that are no country, changing nothing."""
    countries = {country.code: country for country in db.session.scalars(select(Country))}
    errors: dict[str, str] = {}
    wanted = {
        "origin": _codes(origins, set(countries), "origin", errors),
        "destination": _codes(destinations, set(countries), "destination", errors),
    }
    if errors:
        raise InvalidInput(errors)
    changes = []
    for code, country in sorted(countries.items()):
        for side in SIDES:
            attribute = "is_origin" if side == "origin" else "is_destination"
            now = getattr(country, attribute)
            chosen = code in wanted[side] or (add_only and now)
            if chosen == now:
                continue
            setattr(country, attribute, chosen)
            change = f"{code} {side} {'on' if chosen else 'off'}"
            audit.record_audit(actor, audit.ADMIN_CHANGE, "country", code, change)
            changes.append(change)
    db.session.commit()
    return changes
