"""A user's in-app notifications: how many are unread, the latest in the reader's language, and
marking them read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update

from casework.extensions import db
from casework.models import Case, Notification, User
from casework.models.columns import utcnow
from casework.services.notifications.texts import KINDS, notification_text


def unread_count(user: User) -> int:
    return (
        db.session.scalar(
            select(func.count(Notification.id)).where(
                Notification.user_id == user.id, Notification.read_at.is_(None)
            )
        )
        or 0
    )


@dataclass(frozen=True)
class InboxItem:
    id: int
    text: str  # in the reader's language
    reference: str | None
    urgent: bool
    created_at: datetime
    read: bool


def inbox(user: User, limit: int = 100) -> list[InboxItem]:
    """The user's latest notifications, newest first, worded in the current language."""
    rows = db.session.execute(
        select(Notification, Case.reference)
        .outerjoin(Case, Case.id == Notification.case_id)
        .where(Notification.user_id == user.id)
        .order_by(Notification.id.desc())
        .limit(limit)
    ).all()
    return [
        InboxItem(
            id=note.id,
            text=notification_text(note.kind, reference) if note.kind in KINDS else note.text,
            reference=reference,
            urgent=note.urgent,
            created_at=note.created_at,
            read=note.read_at is not None,
        )
        for note, reference in rows
    ]


def mark_read(user: User, notification_id: int | None = None) -> int:
    """Mark one of the user's notifications (or all of them) read; returns how many changed.
    Another user's notification is simply not found."""
    query = update(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)
    )
    if notification_id is not None:
        query = query.where(Notification.id == notification_id)
    changed: int = db.session.execute(query.values(read_at=utcnow())).rowcount  # type: ignore[attr-defined]
    db.session.commit()
    return changed
