"""The agency on the case page: its panel (a template global the case page's partial calls)
and the caseworker's decisions about it. Thin views; every case is loaded through
`load_case`, with full access for a decision."""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from casework.blueprints.cases import bp
from casework.models import Case
from casework.services.agencies import decisions
from casework.services.agencies.panel import AgencyPanel, agency_panel
from casework.services.casefile.access import load_case
from casework.staff_session import staff
from casework.vocabulary.agencies import MATCH_LABELS, REGISTRY_STATUS_LABELS


@bp.app_template_filter("registry_status")
def _registry_status(code: str | None) -> str:
    if code is None:
        return _("unknown (the list we hold does not go back so far)")
    return str(REGISTRY_STATUS_LABELS.get(code, code))


@bp.app_template_filter("agency_match")
def _agency_match(code: str | None) -> str:
    return str(MATCH_LABELS.get(code or "", code or ""))


@bp.app_template_global("agency_panel")
def _agency_panel(case: Case) -> AgencyPanel | None:
    """For cases/_agency.html: the case page's view already loaded `case` for this actor."""
    return agency_panel(staff(), case)


def _back(reference: str) -> Response:
    return redirect(url_for("cases.detail", reference=reference, _anchor="agency"))


@bp.post("/<reference>/agency/candidates/<int:candidate_id>/confirm")
def confirm_agency(reference: str, candidate_id: int) -> Response:
    actor = staff()
    case = load_case(actor, reference)
    try:
        decisions.confirm_candidate(actor, case, candidate_id)
    except decisions.MatchRefused:
        flash(_("This agency was already matched: nothing changed."))
        return _back(reference)
    flash(_("Agency matched to the registry."))
    return _back(reference)


@bp.post("/<reference>/agency/candidates/<int:candidate_id>/reject")
def reject_agency(reference: str, candidate_id: int) -> Response:
    actor = staff()
    case = load_case(actor, reference)
    try:
        decisions.reject_candidate(actor, case, candidate_id)
    except decisions.MatchRefused:
        flash(_("This agency was already matched: nothing changed."))
        return _back(reference)
    flash(_("Not this agency: it will not be proposed again."))
    return _back(reference)


@bp.post("/<reference>/agency/unlink")
def unlink_agency(reference: str) -> Response:
    actor = staff()
    case = load_case(actor, reference)
    try:
        decisions.unlink_agency(actor, case)
    except decisions.MatchRefused:
        flash(_("This agency is not matched: nothing changed."))
        return _back(reference)
    flash(_("The match was removed."))
    return _back(reference)


@bp.post("/<reference>/agency/unlicensed")
def accept_unlicensed(reference: str) -> Response:
    actor = staff()
    case = load_case(actor, reference)
    if decisions.accept_unlicensed(actor, case):
        flash(_("“Unlicensed agent or broker” added to what happened."))
    return _back(reference)
