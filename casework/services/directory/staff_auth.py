"""Staff authentication: argon2id passwords and the TOTP second factor."""

from __future__ import annotations

import base64
import time
from dataclasses import dataclass

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context
from sqlalchemy import func, select

from casework.crypto import new_data_key
from casework.extensions import db
from casework.models import User
from casework.services import audit
from casework.services.actors import SystemActor
from casework.services.directory.sessions import end_all_sessions
from casework.services.errors import DomainError
from casework.services.runtime import keyring

MIN_PASSWORD_LENGTH = 12


def _password_hasher() -> PasswordHasher:
    """argon2id with the library's recommended parameters, unless the configuration lowers
    them (the test suite does: the same code path at a fraction of the cost)."""
    config = current_app.config if has_app_context() else {}
    cost = {
        name: config[key]
        for name, key in (
            ("time_cost", "PASSWORD_HASH_TIME_COST"),
            ("memory_cost", "PASSWORD_HASH_MEMORY_KIB"),
        )
        if config.get(key)
    }
    return PasswordHasher(**cost)


class PasswordRejected(DomainError):
    """A new password does not meet the rules."""


def hash_password(password: str) -> str:
    return _password_hasher().hash(password)


def check_new_password(password: str, user_email: str = "") -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordRejected(f"at least {MIN_PASSWORD_LENGTH} characters")
    if user_email and user_email.split("@")[0].lower() in password.lower():
        raise PasswordRejected("must not contain your email name")


def find_user(email: str) -> User | None:
    return db.session.scalars(
        select(User).where(func.lower(User.email) == email.strip().lower())
    ).first()


def _dummy_hash() -> str:
    cached: str | None = current_app.extensions.get("casework.dummy_password_hash")
    if cached is None:
        cached = _password_hasher().hash("not-a-real-password")
        current_app.extensions["casework.dummy_password_hash"] = cached
    return cached


def check_password(email: str, password: str) -> User | None:
    """The active user with this email and password, else None (same time either way).

    Writes a `login_failed` audit event on failure; the caller commits.
    """
    user = find_user(email)
    stored = user.password_hash if user else _dummy_hash()
    ok = False
    try:
        ok = _password_hasher().verify(stored, password)
    except (VerificationError, InvalidHashError):
        pass
    if not ok or user is None or not user.is_active:
        audit.record_audit(
            user if user else SystemActor("anonymous"),
            audit.LOGIN_FAILED,
            "user",
            str(user.id) if user else "",
        )
        db.session.commit()
        return None
    if _password_hasher().check_needs_rehash(user.password_hash):
        user.password_hash = _password_hasher().hash(password)
    return user


def change_password(user: User, current: str, new: str) -> None:
    """Change the password and end every session of this user (this one too)."""
    try:
        _password_hasher().verify(user.password_hash, current)
    except (VerificationError, InvalidHashError) as exc:
        raise PasswordRejected("the current password is wrong") from exc
    check_new_password(new, user.email)
    user.password_hash = _password_hasher().hash(new)
    end_all_sessions([user])
    audit.record_audit(user, audit.PASSWORD_CHANGE, "user", str(user.id))
    db.session.commit()


# --- TOTP ------------------------------------------------------------------------------------
def _totp_aad(user: User) -> bytes:
    return f"totp:{user.id}".encode()


def _totp_secret(user: User) -> str:
    if user.totp_wrapped is None or user.totp_key_id is None:
        raise ValueError("no TOTP key")
    key = keyring().unwrap(user.totp_key_id, user.totp_wrapped, _totp_aad(user))
    return base64.b32encode(key[:20]).decode("ascii")


def rewrap_totp_key(user: User) -> None:
    """Re-wrap the user's TOTP key with the current master key (part of key rotation)."""
    ring = keyring()
    if user.totp_wrapped is None or user.totp_key_id is None or user.totp_key_id == ring.current_id:
        return
    key = ring.unwrap(user.totp_key_id, user.totp_wrapped, _totp_aad(user))
    user.totp_key_id, user.totp_wrapped = ring.wrap(key, _totp_aad(user))


@dataclass(frozen=True)
class Enrolment:
    secret: str
    uri: str


def start_totp_enrolment(user: User) -> Enrolment:
    """Give the user a new (unconfirmed) TOTP key; shown once as a QR code and a text secret."""
    key = new_data_key()
    user.totp_key_id, user.totp_wrapped = keyring().wrap(key, _totp_aad(user))
    user.totp_confirmed = False
    db.session.commit()
    return current_enrolment(user)


def current_enrolment(user: User) -> Enrolment:
    secret = _totp_secret(user)
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name="casework")
    return Enrolment(secret, uri)


def verify_totp(user: User, code: str) -> bool:
    """Check a 6-digit code (±1 step of clock drift); a code is never accepted twice."""
    if user.totp_wrapped is None:
        return False
    digits = "".join(ch for ch in code if ch.isdigit())
    if len(digits) != 6:
        return False
    totp = pyotp.TOTP(_totp_secret(user))
    now = time.time()
    for drift in (-1, 0, 1):
        step = int(now // totp.interval) + drift
        if step > user.totp_last_step and totp.at(step * totp.interval) == digits:
            user.totp_last_step = step
            return True
    return False


def sign_in_with_code(user: User, code: str) -> bool:
    """The second factor at sign-in: True if the code is right (and is then used up); a wrong
    code is recorded on the audit trail. Commits either way."""
    if verify_totp(user, code):
        db.session.commit()
        return True
    audit.record_audit(user, audit.LOGIN_FAILED, "user", str(user.id), "wrong code")
    db.session.commit()
    return False


def confirm_totp(user: User, code: str) -> bool:
    if not verify_totp(user, code):
        return False
    user.totp_confirmed = True
    audit.record_audit(user, audit.TOTP_ENROLLED, "user", str(user.id))
    db.session.commit()
    return True
