"""Option lists for the worker's form, named in the worker's language (CLDR via Babel)."""

from __future__ import annotations

from babel.numbers import get_currency_name
from wtforms.fields.choices import SelectChoice

from casework.i18n import babel_locale
from casework.services.intake.choices import country_codes, currency_codes

BLANK = SelectChoice("", "—")


def country_choices(origin: bool) -> list[SelectChoice]:
    locale = babel_locale()
    named = sorted((locale.territories.get(code, code), code) for code in country_codes(origin))
    return [BLANK] + [SelectChoice(code, name) for name, code in named]


def currency_choices() -> list[SelectChoice]:
    locale = babel_locale()
    named = sorted(
        (f"{code} – {get_currency_name(code, locale=locale)}", code) for code in currency_codes()
    )
    return [BLANK] + [SelectChoice(code, name) for name, code in named]
