"""The "nudges" job: queue the nudges that are due, then send them, with retries.

Queueing takes the subscriptions whose `due_at` has passed (an indexed range, never a scan of
every case): a worker who opened the follow-up page since the news needs no nudge; outside
safe hours the nudge waits for the next window. Sending opens the sealed address of each
queued nudge, hands the text to the SMS gateway (or SMTP for e-mail) inside safe hours, and
retries failures with back-off until NUDGE_MAX_ATTEMPTS; a stop cancels what is still queued.
Nothing logged carries a number, an address or a text.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select

from casework.extensions import db
from casework.models import Case, FollowupSession, NudgeMessage, NudgeSubscription
from casework.models.columns import utcnow
from casework.models.nudge import EMAIL
from casework.services.keys.case_keys import CasePurged, case_key, open_text
from casework.services.notifications import safe_hours
from casework.services.notifications.mail import MailFailed, MailSettings, SmtpConnection
from casework.services.notifications.nudges import ADDRESS_FIELD, next_due, normalise_phone
from casework.services.notifications.outbox import OutboxReport, count_failure
from casework.services.notifications.sms_gateway import TextFailed, text_sender
from casework.vocabulary.languages import DEFAULT_LANGUAGE, LANGUAGES

log = logging.getLogger(__name__)

RETRY_BASE = timedelta(minutes=1)  # attempt n+1 waits RETRY_BASE * (2**n - 1) after queueing
BATCH = 200


@dataclass
class NudgeReport(OutboxReport):
    """The outbox's counts (`waiting`: outside safe hours, or no gateway configured), and the
    nudges queued."""

    queued: int = 0

    def __str__(self) -> str:
        text = (
            f"{self.queued} queued, {self.sent} sent, {self.failed} failed, "
            f"{self.gave_up} given up, {self.waiting} waiting"
        )
        return text + (f" ({self.errors[0]})" if self.errors else "")


def nudge_text(language: str) -> str:
    """The whole text, in the worker's language: no reference, no organisation, no name."""
    link = current_app.config["NUDGE_LINK"]
    locale = LANGUAGES.get(language, LANGUAGES[DEFAULT_LANGUAGE]).babel_locale
    with force_locale(locale):
        return _("There is news about your complaint. Open %(link)s", link=link)


def nudge_subject(language: str) -> str:
    locale = LANGUAGES.get(language, LANGUAGES[DEFAULT_LANGUAGE]).babel_locale
    with force_locale(locale):
        return _("There is news")


def send_nudges(now: datetime | None = None) -> NudgeReport:
    """Queue due nudges, then send queued ones. Commits per nudge."""
    now = now or utcnow()
    report = NudgeReport()
    _queue_due(now, report)
    _send_queued(now, report)
    return report


def _seen_since(case_id: int, moment: datetime) -> bool:
    """The worker opened the follow-up page at or after `moment` (a live session was used)."""
    seen = db.session.scalar(
        select(func.max(FollowupSession.last_seen_at)).where(FollowupSession.case_id == case_id)
    )
    return seen is not None and seen >= moment


def _queue_due(now: datetime, report: NudgeReport) -> None:
    subs = db.session.scalars(
        select(NudgeSubscription)
        .where(NudgeSubscription.due_at <= now, NudgeSubscription.stopped_at.is_(None))
        .order_by(NudgeSubscription.due_at)
        .limit(BATCH)
    ).all()
    for sub in subs:
        if sub.news_at is None or _seen_since(sub.case_id, sub.news_at):
            sub.news_at = sub.due_at = None  # nothing the worker has not seen
        elif not safe_hours.inside(now, sub.safe_start, sub.safe_end, sub.time_zone):
            sub.due_at = next_due(sub, now)  # the job ran late: wait for the next window
            report.waiting += 1
        else:
            db.session.add(NudgeMessage(case_id=sub.case_id, channel=sub.channel, created_at=now))
            sub.last_nudged_at = now
            sub.news_at = sub.due_at = None
            report.queued += 1
        db.session.commit()


def _retry_due(message: NudgeMessage, now: datetime) -> bool:
    return message.created_at + RETRY_BASE * (2**message.attempts - 1) <= now


def _send_queued(now: datetime, report: NudgeReport) -> None:
    max_attempts = int(current_app.config["NUDGE_MAX_ATTEMPTS"])
    messages = db.session.scalars(
        select(NudgeMessage)
        .where(NudgeMessage.sent_at.is_(None), NudgeMessage.failed_at.is_(None))
        .order_by(NudgeMessage.id)
        .limit(BATCH)
    ).all()
    for message in messages:
        if not _retry_due(message, now):
            continue
        sub = db.session.get(NudgeSubscription, message.case_id)
        if sub is None or sub.stopped_at is not None:
            message.cancelled = True
            message.failed_at = now
        elif not safe_hours.inside(now, sub.safe_start, sub.safe_end, sub.time_zone):
            report.waiting += 1  # a retry waits for the next window too
        else:
            _send_one(message, sub, now, max_attempts, report)
        db.session.commit()


def _send_one(
    message: NudgeMessage,
    sub: NudgeSubscription,
    now: datetime,
    max_attempts: int,
    report: NudgeReport,
) -> None:
    case = db.session.get(Case, message.case_id)
    assert case is not None  # noqa: S101 - the message is deleted with its case
    try:
        address = open_text(case_key(case), case, ADDRESS_FIELD, sub.address_sealed)
    except CasePurged:
        _failed(message, "the case was purged", now, max_attempts, report, final=True)
        return
    try:
        if message.channel == EMAIL:
            _send_mail(address, case.language)
        else:
            sender = text_sender()
            if not sender.configured:
                report.waiting += 1
                if "SMS gateway not configured" not in report.errors:
                    report.errors.append("SMS gateway not configured")
                return
            sender.send("+" + normalise_phone(address), nudge_text(case.language))
    except (TextFailed, MailFailed) as exc:
        _failed(message, str(exc), now, max_attempts, report)
        return
    except _NotConfigured:
        report.waiting += 1
        return
    message.attempts += 1
    message.sent_at = now
    report.sent += 1
    log.info("nudge %d sent by %s for %s", message.id, message.channel, case.reference)


class _NotConfigured(Exception):
    pass


def _send_mail(address: str, language: str) -> None:
    settings = MailSettings.from_config()
    if not settings.configured:
        raise _NotConfigured
    with SmtpConnection(settings) as smtp:
        smtp.send(address, nudge_subject(language), nudge_text(language))


def _failed(
    message: NudgeMessage,
    error: str,
    now: datetime,
    max_attempts: int,
    report: NudgeReport,
    final: bool = False,
) -> None:
    if count_failure(message, error, max_attempts, report, final):
        message.failed_at = now
        log.warning("nudge %d given up: %s", message.id, error)
    else:
        log.warning("nudge %d failed (attempt %d): %s", message.id, message.attempts, error)
