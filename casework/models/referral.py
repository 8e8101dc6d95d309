"""Access-to-justice referrals and the catalogue of pathways they use."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.extensions import Model
from casework.models.columns import UTCDateTime, utcnow

if TYPE_CHECKING:
    from casework.models.case import Case

# referral statuses, in order
PROPOSED = "proposed"
CONSENTED = "consented"
SENT = "sent"
ACKNOWLEDGED = "acknowledged"
HEARING = "hearing"
DECIDED = "decided"
CLOSED = "closed"
DECLINED_BY_WORKER = "declined_by_worker"
REFERRAL_STATUSES = (
    PROPOSED,
    CONSENTED,
    SENT,
    ACKNOWLEDGED,
    HEARING,
    DECIDED,
    CLOSED,
    DECLINED_BY_WORKER,
)
OPEN_REFERRAL_STATUSES = (PROPOSED, CONSENTED, SENT, ACKNOWLEDGED, HEARING)


class ReferralPathway(Model):
    """A forum a case can be referred to in one country (admins edit the catalogue)."""

    __tablename__ = "referral_pathways"

    id: Mapped[int] = mapped_column(primary_key=True)
    country: Mapped[str] = mapped_column(String(2), index=True)
    forum_kind: Mapped[str] = mapped_column(String(30))  # DOMAIN.md forum kinds
    name: Mapped[str] = mapped_column(String(200))
    claim_codes_csv: Mapped[str] = mapped_column(
        "claim_codes", String(400), default=""
    )  # abuse codes
    time_limit_days: Mapped[int | None]
    language: Mapped[str | None] = mapped_column(String(8))  # the forum's working language
    contact: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(default=True)

    @property
    def claim_codes(self) -> list[str]:
        return [c for c in self.claim_codes_csv.split(",") if c]

    @claim_codes.setter
    def claim_codes(self, codes: list[str]) -> None:
        self.claim_codes_csv = ",".join(dict.fromkeys(codes))


class Referral(Model):
    """A case sent (or proposed to be sent) to a forum, with the worker's recorded consent."""

    __tablename__ = "referrals"
    __table_args__ = (Index("ix_referrals_status_sent", "status", "sent_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    pathway_id: Mapped[int | None] = mapped_column(ForeignKey("referral_pathways.id"))
    forum_kind: Mapped[str] = mapped_column(String(30), index=True)
    status: Mapped[str] = mapped_column(String(20), default=PROPOSED)
    proposed_by: Mapped[str] = mapped_column(String(20), default="staff")  # staff / scheduler
    consent_via: Mapped[str | None] = mapped_column(String(20))  # worker_followup / caseworker
    consent_share_identity: Mapped[bool] = mapped_column(default=False)
    consented_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hearing_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome_code: Mapped[str | None] = mapped_column(String(30))
    amount_awarded: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    amount_enforced: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    currency: Mapped[str | None] = mapped_column(String(3))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    case: Mapped[Case] = relationship(back_populates="referrals")
    pathway: Mapped[ReferralPathway | None] = relationship()
