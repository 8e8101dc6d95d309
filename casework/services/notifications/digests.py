"""Daily digests: non-urgent notifications reach a user's mailbox in one e-mail a day, which says
only how many wait (and how many of their reminders are due) and links to the sign-in page.
`build_daily_digests` is the "digests" job."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from flask_babel import force_locale, gettext
from sqlalchemy import and_, func, select, update
from sqlalchemy.exc import IntegrityError

from casework.extensions import db
from casework.models import Notification, OutboxMessage, User
from casework.services.audit import head_anchor
from casework.services.casefile.reminders import due_counts
from casework.services.notifications.texts import sign_in_link, user_locale

log = logging.getLogger(__name__)

DIGEST = "digest"


@dataclass
class DigestReport:
    day: date
    digests: int = 0
    users_skipped: int = 0  # already had today's digest: their news waits for tomorrow's

    def __str__(self) -> str:
        return f"{self.digests} digest(s) queued for {self.day.isoformat()}"


def build_daily_digests(day: date) -> DigestReport:
    """Queue one digest e-mail per user for `day`, counting their unread, non-urgent
    notifications not yet in a digest. Idempotent: a user who already has a digest for `day`
    gets no second one (a unique index guarantees it even against a concurrent run)."""
    report = DigestReport(day)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=UTC)
    pending = and_(
        Notification.urgent.is_(False),
        Notification.digest_date.is_(None),
        Notification.created_at < end,
    )
    user_ids = db.session.scalars(select(Notification.user_id).where(pending).distinct()).all()
    # Admins also get the audit chain's head every day, news or not: a copy of the anchor
    # outside the database and the server, in their mailboxes.
    admins = set(
        db.session.scalars(select(User.id).where(User.role == "admin", User.active.is_(True)))
    )
    anchor = head_anchor() if admins else None
    # Reminders due on the day or before, still open: counted, never described.
    reminders = due_counts(day)
    for user_id in sorted(set(user_ids) | admins | set(reminders)):
        exists = db.session.scalar(
            select(OutboxMessage.id).where(
                OutboxMessage.user_id == user_id, OutboxMessage.digest_date == day
            )
        )
        if exists is not None:
            report.users_skipped += 1
            continue
        user = db.session.get(User, user_id)
        if user is None:
            continue
        unread = db.session.scalar(
            select(func.count(Notification.id)).where(
                pending, Notification.user_id == user_id, Notification.read_at.is_(None)
            )
        )
        audit_line = anchor if user_id in admins else None
        due = reminders.get(user_id, 0)
        queued = bool(unread or audit_line or due) and user.active
        if queued:
            db.session.add(_digest_message(user, day, unread or 0, audit_line, due))
        db.session.execute(
            update(Notification)
            .where(pending, Notification.user_id == user_id)
            .values(digest_date=day)
        )
        try:
            db.session.commit()
        except IntegrityError:  # another run queued this user's digest first
            db.session.rollback()
            report.users_skipped += 1
            continue
        report.digests += int(queued)
    log.info("digests: %s", report)
    return report


def _digest_message(
    user: User, day: date, count: int, audit_anchor: str | None = None, reminders: int = 0
) -> OutboxMessage:
    with force_locale(user_locale(user)):
        lines = []
        if count:
            # One sentence for every count: no plural forms to get wrong in any language.
            lines.append(
                gettext(
                    "New notifications in casework: %(num)d. Sign in to read them: %(link)s",
                    num=count,
                    link=sign_in_link(),
                )
            )
        if reminders:
            lines.append(
                gettext(
                    "Your reminders due today or earlier: %(num)d. Sign in to see them: %(link)s",
                    num=reminders,
                    link=sign_in_link(),
                )
            )
        if audit_anchor:
            # Content-free: a position and a MAC. Saved e-mails can be passed to
            # `flask audit verify --anchors`, which finds the anchor on its line.
            lines.append(
                gettext("The audit trail today, to keep for `flask audit verify`:")
                + "\n"
                + audit_anchor
            )
        body = "\n\n".join(lines)
        if count:
            subject = gettext("casework: new notifications")
        elif reminders:
            subject = gettext("casework: reminders due")
        else:
            subject = gettext("casework: daily audit trail check")
    return OutboxMessage(user_id=user.id, kind=DIGEST, digest_date=day, subject=subject, body=body)
