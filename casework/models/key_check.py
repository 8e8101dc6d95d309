"""Fingerprints of secrets kept outside the database, so a wrong one is refused at start-up."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from casework.extensions import Model
from casework.models.columns import UTCDateTime, utcnow


class KeyCheck(Model):
    """One row per outside secret (today: the follow-up pepper): an HMAC of a fixed label under
    the secret. It reveals nothing of the secret; a different secret gives a different value."""

    __tablename__ = "key_checks"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
