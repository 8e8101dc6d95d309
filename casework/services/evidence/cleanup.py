"""Finding what a failed or interrupted request left in the evidence store."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from casework.extensions import db
from casework.models import Evidence
from casework.models.columns import utcnow
from casework.services.runtime import evidence_store

# A blob is committed a moment before its row; give a slow transaction room to finish.
GRACE = timedelta(hours=1)


@dataclass(frozen=True)
class CleanupReport:
    orphan_blobs: list[str]
    stale_temp_files: int
    removed: bool


def clean_evidence_store(remove: bool = False) -> CleanupReport:
    """Blobs no row names and temporary uploads older than the grace period; removes them
    when `remove` is true. Nothing here needs a key: blobs are matched by id."""
    store = evidence_store()
    cutoff = utcnow() - GRACE
    known = set(db.session.scalars(select(Evidence.blob_id)))
    orphans = [blob for blob, at in store.blob_ids() if blob not in known and at < cutoff]
    stale = list(store.stale_temp_files(cutoff))
    if remove:
        for blob in orphans:
            store.delete(blob)
        for path in stale:
            store.discard_temp(path)
    return CleanupReport(orphans, len(stale), remove)
