"""Notifying staff of something on a case: an in-app notification each and, when it is urgent (an
escalation), an e-mail at once — unless one already waits for them, which asks them to sign in.

The rows come from one pure builder, `notification_rows`: `notify` adds them to the current
transaction; the stalled scan inserts a whole batch of them itself (escalation/batch_writes.py).
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_babel import force_locale, gettext
from sqlalchemy import and_, select
from sqlalchemy.sql.elements import ColumnElement

from casework.extensions import db
from casework.models import Case, Notification, OutboxMessage, User
from casework.services.notifications.texts import KINDS, sign_in_link, stored_text, user_locale

log = logging.getLogger(__name__)

ESCALATION = "escalation"


def notify(
    users: Iterable[User],
    case: Case | None,
    kind: str,
    urgent: bool = False,
) -> list[Notification]:
    """Notify each active user once (duplicates in `users` are ignored). Urgent notifications
    also queue an immediate e-mail, unless one is already waiting for that user. Adds to the
    current transaction; the caller commits."""
    users = list(users)
    waiting = awaiting_escalation_mail([user.id for user in users]) if urgent and users else set()
    rows = notification_rows(users, case, kind, urgent, waiting)
    created = [Notification(**row) for row in rows.notifications]
    db.session.add_all([OutboxMessage(**row) for row in rows.mails])
    db.session.add_all(created)
    db.session.flush()
    return created


@dataclass(frozen=True)
class NotificationRows:
    """What notifying some users of one thing writes."""

    notifications: list[dict[str, Any]]  # `notifications` rows, one a user
    mails: list[dict[str, Any]]  # `outbox_messages` rows: escalation e-mails to queue


def notification_rows(
    users: Iterable[User],
    case: Case | None,
    kind: str,
    urgent: bool = False,
    mail_waiting: Collection[int] = (),
) -> NotificationRows:
    """The rows that notify each active user in `users` once (duplicates are ignored) of `kind`
    on `case`: a notification each and, when `urgent`, an escalation e-mail to each of them
    not in `mail_waiting` (ids of the users who have one waiting already, as
    `awaiting_escalation_mail` finds them). Pure: touches no session, the caller writes the
    rows (and, writing more later in the same transaction, counts the users mailed now as
    waiting)."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind: {kind}")
    text = stored_text(kind, case.reference if case is not None else None)
    notifications: list[dict[str, Any]] = []
    mails: list[dict[str, Any]] = []
    seen: set[int] = set()
    for user in users:
        if user.id in seen or not user.active:
            continue
        seen.add(user.id)
        notifications.append(
            {
                "user_id": user.id,
                "case_id": case.id if case else None,
                "kind": kind,
                "text": text,
                "urgent": urgent,
            }
        )
        if urgent and user.id not in mail_waiting:
            mails.append(escalation_mail_row(user))
    log.info("notified %d user(s): %s", len(notifications), kind)
    return NotificationRows(notifications, mails)


def escalation_mail_row(user: User) -> dict[str, Any]:
    """The `outbox_messages` row asking `user`, in their language, to sign in: nothing about
    the case. Pure."""
    with force_locale(user_locale(user)):
        if user.role == "supervisor":
            body = gettext("A case needs your attention as supervisor. Sign in: %(link)s")
        else:
            body = gettext("A case needs your urgent attention. Sign in: %(link)s")
        return {
            "user_id": user.id,
            "kind": ESCALATION,
            "subject": gettext("casework: a case needs your attention"),
            "body": body % {"link": sign_in_link()},
        }


def _escalation_waiting() -> ColumnElement[bool]:
    """An escalation e-mail that is still to be sent (or retried)."""
    return and_(
        OutboxMessage.kind == ESCALATION,
        OutboxMessage.sent_at.is_(None),
        OutboxMessage.attempts < int(current_app.config["MAIL_MAX_ATTEMPTS"]),
    )


def awaiting_escalation_mail(user_ids: Collection[int] | None = None) -> set[int]:
    """The users (of `user_ids`, or all) who have an escalation e-mail waiting: no second one
    is queued for them."""
    query = select(OutboxMessage.user_id).where(_escalation_waiting())
    if user_ids is not None:
        query = query.where(OutboxMessage.user_id.in_(sorted(set(user_ids))))
    return set(db.session.scalars(query.distinct()))
