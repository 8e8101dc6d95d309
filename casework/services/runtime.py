"""The key ring, pepper and evidence store bound to the running app."""

from __future__ import annotations

from flask import current_app

from casework.crypto import KeyRing
from casework.storage import EvidenceStore


def keyring() -> KeyRing:
    ring: KeyRing = current_app.extensions["casework.keyring"]
    return ring


def evidence_store() -> EvidenceStore:
    store: EvidenceStore = current_app.extensions["casework.evidence_store"]
    return store


def followup_pepper() -> bytes:
    pepper: bytes = current_app.extensions["casework.pepper"]
    return pepper
