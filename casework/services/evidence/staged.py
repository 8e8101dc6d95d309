"""Staged evidence blobs follow their rows: published when the session commits, abandoned
when it rolls back.

On object storage a staged blob is an incomplete multipart upload; publishing completes it,
so the object exists only once the row naming it has committed. The listeners are global to
the process (like the audit anchors'), installed once, and never raise: the transaction is
already decided when they run, and a blob they could not publish or abandon is left to the
cleanup, which completes it if a row names it and removes it otherwise.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from casework.extensions import db
from casework.services.runtime import evidence_store
from casework.storage import BlobNotFound, EvidenceStore

log = logging.getLogger(__name__)

_PENDING = "casework.staged_blobs"


def publish_on_commit(blob_id: str) -> None:
    """Publish `blob_id` when the current session commits; abandon it if it rolls back."""
    install()
    pending: list[tuple[EvidenceStore, str]] = db.session.info.setdefault(_PENDING, [])
    pending.append((evidence_store(), blob_id))


def abandon_now(blob_ids: Iterable[str]) -> None:
    """Abandon staged blobs at once (their rows will not be committed)."""
    doomed = set(blob_ids)
    pending: list[tuple[EvidenceStore, str]] = db.session.info.get(_PENDING, [])
    stores = {blob_id: store for store, blob_id in pending if blob_id in doomed}
    pending[:] = [(store, blob_id) for store, blob_id in pending if blob_id not in doomed]
    for blob_id in doomed:
        _abandon(stores.get(blob_id) or evidence_store(), blob_id)


def _abandon(store: EvidenceStore, blob_id: str) -> None:
    try:
        store.abandon(blob_id)
    except Exception as error:  # the cleanup removes it later
        log.warning("staged evidence blob %s not abandoned (%s)", blob_id, type(error).__name__)


def _after_commit(session: Session) -> None:
    for store, blob_id in session.info.pop(_PENDING, []):
        try:
            store.publish(blob_id)
        except BlobNotFound:  # aborted by a cleanup while the transaction took > grace period
            log.error("evidence blob %s committed but its staged upload is gone", blob_id)
        except Exception as error:  # the row stands; the cleanup completes the blob
            log.error(
                "evidence blob %s committed but not yet published (%s); "
                "`evidence cleanup --remove` completes it",
                blob_id,
                type(error).__name__,
            )


def _after_soft_rollback(session: Session, previous: SessionTransaction) -> None:
    if previous.parent is not None:
        return  # a savepoint: the outer transaction may still commit its rows
    for store, blob_id in session.info.pop(_PENDING, []):
        _abandon(store, blob_id)


def install() -> None:
    """Idempotent: session listeners are global to the process."""
    listeners: list[tuple[str, Any]] = [
        ("after_commit", _after_commit),
        ("after_soft_rollback", _after_soft_rollback),
    ]
    for name, listener in listeners:
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)
