"""The agency question of the "Where" step, offering the origin country's licensed agencies.

Without JavaScript: "Find my agency" re-renders the step (everything typed is kept) with up to
eight registry entries as radio choices and "My agency is not in this list"; the entry chosen
fills the agency's name and licence number when the worker presses Next (or Back). With
JavaScript, agency-suggest.js fills a <datalist> from `agency_suggestions` as the worker types.
Both show the registry's public facts only: a name and a licence number."""

from __future__ import annotations

from flask import jsonify, request
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from casework.blueprints.intake import bp
from casework.blueprints.intake.forms import StepComplaintForm
from casework.extensions import limiter
from casework.services.agencies.matching import has_registry
from casework.services.agencies.suggestions import chosen_agency, suggest_agencies

FIND_AGENCY = "find_agency"  # the value of the "Find my agency" button (posted as `go`)
NOT_LISTED = "none"
TYPED_LIMIT = 100


def with_chosen_agency(posted: MultiDict[str, str]) -> MultiDict[str, str]:
    """The posted answers, with the agency name and licence number of the registry entry the
    worker chose (unless they are searching again, or chose "not in this list")."""
    choice = posted.get("agency_choice", "")
    if posted.get("go") == FIND_AGENCY or choice in ("", NOT_LISTED):
        return posted
    chosen = chosen_agency(posted.get("origin_country", ""), choice)
    if chosen is None:
        return posted
    answers = MultiDict(posted)
    answers["agency_name"] = chosen.name
    answers["agency_licence_number"] = chosen.licence_number
    return answers


def offer_agencies(form: StepComplaintForm) -> str:
    """Put the matching entries on `form.agency_choice`; returns what to tell the worker by the
    agency's name when there is nothing to choose ("" when there is)."""
    country = form.origin_country.data or ""
    name = (form.agency_name.data or "").strip()
    licence = (form.agency_licence_number.data or "").strip()
    if not country:
        return _("Choose the country you are from first, then press “Find my agency”.")
    if not (name or licence):
        return _("Write the name of the agency, or a part of it, then press “Find my agency”.")
    found = suggest_agencies(country, name, licence)
    if not found:
        if not has_registry(country):
            return _(
                "We do not have the list of licensed agencies of this country. Write the name as you know it."
            )
        return _(
            "No licensed agency on the list has a name like this. Check the spelling, or keep the name as you wrote it."
        )
    form.agency_choice.choices = [
        (
            str(entry.id),
            _("%(name)s (licence %(number)s)", name=entry.name, number=entry.licence_number),
        )
        for entry in found
    ] + [(NOT_LISTED, _("My agency is not in this list"))]
    return ""


@bp.post("/complaint/agencies")
@limiter.limit("300 per hour;40 per minute")
def agency_suggestions() -> Response:
    """Public registry facts for the type-ahead: `{"agencies": [{"name", "licence_number"}]}`
    for the posted `country` and typed `q`; an empty list for a country the form does not
    offer as an origin. Posted (with the form's CSRF token), so what the worker types stays
    out of URLs and the access logs of proxies on the way."""
    country = request.form.get("country", "")[:2].upper()
    typed = request.form.get("q", "")[:TYPED_LIMIT]
    found = suggest_agencies(country, typed) if typed.strip() else []
    return jsonify(agencies=[{"name": e.name, "licence_number": e.licence_number} for e in found])
