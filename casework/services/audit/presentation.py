"""The access log of a case as a supervisor reads it: names instead of `user:12`, and repeats
collapsed.

Reading the case page records a "viewed story" event every time, and it must: the trail is
complete and chained. A supervisor asking "who looked at this case" wants one line per visit,
so here the same person doing the same thing (same action, same detail) to the case within
`REPEAT_WINDOW` of their previous time is shown once, with how many times and the first and
last time. Only the presentation collapses; nothing recorded changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from casework.extensions import db
from casework.models import Organisation, User
from casework.services.audit.chain import case_access_log

REPEAT_WINDOW = timedelta(minutes=30)
RAW_LIMIT = 1000  # events read; the log says when older ones are left out


@dataclass
class AccessLogRow:
    """One line of the log: `count` events by one actor, newest `last_at`, oldest `first_at`."""

    first_at: datetime
    last_at: datetime
    actor_user_id: int | None
    actor_label: str  # "worker", "system" when no person acted
    person: str  # the staff member's name ("" when no person acted)
    organisation: str  # their organisation's name
    action: str
    detail: str
    count: int = 1

    @property
    def repeated(self) -> bool:
        return self.count > 1


@dataclass(frozen=True)
class AccessLog:
    rows: list[AccessLogRow]
    events: int  # how many recorded events the rows stand for
    truncated: bool  # older events exist beyond RAW_LIMIT
    window: timedelta = REPEAT_WINDOW

    @property
    def window_minutes(self) -> int:
        return int(self.window.total_seconds() // 60)


def collapsed_access_log(case_id: int, window: timedelta = REPEAT_WINDOW) -> AccessLog:
    """Who read or changed the case, newest first, repeats within `window` collapsed."""
    events = case_access_log(case_id, limit=RAW_LIMIT + 1)
    truncated = len(events) > RAW_LIMIT
    events = events[:RAW_LIMIT]
    people = _people({e.actor_user_id for e in events if e.actor_user_id is not None})
    rows: list[AccessLogRow] = []
    latest: dict[tuple[int | None, str, str, str], AccessLogRow] = {}
    for event in events:  # newest first
        key = (event.actor_user_id, event.actor_label, event.action, event.detail)
        row = latest.get(key)
        if row is not None and row.first_at - event.at <= window:
            row.count += 1
            row.first_at = event.at
            continue
        person, organisation = people.get(event.actor_user_id or 0, ("", ""))
        row = AccessLogRow(
            first_at=event.at,
            last_at=event.at,
            actor_user_id=event.actor_user_id,
            actor_label=event.actor_label,
            person=person,
            organisation=organisation,
            action=event.action,
            detail=event.detail,
        )
        rows.append(row)
        latest[key] = row
    return AccessLog(rows, len(events), truncated, window)


def _people(user_ids: set[int]) -> dict[int, tuple[str, str]]:
    if not user_ids:
        return {}
    found = db.session.execute(
        select(User.id, User.name, Organisation.name)
        .join(Organisation, Organisation.id == User.organisation_id)
        .where(User.id.in_(sorted(user_ids)))
    )
    return {user_id: (name, org_name) for user_id, name, org_name in found}
