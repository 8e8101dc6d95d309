"""Recruitment agencies named in complaints."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from casework.extensions import Model
from casework.models.columns import UTCDateTime, utcnow


class Agency(Model):
    """An agency as workers name it; complaints naming the same agency share one row."""

    __tablename__ = "agencies"
    __table_args__ = (Index("ix_agencies_lookup", "country", "name_key", "licence_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200))  # case- and space-folded name for matching
    licence_number: Mapped[str] = mapped_column(String(80), default="")
    country: Mapped[str] = mapped_column(String(2))  # where it recruits (the origin country)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
