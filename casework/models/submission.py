"""Idempotent intake: a repeated submission gets the same receipt, not a second case."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.extensions import Model
from casework.models.case import Case
from casework.models.columns import UTCDateTime, utcnow


class Submission(Model):
    """A complaint submission seen in the last hour, keyed by the SHA-256 of a random token
    that only the worker's browser (or the partner's app) holds. The receipt's secret is
    sealed with a key derived from that token, so the database alone cannot read it."""

    __tablename__ = "submissions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    receipt_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    case: Mapped[Case] = relationship()
