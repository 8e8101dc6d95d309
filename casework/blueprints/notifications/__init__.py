"""Staff notifications: the in-app list, marking read, and the unread badge in the nav."""

from flask import Blueprint

from casework.staff_session import protect

bp = Blueprint("notifications", __name__, url_prefix="/notifications")
protect(bp, roles=("caseworker", "supervisor", "admin"))

from casework.blueprints.notifications import views  # noqa: E402,F401
