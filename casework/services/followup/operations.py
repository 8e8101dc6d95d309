"""The worker's follow-up: reference and secret in, status and messages out, additions back."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from casework.extensions import db
from casework.models import Case, CaseEvent
from casework.models import event as ev
from casework.models.assignment import ACCEPTED
from casework.services.casefile.links import kept_case
from casework.services.escalation.deadlines import touch
from casework.services.evidence.operations import (
    IncomingFile,
    check_files,
    discard_blobs,
    store_files,
)
from casework.services.followup.secret import verify_secret
from casework.services.intake.complaint import parse_message
from casework.services.intake.references import normalise_reference
from casework.services.keys.case_keys import (
    EventBodyUnverified,
    case_key,
    open_event_body,
    seal_event_body,
)
from casework.services.referrals.operations import PendingReferral, awaiting_worker_answer
from casework.vocabulary.status import STATUS_FOR_WORKER

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WorkerMessage:
    at: datetime
    from_worker: bool
    text: str


@dataclass(frozen=True)
class FollowupView:
    reference: str
    status: str
    status_label: str
    updated_at: datetime
    messages: list[WorkerMessage]
    evidence_count: int
    # Referrals waiting for the worker's yes or no (DOMAIN: consent before each referral).
    pending_referrals: list[PendingReferral] = field(default_factory=list)


def authenticate_followup(reference: str, secret: str) -> Case | None:
    """The case if reference and secret match, else None; a wrong reference and a wrong secret
    take the same time and give the same answer."""
    normalised = normalise_reference(reference or "")
    case = None
    if normalised is not None:
        case = db.session.scalars(select(Case).where(Case.reference == normalised)).first()
    if not verify_secret(case.secret_hash if case else None, secret or ""):
        return None
    # A case merged into another (a worker who lost the secret and filed again): either
    # secret opens the kept case (casefile/links.py).
    return kept_case(case) if case is not None else None


def followup_view(case: Case) -> FollowupView:
    """What the worker may see: the status in plain words and messages visible to them."""
    key = case_key(case)
    messages = [
        WorkerMessage(
            at=event.created_at,
            from_worker=event.kind == ev.MESSAGE_FROM_WORKER,
            text=_message_text(key, case, event),
        )
        for event in case.events
        if event.visibility == ev.WORKER and event.body_sealed is not None
    ]
    return FollowupView(
        reference=case.reference,
        status=case.status,
        status_label=str(STATUS_FOR_WORKER[case.status]),
        updated_at=case.updated_at,
        messages=messages,
        evidence_count=len(case.evidence),
        pending_referrals=awaiting_worker_answer(case),
    )


def _message_text(key: bytes, case: Case, event: CaseEvent) -> str:
    try:
        return open_event_body(key, case, event) or ""
    except EventBodyUnverified:
        log.error("message %s of %s could not be verified", event.id, case.reference)
        return str(_l("This message could not be verified, so it is not shown."))


def add_worker_message(case: Case, text: object) -> None:
    """Append the worker's message to the timeline; raises `InvalidInput` if empty."""
    message = parse_message(text)
    key = case_key(case)
    event = CaseEvent(kind=ev.MESSAGE_FROM_WORKER, visibility=ev.WORKER, actor_kind="worker")
    case.events.append(event)
    db.session.flush()  # the body is bound to the event's id
    seal_event_body(key, case, event, message)
    _touch(case)
    _tell_caseworkers(case)
    db.session.commit()
    log.info("worker message added to %s", case.reference)


def add_worker_evidence(case: Case, uploads: Sequence[tuple[str, IncomingFile]]) -> int:
    """Store more files from the worker; raises `EvidenceRejected` with nothing stored."""
    try:
        return _add_worker_evidence(case, uploads)
    finally:
        for _, incoming in uploads:
            incoming.discard()


def _add_worker_evidence(case: Case, uploads: Sequence[tuple[str, IncomingFile]]) -> int:
    media_types = check_files([incoming for _, incoming in uploads])
    if not uploads:
        return 0
    key = case_key(case)
    rows = store_files(case, key, uploads, media_types, uploaded_by="worker")
    case.events.append(
        CaseEvent(
            kind=ev.EVIDENCE_ADDED,
            visibility=ev.INTERNAL,
            actor_kind="worker",
            detail=f"{len(rows)} file(s)",
        )
    )
    _touch(case)
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        discard_blobs(rows)
        raise
    log.info("worker added %d file(s) to %s", len(rows), case.reference)
    return len(rows)


def _tell_caseworkers(case: Case) -> None:
    from casework.services.notifications.notify import notify

    owners = [a.user for a in case.assignments if a.status == ACCEPTED and a.user is not None]
    if owners:
        notify(owners, case, "worker_message")


def _touch(case: Case) -> None:
    touch(case)
