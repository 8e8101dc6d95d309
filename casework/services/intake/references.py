"""Case references: short, unambiguous when read aloud or copied by hand."""

from __future__ import annotations

import re
import secrets

# No 0/O, 1/I/L, U: nothing a worker can misread.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
_PATTERN = re.compile(r"^CW-[" + ALPHABET + r"]{4}-[" + ALPHABET + r"]{4}$")


def new_reference() -> str:
    chars = "".join(secrets.choice(ALPHABET) for _ in range(8))
    return f"CW-{chars[:4]}-{chars[4:]}"


def normalise_reference(typed: str) -> str | None:
    """Upper-case, accept missing dashes and spaces; None if it cannot be a reference."""
    cleaned = "".join(ch for ch in typed.upper() if ch.isascii() and ch.isalnum())
    if cleaned.startswith("CW"):
        cleaned = cleaned[2:]
    if len(cleaned) != 8:
        return None
    reference = f"CW-{cleaned[:4]}-{cleaned[4:]}"
    return reference if _PATTERN.match(reference) else None
