"""Supervisors approve staff account changes an admin asked for in their organisation."""

from flask import Blueprint

from casework.staff_session import protect

bp = Blueprint("approvals", __name__, url_prefix="/approvals")
protect(bp, roles=("supervisor",))

from casework.blueprints.approvals import views  # noqa: E402,F401
