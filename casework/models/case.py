"""The case aggregate: the complaint's structured facts, its abuse codes and the complainant."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, LargeBinary, Numeric, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.extensions import Model
from casework.models.columns import UTCDateTime, utcnow

if TYPE_CHECKING:
    from casework.models.agency import Agency
    from casework.models.assignment import Assignment
    from casework.models.event import CaseEvent
    from casework.models.evidence import Evidence
    from casework.models.fee import FeePayment
    from casework.models.outcome import Outcome
    from casework.models.referral import Referral


class Case(Model):
    """One worker's complaint.

    Facts used by queues, jobs and reports (countries, codes, amounts, dates, status) are clear;
    the narrative is sealed with the case key, which is stored only wrapped by a master key.
    """

    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    language: Mapped[str] = mapped_column(String(8))
    origin_country: Mapped[str] = mapped_column(String(2), index=True)
    destination_country: Mapped[str] = mapped_column(String(2), index=True)
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), index=True)
    employer_name: Mapped[str] = mapped_column(String(200), default="")
    occupation: Mapped[str] = mapped_column(String(120), default="")
    recruitment_channel: Mapped[str | None] = mapped_column(String(20))
    promised_wage_amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    promised_wage_currency: Mapped[str | None] = mapped_column(String(3))
    actual_wage_amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    actual_wage_currency: Mapped[str | None] = mapped_column(String(3))
    departure_date: Mapped[date | None]
    job_start_date: Mapped[date | None]
    incident_date: Mapped[date | None]
    contract_end_date: Mapped[date | None]
    consent_share_partners: Mapped[bool] = mapped_column(default=False)
    consent_cross_border: Mapped[bool] = mapped_column(default=False)
    source: Mapped[str] = mapped_column(String(10), default="web")  # web / api / demo
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status_since: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Time spent awaiting the worker does not count towards stall clocks.
    paused_seconds: Mapped[int] = mapped_column(default=0)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_deadline_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # No organisation is offered or working the case: it waits in the supervisors' triage
    # queue. Stored (and kept by routing and deadlines) so triage never scans every case.
    in_triage: Mapped[bool] = mapped_column(default=True)
    claim_deadline: Mapped[date | None]
    version: Mapped[int] = mapped_column(default=1)
    # Envelope encryption: the case key wrapped by master key `key_id`.
    key_id: Mapped[str] = mapped_column(String(32))
    wrapped_key: Mapped[bytes | None] = mapped_column(LargeBinary)  # None once purged
    narrative_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    # Follow-up secret: argon2id of HMAC(pepper, secret); never the secret itself.
    secret_hash: Mapped[str] = mapped_column(String(200))

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        # The queue's order (newest first, then id), walked from the index alone.
        Index("ix_cases_created_at_id", "created_at", "id"),
        Index(
            "ix_cases_triage_created",
            "created_at",
            sqlite_where=text("in_triage"),
            postgresql_where=text("in_triage"),
        ),
        # The master keys live case keys need (start-up check, key epochs): a few index seeks.
        Index(
            "ix_cases_live_key_id",
            "key_id",
            sqlite_where=text("wrapped_key IS NOT NULL"),
            postgresql_where=text("wrapped_key IS NOT NULL"),
        ),
        # Search by the start of the employer's name, any case (services/casefile/search.py).
        Index("ix_cases_employer_folded", text("lower(employer_name)")),
    )

    agency: Mapped[Agency | None] = relationship()
    abuses: Mapped[list[CaseAbuse]] = relationship(
        back_populates="case", cascade="all, delete-orphan"
    )
    complainant: Mapped[Complainant | None] = relationship(
        back_populates="case", cascade="all, delete-orphan"
    )
    fees: Mapped[list[FeePayment]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="FeePayment.id"
    )
    evidence: Mapped[list[Evidence]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="Evidence.id"
    )
    events: Mapped[list[CaseEvent]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="CaseEvent.id"
    )

    assignments: Mapped[list[Assignment]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="Assignment.id"
    )
    outcomes: Mapped[list[Outcome]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="Outcome.id"
    )

    referrals: Mapped[list[Referral]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="Referral.id"
    )

    @property
    def abuse_codes(self) -> list[str]:
        return sorted(a.code for a in self.abuses)


class CaseAbuse(Model):
    """One abuse code on a case (a set, never a verdict); a table so queues can filter by code."""

    __tablename__ = "case_abuses"

    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = mapped_column(String(20), primary_key=True, index=True)

    case: Mapped[Case] = relationship(back_populates="abuses")


class Complainant(Model):
    """Who complained and how to reach them, sealed as one document. Absent when anonymous."""

    __tablename__ = "complainants"

    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True
    )
    identity_sealed: Mapped[bytes] = mapped_column(LargeBinary)

    case: Mapped[Case] = relationship(back_populates="complainant")
