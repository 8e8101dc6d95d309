"""The audit key: the HMAC key of the audit chain.

It lives outside the database (`CASEWORK_AUDIT_KEY`, or `instance/keys/audit_key`, 0600) and
apart from the master key ring, so master-key rotation and the destruction of old master keys
never touch it: the trail must stay verifiable for as long as it is kept. It is created on
first start only while the database holds no keyed audit event; with keyed events present, a
missing key stops the app rather than starting a chain nobody can verify.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from flask import Flask
from sqlalchemy import inspect, text
from sqlalchemy.exc import SQLAlchemyError

from casework.models.audit import SCHEME_HMAC
from casework.services.audit.anchors import last_key_id

MIN_KEY_CHARS = 32
KEY_FILE = "audit_key"


class AuditKeyError(RuntimeError):
    """The audit key is missing, too short or not the one that sealed the trail: the app stops."""


def key_id(key: bytes) -> str:
    """A short public name of the key (a MAC of a constant; it reveals nothing of the key)."""
    return hmac.new(key, b"casework audit key id", hashlib.sha256).hexdigest()[:16]


def load_audit_key(app: Flask) -> bytes:
    """The audit key for this app, from the environment or the key folder (see module doc).
    Raises AuditKeyError with what to do when it cannot be used."""
    from casework.extensions import db

    try:
        return _load(app)
    except AuditKeyError:
        with app.app_context():
            db.engine.dispose()  # the app will not start: close its connections now
        raise


def _load(app: Flask) -> bytes:
    configured = str(app.config.get("AUDIT_KEY") or "")
    path = Path(app.config["KEYS_PATH"]) / KEY_FILE
    if configured:
        key = _checked(configured, "CASEWORK_AUDIT_KEY")
    elif path.exists():
        key = _checked(path.read_text(encoding="ascii").strip(), str(path))
    else:
        _refuse_if_keyed_events_exist(app, path)
        key = _checked(_create(path), str(path))
    _refuse_if_anchors_name_another_key(key, str(app.config.get("AUDIT_ANCHOR_PATH") or ""))
    return key


def _checked(value: str, source: str) -> bytes:
    if len(value) < MIN_KEY_CHARS:
        raise AuditKeyError(
            f"the audit key in {source} is shorter than {MIN_KEY_CHARS} characters; "
            "generate one with: python -c 'import secrets; print(secrets.token_urlsafe(32))'"
        )
    return value.encode("utf-8")


def _create(path: Path) -> str:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    value = secrets.token_urlsafe(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process created it first: use theirs
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(value)
        handle.flush()
        os.fsync(handle.fileno())
    return value


def _refuse_if_keyed_events_exist(app: Flask, path: Path) -> None:
    from casework.extensions import db

    with app.app_context():
        engine = db.engine
    try:
        inspector = inspect(engine)
        if not inspector.has_table("audit_events"):
            return
        columns = {column["name"] for column in inspector.get_columns("audit_events")}
        if "scheme" not in columns:  # before the keyed chain's migration
            return
        with engine.connect() as connection:
            keyed = connection.execute(
                text("SELECT id FROM audit_events WHERE scheme = :scheme LIMIT 1"),
                {"scheme": SCHEME_HMAC},
            ).first()
    except SQLAlchemyError as error:
        raise AuditKeyError(
            f"the audit key {path} is missing and the database cannot be read to check whether "
            "audit events need it; refusing to create a new audit key"
        ) from error
    finally:
        # No pooled connection outlives the start (a pre-forking server would share it).
        engine.dispose()
    if keyed is not None:
        raise AuditKeyError(
            f"the audit key is missing ({path} does not exist and CASEWORK_AUDIT_KEY is not set) "
            "but the database holds audit events sealed with one: restore the audit key from "
            "its backup. A new key would start a chain that cannot vouch for the existing one."
        )


def _refuse_if_anchors_name_another_key(key: bytes, anchor_path: str) -> None:
    expected = last_key_id(anchor_path) if anchor_path else None
    if expected is not None and expected != key_id(key):
        raise AuditKeyError(
            f"the audit key (id {key_id(key)}) is not the one that sealed the audit anchors in "
            f"{anchor_path} (id {expected}): restore the right audit key"
        )
