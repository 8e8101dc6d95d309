"""The approvals page: each action is one call into services/directory/approvals.py."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from casework.blueprints.admin.forms import ROLE_LABELS
from casework.blueprints.approvals import bp
from casework.services.directory.approvals import approve, pending_for_supervisor, reject
from casework.staff_session import staff


@bp.get("")
def index() -> str:
    return render_template(
        "approvals/index.html", approvals=pending_for_supervisor(staff()), roles=ROLE_LABELS
    )


@bp.post("/<int:approval_id>/approve")
def approve_change(approval_id: int) -> Response:
    approve(staff(), approval_id)
    flash(_("Approved. The change has taken effect and the person was told."))
    return redirect(url_for("approvals.index"))


@bp.post("/<int:approval_id>/reject")
def reject_change(approval_id: int) -> Response:
    reject(staff(), approval_id)
    flash(_("Refused. Nothing was changed."))
    return redirect(url_for("approvals.index"))
