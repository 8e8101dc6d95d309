"""Group cases: many workers' cases against one respondent (an agency or an employer).

A group belongs to the organisation that built it. Its notes have no body here: each note is
sealed into every member case's timeline with that case's key (services/groups/notes.py), so
purging one worker's case also erases that worker's copy.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.extensions import Model
from casework.models.columns import UTCDateTime, utcnow

if TYPE_CHECKING:
    from casework.models.agency import Agency
    from casework.models.case import Case

# respondent kinds
AGENCY = "agency"
EMPLOYER = "employer"
RESPONDENT_KINDS = (AGENCY, EMPLOYER)

# statuses
OPEN = "open"
CLOSED = "closed"


class CaseGroup(Model):
    __tablename__ = "case_groups"
    __table_args__ = (Index("ix_case_groups_org_status", "organisation_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    title: Mapped[str] = mapped_column(String(200))
    respondent_kind: Mapped[str] = mapped_column(String(10))  # AGENCY / EMPLOYER
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id", ondelete="SET NULL"))
    employer_name: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(10), default=OPEN)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    agency: Mapped[Agency | None] = relationship()
    members: Mapped[list[CaseGroupMember]] = relationship(
        back_populates="group", cascade="all, delete-orphan", order_by="CaseGroupMember.id"
    )
    notes: Mapped[list[CaseGroupNote]] = relationship(
        back_populates="group", cascade="all, delete-orphan", order_by="CaseGroupNote.id"
    )


class CaseGroupMember(Model):
    """One worker's case in a group. A case is in at most one open group (services check)."""

    __tablename__ = "case_group_members"
    __table_args__ = (UniqueConstraint("group_id", "case_id", name="uq_case_group_members_case"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("case_groups.id", ondelete="CASCADE"))
    # a case's groups (is it in an open one already?)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    added_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    group: Mapped[CaseGroup] = relationship(back_populates="members")
    case: Mapped[Case] = relationship()


class CaseGroupNote(Model):
    """That a shared note was written, by whom and when; the text lives sealed in each member
    case's timeline, in the note events whose detail is `group_note:<id>`."""

    __tablename__ = "case_group_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(
        ForeignKey("case_groups.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    group: Mapped[CaseGroup] = relationship(back_populates="notes")
