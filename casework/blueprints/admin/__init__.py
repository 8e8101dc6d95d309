"""Admin pages: organisations and users, rules, pathways, countries and exchange rates.
Admins only, denied by default."""

from flask import Blueprint

from casework.staff_session import protect

bp = Blueprint("admin", __name__, url_prefix="/admin")
protect(bp, roles=("admin",))

from casework.blueprints.admin import (  # noqa: E402,F401
    agency_merge_views,
    agency_views,
    pathway_views,
    reference_views,
    reply_views,
    rules_views,
    views,
)
