"""Staff sign-in: password, then TOTP (with enrolment), sign-out, password change,
the sessions page, the language of one's own pages."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from casework.blueprints.auth import language_views, session_views, views  # noqa: E402,F401
