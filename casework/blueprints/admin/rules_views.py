"""Admin pages for the rules behind the scheduled jobs: stall rules and limitation rules."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from casework.blueprints.admin import bp
from casework.services.errors import InvalidInput
from casework.services.escalation.rules_admin import (
    TRIGGERS,
    list_limitation_rules,
    list_stall_rules,
    save_limitation_rule,
    update_stall_rule,
)
from casework.staff_session import staff


def _page(
    errors: dict[str, str] | None = None, typed: dict[str, str] | None = None, status: int = 200
) -> tuple[str, int]:
    return (
        render_template(
            "admin/rules.html",
            stall_rules=list_stall_rules(),
            limitation_rules=list_limitation_rules(),
            triggers=TRIGGERS,
            errors=errors or {},
            typed=typed or {},
        ),
        status,
    )


@bp.get("/rules")
def rules() -> tuple[str, int]:
    return _page()


@bp.post("/rules/stall/<code>")
def stall_rule(code: str) -> Response | tuple[str, int]:
    try:
        update_stall_rule(staff(), code, request.form.to_dict())
    except InvalidInput as invalid:
        return _page(
            {f"{code}.{k}": v for k, v in invalid.fields.items()}, request.form.to_dict(), 422
        )
    flash(_("Rule saved. Open cases are recomputed at the next scan."))
    return redirect(url_for("admin.rules"))


@bp.post("/rules/limitation")
@bp.post("/rules/limitation/<int:rule_id>")
def limitation_rule(rule_id: int | None = None) -> Response | tuple[str, int]:
    try:
        save_limitation_rule(staff(), request.form.to_dict(), rule_id)
    except InvalidInput as invalid:
        prefix = f"{rule_id}." if rule_id else "new."
        return _page(
            {prefix + k: v for k, v in invalid.fields.items()}, request.form.to_dict(), 422
        )
    flash(_("Time limit saved. Open cases are recomputed at the next scan."))
    return redirect(url_for("admin.rules"))
