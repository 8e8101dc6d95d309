"""Nudges: the worker asked to be told, with a content-free text, when there is news.

A subscription holds what scheduling needs in clear (safe hours, time zone, when news came,
when the next nudge is due) and the one address it sends to sealed with the case key. The
phone's keyed hash (HMAC with the follow-up pepper) lets a STOP reply from the SMS gateway
find every case with that number without opening any.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, LargeBinary, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.extensions import Model
from casework.models.columns import UTCDateTime, utcnow

if TYPE_CHECKING:
    from casework.models.case import Case

SMS = "sms"
EMAIL = "email"


class NudgeSubscription(Model):
    """One case's opt-in. Deleted with the case, and by the retention purge."""

    __tablename__ = "nudge_subscriptions"
    __table_args__ = (Index("ix_nudge_subscriptions_due", "due_at"),)

    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True
    )
    channel: Mapped[str] = mapped_column(String(10))  # sms / email
    # The phone number or e-mail address, sealed with the case key (field "nudge_address").
    address_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    # HMAC-SHA256(pepper-derived key, digits of the phone); None for e-mail.
    phone_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    # Safe hours as minutes after local midnight; start > end wraps past midnight.
    safe_start: Mapped[int] = mapped_column(SmallInteger)
    safe_end: Mapped[int] = mapped_column(SmallInteger)
    time_zone: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # News the worker has not been told about yet (None: nothing waiting).
    news_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the waiting nudge may go: inside safe hours, at most one per local day.
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_nudged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    stopped_by: Mapped[str] = mapped_column(String(20), default="")  # sms_reply / followup

    # One-way: intake creates the subscription with the new case before either is flushed.
    case: Mapped[Case] = relationship()


class NudgeMessage(Model):
    """One nudge to send (or sent): the delivery outbox of worker texts. It holds no address
    and no text — both are derived when sending — only what staff may see: when, how, status."""

    __tablename__ = "nudge_messages"
    __table_args__ = (
        Index("ix_nudge_messages_case", "case_id", "created_at"),
        Index("ix_nudge_messages_unsent", "sent_at", "failed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(String(300), default="")
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Given up (too many failed attempts) or cancelled (the worker said stop first).
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled: Mapped[bool] = mapped_column(default=False)
