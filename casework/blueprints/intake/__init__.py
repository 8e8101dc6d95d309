"""The worker's public pages: the complaint form, the receipt and the follow-up."""

from flask import Blueprint

bp = Blueprint("intake", __name__)

from casework.blueprints.intake import (  # noqa: E402,F401
    agency_check,
    agency_lookup,
    formatting,
    steps,
    views,
)
