"""Evidence added by staff on the case page: checked and encrypted exactly as the worker's
files are (the same spool, the same checks, the same store), marked as from staff, audited."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from casework.extensions import db
from casework.models import Case, CaseEvent, User
from casework.models import event as ev
from casework.services import audit
from casework.services.escalation.deadlines import touch
from casework.services.evidence.operations import (
    IncomingFile,
    check_files,
    discard_blobs,
    store_files,
)
from casework.services.keys.case_keys import case_key

log = logging.getLogger(__name__)

UPLOAD_EVIDENCE = "upload_evidence"  # audit action


def add_staff_evidence(actor: User, case: Case, uploads: Sequence[tuple[str, IncomingFile]]) -> int:
    """Store files a staff member with full access adds to `case`; returns how many. Raises
    `EvidenceRejected` (too large, a type we do not accept, too many) with nothing stored. The
    spools are discarded whatever happens: a stored file's blob was committed from them."""
    try:
        return _add(actor, case, uploads)
    finally:
        for _name, incoming in uploads:
            incoming.discard()


def _add(actor: User, case: Case, uploads: Sequence[tuple[str, IncomingFile]]) -> int:
    media_types = check_files([incoming for _name, incoming in uploads])
    if not uploads:
        return 0
    rows = store_files(case, case_key(case), uploads, media_types, uploaded_by="staff")
    case.events.append(
        CaseEvent(
            kind=ev.EVIDENCE_ADDED,
            visibility=ev.INTERNAL,
            actor_kind="staff",
            actor_user_id=actor.id,
            organisation_id=actor.organisation_id,
            detail=f"{len(rows)} file(s)",
        )
    )
    touch(case)
    try:
        db.session.flush()
        for row in rows:
            audit.record_audit(actor, UPLOAD_EVIDENCE, "case", str(case.id), f"evidence {row.id}")
        db.session.commit()
    except Exception:
        db.session.rollback()
        discard_blobs(rows)
        raise
    log.info("staff added %d file(s) to %s", len(rows), case.reference)
    return len(rows)
