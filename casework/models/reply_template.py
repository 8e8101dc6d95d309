"""Reply templates: ready-made messages to workers, one text per language, kept by admins."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from casework.extensions import Model
from casework.models.columns import UTCDateTime, utcnow


class ReplyTemplate(Model):
    """A message a caseworker starts from, in one language. No personal data: a template is
    written for every worker, and the caseworker edits the copy before sending it."""

    __tablename__ = "reply_templates"
    __table_args__ = (Index("ix_reply_templates_language", "language", "title"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    language: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
