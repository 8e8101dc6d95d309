"""Admin pages for the registries of licensed agencies: each country's list at a glance,
uploading a list (CSV or XLSX) and seeing what it changed, finding and editing an entry.
Each action is one call into services/agencies/."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from casework.blueprints.admin import bp
from casework.i18n import babel_locale
from casework.models.registry import STATUSES
from casework.services.agencies.entries import (
    PAGE_SIZE,
    find_entries,
    get_entry,
    registry_overview,
    update_entry,
)
from casework.services.agencies.lists import MAX_FILE_BYTES, parse_column_map, read_agency_list
from casework.services.agencies.registry_import import import_agency_list
from casework.services.errors import InvalidInput
from casework.services.reference.countries import country_rows
from casework.services.settings.site_settings import PUBLIC_AGENCY_CHECK, is_on, turn
from casework.services.validation import whole_number
from casework.staff_session import staff
from casework.vocabulary.agencies import REGISTRY_STATUS_LABELS

SHOWN_ERRORS = 200


def _registries_page(
    errors: dict[str, str] | None = None, typed: dict[str, str] | None = None, status: int = 200
) -> tuple[str, int]:
    rows = country_rows(babel_locale())
    return render_template(
        "admin/agencies.html",
        overview=registry_overview(),
        origins=[row for row in rows if row.is_origin],
        names={row.code: row.name for row in rows},
        errors=errors or {},
        typed=typed or {},
        max_mb=MAX_FILE_BYTES // (1024 * 1024),
        public_check=is_on(PUBLIC_AGENCY_CHECK),
    ), status


@bp.get("/agencies")
def agencies() -> tuple[str, int]:
    return _registries_page()


@bp.post("/agencies/public-check")
def public_check() -> Response:
    on = request.form.get("turn") == "on"
    if turn(staff(), PUBLIC_AGENCY_CHECK, on):
        flash(
            _("The public licence check is now on.")
            if on
            else _("The public licence check is now off.")
        )
    return redirect(url_for("admin.agencies"))


@bp.post("/agencies/import")
def import_agencies() -> tuple[str, int]:
    form = request.form
    typed = {name: form.get(name, "") for name in ("country", "source", "column_map")}
    upload = request.files.get("file")
    raw = upload.read(MAX_FILE_BYTES + 1) if upload else b""
    if not raw:
        return _registries_page({"file": _("Please choose the list to import.")}, typed, 422)
    try:
        parsed = read_agency_list(raw, parse_column_map(typed["column_map"]))
        result = import_agency_list(staff(), typed["country"], typed["source"], parsed)
    except InvalidInput as invalid:
        fields = {name: str(message) for name, message in invalid.fields.items()}
        return _registries_page(fields, typed, 422)
    return render_template("admin/agency_import.html", result=result, shown=SHOWN_ERRORS), 200


@bp.get("/agencies/<country>")
def agency_entries(country: str) -> str:
    page = min(whole_number(request.args.get("page", "1")) or 1, 10_000)
    query = request.args.get("q", "")[:100]
    return render_template(
        "admin/agency_entries.html",
        country=country.upper()[:2],
        entries=find_entries(country[:2], query, page),
        query=query,
        page=page,
        page_size=PAGE_SIZE,
        labels=REGISTRY_STATUS_LABELS,
    )


@bp.route("/agencies/entry/<int:entry_id>", methods=["GET", "POST"])
def agency_entry(entry_id: int) -> Response | tuple[str, int]:
    entry = get_entry(entry_id)
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            changed = update_entry(staff(), entry, request.form.to_dict())
        except InvalidInput as invalid:
            errors = {name: str(message) for name, message in invalid.fields.items()}
        else:
            flash(_("Saved.") if changed else _("Nothing changed."))
            return redirect(url_for("admin.agency_entry", entry_id=entry_id))
    return render_template(
        "admin/agency_edit.html",
        entry=entry,
        errors=errors,
        typed=request.form if errors else None,
        statuses=STATUSES,
        labels=REGISTRY_STATUS_LABELS,
    ), 422 if errors else 200
