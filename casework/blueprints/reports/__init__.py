"""Outcome reports for supervisors and admins; the exchange-rate table for admins. Denied by
default."""

from flask import Blueprint

from casework.staff_session import protect

bp = Blueprint("reports", __name__, url_prefix="/reports")
protect(bp, roles=("supervisor", "admin"))

from casework.blueprints.reports import regulator_views, views  # noqa: E402,F401
