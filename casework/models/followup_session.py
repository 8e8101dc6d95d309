"""Server-side follow-up sessions: after the worker gives reference and secret, the browser holds
only a random token in a cookie; the row decides whether it still opens the case."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from casework.extensions import Model
from casework.models.columns import UTCDateTime, utcnow


class FollowupSession(Model):
    """One browser signed in to one case's follow-up page. Only the SHA-256 of the cookie's
    token is stored, so a copy of the database opens nothing; the quick exit deletes the row.
    Deleted with the case."""

    __tablename__ = "followup_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
