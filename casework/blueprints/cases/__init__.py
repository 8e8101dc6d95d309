"""Caseworker and supervisor pages: queues and the case file. Denied by default."""

from flask import Blueprint

from casework.staff_session import protect

bp = Blueprint("cases", __name__, url_prefix="/cases")
protect(bp, roles=("caseworker", "supervisor", "admin"))

from casework.blueprints.cases import referral_views, views  # noqa: E402,F401
