"""Master-key rotation: add a key, re-wrap every case key, never touch a blob."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import select

from casework.extensions import db
from casework.models import Case, User
from casework.services.directory.staff_auth import rewrap_totp_key
from casework.services.keys.case_keys import rewrap_case_key
from casework.services.runtime import keyring

log = logging.getLogger(__name__)
BATCH = 500


@dataclass(frozen=True)
class RotationReport:
    new_key_id: str
    rewrapped: int


def rotate_master_key(add_new_key: bool = True) -> RotationReport:
    """Make a fresh master key current (file key rings) and re-wrap every case key with it.

    With `CASEWORK_MASTER_KEYS` the operator adds the new key to the variable first, so
    `add_new_key` is False and the last listed key becomes the target. Runs in batches and can
    be run again after an interruption: case keys already on the current key are skipped.
    """
    ring = keyring()
    if add_new_key:
        ring.add_key()
        ring.save()  # before re-wrapping, so no case key is ever wrapped by an unsaved key
    rewrapped = 0
    last_id = 0
    while True:
        cases = db.session.scalars(
            select(Case).where(Case.id > last_id).order_by(Case.id).limit(BATCH)
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
    log.info("re-wrapped %d case key(s) with master key %s", rewrapped, ring.current_id)
    return RotationReport(ring.current_id, rewrapped)
