"""Staff account changes waiting for a supervisor of the organisation concerned.

An admin manages the directory but must never be able to become a caseworker: a new account with
access to cases, a move into an organisation or role with access to cases, a password reset and
a second-factor reset take effect only once a supervisor of that organisation approves them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.extensions import Model
from casework.models.columns import UTCDateTime, utcnow
from casework.models.people import Organisation, User

# kinds
ACCOUNT = "account"  # a new account, or a role or organisation that gives access to cases
PASSWORD = "password"  # noqa: S105 - a kind, not a password
SECOND_FACTOR = "second_factor"
KINDS = (ACCOUNT, PASSWORD, SECOND_FACTOR)

# statuses
PENDING = "pending"
APPROVED = "approved"
REJECTED = "rejected"
SUPERSEDED = "superseded"  # a newer request of the same kind, or the account moved meanwhile


class StaffApproval(Model):
    __tablename__ = "staff_approvals"
    __table_args__ = (
        Index("ix_staff_approvals_organisation_status", "organisation_id", "status"),
        Index("ix_staff_approvals_user_status", "user_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # Whose supervisors approve: the organisation the account belongs to when it was asked.
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    role: Mapped[str] = mapped_column(String(20))  # the account's role when it was asked
    # The argon2id hash of the new password (kind "password"), cleared once decided.
    password_hash: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default=PENDING)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    requested_by_label: Mapped[str] = mapped_column(String(120), default="")  # "user:3", "cli"
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    organisation: Mapped[Organisation] = relationship()
    requested_by: Mapped[User | None] = relationship(foreign_keys=[requested_by_id])
