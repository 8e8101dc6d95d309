"""Admin pages: organisations and users. Admins only, denied by default."""

from flask import Blueprint

from casework.staff_session import protect

bp = Blueprint("admin", __name__, url_prefix="/admin")
protect(bp, roles=("admin",))

from casework.blueprints.admin import pathway_views, rules_views, views  # noqa: E402,F401
