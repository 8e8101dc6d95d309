"""The case file as a staff member may read it. Every read of identity, story or evidence is
written to the audit trail before the plaintext leaves this module."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from casework.extensions import db
from casework.models import Case, Evidence, User
from casework.models import event as ev
from casework.models.assignment import LIVE
from casework.services import audit
from casework.services.audit.presentation import AccessLog, collapsed_access_log
from casework.services.casefile.describe import (
    describe,
    describe_audit_detail,
    names_for,
    who,
)
from casework.services.errors import NotFound, NotPermitted
from casework.services.evidence.operations import (
    EvidenceDamaged,
    evidence_filename,
    open_verified_evidence,
)
from casework.services.evidence.previews import preview_bytes, preview_kind
from casework.services.keys.case_keys import (
    EventBodyUnverified,
    case_key,
    open_event_body,
    open_text,
)
from casework.services.notifications.notify import notify

log = logging.getLogger(__name__)

EVIDENCE_INTEGRITY_FAILED = "evidence_integrity_failed"  # audit action and notification kind


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
    verified: bool = True  # False: the sealed body does not belong to this event (not shown)
    who: str = ""  # in words: "GEFONT Migrant Workers Desk · Asha Gurung", "the worker"
    summary: str = ""  # what happened, in words (describe.py)


@dataclass(frozen=True)
class EvidenceItem:
    id: int
    filename: str
    media_type: str
    size: int
    sha256: str
    uploaded_by: str
    created_at: datetime
    preview: str | None = None  # "image", "audio" or "video" when it can be shown here


def _visible(actor: User, event_visibility: str, event_org: int | None) -> bool:
    if event_visibility == ev.INTERNAL:
        return event_org is None or event_org == actor.organisation_id
    return True  # partner-shared notes, status changes and worker messages


def timeline(actor: User, case: Case, key: bytes) -> list[TimelineEntry]:
    entries = []
    visible = [e for e in case.events if _visible(actor, e.visibility, e.organisation_id)]
    names = names_for(visible)
    for event in visible:
        body, verified = None, True
        try:
            body = open_event_body(key, case, event)
        except EventBodyUnverified:
            log.error("event %s of case %s could not be verified", event.id, case.reference)
            verified = False
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
                verified,
                who(event, names),
                describe(event, names),
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
            preview_kind(e.media_type),
        )
        for e in case.evidence
    ]


def evidence_item(case: Case, evidence_id: int) -> EvidenceItem:
    """One file's description for the preview page (its name is opened, its content is not
    read); `NotFound` if the case has no such file."""
    evidence = next((e for e in case.evidence if e.id == evidence_id), None)
    if evidence is None:
        raise NotFound(f"evidence {evidence_id}")
    return EvidenceItem(
        evidence.id,
        evidence_filename(case, case_key(case), evidence),
        evidence.media_type,
        evidence.size,
        evidence.sha256,
        evidence.uploaded_by,
        evidence.created_at,
        preview_kind(evidence.media_type),
    )


@dataclass
class EvidenceDownload:
    filename: str
    media_type: str
    size: int
    chunks: Iterator[bytes]


def download_evidence(actor: User, case: Case, evidence_id: int) -> EvidenceDownload:
    """One file decrypted, verified in full before any byte is handed out: a blob that is
    missing, altered or not the file recorded at upload raises `EvidenceDamaged`, after an
    `evidence_integrity_failed` audit event and a notification to the case's supervisors are
    committed. Otherwise the read is audited and committed before the bytes go out."""
    evidence: Evidence | None = next((e for e in case.evidence if e.id == evidence_id), None)
    if evidence is None:
        raise NotFound(f"evidence {evidence_id}")
    key = case_key(case)
    try:
        chunks = open_verified_evidence(case, key, evidence)
    except EvidenceDamaged as damaged:
        _report_damaged_evidence(actor, case, damaged)
        raise
    audit.record_audit(
        actor, audit.DOWNLOAD_EVIDENCE, "case", str(case.id), f"evidence {evidence.id}"
    )
    db.session.commit()
    return EvidenceDownload(
        evidence_filename(case, key, evidence), evidence.media_type, evidence.size, chunks
    )


PREVIEW_EVIDENCE = "preview_evidence"  # audit action


@dataclass
class EvidencePreview:
    media_type: str
    data: bytes


def preview_evidence(actor: User, case: Case, evidence_id: int) -> EvidencePreview:
    """One file as the browser shows it, its metadata stripped (evidence/previews.py), from
    a blob verified in full first (as `download_evidence`). The read is audited and committed
    before the bytes go out. `MetadataUnreadable` when the file has no preview."""
    evidence: Evidence | None = next((e for e in case.evidence if e.id == evidence_id), None)
    if evidence is None:
        raise NotFound(f"evidence {evidence_id}")
    try:
        media_type, data = preview_bytes(case, case_key(case), evidence)
    except EvidenceDamaged as damaged:
        _report_damaged_evidence(actor, case, damaged)
        raise
    audit.record_audit(actor, PREVIEW_EVIDENCE, "case", str(case.id), f"evidence {evidence.id}")
    db.session.commit()
    return EvidencePreview(media_type, data)


def _report_damaged_evidence(actor: User, case: Case, damaged: EvidenceDamaged) -> None:
    log.error(
        "evidence %s of case %s failed its integrity check (%s)",
        damaged.evidence_id,
        case.reference,
        damaged.reason,
    )
    audit.record_audit(
        actor,
        EVIDENCE_INTEGRITY_FAILED,
        "case",
        str(case.id),
        f"evidence {damaged.evidence_id}: {damaged.reason}",
    )
    notify(case_supervisors(case, actor), case, EVIDENCE_INTEGRITY_FAILED)
    db.session.commit()


def case_supervisors(case: Case, actor: User) -> list[User]:
    """The active supervisors of every organisation holding a live assignment of the case, and
    of the actor's own organisation."""
    org_ids = {a.organisation_id for a in case.assignments if a.status in LIVE}
    org_ids.add(actor.organisation_id)
    return list(
        db.session.scalars(
            select(User)
            .where(
                User.organisation_id.in_(sorted(org_ids)),
                User.role == "supervisor",
                User.active.is_(True),
            )
            .order_by(User.id)
        )
    )


def access_log(actor: User, case: Case) -> AccessLog:
    """Who read or changed the case, newest first, by name, repeats within one visit shown
    once: for supervisors of an organisation that holds it (the caller loaded it with full
    access)."""
    if actor.role != "supervisor":
        raise NotPermitted("access log")
    log = collapsed_access_log(case.id)
    for row in log.rows:
        row.detail = describe_audit_detail(row.action, row.detail)
    return log
