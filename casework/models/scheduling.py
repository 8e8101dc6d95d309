"""Scheduler bookkeeping: the leader lease and when each job last ran."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from casework.extensions import Model
from casework.models.columns import UTCDateTime


class SchedulerLease(Model):
    """One row: who leads and until when. Only the holder of an unexpired lease fires jobs."""

    __tablename__ = "scheduler_lease"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    holder: Mapped[str] = mapped_column(String(80))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class JobRun(Model):
    """The last completed run of each job, so missed runs catch up once after downtime."""

    __tablename__ = "job_runs"

    job: Mapped[str] = mapped_column(String(40), primary_key=True)
    last_run_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_result: Mapped[str] = mapped_column(String(300), default="")
