"""Flags raised on cases by the scheduled jobs (stalled, deadline approaching)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from casework.extensions import Model
from casework.models.columns import UTCDateTime, utcnow


class Flag(Model):
    """One open flag per case and rule (a partial unique index), climbing a ladder of levels."""

    __tablename__ = "flags"
    __table_args__ = (
        Index(
            "uq_flags_open_case_rule",
            "case_id",
            "rule",
            unique=True,
            sqlite_where=text("resolved_at IS NULL"),
            postgresql_where=text("resolved_at IS NULL"),
        ),
        Index("ix_flags_case_open", "case_id", "resolved_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    rule: Mapped[str] = mapped_column(String(40))
    level: Mapped[int] = mapped_column(default=1)  # 1 warn caseworker, 2 supervisor, 3 referral
    reason: Mapped[str] = mapped_column(String(200), default="")
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
