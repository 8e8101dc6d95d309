"""Option lists for the worker's form, named in the worker's language (CLDR via Babel)."""

from __future__ import annotations

from babel.numbers import get_currency_name
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from casework.extensions import db
from casework.i18n import babel_locale
from casework.models import Country

EXTRA_CURRENCIES = ("USD", "EUR")


BLANK = SelectChoice("", "—")


def country_choices(origin: bool) -> list[SelectChoice]:
    locale = babel_locale()
    flag = Country.is_origin if origin else Country.is_destination
    codes = db.session.scalars(select(Country.code).where(flag)).all()
    named = sorted((locale.territories.get(code, code), code) for code in codes)
    return [BLANK] + [SelectChoice(code, name) for name, code in named]


def currency_choices() -> list[SelectChoice]:
    locale = babel_locale()
    codes = set(db.session.scalars(select(Country.currency)).all()) | set(EXTRA_CURRENCIES)
    named = sorted((f"{code} – {get_currency_name(code, locale=locale)}", code) for code in codes)
    return [BLANK] + [SelectChoice(code, name) for name, code in named]
