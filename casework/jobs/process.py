"""The scheduler as its own process (`flask --app casework scheduler`).

Every process ticks; only the holder of the database lease runs jobs. On SIGTERM or SIGINT the
process lets a running tick finish, then gives the lease up, so a standby takes over on its
next tick (seconds) instead of waiting for the lease to expire (SCHEDULER_LEASE_SECONDS).
"""

from __future__ import annotations

import logging
import signal
from types import FrameType

from flask import Flask

from casework.extensions import db
from casework.jobs.registry import register_jobs

log = logging.getLogger(__name__)

# A standby notices a released lease within one tick; the leader renews its lease every tick.
DEFAULT_TICK_SECONDS = 5


def run_scheduler(app: Flask, tick_seconds: int = DEFAULT_TICK_SECONDS) -> str:
    """Tick until SIGTERM/SIGINT, then release the lease if this process holds it.

    Returns the holder id. Blocks; call it from the main thread (signal handlers live there).
    """
    from apscheduler.schedulers.blocking import BlockingScheduler

    scheduler = BlockingScheduler(timezone="UTC")
    holder = register_jobs(scheduler, app, tick_seconds=tick_seconds)

    def _stop(signum: int, _frame: FrameType | None) -> None:
        log.info("scheduler %s: %s received, stopping", holder, signal.Signals(signum).name)
        if scheduler.running:
            scheduler.shutdown(wait=True)  # a tick in progress finishes first

    previous = {sig: signal.signal(sig, _stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    log.info("scheduler %s started; ticking every %ss", holder, tick_seconds)
    try:
        scheduler.start()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        release(app, holder)
    return holder


def release(app: Flask, holder: str) -> None:
    """Give the lease up (only if `holder` has it), so a standby leads at its next tick."""
    from casework.services.escalation.lease import release_lease

    with app.app_context():
        try:
            release_lease(holder)
            log.info("scheduler %s stopped; lease released", holder)
        except Exception:  # the database may be what is down: the lease then simply expires
            log.exception("scheduler %s could not release its lease", holder)
            db.session.rollback()
        finally:
            db.session.remove()
