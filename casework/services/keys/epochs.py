"""Master-key epochs (the "keys" job): what makes a purge hold in backups too.

A backup of the database holds case keys wrapped by the master key of its day. So that a purged
case cannot be opened from an old backup, master keys do not live for ever:

- a new epoch starts (a fresh master key, every live case key and staff TOTP secret re-wrapped
  under it, blobs untouched) `KEY_ROTATION_DAYS` after the last one, and at the first run after
  a case was purged, so the key that wrapped the purged case ends its epoch at once;
- a master key is destroyed once `BACKUP_RETENTION_DAYS` have passed since its epoch ended —
  no backup kept within that window can still need it — after checking that no wrapped key in
  the database needs it;
- when the ring changed, admins are told in the app to back it up again (and to drop key-ring
  backups older than the window).

With `CASEWORK_MASTER_KEYS` the ring cannot be changed here: the job re-wraps to the last listed
key and reports the keys no stored key needs, for the operator to remove after the window.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from casework.crypto import KeyRing
from casework.extensions import db
from casework.models import Case, User
from casework.models.columns import utcnow
from casework.services.keys.inventory import wraps_anything
from casework.services.keys.rotation import rewrap_everything, verify_ring_covers_database
from casework.services.notifications.notify import notify
from casework.services.runtime import keyring

log = logging.getLogger(__name__)
RING_CHANGED = "key_ring_changed"


@dataclass
class EpochReport:
    current_id: str
    new_epoch: str = ""  # why a new epoch started ("" if none did)
    rewrapped: int = 0
    destroyed: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # past the window but still needed
    unneeded: list[str] = field(default_factory=list)  # environment ring: may be removed

    def __str__(self) -> str:
        parts = [f"current master key {self.current_id}"]
        if self.new_epoch:
            parts.append(f"new epoch ({self.new_epoch})")
        parts.append(f"{self.rewrapped} case key(s) re-wrapped")
        parts.append(f"{len(self.destroyed)} master key(s) destroyed")
        if self.kept:
            parts.append(f"kept though past the window: {', '.join(self.kept)}")
        if self.unneeded:
            parts.append(f"no longer needed: {', '.join(self.unneeded)}")
        return "; ".join(parts)


def epoch_due(ring: KeyRing, now: datetime) -> str:
    """Why the current epoch should end now ("" if it should not)."""
    created = ring.created_at(ring.current_id)
    if created is None:
        return "creation time of the current key unknown"
    if created <= now - timedelta(days=int(current_app.config["KEY_ROTATION_DAYS"])):
        return "rotation period passed"
    purged = db.session.scalar(select(Case.id).where(Case.purged_at > created).limit(1))
    return "a case was purged" if purged is not None else ""


def run_key_epochs(now: datetime | None = None) -> EpochReport:
    """Start a new epoch when due, re-wrap what is not yet on the current key, destroy master
    keys whose epoch ended more than the backup window ago and that nothing needs, and tell
    admins when the ring changed. Safe to re-run; holds the ring's lock throughout."""
    now = now or utcnow()
    ring = keyring()
    if ring.path is None:
        return _environment_ring(ring)
    window = timedelta(days=int(current_app.config["BACKUP_RETENTION_DAYS"]))
    with ring.locked():
        report = EpochReport(ring.current_id, new_epoch=epoch_due(ring, now))
        db.session.rollback()  # read the purges; hold no snapshot while re-wrapping
        if report.new_epoch:
            report.current_id = ring.add_key(now)
            ring.save()
        report.rewrapped = rewrap_everything()
        with db.engine.connect() as conn:
            for key_id in ring.key_ids:
                retired = ring.retired_at(key_id)
                if retired is None or retired > now - window:
                    continue
                if wraps_anything(conn, key_id):
                    report.kept.append(key_id)  # an interrupted re-wrap; the next run retries
                    continue
                ring.destroy_key(key_id)
                report.destroyed.append(key_id)
        if report.destroyed:
            ring.save()
        verify_ring_covers_database(ring)
    if report.kept:
        log.warning("master key(s) past the backup window still needed: %s", report.kept)
    if report.new_epoch or report.destroyed:
        admins = db.session.scalars(select(User).where(User.role == "admin")).all()
        notify(admins, None, RING_CHANGED)
        db.session.commit()
    log.info("keys: %s", report)
    return report


def _environment_ring(ring: KeyRing) -> EpochReport:
    report = EpochReport(ring.current_id, rewrapped=rewrap_everything())
    with db.engine.connect() as conn:
        report.unneeded = [
            key_id
            for key_id in ring.key_ids
            if key_id != ring.current_id and not wraps_anything(conn, key_id)
        ]
    log.info("keys: %s", report)
    return report
