"""Admin pages for the agencies as complaints name them: a country's rows with the registry
candidates and look-alike names, linking one to the list and merging several into one. Each
action is one call into services/agencies/merge.py."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from casework.blueprints.admin import bp
from casework.services.agencies.merge import PAGE_SIZE, link_agency, merge_agencies, named_agencies
from casework.services.errors import InvalidInput
from casework.services.validation import whole_number
from casework.staff_session import staff


def _named_page(country: str, errors: dict[str, str] | None = None) -> tuple[str, int]:
    query = request.values.get("q", "")[:100]
    unlinked = request.values.get("unlinked") == "1"
    return render_template(
        "admin/agency_named.html",
        country=country,
        rows=named_agencies(country, query, unlinked),
        query=query,
        unlinked=unlinked,
        page_size=PAGE_SIZE,
        errors=errors or {},
    ), 422 if errors else 200


def _back(country: str) -> Response:
    form = request.form
    return redirect(
        url_for(
            "admin.named_agencies",
            country=country,
            q=form.get("q") or None,
            unlinked=form.get("unlinked") or None,
        )
    )


@bp.get("/agencies/<country>/named", endpoint="named_agencies")
def named_agencies_view(country: str) -> tuple[str, int]:
    return _named_page(country.upper()[:2])


@bp.post("/agencies/<country>/merge")
def merge_named(country: str) -> Response | tuple[str, int]:
    country = country.upper()[:2]
    keep = whole_number(request.form.get("keep", "")) or 0
    merged = [whole_number(v) or 0 for v in request.form.getlist("merge")]
    try:
        result = merge_agencies(staff(), keep, merged)
    except InvalidInput as invalid:
        return _named_page(country, {k: str(v) for k, v in invalid.fields.items()})
    flash(
        _(
            "%(n)s agencies merged into “%(name)s”; %(moved)s complaints moved.",
            n=result.merged,
            name=result.kept.name,
            moved=result.moved,
        )
    )
    return _back(country)


@bp.post("/agencies/named/<int:agency_id>/link")
def link_named(agency_id: int) -> Response | tuple[str, int]:
    form = request.form
    country = form.get("country", "")[:2].upper()
    try:
        agency = link_agency(
            staff(),
            agency_id,
            whole_number(form.get("entry", "")),
            form.get(f"licence-{agency_id}", "")[:80],
        )
    except InvalidInput as invalid:
        return _named_page(country, {k: str(v) for k, v in invalid.fields.items()})
    flash(_("“%(name)s” is now linked to the list.", name=agency.name))
    return _back(agency.country)
