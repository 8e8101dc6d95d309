"""Reminders ("follow up on 12 March"): set by a staff member on a case for themselves, shown
on the case page, counted in the header on every staff page, listed when due, and counted in
the daily digest (notifications/digests.py).

A reminder's note is sealed with its case's key. The due list opens each case through the
same access check as the case page, so a reminder on a case the user no longer holds shows
as "no longer yours" without its note.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from casework.extensions import db
from casework.models import Case, Reminder, User
from casework.models.columns import utcnow
from casework.services.casefile.access import Access, case_access
from casework.services.errors import InvalidInput, NotFound
from casework.services.keys.case_keys import case_key, open_text, seal_text
from casework.services.validation import FieldReader

NOTE_LIMIT = 200


@dataclass(frozen=True)
class ReminderItem:
    id: int
    reference: str
    due_on: date
    note: str
    overdue: bool
    readable: bool = True  # False: the user no longer has full access to the case


def _field(reminder_id: int) -> str:
    return f"reminder:{reminder_id}"


def add_reminder(actor: User, case: Case, due_on: str, note: str) -> Reminder:
    """A reminder for `actor` on `case` (which they may see in full); raises `InvalidInput`."""
    r = FieldReader()
    day = r.day({"due_on": due_on}, "due_on", "due_on")
    if day is None and "due_on" not in r.errors:
        r.fail("due_on", _l("Please give a date as year-month-day, like 2026-03-01."))
    text = r.text({"note": note}, "note", "note", NOTE_LIMIT)
    if day is None or r.errors:
        raise InvalidInput(r.errors)
    reminder = Reminder(case_id=case.id, user_id=actor.id, due_on=day)
    db.session.add(reminder)
    db.session.flush()  # the note is bound to the reminder's id
    if text:
        reminder.note_sealed = seal_text(case_key(case), case, _field(reminder.id), text)
    db.session.commit()
    return reminder


def complete_reminder(actor: User, case: Case, reminder_id: int) -> None:
    """Mark one of the actor's own reminders on `case` done; `NotFound` otherwise."""
    reminder = db.session.get(Reminder, reminder_id)
    if (
        reminder is None
        or reminder.case_id != case.id
        or reminder.user_id != actor.id
        or reminder.done_at is not None
    ):
        raise NotFound(f"reminder {reminder_id}")
    reminder.done_at = utcnow()
    db.session.commit()


def _item(reminder: Reminder, case: Case, key: bytes | None, today: date) -> ReminderItem:
    note = ""
    if key is not None and reminder.note_sealed is not None:
        note = open_text(key, case, _field(reminder.id), reminder.note_sealed)
    return ReminderItem(
        reminder.id,
        case.reference,
        reminder.due_on,
        note,
        reminder.due_on < today,
        readable=key is not None,
    )


def case_reminders(
    actor: User, case: Case, key: bytes, today: date | None = None
) -> list[ReminderItem]:
    """The actor's open reminders on one case (the case page, full access), soonest first."""
    today = today or date.today()
    rows = db.session.scalars(
        select(Reminder)
        .where(
            Reminder.case_id == case.id, Reminder.user_id == actor.id, Reminder.done_at.is_(None)
        )
        .order_by(Reminder.due_on, Reminder.id)
    )
    return [_item(row, case, key, today) for row in rows]


def due_reminders(actor: User, today: date | None = None, limit: int = 200) -> list[ReminderItem]:
    """The actor's open reminders due today or earlier, oldest first, with their notes where
    the actor still has full access to the case."""
    today = today or date.today()
    rows = db.session.execute(
        select(Reminder, Case)
        .join(Case, Case.id == Reminder.case_id)
        .where(Reminder.user_id == actor.id, Reminder.done_at.is_(None), Reminder.due_on <= today)
        .order_by(Reminder.due_on, Reminder.id)
        .limit(limit)
    ).all()
    items = []
    for reminder, case in rows:
        full = case_access(actor, case) == Access.FULL
        items.append(_item(reminder, case, case_key(case) if full else None, today))
    return items


def due_count(user_id: int, today: date | None = None) -> int:
    """How many open reminders of one user are due today or earlier (one index range)."""
    today = today or date.today()
    return int(
        db.session.scalar(
            select(func.count(Reminder.id)).where(
                Reminder.user_id == user_id, Reminder.done_at.is_(None), Reminder.due_on <= today
            )
        )
        or 0
    )


def due_counts(day: date) -> dict[int, int]:
    """Open reminders due on or before `day`, per user (the daily digest)."""
    rows = db.session.execute(
        select(Reminder.user_id, func.count(Reminder.id))
        .where(Reminder.done_at.is_(None), Reminder.due_on <= day)
        .group_by(Reminder.user_id)
    ).all()
    return {int(user_id): int(count) for user_id, count in rows}
