"""Links between cases: two complaints by the same worker, and where a merged case went."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from casework.extensions import Model
from casework.models.columns import UTCDateTime, utcnow

DUPLICATE = "duplicate"  # the same worker and story, both cases still open
MERGED_INTO = "merged_into"  # case_id was merged into other_case_id (one per merged case)


class CaseLink(Model):
    """One link, read in both directions. A duplicate link is stored once (lower id first); a
    merge stores `merged_into` from the merged case to the kept one, which follow-up with the
    merged case's secret follows."""

    __tablename__ = "case_links"
    __table_args__ = (
        UniqueConstraint("case_id", "other_case_id", "kind", name="uq_case_links_pair_kind"),
        Index("ix_case_links_other_case", "other_case_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    other_case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
