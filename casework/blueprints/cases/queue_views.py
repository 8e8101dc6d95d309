"""The queue and its search, saved views, and triage. Views stay thin: the search lives in
services/casefile/search.py, saved views in services/casefile/saved_views.py."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

from casework.blueprints.cases import bp
from casework.blueprints.cases.search_forms import BulkForm, DeleteViewForm, SaveViewForm
from casework.services.casefile.bulk import ACTIONS, bulk_choices
from casework.services.casefile.queues import (
    available_tabs,
    filter_choices,
    queue_page,
    triage_page,
)
from casework.services.casefile.saved_views import (
    delete_view,
    open_view,
    queue_args,
    save_view,
    views_of,
)
from casework.services.casefile.search import SearchFilters
from casework.services.errors import InvalidInput
from casework.staff_session import staff


def queue_url(args: Mapping[str, str]) -> str:
    """The queue with these (already checked) search fields."""
    values: dict[str, Any] = dict(args)
    return url_for("cases.queue", **values)


def page_link(number: int) -> str:
    args: dict[str, Any] = {**request.args.to_dict(), "page": str(number)}
    return url_for(request.endpoint or "cases.queue", **args)


@bp.context_processor
def _pagination() -> dict[str, Any]:
    return {"page_link": page_link}


def _render(page: Any, filters: SearchFilters, tabs: tuple[str, ...], bulk: bool) -> str:
    actor = staff()
    args = filters.query_args()
    if page.tab != "triage":
        args = {"tab": page.tab, **args}
    choices = bulk_choices(actor) if bulk else None
    return render_template(
        "cases/queue.html",
        page=page,
        filters=filters,
        tabs=tabs,
        choices=filter_choices(),
        views=views_of(actor),
        current_args=args,
        save_form=SaveViewForm(query=urlencode(args)),
        delete_form=DeleteViewForm(),
        bulk=choices,
        bulk_actions=ACTIONS,
        bulk_form=BulkForm(back=urlencode({**args, "page": str(page.page)})),
    )


@bp.get("/")
def queue() -> str | BaseResponse:
    actor = staff()
    if actor.role == "admin":
        return redirect(url_for("cases.triage"))
    filters = SearchFilters.from_args(request.args)
    page = queue_page(actor, request.args.get("tab", ""), filters)
    return _render(page, filters, available_tabs(actor), bulk=True)


@bp.get("/triage")
def triage() -> str:
    actor = staff()
    filters = SearchFilters.from_args(request.args)
    return _render(triage_page(actor, filters), filters, (), bulk=False)


@bp.post("/views")
def save_search() -> BaseResponse:
    actor = staff()
    form = SaveViewForm()
    args = queue_args(form.query.data or "")
    try:
        view = save_view(
            actor, form.name.data or "", args.get("tab", ""), SearchFilters.from_args(args)
        )
    except InvalidInput as invalid:
        flash(str(invalid.fields["name"]))
        return redirect(queue_url(args))
    flash(_("Saved as “%(name)s”.", name=view.name))
    return redirect(queue_url(view.args))


@bp.get("/views/<int:view_id>")
def saved_view(view_id: int) -> BaseResponse:
    view = open_view(staff(), view_id)  # someone else's view: 404
    return redirect(queue_url(view.args))


@bp.post("/views/<int:view_id>/delete")
def delete_saved_view(view_id: int) -> BaseResponse:
    name = delete_view(staff(), view_id)
    flash(_("Deleted the view “%(name)s”.", name=name))
    return redirect(url_for("cases.queue"))
