"""The case file as a staff member may read it. Every read of identity, story or evidence is
written to the audit trail before the plaintext leaves this module."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from casework.crypto import DecryptionError
from casework.extensions import db
from casework.models import AuditEvent, Case, Evidence, User
from casework.models import event as ev
from casework.services import audit
from casework.services.errors import NotFound, NotPermitted
from casework.services.evidence.operations import evidence_filename, read_evidence
from casework.services.keys.case_keys import case_key, open_text

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TimelineEntry:
    id: int
    at: datetime
    kind: str
    visibility: str
    actor_kind: str
    actor_user_id: int | None
    organisation_id: int | None
    detail: str
    body: str | None


@dataclass(frozen=True)
class EvidenceItem:
    id: int
    filename: str
    media_type: str
    size: int
    sha256: str
    uploaded_by: str
    created_at: datetime


def _visible(actor: User, event_visibility: str, event_org: int | None) -> bool:
    if event_visibility == ev.INTERNAL:
        return event_org is None or event_org == actor.organisation_id
    return True  # partner-shared notes, status changes and worker messages


def timeline(actor: User, case: Case, key: bytes) -> list[TimelineEntry]:
    entries = []
    for event in case.events:
        if not _visible(actor, event.visibility, event.organisation_id):
            continue
        body = None
        if event.body_sealed is not None:
            body = open_text(key, case, f"event:{event.kind}", event.body_sealed)
        entries.append(
            TimelineEntry(
                event.id,
                event.created_at,
                event.kind,
                event.visibility,
                event.actor_kind,
                event.actor_user_id,
                event.organisation_id,
                event.detail,
                body,
            )
        )
    return entries


def read_narrative(actor: User, case: Case, key: bytes) -> str | None:
    """The worker's story; the read is recorded on the audit trail (the caller commits)."""
    if case.narrative_sealed is None:
        return None
    audit.record_audit(actor, audit.VIEW_NARRATIVE, "case", str(case.id))
    return open_text(key, case, "narrative", case.narrative_sealed)


def read_identity(actor: User, case: Case) -> dict[str, str] | None:
    """The complainant's identity and contact details, or None if anonymous. The read is
    recorded on the audit trail (the caller commits)."""
    if case.complainant is None:
        return None
    audit.record_audit(actor, audit.VIEW_IDENTITY, "case", str(case.id))
    identity: dict[str, str] = json.loads(
        open_text(case_key(case), case, "identity", case.complainant.identity_sealed)
    )
    return identity


def evidence_items(case: Case, key: bytes) -> list[EvidenceItem]:
    return [
        EvidenceItem(
            e.id,
            evidence_filename(case, key, e),
            e.media_type,
            e.size,
            e.sha256,
            e.uploaded_by,
            e.created_at,
        )
        for e in case.evidence
    ]


@dataclass
class EvidenceDownload:
    filename: str
    media_type: str
    size: int
    chunks: Iterator[bytes]


def download_evidence(actor: User, case: Case, evidence_id: int) -> EvidenceDownload:
    """Stream one file decrypted. The read is audited first; the SHA-256 recorded at upload
    is checked as the bytes go out, and a mismatch or a damaged blob cuts the download off."""
    evidence: Evidence | None = next((e for e in case.evidence if e.id == evidence_id), None)
    if evidence is None:
        raise NotFound(f"evidence {evidence_id}")
    key = case_key(case)
    audit.record_audit(
        actor, audit.DOWNLOAD_EVIDENCE, "case", str(case.id), f"evidence {evidence.id}"
    )
    db.session.commit()
    expected, reference, row_id = evidence.sha256, case.reference, evidence.id

    def verified() -> Iterator[bytes]:
        digest = hashlib.sha256()
        try:
            for chunk in read_evidence(case, key, evidence):
                digest.update(chunk)
                yield chunk
        except DecryptionError:
            log.error("evidence %s of case %s failed authentication", row_id, reference)
            raise
        if digest.hexdigest() != expected:
            log.error("evidence %s of case %s does not match its SHA-256", row_id, reference)
            raise DecryptionError("SHA-256 mismatch")

    return EvidenceDownload(
        evidence_filename(case, key, evidence), evidence.media_type, evidence.size, verified()
    )


def access_log(actor: User, case: Case) -> list[AuditEvent]:
    """Who read or changed the case, newest first: for supervisors of an organisation that
    holds it (the caller loaded it with full access)."""
    if actor.role != "supervisor":
        raise NotPermitted("access log")
    return audit.case_access_log(case.id)
