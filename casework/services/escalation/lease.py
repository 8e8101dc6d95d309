"""A database lease so that only one scheduler process fires jobs.

The lease is a single row: an atomic conditional UPDATE takes it when it is free or expired
(or renews it for its holder); the first INSERT creates it. Works the same on SQLite and
PostgreSQL, and a crashed leader is replaced once its lease expires.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, update
from sqlalchemy.exc import IntegrityError

from casework.extensions import db
from casework.models import SchedulerLease
from casework.models.columns import utcnow

LEASE = "scheduler"


def acquire_lease(holder: str, seconds: int, now: datetime | None = None) -> bool:
    """Take or renew the lease for `holder`; True if `holder` leads until now + seconds."""
    now = now or utcnow()
    expires = now + timedelta(seconds=seconds)
    result = db.session.execute(
        update(SchedulerLease)
        .where(
            SchedulerLease.name == LEASE,
            or_(SchedulerLease.holder == holder, SchedulerLease.expires_at < now),
        )
        .values(holder=holder, expires_at=expires)
    )
    if result.rowcount == 1:  # type: ignore[attr-defined]
        db.session.commit()
        return True
    db.session.rollback()
    if db.session.get(SchedulerLease, LEASE) is not None:
        return False
    try:
        db.session.add(SchedulerLease(name=LEASE, holder=holder, expires_at=expires))
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return False
    return True


def release_lease(holder: str) -> None:
    db.session.execute(
        update(SchedulerLease)
        .where(SchedulerLease.name == LEASE, SchedulerLease.holder == holder)
        .values(expires_at=utcnow() - timedelta(seconds=1))
    )
    db.session.commit()
