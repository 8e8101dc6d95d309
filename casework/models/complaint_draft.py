"""A complaint being filled in step by step, kept between the steps, sealed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from casework.extensions import Model
from casework.models.columns import UTCDateTime, utcnow


class ComplaintDraft(Model):
    """The answers of an unfinished complaint, encrypted under a random key that only the
    worker's browser holds (a cookie); the server keeps the ciphertext and the SHA-256 of the
    draft's random id, nothing else about it. Gone at `expires_at` (24 h after it was begun)
    or when the complaint is sent or the worker leaves by the quick exit."""

    __tablename__ = "complaint_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    id_hash: Mapped[str] = mapped_column(String(64), unique=True)
    sealed: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
