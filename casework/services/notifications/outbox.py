"""Sending the e-mail outbox over SMTP, oldest first, with back-off on failure. `send_outbox` is
the "outbox" job."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import and_, func, or_, select
from sqlalchemy.sql.elements import ColumnElement

from casework.extensions import db
from casework.models import OutboxMessage, User
from casework.models.columns import utcnow
from casework.services.notifications.mail import MailFailed, MailSettings, SmtpConnection

log = logging.getLogger(__name__)

# A failed e-mail waits RETRY_BASE * (2**attempts - 1) after it was queued before the next try.
RETRY_BASE = timedelta(minutes=1)


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


def count_failure(
    message: Any, error: str, max_attempts: int, report: OutboxReport, final: bool = False
) -> bool:
    """A failed attempt at sending `message` (an e-mail or a nudge), on the message and in the
    report: True when it is given up (its last attempt, or `final`)."""
    message.attempts = max_attempts if final else message.attempts + 1
    message.last_error = error[:300]
    report.failed += 1
    if error not in report.errors:
        report.errors.append(error)
    gave_up = bool(message.attempts >= max_attempts)
    if gave_up:
        report.gave_up += 1
    return gave_up


def _failed(
    message: OutboxMessage,
    error: str,
    max_attempts: int,
    report: OutboxReport,
    final: bool = False,
) -> None:
    if count_failure(message, error, max_attempts, report, final):
        log.warning("mail %s to user %d given up: %s", message.kind, message.user_id, error)
    else:
        log.warning("mail %s to user %d failed: %s", message.kind, message.user_id, error)
