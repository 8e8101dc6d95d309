"""The worker's follow-up secret: 16 digits, shown once, stored only as a slow salted hash.

The stored hash is argon2id (per-case random salt) over HMAC-SHA256(pepper, secret). The pepper
lives outside the database, so a stolen database alone cannot be brute-forced at all; with the
pepper too, argon2id makes each of the 10^16 guesses cost memory and time. The argon2 parameters
are configurable (`SECRET_HASH_*`); the defaults follow OWASP's minimum for argon2id.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

from casework.services.runtime import followup_pepper

SECRET_DIGITS = 16


def new_secret() -> str:
    return f"{secrets.randbelow(10**SECRET_DIGITS):0{SECRET_DIGITS}d}"


def format_secret(secret: str) -> str:
    """`1234 5678 9012 3456`: easier to copy onto paper or into a phone."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def normalise_secret(typed: str) -> str:
    """Digits only: workers type spaces, dashes, or use full-width, Devanagari, Arabic-Indic
    or Persian digits. Superscripts and circled numbers are not decimal digits (`isdigit()`
    says yes, `int()` says no): they are dropped like any other sign."""
    digits = []
    for char in typed:
        if char.isdecimal():
            digits.append(str(int(char)))  # int() understands every Unicode decimal digit
    return "".join(digits)


def _hasher() -> PasswordHasher:
    config = current_app.config
    return PasswordHasher(
        time_cost=config["SECRET_HASH_TIME_COST"],
        memory_cost=config["SECRET_HASH_MEMORY_KIB"],
        parallelism=config["SECRET_HASH_PARALLELISM"],
    )


def _peppered(secret: str) -> str:
    return hmac.new(followup_pepper(), secret.encode("ascii"), hashlib.sha256).hexdigest()


def hash_secret(secret: str) -> str:
    return _hasher().hash(_peppered(secret))


def verify_secret(stored_hash: str | None, typed: str) -> bool:
    """True if `typed` matches. With no stored hash, burns the same time and returns False."""
    secret = normalise_secret(typed)
    hasher = _hasher()
    if stored_hash is None or len(secret) != SECRET_DIGITS:
        # Same work as a real check, so timing does not reveal whether a reference exists.
        try:
            hasher.verify(_dummy_hash(), _peppered("0" * SECRET_DIGITS) + "x")
        except (VerificationError, InvalidHashError):
            pass
        return False
    try:
        return hasher.verify(stored_hash, _peppered(secret))
    except (VerificationError, InvalidHashError):
        return False


def _dummy_hash() -> str:
    cached: str | None = current_app.extensions.get("casework.dummy_secret_hash")
    if cached is None:
        cached = _hasher().hash(_peppered(new_secret()))
        current_app.extensions["casework.dummy_secret_hash"] = cached
    return cached
