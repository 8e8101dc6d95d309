"""Editable rules that drive the scheduled jobs: when a case is stalled, when a claim expires."""

from __future__ import annotations

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from casework.extensions import Model


class StallRule(Model):
    """ "A case in `status` with no movement for `days` is stalled" (admins edit the days).

    `clock` names what starts the clock: `created`, `status_since`, `last_activity`,
    `offered` (an unanswered offer) or `referral_sent` (a referral without response).
    Rules for statuses other than awaiting_worker pause while the case awaits the worker.
    """

    __tablename__ = "stall_rules"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    description: Mapped[str] = mapped_column(String(200))
    status: Mapped[str | None] = mapped_column(String(20))  # None: any open status
    clock: Mapped[str] = mapped_column(String(20))
    days: Mapped[int]
    escalate_after_days: Mapped[int] = mapped_column(default=3)  # warn → supervisor
    refer_after_days: Mapped[int] = mapped_column(default=7)  # supervisor → referral proposal
    active: Mapped[bool] = mapped_column(default=True)


class LimitationRule(Model):
    """A time limit for bringing a claim: (jurisdiction, forum kind, claim kind, trigger, period).

    Seeded from DOMAIN.md examples marked (verify); admins correct them. `trigger` is a case
    date: contract_end_date, incident_date, departure_date or job_start_date.
    """

    __tablename__ = "limitation_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction: Mapped[str] = mapped_column(String(2), index=True)
    forum_kind: Mapped[str] = mapped_column(String(30))
    claim_kind: Mapped[str] = mapped_column(String(40))  # an abuse code, or "*" for any
    trigger: Mapped[str] = mapped_column(String(30))
    period_days: Mapped[int]
    note: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(default=True)
