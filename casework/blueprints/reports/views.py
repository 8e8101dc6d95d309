"""The outcome report, its CSV exports, and the exchange-rate table. Views stay thin: the
figures, the access rule and the small-cell rule live in casework.services.reports."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

from casework.blueprints.reports import bp
from casework.blueprints.reports.charting import chart, headlines
from casework.blueprints.reports.presenting import (
    abuse_labels,
    csv_text,
    describe_filters,
    html_cell,
)
from casework.models import User
from casework.services.errors import InvalidInput
from casework.services.reports import ReportFilters, Scope, build_report, export_table
from casework.services.reports.options import filter_options
from casework.services.reports.rates import (
    delete_rate,
    list_rates,
    rate_currencies,
    require_rate_editor,
    save_rate,
)
from casework.services.reports.tables import SMALL
from casework.staff_session import staff


def _scope(actor: User) -> Scope:
    currency = str(current_app.config.get("REPORTING_CURRENCY", "USD")).upper()
    return Scope.for_actor(actor, ReportFilters.from_args(request.args), currency=currency)


@bp.get("/")
def index() -> str:
    actor = staff()
    scope = _scope(actor)
    tables = build_report(scope)
    agencies = next(t for t in tables if t.name == "agencies")
    options = filter_options(scope, [row["_agency_id"] for row in agencies.rows])
    abuses = abuse_labels()
    return render_template(
        "reports/index.html",
        scope=scope,
        tables=tables,
        organisation=actor.organisation.name,
        options=options,
        abuses=abuses,
        chosen=describe_filters(scope.filters, options, abuses),
        filter_args=scope.filters.to_args(),
        small=SMALL,
        headlines=headlines(tables, scope.currency),
        cell=lambda value, column: html_cell(value, column, scope.currency),
        chart=lambda table: chart(table, scope.currency),
    )


@bp.get("/<name>.csv")
def export(name: str) -> Response:
    actor = staff()
    scope = _scope(actor)
    table = export_table(actor, scope, name)
    filename = f"casework-{name}-{scope.today.isoformat()}.csv"
    return Response(
        "\ufeff" + csv_text(table, scope.currency),  # the mark tells spreadsheets it is UTF-8
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _admin() -> User:
    return require_rate_editor(staff())


def _rates_page(
    errors: dict[str, str] | None = None, typed: dict[str, Any] | None = None, status: int = 200
) -> tuple[str, int]:
    return (
        render_template(
            "reports/rates.html",
            rates=list_rates(),
            currencies=rate_currencies(),
            reporting_currency=str(current_app.config.get("REPORTING_CURRENCY", "USD")),
            errors=errors or {},
            typed=typed or {},
        ),
        status,
    )


@bp.get("/rates")
def rates() -> tuple[str, int]:
    _admin()
    return _rates_page()


@bp.post("/rates")
def save_exchange_rate() -> BaseResponse | tuple[str, int]:
    actor = _admin()
    try:
        save_rate(actor, request.form.to_dict())
    except InvalidInput as invalid:
        return _rates_page(invalid.fields, request.form.to_dict(), 422)
    flash(_("Exchange rate saved. Reports use it from now on."))
    return redirect(url_for("reports.rates"))


@bp.post("/rates/<currency>/<valid_from>/delete")
def delete_exchange_rate(currency: str, valid_from: str) -> BaseResponse:
    actor = _admin()
    if not delete_rate(actor, currency, valid_from):
        abort(404)
    flash(_("Exchange rate removed."))
    return redirect(url_for("reports.rates"))
