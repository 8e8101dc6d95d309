"""The case timeline: append-only events, with a visibility."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, LargeBinary, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.extensions import Model
from casework.models.columns import UTCDateTime, utcnow

if TYPE_CHECKING:
    from casework.models.case import Case

# kinds
LODGED = "lodged"
STATUS_CHANGE = "status_change"
MESSAGE_FROM_WORKER = "message_from_worker"
MESSAGE_TO_WORKER = "message_to_worker"
EVIDENCE_ADDED = "evidence_added"
NOTE = "note"
ASSIGNMENT = "assignment"
OUTCOME = "outcome"

# visibility
INTERNAL = "internal"
PARTNERS = "partners"
WORKER = "worker"


class CaseEvent(Model):
    __tablename__ = "case_events"
    __table_args__ = (Index("ix_case_events_case_created", "case_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30))
    visibility: Mapped[str] = mapped_column(String(10))
    actor_kind: Mapped[str] = mapped_column(String(10))  # worker / staff / system
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    body_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    # What the body's seal is bound to (services/keys/case_keys.py): 2 = this event's id,
    # kind, visibility, organisation and author; 1 = the case and kind only (bodies sealed
    # before that, until `flask keys reseal-events` re-seals them).
    body_binding: Mapped[int] = mapped_column(SmallInteger, default=2, server_default="2")
    detail: Mapped[str] = mapped_column(String(200), default="")  # clear, non-personal facts
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    case: Mapped[Case] = relationship(back_populates="events")
