"""Notifications: in-app messages for staff, and an outbox of content-free e-mails.

In the app a notification names the case by its reference and says what happened, never more
(no story, no names). E-mails say even less — not even the reference: only how many
notifications wait, or that a case needs attention, and a sign-in link. Non-urgent
notifications reach a user's mailbox in one digest per day; urgent ones (escalations) queue an
e-mail at once. `build_daily_digests` and `send_outbox` are the "digests" and "outbox" jobs.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask import current_app
from flask_babel import force_locale, get_locale, gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.elements import ColumnElement

from casework.extensions import db
from casework.models import Case, Notification, OutboxMessage, User
from casework.models.columns import utcnow
from casework.services.notifications.mail import MailFailed, MailSettings, SmtpConnection
from casework.vocabulary.languages import DEFAULT_LANGUAGE, LANGUAGES

log = logging.getLogger(__name__)

INBOX_PATH = "/notifications"  # the in-app list; e-mails link here
DIGEST = "digest"
ESCALATION = "escalation"
# A failed e-mail waits RETRY_BASE * (2**attempts - 1) after it was queued before the next try.
RETRY_BASE = timedelta(minutes=1)

# What each kind of notification says in the app: the case reference and nothing else.
KINDS = {
    "stalled_warning": _l(
        "Case %(reference)s has had no activity for longer than its rules allow."
    ),
    "stalled_escalation": _l(
        "Case %(reference)s is still stalled and has been escalated to the supervisor."
    ),
    "referral_proposed": _l(
        "An access-to-justice referral has been proposed for case %(reference)s."
    ),
    "deadline_warning": _l("The claim in case %(reference)s will soon be time-barred."),
    "deadline_escalation": _l(
        "The claim in case %(reference)s is close to being time-barred and has been escalated."
    ),
    "offer_waiting": _l(
        "Case %(reference)s has been offered to you and is waiting to be accepted."
    ),
    "worker_message": _l("The worker has sent a new message on case %(reference)s."),
}
NO_CASE = _l("Something in casework needs your attention.")


def notification_text(kind: str, reference: str | None) -> str:
    """The in-app sentence for `kind`, in the current language."""
    if reference is None or kind not in KINDS:
        return str(NO_CASE)
    return str(KINDS[kind] % {"reference": reference})


def _user_locale(user: User) -> str:
    for code in user.languages:
        if code in LANGUAGES:
            return LANGUAGES[code].babel_locale
    return LANGUAGES[DEFAULT_LANGUAGE].babel_locale


def _sign_in_link() -> str:
    return f"{current_app.config['PUBLIC_URL']}{INBOX_PATH}"


def notify(
    users: Iterable[User],
    case: Case | None,
    kind: str,
    urgent: bool = False,
) -> list[Notification]:
    """Notify each active user once (duplicates in `users` are ignored). Urgent notifications
    also queue an immediate e-mail, unless one is already waiting for that user. Adds to the
    current transaction; the caller commits."""
    created = [Notification(**row) for row in notification_rows(users, case, kind, urgent)]
    db.session.add_all(created)
    db.session.flush()
    return created


def notification_rows(
    users: Iterable[User],
    case: Case | None,
    kind: str,
    urgent: bool = False,
    escalated: set[int] | None = None,
) -> list[dict[str, Any]]:
    """What `notify` does, for batch callers (the stalled scan) that insert the notifications
    themselves in one statement: returns their rows. Urgent e-mails are still queued in the
    session. `escalated`: every user with an escalation e-mail waiting, as
    `awaiting_escalation_mail()` found them at the start of the batch; users mailed now are
    added to it."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind: {kind}")
    text = _stored_text(kind, case.reference if case is not None else None)
    rows = []
    seen: set[int] = set()
    for user in users:
        if user.id in seen or not user.active:
            continue
        seen.add(user.id)
        rows.append(
            {
                "user_id": user.id,
                "case_id": case.id if case else None,
                "kind": kind,
                "text": text,
                "urgent": urgent,
            }
        )
        if urgent:
            _queue_escalation(user, escalated)
    log.info("notified %d user(s): %s", len(rows), kind)
    return rows


def _escalation_waiting() -> ColumnElement[bool]:
    """An escalation e-mail that is still to be sent (or retried)."""
    return and_(
        OutboxMessage.kind == ESCALATION,
        OutboxMessage.sent_at.is_(None),
        OutboxMessage.attempts < int(current_app.config["MAIL_MAX_ATTEMPTS"]),
    )


def awaiting_escalation_mail() -> set[int]:
    """The users who have an escalation e-mail waiting: no second one is queued for them."""
    return set(
        db.session.scalars(select(OutboxMessage.user_id).where(_escalation_waiting()).distinct())
    )


def _stored_text(kind: str, reference: str | None) -> str:
    """The sentence as stored, in the default language (readers see it in theirs)."""
    default = LANGUAGES[DEFAULT_LANGUAGE].babel_locale
    if str(get_locale()) == default:  # jobs, and most requests: no need to switch
        return notification_text(kind, reference)
    with force_locale(default):
        return notification_text(kind, reference)


def _queue_escalation(user: User, escalated: set[int] | None = None) -> None:
    if escalated is not None:
        if user.id in escalated:
            return
        escalated.add(user.id)
    elif (
        db.session.scalar(
            select(OutboxMessage.id).where(OutboxMessage.user_id == user.id, _escalation_waiting())
        )
        is not None
    ):
        return  # one waiting e-mail already asks them to sign in
    with force_locale(_user_locale(user)):
        if user.role == "supervisor":
            body = gettext("A case needs your attention as supervisor. Sign in: %(link)s")
        else:
            body = gettext("A case needs your urgent attention. Sign in: %(link)s")
        message = OutboxMessage(
            user_id=user.id,
            kind=ESCALATION,
            subject=gettext("casework: a case needs your attention"),
            body=body % {"link": _sign_in_link()},
        )
    db.session.add(message)


# --- in the app -----------------------------------------------------------------------------
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


# --- digests --------------------------------------------------------------------------------
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
    for user_id in user_ids:
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
        queued = bool(unread) and user.active
        if queued:
            db.session.add(_digest_message(user, day, unread or 0))
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


def _digest_message(user: User, day: date, count: int) -> OutboxMessage:
    with force_locale(_user_locale(user)):
        # One sentence for every count: no plural forms to get wrong in any language.
        body = gettext(
            "New notifications in casework: %(num)d. Sign in to read them: %(link)s",
            num=count,
            link=_sign_in_link(),
        )
        subject = gettext("casework: new notifications")
    return OutboxMessage(user_id=user.id, kind=DIGEST, digest_date=day, subject=subject, body=body)


# --- sending --------------------------------------------------------------------------------
@dataclass
class OutboxReport:
    sent: int = 0
    failed: int = 0
    gave_up: int = 0
    waiting: int = 0
    errors: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        text = f"{self.sent} sent, {self.failed} failed, {self.gave_up} given up"
        if self.errors:
            text += f" ({self.errors[0]})"
        return text


def _due(max_attempts: int, now: datetime) -> ColumnElement[bool]:
    """Unsent messages whose back-off has passed: attempt n+1 waits RETRY_BASE * (2**n - 1)
    after the message was queued."""
    return and_(
        OutboxMessage.sent_at.is_(None),
        or_(
            *(
                and_(
                    OutboxMessage.attempts == n,
                    OutboxMessage.created_at <= now - RETRY_BASE * (2**n - 1),
                )
                for n in range(max_attempts)
            )
        ),
    )


def send_outbox(limit: int = 100) -> OutboxReport:
    """Send up to `limit` due e-mails over SMTP, oldest first. A sent message gets `sent_at`;
    a failure counts an attempt, keeps a short error (no addresses) and is retried with
    back-off until `MAIL_MAX_ATTEMPTS`. Without a configured server nothing is tried."""
    report = OutboxReport()
    settings = MailSettings.from_config()
    max_attempts = int(current_app.config["MAIL_MAX_ATTEMPTS"])
    now = utcnow()
    due = _due(max_attempts, now)
    if not settings.configured:
        report.waiting = db.session.scalar(select(func.count(OutboxMessage.id)).where(due)) or 0
        report.errors.append("mail server not configured")
        return report
    messages = db.session.scalars(
        select(OutboxMessage).where(due).order_by(OutboxMessage.id).limit(limit)
    ).all()
    handled: set[int] = set()
    try:
        with SmtpConnection(settings) as smtp:
            for message in messages:
                handled.add(message.id)
                _send_one(smtp, message, max_attempts, report)
                db.session.commit()
    except MailFailed as exc:  # could not connect or sign in: the rest wait for the next run
        for message in messages:
            if message.id not in handled:
                _failed(message, str(exc), max_attempts, report)
        db.session.commit()
    return report


def _send_one(
    smtp: SmtpConnection, message: OutboxMessage, max_attempts: int, report: OutboxReport
) -> None:
    user = db.session.get(User, message.user_id)
    if user is None or not user.active:
        _failed(message, "recipient is no longer active", max_attempts, report, final=True)
        return
    try:
        smtp.send(user.email, message.subject, message.body)
    except MailFailed as exc:
        _failed(message, str(exc), max_attempts, report)
        return
    message.sent_at = utcnow()
    message.attempts += 1
    report.sent += 1
    log.info("mail %s sent to user %d", message.kind, message.user_id)


def _failed(
    message: OutboxMessage,
    error: str,
    max_attempts: int,
    report: OutboxReport,
    final: bool = False,
) -> None:
    message.attempts = max_attempts if final else message.attempts + 1
    message.last_error = error[:300]
    report.failed += 1
    if error not in report.errors:
        report.errors.append(error)
    if message.attempts >= max_attempts:
        report.gave_up += 1
        log.warning("mail %s to user %d given up: %s", message.kind, message.user_id, error)
    else:
        log.warning("mail %s to user %d failed: %s", message.kind, message.user_id, error)
