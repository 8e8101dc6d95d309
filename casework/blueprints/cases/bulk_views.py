"""Bulk changes from the queue (supervisors): one form, each case changed through the services."""

from __future__ import annotations

from urllib.parse import parse_qsl

from flask import flash, redirect, request
from flask_babel import gettext as _
from flask_babel import ngettext
from werkzeug.wrappers import Response as BaseResponse

from casework.blueprints.cases import bp
from casework.blueprints.cases.queue_views import queue_url
from casework.blueprints.cases.search_forms import BulkForm
from casework.services.casefile.bulk import REASSIGN, STATUS, TRANSFER, bulk_change
from casework.services.casefile.saved_views import queue_args
from casework.services.errors import InvalidInput
from casework.services.validation import whole_number
from casework.staff_session import staff


@bp.post("/bulk")
def bulk() -> BaseResponse:
    actor = staff()
    form = BulkForm()
    action = form.action.data or ""
    target = {
        REASSIGN: form.user_id.data,
        TRANSFER: form.organisation_id.data,
        STATUS: form.status.data,
    }.get(action, "")
    back = queue_args(form.back.data or "")
    page = whole_number(dict(parse_qsl(form.back.data or "")).get("page", ""), digits=6)
    if page and page > 1:
        back["page"] = str(page)
    try:
        result = bulk_change(  # a caseworker: NotPermitted, 403
            actor, request.form.getlist("reference"), action, target or "", form.reason.data or ""
        )
    except InvalidInput as invalid:
        for message in invalid.fields.values():
            flash(str(message))
        return redirect(queue_url(back))
    if result.done:
        done = len(result.done)
        flash(
            {
                REASSIGN: ngettext(
                    "%(num)s case offered to your colleague; it moves when they accept.",
                    "%(num)s cases offered to your colleague; they move when they accept.",
                    done,
                ),
                TRANSFER: ngettext(
                    "%(num)s case offered to the other organisation; it moves when they accept.",
                    "%(num)s cases offered to the other organisation; they move when they accept.",
                    done,
                ),
                STATUS: ngettext(
                    "%(num)s case changed status.", "%(num)s cases changed status.", done
                ),
            }[result.action]
        )
    if result.refused:
        flash(
            _(
                "Not changed: %(cases)s",
                cases="; ".join(f"{ref} ({why})" for ref, why in result.refused),
            )
        )
    return redirect(queue_url(back))
