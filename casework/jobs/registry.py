"""The job table, catch-up after downtime, and registration with APScheduler."""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Flask, current_app

from casework.extensions import db
from casework.models import JobRun
from casework.models.columns import utcnow

log = logging.getLogger(__name__)


def _stalled(now: datetime) -> object:
    from casework.services.escalation.scan import scan_stalled_cases

    return scan_stalled_cases(now)


def _digests(now: datetime) -> object:
    from casework.services.notifications.digests import build_daily_digests

    return build_daily_digests(now.date())


def _outbox(now: datetime) -> object:
    from casework.services.notifications.outbox import send_outbox

    return send_outbox()


def _nudges(now: datetime) -> object:
    from casework.services.notifications.nudge_delivery import send_nudges

    return send_nudges(now)


def _retention(now: datetime) -> object:
    from casework.services.keys.retention import purge_expired_cases

    return purge_expired_cases(now)


def _evidence_cleanup(now: datetime) -> object:
    from casework.services.evidence.cleanup import clean_evidence_store
    from casework.services.intake.drafts import discard_expired_drafts

    summary = clean_evidence_store(remove=True, now=now).summary()
    return f"{summary}; {discard_expired_drafts(now=now)} expired complaint draft(s) removed"


def _keys(now: datetime) -> object:
    from casework.services.keys.epochs import run_key_epochs

    return run_key_epochs(now)


@dataclass(frozen=True)
class Job:
    name: str
    every: timedelta
    run: Callable[[datetime], object]
    description: str


JOBS: dict[str, Job] = {
    job.name: job
    for job in (
        Job(
            "stalled",
            timedelta(minutes=15),
            _stalled,
            "flag stalled cases and approaching deadlines",
        ),
        Job("outbox", timedelta(minutes=1), _outbox, "send queued e-mails"),
        Job(
            "nudges",
            timedelta(minutes=5),
            _nudges,
            "content-free texts to workers who asked to hear of news, inside their safe hours",
        ),
        Job(
            "evidence_cleanup",
            timedelta(minutes=10),
            _evidence_cleanup,
            "remove what interrupted uploads left in the evidence store; expire held files and drafts",
        ),
        Job("digests", timedelta(days=1), _digests, "one digest e-mail per user per day"),
        Job("retention", timedelta(days=1), _retention, "crypto-shred expired closed cases"),
        # After retention, so a purge ends the master key's epoch in the same tick.
        Job(
            "keys",
            timedelta(days=1),
            _keys,
            "new master key monthly and after purges; destroy keys past the backup window",
        ),
    )
}


def run_job(name: str, now: datetime | None = None) -> str:
    """Run one job now, whatever its schedule, and record the run."""
    job = JOBS[name]
    now = now or utcnow()
    result = str(job.run(now))
    record = db.session.get(JobRun, name) or JobRun(job=name)
    record.last_run_at = now
    record.last_result = result[:300]
    db.session.add(record)
    db.session.commit()
    log.info("job %s: %s", name, result)
    return result


def run_due_jobs(now: datetime | None = None) -> list[str]:
    """Run every job whose interval has passed since its last run — once, however many runs
    were missed (catch-up after downtime coalesces)."""
    now = now or utcnow()
    ran = []
    for name, job in JOBS.items():
        record = db.session.get(JobRun, name)
        if record is None or record.last_run_at + job.every <= now:
            run_job(name, now)
            ran.append(name)
    return ran


def scheduler_identity() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def leader_tick(app: Flask, holder: str) -> None:
    """One scheduler tick: run due jobs only while holding the lease."""
    from casework.services.escalation.lease import acquire_lease

    with app.app_context():
        try:
            if acquire_lease(holder, current_app.config["SCHEDULER_LEASE_SECONDS"]):
                run_due_jobs()
        except Exception:  # keep the scheduler alive; the next tick retries
            log.exception("scheduler tick failed")
            db.session.rollback()
        finally:
            db.session.remove()


def register_jobs(scheduler: object, app: Flask, tick_seconds: int = 30) -> str:
    """Register the single leader tick on an APScheduler scheduler; returns the holder id.

    One tick drives every job: the tick takes (or renews) the lease, then runs whatever is
    due. A second scheduler process ticks too but never holds the lease, so each job fires once.
    """
    from apscheduler.triggers.interval import IntervalTrigger

    holder = scheduler_identity()
    scheduler.add_job(  # type: ignore[attr-defined]
        leader_tick,
        IntervalTrigger(seconds=tick_seconds),
        args=(app, holder),
        id="casework-leader-tick",
        next_run_time=datetime.now().astimezone(),  # catch up at start
        coalesce=True,
        max_instances=1,
        replace_existing=True,
    )
    return holder
