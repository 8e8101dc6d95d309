"""Reading input field by field: every service that takes what a person typed uses this.

A `FieldReader` collects every field's error instead of stopping at the first, so a form
comes back with all its mistakes marked at once; the service then raises `InvalidInput` with
them and changes nothing. Messages are lazy translations: they render in the language of the
request that shows them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from babel.numbers import list_currencies
from flask_babel import lazy_gettext as _l

from casework.services.errors import InvalidInput
from casework.vocabulary.digits import ascii_digits

CURRENCIES = frozenset(list_currencies())
# What `amount` and `day` accept, also stated in the API's OpenAPI document.
MAX_AMOUNT = Decimal("1e12")
EARLIEST_DAY = date(1950, 1, 1)
DAYS_AHEAD = 3660  # contracts run for years: about ten years ahead
UNSTORABLE = _l("This contains an invisible character that we cannot store. Please type it again.")


def whole_number(value: object, digits: int = 12) -> int | None:
    """`value` as a non-negative int if it is written in digits only, of any script (at most
    `digits` of them), else None. `str.isdigit()` accepts superscript and circled digits that `int()`
    then refuses, and `int()` refuses more than 4,300 digits: both were 500s."""
    text = ascii_digits(str(value)).strip() if value is not None else ""
    if not text or len(text) > digits or not (text.isascii() and text.isdecimal()):
        return None
    return int(text)


def storable(text: str) -> bool:
    """False for text no database keeps alike: NUL (PostgreSQL refuses it, SQLite takes it)
    and lone UTF-16 surrogates (JSON's `\\ud800` escapes; they cannot be encoded at all)."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@dataclass
class Money:
    amount: Decimal
    currency: str


class FieldReader:
    """Collects every field error instead of stopping at the first."""

    def __init__(self) -> None:
        self.errors: dict[str, Any] = {}

    def fail(self, path: str, message: Any) -> None:
        self.errors.setdefault(path, str(message))

    def text(self, data: Mapping[str, Any], key: str, path: str, limit: int) -> str:
        value = data.get(key)
        if value is None:
            return ""
        if not isinstance(value, str):
            self.fail(path, _l("Please write this as text."))
            return ""
        if not storable(value):
            self.fail(path, UNSTORABLE)
            return ""
        value = value.strip()
        if len(value) > limit:
            self.fail(path, _l("This is too long (at most %(limit)s characters).", limit=limit))
        return value

    def choice(self, data: Mapping[str, Any], key: str, path: str, allowed: Any) -> str | None:
        value = self.text(data, key, path, 40)
        if not value:
            return None
        if value not in allowed:
            self.fail(path, _l("Please choose one of the options."))
            return None
        return value

    def country(self, data: Mapping[str, Any], key: str, known: frozenset[str]) -> str:
        value = self.text(data, key, key, 2).upper()
        if not value:
            self.fail(key, _l("Please choose a country."))
        elif value not in known:
            self.fail(key, _l("Please choose a country from the list."))
        return value

    def amount(self, data: Mapping[str, Any], key: str, path: str) -> Decimal | None:
        value = data.get(key)
        if value is None or value == "":
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.fail(path, _l("Please write an amount, like 15000 or 150.50."))
            return None
        text = ascii_digits(str(value)).strip().replace(",", "").replace(" ", "")
        try:
            amount = Decimal(text)
        except InvalidOperation:
            self.fail(path, _l("Please write an amount, like 15000 or 150.50."))
            return None
        if not amount.is_finite() or amount < 0 or amount >= MAX_AMOUNT:
            self.fail(path, _l("Please write an amount, like 15000 or 150.50."))
            return None
        if amount != amount.quantize(Decimal("0.01")):
            self.fail(path, _l("Please use at most two decimals."))
            return None
        return amount

    def currency(self, data: Mapping[str, Any], key: str, path: str) -> str:
        value = self.text(data, key, path, 3).upper()
        if value and value not in CURRENCIES:
            self.fail(path, _l("Please choose a currency from the list."))
        return value

    def day(self, data: Mapping[str, Any], key: str, path: str) -> date | None:
        value = ascii_digits(self.text(data, key, path, 10))
        if not value:
            return None
        try:
            parsed = date.fromisoformat(value)
        except ValueError:
            self.fail(path, _l("Please give a date as year-month-day, like 2026-03-01."))
            return None
        if parsed < EARLIEST_DAY or parsed > date.today() + timedelta(days=DAYS_AHEAD):
            self.fail(path, _l("Please check this date."))
            return None
        return parsed

    def flag(self, data: Mapping[str, Any], key: str) -> bool:
        value = data.get(key)
        if isinstance(value, str):
            return value.strip().lower() in {"1", "true", "yes", "on", "y"}
        return bool(value)

    def section(self, data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
        value = data.get(key)
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            self.fail(key, _l("This part of the complaint is not in the expected form."))
            return {}
        return value

    def money(self, data: Mapping[str, Any], key: str) -> Money | None:
        section = self.section(data, key)
        amount = self.amount(section, "amount", f"{key}.amount")
        currency = self.currency(section, "currency", f"{key}.currency")
        if amount is None:
            return None
        if not currency:
            self.fail(f"{key}.currency", _l("Please choose the currency."))
            return None
        return Money(amount, currency)

    def raise_if_any(self) -> None:
        """Raise `InvalidInput` with every error collected so far, if there is one."""
        if self.errors:
            raise InvalidInput(self.errors)
