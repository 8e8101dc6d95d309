"""Who a sign-in attempt counts against. Flask-Limiter keeps the counters in its storage
(`CASEWORK_RATELIMIT_STORAGE`: memory for one process, Redis shared by several nodes).

A browser where someone signed in fully gets a signed "known device" cookie for that account
(no secret, no name: a random id and a hash of the e-mail address). Its wrong passwords count
on their own: an attacker behind the same address (an office, a mobile carrier's NAT) cannot
use up the owner's attempts.
"""

from __future__ import annotations

import hashlib
import secrets

from flask import current_app, g, request, session
from flask_limiter.util import get_remote_address
from itsdangerous import BadData, URLSafeTimedSerializer
from werkzeug.wrappers import Response

# The session key of a sign-in that passed the password and waits for its second factor.
PENDING = "pending_2fa"


DEVICE_COOKIE = "cw_device"
DEVICE_SECONDS = 90 * 24 * 3600


def _devices() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key or "", salt="casework-known-device")


def _account(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode("utf-8")).hexdigest()[:32]


def known_device(email: str) -> str | None:
    """This browser's device id, if it signed in to this account before."""
    raw = request.cookies.get(DEVICE_COOKIE, "")
    if not raw or len(raw) > 300:
        return None
    try:
        data = _devices().loads(raw, max_age=DEVICE_SECONDS)
    except BadData:
        return None
    if not isinstance(data, dict) or data.get("a") != _account(email):
        return None
    device = data.get("d")
    return device if isinstance(device, str) else None


def remember_device(response: Response, email: str) -> Response:
    """Mark this browser as one the account's owner uses (after a full sign-in)."""
    device = known_device(email) or secrets.token_urlsafe(16)
    response.set_cookie(
        DEVICE_COOKIE,
        _devices().dumps({"d": device, "a": _account(email)}),
        max_age=DEVICE_SECONDS,
        path="/login",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )
    return response


def account_client_key() -> str:
    """Wrong passwords count per (account, client): an attacker's guesses fill their own
    counter and never the one of the account's owner signing in from their own browser."""
    email = (request.form.get("email", "") or "").strip().lower()[:254]
    device = known_device(email)
    client = f"device:{device}" if device else get_remote_address()
    return f"login:{_account(email)}:{client}"  # no address in clear in the limiter's store


def pending_account_key() -> str:
    """Second-factor guesses count per account, from whichever addresses: whoever reaches
    this step already holds the password."""
    pending = session.get(PENDING)
    user_id = pending.get("user") if isinstance(pending, dict) else None
    return f"code:{user_id if isinstance(user_id, int) else 'none'}"


def login_failed(response: Response) -> bool:
    return bool(g.get("login_failed"))


def code_failed(response: Response) -> bool:
    return bool(g.get("code_failed"))
