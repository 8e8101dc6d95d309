"""The key ring, pepper and evidence store bound to the running app."""

from __future__ import annotations

from flask import current_app

from casework.crypto import KeyRing
from casework.storage import EvidenceStore


def keyring() -> KeyRing:
    """The master key ring, re-read first if another process (`keys rotate`, the "keys" job)
    changed its file since this one read it."""
    ring: KeyRing = current_app.extensions["casework.keyring"]
    ring.reload_if_changed()
    return ring


def evidence_store() -> EvidenceStore:
    store: EvidenceStore = current_app.extensions["casework.evidence_store"]
    return store


def audit_key() -> bytes:
    """The HMAC key of the audit chain (services/audit/key.py), apart from the master keys."""
    key: bytes = current_app.extensions["casework.audit_key"]
    return key


def followup_pepper() -> bytes:
    pepper: bytes = current_app.extensions["casework.pepper"]
    return pepper
