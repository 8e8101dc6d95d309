"""The worker's cookies: each HttpOnly, SameSite=Strict, Secure outside demo mode, and all of
them dropped by the quick exit. None holds the secret code."""

from __future__ import annotations

from flask import current_app
from werkzeug.wrappers import Response

from casework.i18n import LANGUAGE_COOKIE

# The follow-up session's random token (the case page after reference and secret).
FOLLOWUP_COOKIE = "cw_followup"
# The submission key of the complaint this browser just sent: opens its receipt page.
RECEIPT_COOKIE = "cw_receipt"
# A random value set with the complaint form: the receipt's secret is sealed under it too, so
# only this browser is shown the secret again.
HOLDER_COOKIE = "cw_intake"
RECEIPT_COOKIE_SECONDS = 3600
HOLDER_COOKIE_SECONDS = 4 * 3600  # as long as the form's CSRF token lasts
# The step-by-step form's draft: its random id and the only key that opens it
# (services/intake/drafts.py). Lives as long as the draft.
DRAFT_COOKIE = "cw_draft"
DRAFT_COOKIE_SECONDS = 24 * 3600


def set_private_cookie(response: Response, name: str, value: str, max_age: int | None) -> None:
    """`max_age=None`: gone when the browser closes."""
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Strict",
    )


def forget_worker_cookies(response: Response) -> None:
    """Expire every cookie the worker's pages set (for browsers that ignore Clear-Site-Data,
    which works only over HTTPS)."""
    secure = current_app.config["SESSION_COOKIE_SECURE"]
    for name in (FOLLOWUP_COOKIE, RECEIPT_COOKIE, HOLDER_COOKIE, DRAFT_COOKIE):
        response.delete_cookie(name, path="/", secure=secure, httponly=True, samesite="Strict")
    response.delete_cookie(LANGUAGE_COOKIE, secure=current_app.config["LANGUAGE_COOKIE_SECURE"])
    response.delete_cookie(
        current_app.config["SESSION_COOKIE_NAME"],
        path=current_app.config.get("SESSION_COOKIE_PATH") or "/",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
    )
