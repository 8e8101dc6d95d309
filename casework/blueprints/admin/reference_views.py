"""Admin pages for reference data: which countries are offered, and importing exchange rates
(upload, preview of what would change, confirm). Each action is one call into
services/reference/."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from werkzeug.wrappers import Response

from casework.blueprints.admin import bp
from casework.i18n import babel_locale
from casework.services.errors import InvalidInput
from casework.services.reference.countries import choose_countries, country_rows
from casework.services.reference.rates_csv import MAX_FILE_BYTES, plain_number
from casework.services.reference.rates_import import (
    ImportPlan,
    RatesChangedSincePreview,
    import_rates,
    pack_file,
    plan_rate_import,
    rate_overview,
    unpack_file,
)
from casework.staff_session import staff

# What one form field may carry back to the server (Flask's MAX_FORM_MEMORY_SIZE is 500 KB).
MAX_PACKED = 450_000
SHOWN_CHANGES = 200


@bp.get("/countries")
def countries() -> str:
    rows = country_rows(babel_locale())
    return render_template(
        "admin/countries.html",
        offered=[row for row in rows if row.is_origin or row.is_destination],
        others=[row for row in rows if not (row.is_origin or row.is_destination)],
    )


@bp.post("/countries")
def save_countries() -> Response:
    changes = choose_countries(
        staff(), request.form.getlist("origin"), request.form.getlist("destination")
    )
    flash(
        ngettext("%(num)d change saved.", "%(num)d changes saved.", len(changes))
        if changes
        else _("Nothing changed.")
    )
    return redirect(url_for("admin.countries"))


def _rates_page(
    errors: dict[str, str] | None = None, source: str = "", status: int = 200
) -> tuple[str, int]:
    return render_template(
        "admin/rates.html",
        overview=rate_overview(),
        errors=errors or {},
        source=source,
        max_mb=MAX_FILE_BYTES // (1024 * 1024),
        plain=plain_number,
    ), status


def _preview(plan: ImportPlan, packed: str, notice: str = "", status: int = 200) -> tuple[str, int]:
    return render_template(
        "admin/rates_preview.html",
        plan=plan,
        packed=packed,
        notice=notice,
        shown=SHOWN_CHANGES,
        plain=plain_number,
    ), status


@bp.get("/rates")
def rates() -> tuple[str, int]:
    return _rates_page()


@bp.post("/rates/preview")
def rates_preview() -> tuple[str, int]:
    source = request.form.get("source", "")
    upload = request.files.get("file")
    raw = upload.read(MAX_FILE_BYTES + 1) if upload else b""
    if not raw:
        return _rates_page({"file": _("Please choose the file to import.")}, source, 422)
    packed = pack_file(raw)
    if len(packed) > MAX_PACKED:
        too_large = _(
            "This file is too large to import here: split it, or import it on the server "
            "with “flask --app casework reference rates import”."
        )
        return _rates_page({"file": too_large}, source, 413)
    try:
        plan = plan_rate_import(raw, source)
    except InvalidInput as invalid:
        return _rates_page({k: str(v) for k, v in invalid.fields.items()}, source, 422)
    return _preview(plan, packed, status=422 if plan.errors else 200)


@bp.post("/rates/import")
def rates_confirm() -> Response | tuple[str, int]:
    form = request.form
    try:
        raw = unpack_file(form.get("packed", ""))
        plan = import_rates(staff(), raw, form.get("source", ""), form.get("token", ""))
    except RatesChangedSincePreview as changed:
        notice = _("The rates changed since this preview was made. Please check it again.")
        return _preview(changed.plan, form.get("packed", ""), notice, 409)
    except InvalidInput as invalid:
        return _rates_page(
            {k: str(v) for k, v in invalid.fields.items()}, form.get("source", ""), 422
        )
    flash(
        _(
            "Exchange rates imported: %(added)s added, %(changed)s changed, %(same)s already "
            "known.",
            added=len(plan.added),
            changed=len(plan.changed),
            same=plan.unchanged,
        )
    )
    return redirect(url_for("admin.rates"))
