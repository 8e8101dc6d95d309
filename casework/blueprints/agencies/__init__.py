"""The agency file for staff: finding a registry agency and its page (registry facts, status
history, and the cases naming it that the viewer may open). Denied by default."""

from flask import Blueprint

from casework.staff_session import protect

bp = Blueprint("agencies", __name__, url_prefix="/agencies")
protect(bp, roles=("caseworker", "supervisor", "admin"))

from casework.blueprints.agencies import views  # noqa: E402,F401
