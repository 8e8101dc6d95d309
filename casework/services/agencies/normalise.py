"""Licence numbers, names, status words and dates as lists and workers write them, folded to
the forms the registry stores and compares."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime

from casework.models.registry import BANNED, CANCELLED, DELISTED, EXPIRED, SUSPENDED, VALID

# Lists' words for a status, folded (lower case, single spaces). The Philippines' list says
# "Valid", "Suspended", "Cancelled", "Delisted" and "Forever Banned"; Nepal's DoFE "Active",
# "Renewed", "Licence cancelled"; others "Revoked", "Blacklisted", "Lapsed".
STATUS_WORDS: dict[str, str] = {
    **dict.fromkeys(
        ("valid", "active", "licensed", "licenced", "renewed", "in good standing", "good standing"),
        VALID,
    ),
    **dict.fromkeys(("expired", "lapsed", "not renewed", "for renewal"), EXPIRED),
    **dict.fromkeys(("suspended", "temporarily suspended", "under suspension"), SUSPENDED),
    **dict.fromkeys(
        ("cancelled", "canceled", "revoked", "licence cancelled", "license cancelled"), CANCELLED
    ),
    **dict.fromkeys(("delisted", "closed", "retired", "voluntarily closed"), DELISTED),
    **dict.fromkeys(
        ("banned", "forever banned", "perpetually banned", "blacklisted", "black listed"), BANNED
    ),
}

# Words that say what kind of company it is, not which one: "Sunrise Manpower Pvt. Ltd." and
# "Sunrise Manpower" are the same agency to a worker.
_LEGAL_WORDS = frozenset(
    "pvt pvt. private ltd ltd. limited inc inc. incorporated co co. corp corporation company "
    "llc plc sdn bhd pt cv the and &".split()
)
_NOT_WORD = re.compile(r"[^\w&]+")


def fold_digits(text: str) -> str:
    """Every decimal digit of any script (Devanagari, Arabic-Indic, Bengali ...) as ASCII."""
    return "".join(
        str(unicodedata.digit(ch)) if ch.isdigit() and not ch.isascii() else ch for ch in text
    )


def licence_key(licence: str) -> str:
    """The licence number as the registry compares it: NFKC, ASCII digits, upper case, and
    no spaces, slashes, dashes or other punctuation. "१२३४/०६७/६८" → "123406768"."""
    folded = fold_digits(unicodedata.normalize("NFKC", licence)).upper()
    return "".join(ch for ch in folded if ch.isalnum())


def name_key(name: str) -> str:
    """The name as the matcher compares it: case- and width-folded, punctuation and legal-form
    words ("Pvt. Ltd.", "Inc.") removed, single spaces."""
    folded = fold_digits(unicodedata.normalize("NFKC", name)).casefold()
    words = _NOT_WORD.sub(" ", folded).split()
    kept = [w for w in words if w not in _LEGAL_WORDS]
    return " ".join(kept or words)


def status_of(word: str) -> str | None:
    """The registry status a list's word means, or None for a word we do not know."""
    folded = " ".join(word.casefold().replace("_", " ").replace("-", " ").split())
    return STATUS_WORDS.get(folded)


_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y/%m/%d", "%d %b %Y", "%d %B %Y")


def parse_list_date(value: object) -> date | None:
    """A date cell: a spreadsheet date, or text in ISO or day-first form. None when empty;
    ValueError when it cannot be read (the row is reported, not guessed)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = fold_digits(str(value)).strip()
    if not text:
        return None
    if len(text) == 10 and text[4] == "-":
        try:
            return date.fromisoformat(text)  # the usual case, without trying every format
        except ValueError:
            pass
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar date
        except ValueError:
            continue
    raise ValueError(text)
