"""The audit trail: append-only, hash-chained, verifiable.

Each event's hash covers its content and the previous event's hash. Appending takes a lock
(PostgreSQL: a transaction-scoped advisory lock; SQLite serialises writers itself, and a stale
writer fails rather than forking the chain), and `prev_hash` is unique as a last guard.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import select, text

from casework.extensions import db
from casework.models import AuditEvent
from casework.models.columns import utcnow
from casework.services.actors import Actor, actor_label, actor_user_id

GENESIS = "0" * 64
_ADVISORY_LOCK_KEY = 0x6361_7365  # "case"

# actions
LOGIN = "login"
LOGIN_FAILED = "login_failed"
LOGOUT = "logout"
VIEW_IDENTITY = "view_identity"
VIEW_NARRATIVE = "view_narrative"
DOWNLOAD_EVIDENCE = "download_evidence"
STATUS_CHANGE = "status_change"
ASSIGNMENT = "assignment"
OUTCOME = "outcome"
EXPORT = "export"
PASSWORD_CHANGE = "password_change"  # noqa: S105 - an action name
TOTP_ENROLLED = "totp_enrolled"
ADMIN_CHANGE = "admin_change"


def _digest(event: AuditEvent) -> str:
    parts = [
        event.prev_hash,
        event.at.isoformat(),
        event.actor_label,
        event.action,
        event.object_type,
        event.object_id,
        event.detail,
    ]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def record_audit(
    actor: Actor, action: str, object_type: str = "", object_id: str = "", detail: str = ""
) -> AuditEvent:
    """Append an audit event to the current transaction (the caller commits)."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ADVISORY_LOCK_KEY})
    previous = db.session.scalar(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1))
    event = AuditEvent(
        at=utcnow(),
        actor_user_id=actor_user_id(actor),
        actor_label=actor_label(actor),
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        detail=detail[:300],
        prev_hash=previous or GENESIS,
    )
    event.hash = _digest(event)
    db.session.add(event)
    db.session.flush()
    return event


@dataclass(frozen=True)
class ChainReport:
    checked: int
    first_broken_id: int | None
    reason: str = ""


def verify_audit_chain(batch: int = 5000) -> ChainReport:
    """Walk the chain in id order; report the first event whose link or content is wrong."""
    expected_prev = GENESIS
    checked = 0
    last_id = 0
    while True:
        events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.id > last_id).order_by(AuditEvent.id).limit(batch)
        ).all()
        if not events:
            return ChainReport(checked, None)
        for event in events:
            if event.prev_hash != expected_prev:
                return ChainReport(checked, event.id, "does not link to the event before it")
            if _digest(event) != event.hash:
                return ChainReport(checked, event.id, "content was changed after it was written")
            expected_prev = event.hash
            checked += 1
        last_id = events[-1].id
        db.session.expunge_all()


def case_access_log(case_id: int, limit: int = 200) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.object_type == "case", AuditEvent.object_id == str(case_id))
            .order_by(AuditEvent.id.desc())
            .limit(limit)
        )
    )
