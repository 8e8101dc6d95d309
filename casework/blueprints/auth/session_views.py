"""The account page where staff see where they are signed in and end their other sessions."""

from __future__ import annotations

from flask import flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from casework.blueprints.auth import bp
from casework.services.directory.sessions import end_other_session, list_sessions
from casework.staff_session import SESSION_TOKEN, staff, staff_gate

_signed_in = staff_gate(("caseworker", "supervisor", "admin"))


@bp.get("/account/sessions")
def sessions() -> str | Response:
    denied = _signed_in()
    if denied is not None:
        return denied
    rows = list_sessions(staff(), session.get(SESSION_TOKEN))
    return render_template("auth/sessions.html", sessions=rows)


@bp.post("/account/sessions/<int:session_id>/end")
def end_session(session_id: int) -> Response:
    denied = _signed_in()
    if denied is not None:
        return denied
    if end_other_session(staff(), session_id, session.get(SESSION_TOKEN)):
        flash(_("That session has ended."))
    return redirect(url_for("auth.sessions"))


@bp.post("/account/sessions/end-others")
def end_other_sessions() -> Response:
    denied = _signed_in()
    if denied is not None:
        return denied
    if end_other_session(staff(), None, session.get(SESSION_TOKEN)):
        flash(_("Your other sessions have ended."))
    return redirect(url_for("auth.sessions"))
