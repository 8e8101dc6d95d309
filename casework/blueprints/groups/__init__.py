"""Group cases for staff: the organisation's groups and suggestions, a group's page, its joint
referral pack. Denied by default; every member case goes through the one case check."""

from flask import Blueprint

from casework.staff_session import protect

bp = Blueprint("groups", __name__, url_prefix="/groups")
protect(bp, roles=("caseworker", "supervisor"))

from casework.blueprints.groups import views  # noqa: E402,F401
