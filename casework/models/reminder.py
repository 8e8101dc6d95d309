"""Reminders a staff member sets on a case ("follow up on 12 March")."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, text
from sqlalchemy.orm import Mapped, mapped_column

from casework.extensions import Model
from casework.models.columns import UTCDateTime, utcnow


class Reminder(Model):
    """A date and a short note for one user on one case. The note may name people, so it is
    sealed with the case key (and goes when the case key is destroyed)."""

    __tablename__ = "reminders"
    __table_args__ = (
        # "What is due for me": open reminders of one user by date (the queue badge, the digest).
        Index(
            "ix_reminders_open_user_due",
            "user_id",
            "due_on",
            sqlite_where=text("done_at IS NULL"),
            postgresql_where=text("done_at IS NULL"),
        ),
        Index("ix_reminders_case", "case_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    due_on: Mapped[date]
    note_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
