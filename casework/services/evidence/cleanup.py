"""Finding what a failed or interrupted request left in the evidence store.

Four kinds of leftover, each judged without any key (blobs and rows are matched by id):

- temporary files (always encrypted) not written to for the grace period, or whose writer
  process is gone (a killed or recycled worker: see storage/temp_files.py) whatever their age —
  except those a worker's form deliberately holds (`held_temp_names`); on an object store, the
  shared copies of held files (EvidenceStore.share_temp) whose hold has ended, the same way;
- staged blobs (on object storage: incomplete multipart uploads) that a committed row names:
  the process died between the commit and publishing, so the cleanup completes them;
- staged blobs no row names, older than the grace period: abandoned;
- published blobs no row names, older than the grace period: orphans, deleted.

The grace period (`EVIDENCE_CLEANUP_MINUTES`, default 10) only has to cover the moments a
healthy request leaves between two steps: the gap between two writes of a slow upload (a 2G
phone sends something every few seconds), or between staging a blob and committing its row
(one transaction). Ten minutes is far beyond both and short enough that a kill -9 is cleaned
up on the next run, not hours later.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from casework.extensions import db
from casework.models import Evidence
from casework.models.columns import utcnow
from casework.services.evidence.held import discard_expired_holds, held_temp_names
from casework.services.runtime import evidence_store

DEFAULT_GRACE_MINUTES = 10


def grace_period() -> timedelta:
    return timedelta(
        minutes=float(current_app.config.get("EVIDENCE_CLEANUP_MINUTES", DEFAULT_GRACE_MINUTES))
    )


@dataclass(frozen=True)
class CleanupReport:
    orphan_blobs: list[str]
    stale_temp_files: int
    removed: bool
    completed: list[str] = field(default_factory=list)  # staged blobs a committed row names
    abandoned: list[str] = field(default_factory=list)  # staged blobs no row names

    def summary(self) -> str:
        verb = "removed" if self.removed else "found"
        text = (
            f"{verb} {len(self.orphan_blobs)} orphan blob(s) and "
            f"{self.stale_temp_files} stale temporary file(s)"
        )
        if self.completed or self.abandoned:
            finished = "completed" if self.removed else "to complete"
            text += (
                f"; {len(self.completed)} interrupted upload(s) of committed evidence "
                f"{finished}, {len(self.abandoned)} abandoned upload(s) {verb}"
            )
        return text


def clean_evidence_store(
    remove: bool = False, keep: set[str] | None = None, now: datetime | None = None
) -> CleanupReport:
    """Find the leftovers described above; with `remove`, delete them and complete the
    interrupted uploads of committed evidence. Temporary files named in `keep` (by default
    `held_temp_names()`) are never touched. Never removes a blob a row names."""
    store = evidence_store()
    if remove:  # expired holds first: their temporary files are then ordinary leftovers
        discard_expired_holds()
    keep = held_temp_names() if keep is None else keep
    cutoff = (now or utcnow()) - grace_period()
    # Listed before the rows are read: a blob whose row commits in between is young, so the
    # grace period protects it; one listed after could be named by a row this read missed.
    stale = [path for path in store.stale_temp_files(cutoff) if path.name not in keep]
    shared = [name for name, at in store.shared_temps() if name not in keep and at < cutoff]
    staged = list(store.staged_blobs())
    blobs = list(store.blob_ids())
    known = set(db.session.scalars(select(Evidence.blob_id)))
    completed = [blob for blob, _at in staged if blob in known]
    abandoned = [blob for blob, at in staged if blob not in known and at < cutoff]
    orphans = [blob for blob, at in blobs if blob not in known and at < cutoff]
    if remove:
        for blob in completed:
            store.publish(blob)
        for blob in abandoned:
            store.abandon(blob)
        for blob in orphans:
            store.delete(blob)
        for path in stale:
            store.discard_temp(path)
        for name in shared:
            store.unshare_temp(name)
    return CleanupReport(orphans, len(stale) + len(shared), remove, completed, abandoned)
