"""Who works a case: an organisation (and usually one of its caseworkers) on one side."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.extensions import Model
from casework.models.columns import UTCDateTime, utcnow

if TYPE_CHECKING:
    from casework.models.case import Case
    from casework.models.people import Organisation, User

ORIGIN = "origin"
DESTINATION = "destination"

OFFERED = "offered"
ACCEPTED = "accepted"
DECLINED = "declined"
ENDED = "ended"
LIVE = (OFFERED, ACCEPTED)


class Assignment(Model):
    """An offer of a case to an organisation (and a caseworker), accepted or declined.

    Ownership moves only on acceptance: a transfer is a new offer, and the old assignment ends
    when the new one is accepted.
    """

    __tablename__ = "assignments"
    __table_args__ = (
        Index("ix_assignments_user_status", "user_id", "status"),
        # with the case id: an organisation's cases (a supervisor's report) from the index alone
        Index("ix_assignments_org_status_case", "organisation_id", "status", "case_id"),
        # with the organisation: whether it holds a case, from the index alone (queue walks)
        Index("ix_assignments_case_status_org", "case_id", "status", "organisation_id"),
        # an organisation's offers nobody in it took yet (the queue's unassigned tab and count)
        Index("ix_assignments_org_status_user", "organisation_id", "status", "user_id"),
        # the offers waiting for an answer, a few among every assignment ever made
        Index(
            "ix_assignments_offered",
            "user_id",
            "case_id",
            sqlite_where=text("status = 'offered'"),
            postgresql_where=text("status = 'offered'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    side: Mapped[str] = mapped_column(String(12))
    status: Mapped[str] = mapped_column(String(10))
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("assignments.id"))
    decline_reason: Mapped[str] = mapped_column(String(500), default="")
    offered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    case: Mapped[Case] = relationship(back_populates="assignments")
    organisation: Mapped[Organisation] = relationship()
    user: Mapped[User | None] = relationship()
