"""Idempotent intake: a repeated submission gets the same receipt, not a second case."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.extensions import Model
from casework.models.case import Case
from casework.models.columns import UTCDateTime, utcnow


class Submission(Model):
    """A complaint submission seen in the last day, keyed by the SHA-256 of a random token of
    at least 128 bits that only the worker's browser (or the partner's app) holds, and bound
    to the SHA-256 of what was sent. The receipt's secret is sealed with a key derived from
    that token (and, on the web, a cookie of the browser that sent it), so the database alone
    cannot read it; the sealed copy is dropped once the short replay window has passed."""

    __tablename__ = "submissions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    body_hash: Mapped[str] = mapped_column(String(64))
    receipt_sealed: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    case: Mapped[Case] = relationship()
