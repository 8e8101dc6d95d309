"""Nudges to workers: the gateway's STOP webhook, the follow-up page's "Stop telling me"
button (both public: a shared token, or the worker's follow-up session, decides), and the
supervisors' list of nudges that could not be delivered (staff only, deny by default)."""

from flask import Blueprint

from casework.staff_session import protect

bp = Blueprint("nudges", __name__)
staff_bp = Blueprint("nudge_failures", __name__, url_prefix="/notifications/texts")
protect(staff_bp, roles=("supervisor",))

from casework.blueprints.nudges import staff_views, views  # noqa: E402,F401
