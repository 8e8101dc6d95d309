"""The regulator export: a form for the country and period, a printable page, and one CSV per
table. Every figure and the small-cell rule live in casework.services.reports.regulator."""

from __future__ import annotations

from flask import Response, abort, current_app, render_template, request

from casework.blueprints.reports import bp
from casework.blueprints.reports.presenting import csv_text, html_cell
from casework.models.columns import utcnow
from casework.services.errors import InvalidInput
from casework.services.reports.regulator import (
    PARTS,
    origin_choices,
    regulator_export,
    regulator_filters,
)
from casework.services.reports.tables import SMALL
from casework.staff_session import staff


def _currency() -> str:
    return str(current_app.config.get("REPORTING_CURRENCY", "USD")).upper()


@bp.get("/regulator")
def regulator() -> tuple[str, int]:
    actor = staff()
    args = request.args.to_dict()
    filters = regulator_filters(args)
    export, errors, status = None, {}, 200
    if "origin" in args:  # the form was sent: build the export
        try:
            export = regulator_export(actor, filters, _currency())
        except InvalidInput as invalid:
            errors, status = invalid.fields, 422
    currency = _currency()
    return (
        render_template(
            "reports/regulator.html",
            export=export,
            errors=errors,
            filters=filters,
            filter_args=filters.to_args(),
            origins=origin_choices(),
            small=SMALL,
            generated=utcnow(),
            cell=lambda value, column: html_cell(value, column, currency),
        ),
        status,
    )


@bp.get("/regulator/<part>.csv")
def regulator_csv(part: str) -> Response:
    actor = staff()
    if part not in PARTS:
        abort(404)
    filters = regulator_filters(request.args.to_dict())
    try:
        export = regulator_export(actor, filters, _currency(), parts=(part,))
    except InvalidInput:
        abort(400)
    period = "_".join(
        day.isoformat() for day in (filters.created_from, filters.created_to) if day is not None
    )
    filename = f"casework-regulator-{part}-{filters.origin}{'-' + period if period else ''}.csv"
    return Response(
        "\ufeff" + csv_text(export.tables[0], _currency()),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
