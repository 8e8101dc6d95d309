"""Sign-in views. Password first; then the second factor (or its enrolment) before the
session counts as signed in."""

from __future__ import annotations

import time

import segno
from flask import current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from casework.blueprints.auth import bp
from casework.blueprints.auth.forms import LoginForm, PasswordChangeForm, TotpForm
from casework.blueprints.auth.throttling import (
    PENDING,
    account_client_key,
    code_failed,
    login_failed,
    pending_account_key,
    remember_device,
)
from casework.extensions import limiter
from casework.models import User
from casework.redirects import safe_next
from casework.services.directory.operations import find_user_by_id
from casework.services.directory.sessions import end_session, open_session
from casework.services.directory.staff_auth import (
    PasswordRejected,
    change_password,
    check_password,
    confirm_totp,
    current_enrolment,
    sign_in_with_code,
    start_totp_enrolment,
)
from casework.staff_session import SESSION_TOKEN, staff_gate

PENDING_SECONDS = 300


def _safe_next(target: str | None) -> str:
    return safe_next(target, url_for("cases.queue"))


def _finish_login(user: User) -> Response:
    session.pop(PENDING, None)
    next_url = session.pop("login_next", None)
    session.clear()  # a fresh session: no fixation
    login_user(user)
    session.permanent = True
    session[SESSION_TOKEN] = open_session(user, request.user_agent.string)
    return remember_device(redirect(_safe_next(next_url)), user.email)


def _pending_user() -> User | None:
    pending = session.get(PENDING)
    if not pending or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    user_id = pending.get("user")
    return find_user_by_id(user_id) if isinstance(user_id, int) else None


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("20 per minute;100 per hour", methods=["POST"])
# Wrong passwords count per (account, client), in growing windows: the same client waits 15
# minutes after 5, 2 hours after 10, a day after 20 — while the account's owner, from their
# own client, still gets in. Counters live in the limiter's storage (shared between nodes).
@limiter.limit(
    "5 per 15 minutes;10 per 2 hours;20 per day",
    methods=["POST"],
    key_func=account_client_key,
    deduct_when=login_failed,
)
def login() -> str | Response | tuple[str, int]:
    if current_user.is_authenticated:
        return redirect(url_for("cases.queue"))
    form = LoginForm()
    if request.method == "GET" and request.args.get("next"):
        session["login_next"] = _safe_next(request.args.get("next"))
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form)
    user = check_password(form.email.data or "", form.password.data or "")
    if user is None:
        g.login_failed = True
        flash(_("Wrong email or password."))
        return render_template("auth/login.html", form=form), 401
    if not (current_app.config["REQUIRE_2FA"] or user.has_totp):
        return _finish_login(user)
    session[PENDING] = {"user": user.id, "at": int(time.time())}
    return redirect(url_for("auth.totp" if user.has_totp else "auth.enrol"))


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit("10 per 5 minutes", methods=["POST"])
# Whoever reaches the code step knows the password: code guesses are limited per account,
# from whatever addresses they come.
@limiter.limit(
    "5 per 15 minutes;15 per day",
    methods=["POST"],
    key_func=pending_account_key,
    deduct_when=code_failed,
)
def totp() -> str | Response | tuple[str, int]:
    user = _pending_user()
    if user is None or not user.has_totp:
        return redirect(url_for("auth.login"))
    form = TotpForm()
    if form.validate_on_submit():
        if sign_in_with_code(user, form.code.data or ""):
            return _finish_login(user)
        g.code_failed = True
        flash(_("That code is not right. Use the newest code from your app."))
        return render_template("auth/totp.html", form=form), 401
    return render_template("auth/totp.html", form=form)


@bp.route("/login/enrol", methods=["GET", "POST"])
@limiter.limit("10 per 5 minutes", methods=["POST"])
@limiter.limit(
    "5 per 15 minutes;15 per day",
    methods=["POST"],
    key_func=pending_account_key,
    deduct_when=code_failed,
)
def enrol() -> str | Response | tuple[str, int]:
    user = _pending_user()
    if user is None or user.has_totp:
        return redirect(url_for("auth.login"))
    form = TotpForm()
    # Keep the pending key across reloads, so a code already scanned keeps working.
    enrolment = start_totp_enrolment(user) if user.totp_wrapped is None else current_enrolment(user)
    status = 200
    if form.validate_on_submit():
        if confirm_totp(user, form.code.data or ""):
            return _finish_login(user)
        g.code_failed = True
        flash(_("That code is not right. Check the time on your phone and try again."))
        status = 401
    qr_svg = segno.make(enrolment.uri, error="m").svg_inline(scale=4, title="TOTP")
    return render_template(
        "auth/enrol.html", form=form, secret=enrolment.secret, qr_svg=qr_svg
    ), status


@bp.post("/logout")
def logout() -> Response:
    user = current_user._get_current_object() if current_user.is_authenticated else None  # noqa: SLF001
    end_session(user, session.get(SESSION_TOKEN))
    logout_user()
    session.clear()
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
def password() -> str | Response | tuple[str, int]:
    denied = staff_gate(("caseworker", "supervisor", "admin"))()
    if denied is not None:
        return denied
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            change_password(
                current_user._get_current_object(), form.current.data or "", form.new.data or ""
            )  # noqa: SLF001
        except PasswordRejected as rejected:
            form.new.errors = [str(rejected)]
            return render_template("auth/password.html", form=form), 422
        logout_user()
        session.clear()
        flash(_("Password changed. Please sign in again."))
        return redirect(url_for("auth.login"))
    return render_template("auth/password.html", form=form)
