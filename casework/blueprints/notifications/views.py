"""The signed-in user's notifications. Views stay thin: the service owns the queries."""

from __future__ import annotations

from collections.abc import Callable

from flask import redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from casework.blueprints.notifications import bp
from casework.services.notifications.inbox import inbox, mark_read, unread_count
from casework.staff_session import staff


@bp.app_context_processor
def _unread_badge() -> dict[str, Callable[[], int]]:
    """`unread_notifications()` for the staff nav: a function, so pages without the staff nav
    (the worker's pages) never run the query."""

    def unread_notifications() -> int:
        if not current_user.is_authenticated:
            return 0
        return unread_count(current_user._get_current_object())  # noqa: SLF001

    return {"unread_notifications": unread_notifications}


@bp.get("")
def index() -> str:
    return render_template("notifications/index.html", items=inbox(staff()))


@bp.post("/<int:notification_id>/read")
def read(notification_id: int) -> Response:
    mark_read(staff(), notification_id)
    return redirect(url_for("notifications.index"))


@bp.post("/read-all")
def read_all() -> Response:
    mark_read(staff())
    return redirect(url_for("notifications.index"))
