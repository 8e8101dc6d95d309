"""Notifications: in-app, and an outbox of content-free e-mails (digests and escalations)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from casework.extensions import Model
from casework.models.columns import UTCDateTime, utcnow


class Notification(Model):
    """Shown in the app to one user. `text` never contains case content, only references."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_unread", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30))
    text: Mapped[str] = mapped_column(String(300))
    urgent: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    digest_date: Mapped[date | None] = mapped_column(index=True)  # set once put in a digest


class OutboxMessage(Model):
    """An e-mail waiting to be sent (or sent). One digest per user per day; escalations at once."""

    __tablename__ = "outbox_messages"
    __table_args__ = (
        Index("uq_outbox_digest_user_day", "user_id", "digest_date", unique=True),
        Index("ix_outbox_unsent", "sent_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))  # digest / escalation
    digest_date: Mapped[date | None]
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(String(300), default="")
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
