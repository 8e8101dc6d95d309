"""Saved views: a staff member's named searches of the queue, theirs alone.

A view keeps a name and the search's query string (the tab and the filters: codes, dates and
typed words, never case data). Only its owner lists, opens or deletes it; for anyone else a view
does not exist (`NotFound`, the same as a view that never did).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from casework.extensions import db
from casework.models import SavedView, User
from casework.services.casefile.search import SearchFilters
from casework.services.errors import InvalidInput, NotFound
from casework.services.validation import storable

MAX_VIEWS = 20
NAME_LIMIT = 80
TAB_NAMES = ("offered", "mine", "org_unassigned", "org_all", "triage")


@dataclass(frozen=True)
class View:
    id: int
    name: str
    args: dict[str, str]  # the queue's query string, checked again on every use


def queue_args(query: str) -> dict[str, str]:
    raw = dict(parse_qsl(query))
    args = SearchFilters.from_args(raw).query_args()
    if raw.get("tab") in TAB_NAMES:
        args["tab"] = raw["tab"]
    return args


def views_of(actor: User) -> list[View]:
    """The actor's views, by name."""
    rows = db.session.scalars(
        select(SavedView).where(SavedView.user_id == actor.id).order_by(SavedView.name)
    )
    return [View(row.id, row.name, queue_args(row.search)) for row in rows]


def save_view(actor: User, name: str, tab: str, filters: SearchFilters) -> View:
    """Keep the search under `name`; saving under a name the actor already uses replaces that
    view. Raises `InvalidInput` for a missing name, a search with nothing to keep, or one view
    too many."""
    name = " ".join(name.split())[:NAME_LIMIT]
    args = filters.query_args()
    if tab in TAB_NAMES:
        args = {"tab": tab, **args}
    if not name or not storable(name):
        raise InvalidInput({"name": _l("Give the view a name.")})
    if not args:
        raise InvalidInput({"name": _l("Choose something to search for first.")})
    view = db.session.scalars(
        select(SavedView).where(SavedView.user_id == actor.id, SavedView.name == name)
    ).first()
    if view is None:
        count = db.session.scalar(
            select(func.count()).select_from(SavedView).where(SavedView.user_id == actor.id)
        )
        if (count or 0) >= MAX_VIEWS:
            raise InvalidInput(
                {"name": _l("You have %(n)s saved views: delete one first.", n=MAX_VIEWS)}
            )
        view = SavedView(user_id=actor.id, name=name)
        db.session.add(view)
    view.search = urlencode(args)[:1000]
    db.session.commit()
    return View(view.id, view.name, queue_args(view.search))


def _own(actor: User, view_id: int) -> SavedView:
    view = db.session.get(SavedView, view_id)
    if view is None or view.user_id != actor.id:
        raise NotFound(f"saved view {view_id}")
    return view


def open_view(actor: User, view_id: int) -> View:
    """The actor's view `view_id`; `NotFound` if it is not theirs."""
    view = _own(actor, view_id)
    return View(view.id, view.name, queue_args(view.search))


def delete_view(actor: User, view_id: int) -> str:
    """Delete the actor's view; returns its name. `NotFound` if it is not theirs."""
    view = _own(actor, view_id)
    name = view.name
    db.session.delete(view)
    db.session.commit()
    return name
