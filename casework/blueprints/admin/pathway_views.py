"""Admin pages for the referral pathway catalogue."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from casework.blueprints.admin import bp
from casework.models import ReferralPathway
from casework.services.errors import InvalidInput
from casework.services.referrals.pathways_admin import find_pathway, list_pathways, save_pathway
from casework.staff_session import staff
from casework.vocabulary.forums import FORUM_KINDS


@bp.get("/pathways")
def pathways() -> str:
    country = request.args.get("country", "").upper()
    return render_template(
        "admin/pathways.html",
        pathways=list_pathways(country),
        country=country,
        kinds=FORUM_KINDS,
    )


def _form(
    pathway: ReferralPathway | None, errors: dict[str, str], typed: dict[str, str], status: int
) -> tuple[str, int]:
    return render_template(
        "admin/pathway_form.html", pathway=pathway, errors=errors, typed=typed, kinds=FORUM_KINDS
    ), status


@bp.route("/pathways/new", methods=["GET", "POST"])
@bp.route("/pathways/<int:pathway_id>", methods=["GET", "POST"])
def pathway_edit(pathway_id: int | None = None) -> Response | tuple[str, int]:
    pathway = find_pathway(pathway_id) if pathway_id else None
    if request.method == "GET":
        return _form(pathway, {}, {}, 200)
    try:
        saved = save_pathway(staff(), request.form.to_dict(), pathway_id)
    except InvalidInput as invalid:
        return _form(pathway, invalid.fields, request.form.to_dict(), 422)
    flash(_("Pathway saved."))
    return redirect(url_for("admin.pathways", country=saved.country))
