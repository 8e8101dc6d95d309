"""Recruitment agencies named in complaints, and their link to a licensed-agency registry."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.extensions import Model
from casework.models.columns import UTCDateTime, utcnow

if TYPE_CHECKING:
    from casework.models.registry import AgencyMatchCandidate, RegistryAgency

# How an agency came to be linked to its registry entry.
MATCH_LICENCE = "licence"  # the licence number the worker gave is on the list
MATCH_ALIAS = "alias"  # the name is one a caseworker confirmed before
MATCH_CONFIRMED = "confirmed"  # a caseworker confirmed a candidate


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
    # The registry entry this agency is (None: not matched yet, or not on the list).
    registry_agency_id: Mapped[int | None] = mapped_column(
        ForeignKey("registry_agencies.id", ondelete="SET NULL"), index=True
    )
    match_state: Mapped[str | None] = mapped_column(String(10))  # MATCH_* when linked
    matched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Another row this one was merged into (services/agencies/merge.py): its complaints moved
    # there, and a new complaint naming it this way goes there too. Kept, never deleted, so
    # the merge can be read back from the audit log and the name still finds the cases.
    merged_into_id: Mapped[int | None] = mapped_column(
        ForeignKey("agencies.id", ondelete="SET NULL")
    )

    registry_agency: Mapped[RegistryAgency | None] = relationship()
    merged_into: Mapped[Agency | None] = relationship(remote_side=[id])
    candidates: Mapped[list[AgencyMatchCandidate]] = relationship(
        back_populates="agency",
        cascade="all, delete-orphan",
        order_by="AgencyMatchCandidate.score.desc()",
    )
