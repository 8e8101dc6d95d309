"""Staff sign-in: password, then TOTP (with enrolment), sign-out, password change."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from casework.blueprints.auth import views  # noqa: E402,F401
