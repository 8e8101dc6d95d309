"""Staff sessions: Flask-Login wiring, idle timeout, and the deny-by-default gate that every
staff blueprint installs."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from flask import Blueprint, Flask, abort, current_app, flash, redirect, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user
from werkzeug.wrappers import Response

from casework.extensions import db, login_manager
from casework.models import User

LAST_SEEN = "staff_last_seen"


def load_user(session_id: str) -> User | None:
    """Flask-Login ids are `user id:session version`; a password change ends old sessions."""
    user_id, _, version = session_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.session_version != int(version) or not user.is_active:
        return None
    return user


def init_staff_sessions(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.user_loader(load_user)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in.")
    login_manager.session_protection = "strong"


def staff_gate(roles: Iterable[str]) -> Callable[[], Response | None]:
    """A `before_request` that admits only signed-in staff with one of `roles`."""
    allowed = frozenset(roles)

    def gate() -> Response | None:
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        now = int(time.time())
        if (
            now - int(session.get(LAST_SEEN, now))
            > current_app.config["STAFF_IDLE_TIMEOUT_SECONDS"]
        ):
            logout_user()
            session.clear()
            flash(_l("You were signed out after a period of inactivity."))
            return redirect(url_for("auth.login"))
        session[LAST_SEEN] = now
        if current_user.role not in allowed:
            abort(403)
        return None

    return gate


def protect(blueprint: Blueprint, roles: Iterable[str]) -> None:
    blueprint.before_request(staff_gate(roles))


def staff() -> User:
    """The signed-in staff user (only call behind `protect`)."""
    user: User = current_user._get_current_object()  # noqa: SLF001 - the real object for services
    return user
