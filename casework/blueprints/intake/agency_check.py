"""The public licence check (`/agency-check`), off unless an admin turns it on: anyone
can see whether an agency is licensed today, from the registry's public facts only. The search
is posted (with the form's CSRF token) so what is typed stays out of URLs and proxies' logs."""

from __future__ import annotations

from flask import abort, render_template, request
from flask_babel import gettext as _

from casework.blueprints.intake import bp
from casework.extensions import limiter
from casework.services.agencies.public_check import check_agency
from casework.services.agencies.registry_search import registry_countries
from casework.services.settings.site_settings import PUBLIC_AGENCY_CHECK, is_on
from casework.vocabulary.agencies import REGISTRY_STATUS_LABELS

TYPED_LIMIT = 100


def _enabled() -> None:
    if not is_on(PUBLIC_AGENCY_CHECK):
        abort(404)


@bp.route("/agency-check", methods=["GET", "POST"])
@limiter.limit("120 per hour;20 per minute", methods=["POST"])
def agency_check() -> str:
    _enabled()
    typed, country, found, message = "", "", None, ""
    if request.method == "POST":
        typed = request.form.get("q", "")[:TYPED_LIMIT].strip()
        country = request.form.get("country", "")[:2].upper()
        if typed:
            found = check_agency(typed, country)
        else:
            message = _("Write the name of the agency or its licence number.")
    return render_template(
        "intake/agency_check.html",
        typed=typed,
        country=country,
        countries=registry_countries(),
        found=found,
        message=message,
        statuses=REGISTRY_STATUS_LABELS,
    )
