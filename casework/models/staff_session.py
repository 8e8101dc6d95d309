"""Server-side staff sessions: the signed cookie carries only a random token; the row decides
whether the session still counts (revoked, idle or too old sessions are refused)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from casework.extensions import Model
from casework.models.columns import UTCDateTime, utcnow


class StaffSession(Model):
    """One signed-in browser of one staff member. Only the SHA-256 of the cookie's token is
    stored, so a copy of the database opens no session. Ending a session deletes its row."""

    __tablename__ = "staff_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # The user's session version at sign-in: bumping `User.session_version` ends the session.
    user_version: Mapped[int] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # What the staff member needs to recognise it ("Firefox", "Android"); never the address.
    browser: Mapped[str] = mapped_column(String(40), default="")
    platform: Mapped[str] = mapped_column(String(40), default="")
