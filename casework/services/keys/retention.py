"""Retention: closed cases are crypto-shredded after `RETENTION_DAYS` (the "retention" job).

Purging destroys the case key, so anything sealed with it — in the database, in backups, in
copies we do not know about — can never be opened again. We also delete the sealed columns,
the complainant row and the evidence blobs, so the space is reclaimed and nothing waits for a
future break of AES. The structured facts (countries, codes, fees, outcomes, dates, statuses)
stay for the outcome reports. Every purge is audited, without personal data.

Copies of the wrapped key in backups remain, wrapped by a master key: the "keys" job
(`epochs.py`) destroys each master key once the backup window has passed after its epoch ended,
and a purge ends the current epoch at the job's next run, so every such copy becomes useless.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, select

from casework.extensions import db
from casework.models import (
    Assignment,
    Case,
    CaseEvent,
    Complainant,
    Evidence,
    FollowupSession,
    NudgeMessage,
    NudgeSubscription,
    Submission,
)
from casework.models.columns import utcnow
from casework.services.actors import SystemActor
from casework.services.audit import record_audit
from casework.services.evidence.cleanup import clean_evidence_store
from casework.services.followup.secret import hash_secret, new_secret
from casework.services.keys.erasure import drop_dead_row_versions
from casework.services.runtime import evidence_store
from casework.vocabulary.status import CLOSED, WITHDRAWN

log = logging.getLogger(__name__)

PURGE = "purge"
EVIDENCE_CLEANUP = "evidence_cleanup"
BATCH = 100
RETENTION_ACTOR = SystemActor("system:retention")
# The tables whose rows a purge deletes or overwrites: their old row versions must go too.
PURGED_TABLES = tuple(
    model.__tablename__
    for model in (
        Case,
        Complainant,
        Evidence,
        CaseEvent,
        Assignment,
        Submission,
        NudgeSubscription,
        NudgeMessage,
    )
)


@dataclass
class PurgeReport:
    cutoff: datetime
    cases: list[int] = field(default_factory=list)  # ids of the cases purged in this run
    blobs_deleted: int = 0
    orphan_blobs_deleted: int = 0
    stale_temp_files_deleted: int = 0

    def __str__(self) -> str:
        return (
            f"{len(self.cases)} case(s) purged, {self.blobs_deleted} evidence file(s) deleted, "
            f"{self.orphan_blobs_deleted} orphan blob(s) and "
            f"{self.stale_temp_files_deleted} stale upload(s) removed"
        )


def retention_cutoff(now: datetime | None = None) -> datetime:
    """Cases closed before this moment are due for purging."""
    return (now or utcnow()) - timedelta(days=int(current_app.config["RETENTION_DAYS"]))


def purge_expired_cases(now: datetime | None = None, batch: int = BATCH) -> PurgeReport:
    """Crypto-shred every closed or withdrawn case closed more than `RETENTION_DAYS` ago,
    a batch per transaction, then clean orphaned blobs and stale temporary uploads.

    Guarantees: after a case is purged its key is gone (`case_key` raises `CasePurged`), its
    identity, narrative, note and message bodies and evidence (rows and blobs) are deleted,
    its follow-up secret no longer opens it, its idempotency receipts are deleted, and an audit
    event records the purge. The database then drops the old row versions it keeps (SQLite:
    `secure_delete` and a TRUNCATE checkpoint of the WAL; PostgreSQL: VACUUM of the tables a
    purge touches), so no copy of the wrapped key stays in the live database. Safe to
    re-run: purged cases are never selected again, and a run interrupted between the commit
    and the blob deletion leaves orphans that the cleanup removes.
    """
    now = now or utcnow()
    report = PurgeReport(cutoff=retention_cutoff(now))
    while True:
        cases = db.session.scalars(
            select(Case)
            .where(
                Case.status.in_((CLOSED, WITHDRAWN)),
                Case.closed_at < report.cutoff,
                Case.purged_at.is_(None),
            )
            .order_by(Case.id)
            .limit(batch)
        ).all()
        if not cases:
            break
        blobs: list[str] = []
        for case in cases:
            blobs.extend(_shred(case, now))
            report.cases.append(case.id)
        # Commit first: once the keys are gone the blobs are unreadable noise, and a crash
        # before the deletions below leaves orphans that the cleanup finds.
        db.session.commit()
        store = evidence_store()
        for blob_id in blobs:
            store.delete(blob_id)
        report.blobs_deleted += len(blobs)
    _clean_store(report)
    if report.cases:
        db.session.commit()  # end our read transaction: it must not hold an old snapshot
        drop_dead_row_versions(PURGED_TABLES)
    log.info("retention: %s", report)
    return report


def _shred(case: Case, now: datetime) -> list[str]:
    """Destroy what the case key protected; returns the blob ids to delete after commit."""
    blob_ids = [item.blob_id for item in case.evidence]
    case.wrapped_key = None
    case.narrative_sealed = None
    case.complainant = None  # delete-orphan: the sealed identity row goes
    case.evidence = []  # delete-orphan: the rows with wrapped file keys and sealed names go
    for event in case.events:
        event.body_sealed = None
    for assignment in case.assignments:
        assignment.decline_reason = ""  # free text that may describe the worker's situation
    # An idempotency receipt holds the secret, sealed: it goes with everything else; so do
    # follow-up sessions still signed in to the case.
    db.session.execute(delete(Submission).where(Submission.case_id == case.id))
    db.session.execute(delete(FollowupSession).where(FollowupSession.case_id == case.id))
    # The phone's keyed hash would still link the case to a number: nudges go too.
    db.session.execute(delete(NudgeSubscription).where(NudgeSubscription.case_id == case.id))
    db.session.execute(delete(NudgeMessage).where(NudgeMessage.case_id == case.id))
    # Nobody knows this secret: a follow-up with the old one fails like any wrong secret.
    case.secret_hash = hash_secret(new_secret())
    case.purged_at = now
    record_audit(
        RETENTION_ACTOR,
        PURGE,
        "case",
        str(case.id),
        detail=f"{len(blob_ids)} evidence file(s); closed {case.closed_at:%Y-%m-%d}",
    )
    return blob_ids


def _clean_store(report: PurgeReport) -> None:
    cleanup = clean_evidence_store(remove=True)
    report.orphan_blobs_deleted = len(cleanup.orphan_blobs)
    report.stale_temp_files_deleted = cleanup.stale_temp_files
    if cleanup.orphan_blobs or cleanup.stale_temp_files:
        record_audit(
            RETENTION_ACTOR,
            EVIDENCE_CLEANUP,
            "evidence_store",
            detail=f"{len(cleanup.orphan_blobs)} orphan blob(s), "
            f"{cleanup.stale_temp_files} stale upload(s) removed",
        )
        db.session.commit()
