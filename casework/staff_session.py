"""Staff sessions: Flask-Login wiring onto the server-side session records, and the
deny-by-default gate that every staff blueprint installs."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from flask import Blueprint, Flask, abort, flash, g, redirect, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

from casework.extensions import login_manager
from casework.models import User
from casework.outages import DependencyUnavailable, unavailable_dependency
from casework.services.directory.sessions import ENDED_IDLE, resume_session

# The only thing the signed cookie holds about the sign-in besides Flask-Login's user id: the
# random token of the server-side record (services/directory/sessions.py).
SESSION_TOKEN = "staff_sid"  # noqa: S105 - a session key name


def load_user(login_id: str) -> User | None:
    """The signed-in user, if the server-side session behind this cookie still counts.

    Fails safe: when the database (or anything else the check needs) is down, nobody is
    signed in for this request, and `staff_gate` answers 503 rather than sending the user to
    sign in again. Flask-Login remembers the answer for the request, so neither the rest of
    the request nor its error page tries the database again."""
    try:
        resumed = resume_session(session.get(SESSION_TOKEN), login_id)
    except Exception as error:
        dependency = unavailable_dependency(error)
        if dependency is None:
            raise
        g.staff_unavailable = dependency
        return None
    if resumed.ended:
        g.staff_session_ended = resumed.ended
    return resumed.user


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
            unavailable = g.get("staff_unavailable")
            if unavailable:  # not signed out: the sign-in could not be checked
                raise DependencyUnavailable(unavailable)
            ended = g.pop("staff_session_ended", "")
            if not ended:
                return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
            session.clear()
            if ended == ENDED_IDLE:
                flash(_l("You were signed out after a period of inactivity."))
            else:
                flash(_l("Your session has ended. Please sign in again."))
            return redirect(url_for("auth.login"))
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
