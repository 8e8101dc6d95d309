"""Numbers as workers type them: in their own script's digits.

A Bengali phone types ১৫০০০, an Arabic one ١٥٠٠٠ (and ٫ for the decimal point, ٬ between
thousands), an Urdu or Persian one ۱۵۰۰۰, a Nepali one १५०००. `ascii_digits` rewrites any of
them, with those separators, as the ASCII text the rest of the code reads; nothing else in the
text changes, so a field's own checks still refuse what is not a number.
"""

from __future__ import annotations

import unicodedata

ARABIC_DECIMAL_SEPARATOR = "\u066b"  # ٫
ARABIC_THOUSANDS_SEPARATOR = "\u066c"  # ٬
_SEPARATORS = {
    ord(ARABIC_DECIMAL_SEPARATOR): ".",
    ord(ARABIC_THOUSANDS_SEPARATOR): ",",
    ord("\u00a0"): " ",  # no-break space between thousands (many CLDR locales)
    ord("\u202f"): " ",  # narrow no-break space
}


def ascii_digits(text: str) -> str:
    """`text` with every Unicode decimal digit (any script) as its ASCII digit, and the
    Arabic decimal and thousands separators as "." and ","."""
    if text.isascii():
        return text
    out = []
    for char in text.translate(_SEPARATORS):
        value = unicodedata.decimal(char, None) if not char.isascii() else None
        out.append(str(value) if value is not None else char)
    return "".join(out)
