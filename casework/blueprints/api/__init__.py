"""The JSON API v1 for partner chatbots and apps (DESIGN §6)."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from casework.blueprints.api import views  # noqa: E402,F401
