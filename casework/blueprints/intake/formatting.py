"""Dates, times and file sizes on the worker's pages, in the worker's language and script.

Babel formats dates in the locale's words but always with ASCII digits; a Nepali reader
expects Devanagari digits (CLDR's default numbering system for `ne` is `deva`), so the digits
are then written in the locale's own numbering system. Seconds are left out: nobody needs them.
"""

from __future__ import annotations

from datetime import date, datetime

from babel.dates import get_datetime_format
from babel.units import format_unit
from flask_babel import format_date, format_time

from casework.blueprints.intake import bp
from casework.i18n import babel_locale

# The zero of each decimal numbering system CLDR names for our languages' locales.
_ZEROS = {
    "deva": "०",
    "arab": "٠",
    "arabext": "۰",
    "beng": "০",
    "mymr": "၀",
    "khmr": "០",
    "thai": "๐",
}


def in_worker_digits(text: str) -> str:
    """`text` with ASCII digits written in the worker locale's default numbering system."""
    zero = _ZEROS.get(babel_locale().default_numbering_system)
    if zero is None:
        return text
    return text.translate({ord("0") + n: chr(ord(zero) + n) for n in range(10)})


@bp.app_template_filter("worker_datetime")
def worker_datetime(value: datetime) -> str:
    """`3 Dec 2026, 14:05` as the worker's locale writes it (medium date, short time)."""
    pattern = get_datetime_format("medium", locale=babel_locale())
    text = str(pattern).replace("{1}", format_date(value, "medium"))
    return in_worker_digits(text.replace("{0}", format_time(value, "short")))


@bp.app_template_filter("worker_date")
def worker_date(value: date) -> str:
    return in_worker_digits(format_date(value, "medium"))


@bp.app_template_filter("file_size")
def file_size(size: int) -> str:
    """`12 kB`, `1.5 MB` in the worker's locale and digits."""
    locale = babel_locale()
    if size < 1000 * 1000:
        text = format_unit(max(1, round(size / 1000)), "digital-kilobyte", "short", locale=locale)
    else:
        text = format_unit(size / 1e6, "digital-megabyte", "short", "#,##0.#", locale=locale)
    return in_worker_digits(str(text))


@bp.app_template_filter("worker_number")
def worker_number(value: int) -> str:
    """A count in the worker's digits (`२` in Nepali)."""
    return in_worker_digits(str(value))
