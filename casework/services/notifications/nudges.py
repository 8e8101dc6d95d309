"""Nudges: tell a worker who asked for it that there is news, never what the news is.

A worker who gives a phone number or e-mail at intake may ask (`contact.notify`) to be told
when there is news. Then, when staff message the worker or move the case to a status the
worker should know about (NEWS_STATUSES), a nudge becomes due: the "nudges" job
(nudge_delivery.py) sends one short, content-free text — "There is news about your complaint.
Open <follow-up address>" — inside the worker's safe hours, at most once a day, never after
the worker said stop (a STOP reply to the gateway, or the button on the follow-up page).

The address is sealed with the case key; only the job opens it, to send. A phone's keyed hash
finds the cases a STOP reply is about without opening any case.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from casework.extensions import db
from casework.models import Case, NudgeMessage, NudgeSubscription
from casework.models.assignment import LIVE, Assignment
from casework.models.columns import utcnow
from casework.models.nudge import EMAIL, SMS
from casework.services.intake.complaint import ContactInput
from casework.services.keys.case_keys import seal_text
from casework.services.notifications import safe_hours
from casework.services.runtime import followup_pepper
from casework.vocabulary.status import (
    AWAITING_WORKER,
    CLOSED,
    IN_PROGRESS,
    REFERRED,
    RESOLVED,
    WITHDRAWN,
)

log = logging.getLogger(__name__)

ADDRESS_FIELD = "nudge_address"
# Status changes the worker should hear about: we need something from them, the case went to
# an authority, it has a result, or it was re-opened. Routine steps (triaged, in progress)
# and closing after a result are not news.
NEWS_STATUSES = frozenset({AWAITING_WORKER, REFERRED, RESOLVED})
REOPENED_FROM = frozenset({RESOLVED, CLOSED, WITHDRAWN})
# What a STOP reply may say: the carriers' conventions, and "stop" in the worker languages as
# workers type it in their own script or in Latin letters. The first word counts, any case.
STOP_WORDS = frozenset(
    {
        *("stop", "stopall", "unsubscribe", "cancel", "end", "quit", "optout"),
        *("रोक", "रोक्नुहोस्", "बन्द", "roka", "banda"),  # Nepali
        *("tigil", "hinto", "itigil"),  # Tagalog
        *("berhenti", "henti", "batal"),  # Indonesian
        *("بند", "روکو", "روکیں"),  # Urdu
        *("বন্ধ", "থামো", "থামুন"),  # Bengali
        *("නවත්වන්න", "නවතන්න", "නවත්තන්න"),  # Sinhala
        *("አቁም", "አቁሙ"),  # Amharic
        *("توقف", "أوقف", "اوقف", "إيقاف", "ايقاف", "الغاء", "إلغاء"),  # Arabic
    }
)
BY_SMS_REPLY = "sms_reply"
BY_FOLLOWUP = "followup"


def normalise_phone(phone: str) -> str:
    """Digits only (any script's digits), international: "+977 981-2345678" and
    "00977 9812345678" are both "9779812345678"."""
    digits = "".join(str(int(ch)) for ch in phone if ch.isdecimal())
    return digits[2:] if digits.startswith("00") else digits


def phone_hash(phone: str) -> str:
    """HMAC-SHA256 of the normalised number, keyed from the server pepper (outside the
    database): a stolen database alone cannot test numbers against it."""
    key = hmac.new(followup_pepper(), b"casework nudge phone hash v1", hashlib.sha256).digest()
    return hmac.new(key, normalise_phone(phone).encode("ascii"), hashlib.sha256).hexdigest()


def subscribe_at_intake(case: Case, key: bytes, contact: ContactInput | None) -> None:
    """Within intake's transaction: remember the opt-in if the worker asked for nudges.

    The phone is preferred (a text reaches the cheapest phone); an e-mail is used without one.
    """
    if contact is None or not contact.notify or not (contact.phone or contact.email):
        return
    channel, address = (SMS, contact.phone) if contact.phone else (EMAIL, contact.email)
    window = safe_hours.parse_safe_hours(contact.safe_hours) or safe_hours.DEFAULT_SAFE_HOURS
    zone = contact.time_zone or safe_hours.country_time_zone(case.destination_country)
    db.session.add(
        NudgeSubscription(
            case=case,
            channel=channel,
            address_sealed=seal_text(key, case, ADDRESS_FIELD, address),
            phone_hash=phone_hash(address) if channel == SMS else None,
            safe_start=window[0],
            safe_end=window[1],
            time_zone=zone,
            created_at=utcnow(),
        )
    )


def _subscription(case: Case) -> NudgeSubscription | None:
    if case.id is None:
        return None
    return db.session.get(NudgeSubscription, case.id)


def note_news(case: Case, now: datetime | None = None) -> None:
    """Staff did something the worker should know (within the caller's transaction): a nudge
    becomes due at the next safe moment, not earlier than a day after the last one."""
    sub = _subscription(case)
    if sub is None or sub.stopped_at is not None:
        return
    now = now or utcnow()
    sub.news_at = now
    if sub.due_at is None:
        sub.due_at = next_due(sub, now)


def note_status_news(case: Case, previous: str, to: str) -> None:
    """`note_news` if the change from `previous` to `to` is news for the worker."""
    if to in NEWS_STATUSES or (to == IN_PROGRESS and previous in REOPENED_FROM):
        note_news(case)


def next_due(sub: NudgeSubscription, after: datetime) -> datetime:
    last_day = None
    if sub.last_nudged_at is not None:
        last_day = safe_hours.window_day(
            sub.last_nudged_at, sub.safe_start, sub.safe_end, sub.time_zone
        )
    return safe_hours.next_safe_moment(
        after, sub.safe_start, sub.safe_end, sub.time_zone, not_on_or_before=last_day
    )


def _stop(sub: NudgeSubscription, by: str, now: datetime) -> None:
    sub.stopped_at = now
    sub.stopped_by = by
    sub.news_at = sub.due_at = None
    waiting = select(NudgeMessage).where(
        NudgeMessage.case_id == sub.case_id,
        NudgeMessage.sent_at.is_(None),
        NudgeMessage.failed_at.is_(None),
    )
    for message in db.session.scalars(waiting):
        message.cancelled = True
        message.failed_at = now


def stop_by_phone(phone: str) -> int:
    """A STOP reply from `phone`: no more nudges for any case with that number. Commits;
    returns how many subscriptions stopped (for the log, never the number itself)."""
    digits = normalise_phone(phone)
    if len(digits) < 6:
        return 0
    now = utcnow()
    subs = db.session.scalars(
        select(NudgeSubscription).where(
            NudgeSubscription.phone_hash == phone_hash(digits),
            NudgeSubscription.stopped_at.is_(None),
        )
    ).all()
    for sub in subs:
        _stop(sub, BY_SMS_REPLY, now)
    db.session.commit()
    log.info("nudges: a STOP reply stopped %d subscription(s)", len(subs))
    return len(subs)


def is_stop_reply(text: object) -> bool:
    if not isinstance(text, str) or not text.strip():
        return False
    return text.split()[0].strip(".!।۔").casefold() in STOP_WORDS


def stop_for_case(case: Case) -> bool:
    """The worker pressed "Stop telling me" on the follow-up page. Commits; False if there
    was nothing to stop."""
    sub = _subscription(case)
    if sub is None or sub.stopped_at is not None:
        return False
    _stop(sub, BY_FOLLOWUP, utcnow())
    db.session.commit()
    log.info("nudges stopped from the follow-up page of %s", case.reference)
    return True


def worker_nudge_state(case: Case | None) -> str:
    """For the follow-up page: "on" (nudges will come), "stopped", or "" (never asked)."""
    sub = _subscription(case) if case is not None else None
    if sub is None:
        return ""
    return "stopped" if sub.stopped_at is not None else "on"


# --- what staff see ----------------------------------------------------------------------------
@dataclass(frozen=True)
class NudgeSummary:
    """Whether and when the worker was nudged. No address, no text."""

    channel: str
    safe_hours: str
    time_zone: str
    stopped_at: datetime | None
    stopped_by: str
    due_at: datetime | None
    sent: list[datetime] = field(default_factory=list)
    failing: int = 0  # sends given up or still being retried


def case_nudges(case: Case, last: int = 5) -> NudgeSummary | None:
    """The case's nudges for its page (the caller has loaded the case through the access
    check); None if the worker never asked for them."""
    sub = _subscription(case)
    if sub is None:
        return None
    messages = db.session.scalars(
        select(NudgeMessage)
        .where(NudgeMessage.case_id == case.id)
        .order_by(NudgeMessage.created_at.desc(), NudgeMessage.id.desc())
        .limit(20)
    ).all()
    return NudgeSummary(
        channel=sub.channel,
        safe_hours=safe_hours.format_safe_hours(sub.safe_start, sub.safe_end),
        time_zone=sub.time_zone,
        stopped_at=sub.stopped_at,
        stopped_by=sub.stopped_by,
        due_at=sub.due_at,
        sent=[m.sent_at for m in messages if m.sent_at is not None][:last],
        failing=sum(1 for m in messages if m.sent_at is None and not m.cancelled and m.attempts),
    )


@dataclass(frozen=True)
class FailedNudge:
    reference: str
    channel: str
    created_at: datetime
    attempts: int
    last_error: str
    given_up: bool


def failed_nudges(organisation_id: int, limit: int = 100) -> list[FailedNudge]:
    """Nudges that failed at least once (given up, or still retrying) for cases a live
    assignment gives the organisation: what a supervisor checks (the gateway, the number)."""
    rows = db.session.execute(
        select(NudgeMessage, Case.reference)
        .join(Case, Case.id == NudgeMessage.case_id)
        .where(
            NudgeMessage.sent_at.is_(None),
            NudgeMessage.attempts > 0,
            NudgeMessage.cancelled.is_(False),
            NudgeMessage.case_id.in_(
                select(Assignment.case_id).where(
                    Assignment.organisation_id == organisation_id,
                    Assignment.status.in_(LIVE),
                )
            ),
        )
        .order_by(NudgeMessage.created_at.desc())
        .limit(limit)
    ).all()
    return [
        FailedNudge(
            reference=reference,
            channel=message.channel,
            created_at=message.created_at,
            attempts=message.attempts,
            last_error=message.last_error,
            given_up=message.failed_at is not None,
        )
        for message, reference in rows
    ]
