"""Opening the key ring and the follow-up pepper when the app starts.

A new ring or pepper is created only where no data can need an old one: with wrapped keys (or
cases) in the database, a missing or wrong ring (or a missing pepper) stops the app and every
CLI command with a message naming what is missing. A fresh install (no schema yet, or an empty
database) still gets both created, so `make run` works from nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, insert, inspect, select
from sqlalchemy.exc import DBAPIError, IntegrityError

from casework.config import _persistent_secret
from casework.crypto import KeyRing, KeyRingError, KeyRingMissing
from casework.crypto.keyring import KEYRING_FILE
from casework.models import Case, KeyCheck
from casework.models.columns import utcnow
from casework.services.keys.case_keys import wrap_aad
from casework.services.keys.inventory import has_cases, master_key_ids_in_use, schema_present

log = logging.getLogger(__name__)
PEPPER_FILE = "pepper"
RESTORE = "Restore it from its backup; casework never creates a new one over existing data."


class KeysUnavailable(KeyRingError):
    """The database needs keys (or a pepper) that this installation does not have."""


def _ids(ids: set[str]) -> str:
    return ", ".join(sorted(ids))


def open_key_ring(config: Mapping[str, Any], engine: Engine) -> KeyRing:
    """The ring from `CASEWORK_MASTER_KEYS` or `instance/keys/keyring.json`, checked against
    the database: every master key id that wraps a stored key must be in it and open one of
    them. Raises `KeysUnavailable` naming the missing ids."""
    try:
        return _open_key_ring(config, engine)
    except KeyRingError:
        engine.dispose()  # the app will not start: close its connections now
        raise


def _open_key_ring(config: Mapping[str, Any], engine: Engine) -> KeyRing:
    folder = Path(config["KEYS_PATH"])
    if config["MASTER_KEYS"]:
        ring = KeyRing.from_env_value(config["MASTER_KEYS"])
        source = "CASEWORK_MASTER_KEYS"
    else:
        try:
            ring = KeyRing.load(folder)
        except KeyRingMissing:
            with engine.connect() as conn:
                needed = master_key_ids_in_use(conn)
            if needed:
                raise KeysUnavailable(
                    f"The key ring {folder / KEYRING_FILE} is missing, but the database holds "
                    f"keys wrapped by master key(s) {_ids(needed)}. {RESTORE}"
                ) from None
            ring = KeyRing.create(folder)
        source = str(folder / KEYRING_FILE)
    try:
        check_ring_against_database(ring, engine, source)
    except DBAPIError:
        # The database is down: /readyz says so; an unknown key id re-reads the ring later.
        log.warning(
            "key ring not checked against the database: it cannot be reached", exc_info=True
        )
    return ring


def check_ring_against_database(ring: KeyRing, engine: Engine, source: str) -> None:
    """Every master key id the database needs is in `ring`, and each opens a stored key."""
    with engine.connect() as conn:
        if not schema_present(conn):
            return
        missing = master_key_ids_in_use(conn) - set(ring.key_ids)
        if missing:
            raise KeysUnavailable(
                f"The key ring ({source}) lacks master key(s) {_ids(missing)}, which wrap keys "
                f"in the database: it is not this database's key ring, or an old copy. {RESTORE}"
            )
        wrong = set()
        for key_id in ring.key_ids:  # one wrapped case key per master key must open
            row = conn.execute(
                select(Case.reference, Case.wrapped_key)
                .where(Case.key_id == key_id, Case.wrapped_key.is_not(None))
                .limit(1)
            ).first()
            if row is None:
                continue
            try:
                ring.unwrap(key_id, row.wrapped_key, wrap_aad(row.reference))
            except KeyRingError:
                wrong.add(key_id)
        if wrong:
            raise KeysUnavailable(
                f"The key ring ({source}) holds different master key(s) {_ids(wrong)} than "
                f"the ones that wrapped the keys in the database. {RESTORE}"
            )


def open_pepper(config: Mapping[str, Any], engine: Engine) -> bytes:
    """The follow-up pepper from `CASEWORK_FOLLOWUP_PEPPER` or `instance/keys/pepper`; created
    only while the database holds no case (their secrets' hashes need the old one)."""
    try:
        return _open_pepper(config, engine)
    except KeyRingError:
        engine.dispose()
        raise


def _open_pepper(config: Mapping[str, Any], engine: Engine) -> bytes:
    if config["FOLLOWUP_PEPPER"]:
        pepper = str(config["FOLLOWUP_PEPPER"]).encode("utf-8")
        source = "CASEWORK_FOLLOWUP_PEPPER"
    else:
        path = Path(config["KEYS_PATH"]) / PEPPER_FILE
        if not path.exists():
            with engine.connect() as conn:
                needed = has_cases(conn)
            if needed:
                raise KeysUnavailable(
                    f"The follow-up pepper {path} is missing, but the database holds cases "
                    f"whose follow-up secrets need it. {RESTORE}"
                )
        pepper = _persistent_secret(path, 32).encode("utf-8")
        source = str(path)
    try:
        _check_fingerprint(engine, "followup_pepper", pepper, source)
    except DBAPIError:
        log.warning("follow-up pepper not checked against the database: it cannot be reached")
    return pepper


def _fingerprint(secret: bytes) -> str:
    return hmac.new(secret, b"casework:fingerprint", hashlib.sha256).hexdigest()


def _check_fingerprint(engine: Engine, name: str, secret: bytes, source: str) -> None:
    """Compare with the fingerprint the database recorded; record it on first use."""
    with engine.connect() as conn:
        if not inspect(conn).has_table(KeyCheck.__tablename__):
            return  # before the schema exists: nothing to compare with yet
        recorded = conn.scalar(select(KeyCheck.fingerprint).where(KeyCheck.name == name))
        if recorded is None:
            try:
                conn.execute(
                    insert(KeyCheck).values(
                        name=name, fingerprint=_fingerprint(secret), created_at=utcnow()
                    )
                )
                conn.commit()
                return
            except IntegrityError:  # another process recorded it first: compare with theirs
                conn.rollback()
                recorded = conn.scalar(select(KeyCheck.fingerprint).where(KeyCheck.name == name))
        if recorded is not None and not hmac.compare_digest(recorded, _fingerprint(secret)):
            raise KeysUnavailable(
                f"The follow-up pepper ({source}) is not the one this database's follow-up "
                f"secrets were hashed with. {RESTORE}"
            )
