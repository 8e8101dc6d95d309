"""Master-key rotation: add a key, re-wrap every case key, never touch a blob.

Every change to a file ring happens under the ring folder's lock with the ring re-read from
disk first, so two overlapping rotations (or a rotation and the "keys" job) never lose each
other's keys; success is reported only once every key id the database needs is in the ring on
disk.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from casework.crypto import KeyRing, KeyRingError
from casework.extensions import db
from casework.models import Case, User
from casework.models.columns import utcnow
from casework.services.directory.staff_auth import rewrap_totp_key
from casework.services.keys.case_keys import rewrap_case_key
from casework.services.keys.inventory import master_key_ids_in_use
from casework.services.runtime import keyring

log = logging.getLogger(__name__)
BATCH = 500


@dataclass(frozen=True)
class RotationReport:
    new_key_id: str
    rewrapped: int


def rotate_master_key(add_new_key: bool = True, now: datetime | None = None) -> RotationReport:
    """Make a fresh master key current (file key rings) and re-wrap every case key with it.

    With `CASEWORK_MASTER_KEYS` the operator adds the new key to the variable first, so
    `add_new_key` is False and the last listed key becomes the target. Runs in batches and can
    be run again after an interruption: case keys already on the current key are skipped.
    Raises `KeyRingError` if, afterwards, the ring on disk lacks a key the database needs.
    """
    ring = keyring()
    with ring.locked():
        if add_new_key:
            ring.add_key(now or utcnow())
            ring.save()  # before re-wrapping, so no case key is ever wrapped by an unsaved key
        rewrapped = rewrap_everything()
        verify_ring_covers_database(ring)
    log.info("re-wrapped %d case key(s) with master key %s", rewrapped, ring.current_id)
    return RotationReport(ring.current_id, rewrapped)


def rewrap_everything() -> int:
    """Re-wrap every live case key and staff TOTP secret with the current master key, a batch
    per transaction; returns how many case keys changed."""
    rewrapped = 0
    last_id = 0
    current = keyring().current_id
    while True:
        cases = db.session.scalars(
            select(Case)
            .where(Case.id > last_id, Case.key_id != current, Case.wrapped_key.is_not(None))
            .order_by(Case.id)
            .limit(BATCH)
        ).all()
        if not cases:
            break
        for case in cases:
            if rewrap_case_key(case):
                rewrapped += 1
        last_id = cases[-1].id
        db.session.commit()
    for user in db.session.scalars(select(User).where(User.totp_wrapped.is_not(None))):
        rewrap_totp_key(user)
    db.session.commit()
    return rewrapped


def verify_ring_covers_database(ring: KeyRing) -> None:
    """Every master key id that wraps a stored key is in the ring as saved on disk (or, for an
    environment ring, in the ring)."""
    saved = KeyRing.load(ring.path.parent) if ring.path is not None else ring
    with db.engine.connect() as conn:
        missing = master_key_ids_in_use(conn) - set(saved.key_ids)
    if missing:
        raise KeyRingError(
            f"the key ring lacks master key(s) {', '.join(sorted(missing))} that wrap keys in "
            "the database"
        )
