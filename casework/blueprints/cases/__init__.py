"""Caseworker and supervisor pages: queues and the case file. Denied by default."""

from flask import Blueprint

from casework.staff_session import protect

bp = Blueprint("cases", __name__, url_prefix="/cases")
protect(bp, roles=("caseworker", "supervisor", "admin"))

from casework.blueprints.cases import (  # noqa: E402,F401
    agency_views,
    bulk_views,
    queue_views,
    referral_views,
    views,
    work_views,
)
