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
from casework.extensions import limiter
from casework.models import User
from casework.services.directory.operations import find_user_by_id
from casework.services.directory.staff_auth import (
    PasswordRejected,
    change_password,
    check_password,
    confirm_totp,
    current_enrolment,
    record_login,
    record_logout,
    sign_in_with_code,
    start_totp_enrolment,
)
from casework.staff_session import LAST_SEEN, staff_gate

PENDING = "pending_2fa"
PENDING_SECONDS = 300


def _email_key() -> str:
    return "login:" + (request.form.get("email", "") or "").strip().lower()


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("cases.queue")


def _finish_login(user: User) -> Response:
    session.pop(PENDING, None)
    next_url = session.pop("login_next", None)
    session.clear()  # a fresh session: no fixation
    login_user(user)
    session.permanent = True
    session[LAST_SEEN] = int(time.time())
    record_login(user)
    return redirect(_safe_next(next_url))


def _pending_user() -> User | None:
    pending = session.get(PENDING)
    if not pending or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    user_id = pending.get("user")
    return find_user_by_id(user_id) if isinstance(user_id, int) else None


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("20 per minute;100 per hour", methods=["POST"])
@limiter.limit(
    "5 per 15 minutes",
    methods=["POST"],
    key_func=_email_key,
    deduct_when=lambda r: bool(g.get("login_failed")),
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
def totp() -> str | Response | tuple[str, int]:
    user = _pending_user()
    if user is None or not user.has_totp:
        return redirect(url_for("auth.login"))
    form = TotpForm()
    if form.validate_on_submit():
        if sign_in_with_code(user, form.code.data or ""):
            return _finish_login(user)
        flash(_("That code is not right. Use the newest code from your app."))
        return render_template("auth/totp.html", form=form), 401
    return render_template("auth/totp.html", form=form)


@bp.route("/login/enrol", methods=["GET", "POST"])
@limiter.limit("10 per 5 minutes", methods=["POST"])
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
        flash(_("That code is not right. Check the time on your phone and try again."))
        status = 401
    qr_svg = segno.make(enrolment.uri, error="m").svg_inline(scale=4, title="TOTP")
    return render_template(
        "auth/enrol.html", form=form, secret=enrolment.secret, qr_svg=qr_svg
    ), status


@bp.post("/logout")
def logout() -> Response:
    if current_user.is_authenticated:
        record_logout(current_user._get_current_object())  # noqa: SLF001
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
