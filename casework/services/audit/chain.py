"""Appending to the audit chain, and the MACs that link it.

Each event's `mac` is HMAC-SHA-256, under the audit key (outside the database), over the event's
id, time, actor, action, object, detail and the previous event's `mac`. Without the key nobody
can write an event that verifies, so editing a row, or rewriting the chain from some row on,
shows. Events written before the audit key existed keep their plain SHA-256 link
(`legacy_digest`); the first keyed event's MAC covers the last of them, which pins that older
part from then on.

Appending takes a lock (PostgreSQL: a transaction-scoped advisory lock; SQLite serialises
writers itself, and a stale writer fails rather than forking the chain); `id` is the previous
id + 1 and `prev_mac` is unique, as last guards. Only INSERT and SELECT are needed, so the
application's database role may be denied UPDATE and DELETE on the table.
"""

from __future__ import annotations

import hashlib
import hmac
import json

from flask import current_app
from sqlalchemy import select, text

from casework.extensions import db
from casework.models import AuditEvent
from casework.models.audit import SCHEME_HMAC
from casework.models.columns import utcnow
from casework.services.actors import Actor, actor_label, actor_user_id
from casework.services.audit.anchors import Head, remember_head
from casework.services.audit.key import key_id
from casework.services.runtime import audit_key

GENESIS = "0" * 64
_ADVISORY_LOCK_KEY = 0x6361_7365  # "case"
_MAC_CONTEXT = b"casework audit event v1\x00"


def keyed_mac(key: bytes, event: AuditEvent) -> str:
    """The HMAC of one event: an unambiguous encoding (a JSON list) of every field it holds."""
    fields = [
        event.id,
        event.at.isoformat(),
        event.actor_user_id,
        event.actor_label,
        event.action,
        event.object_type,
        event.object_id,
        event.detail,
        event.prev_mac,
    ]
    encoded = json.dumps(fields, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return hmac.new(key, _MAC_CONTEXT + encoded, hashlib.sha256).hexdigest()


def legacy_digest(event: AuditEvent) -> str:
    """The unkeyed SHA-256 link of events written before the audit key (verified as before)."""
    parts = [
        event.prev_mac,
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
    """Append an audit event to the current transaction (the caller commits). Once the
    transaction commits, the new chain head is published outside the database (anchors.py)."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ADVISORY_LOCK_KEY})
    previous = db.session.execute(
        select(AuditEvent.id, AuditEvent.mac).order_by(AuditEvent.id.desc()).limit(1)
    ).first()
    event = AuditEvent(
        id=previous.id + 1 if previous else 1,
        at=utcnow(),
        actor_user_id=actor_user_id(actor),
        actor_label=actor_label(actor),
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        detail=detail[:300],
        scheme=SCHEME_HMAC,
        prev_mac=previous.mac if previous else GENESIS,
    )
    key = audit_key()
    event.mac = keyed_mac(key, event)
    db.session.add(event)
    db.session.flush()
    remember_head(
        db.session(),
        Head(event.id, event.mac, key_id(key), current_app.config["AUDIT_ANCHOR_PATH"]),
    )
    return event


def chain_head() -> tuple[int, str] | None:
    """The newest event's position and MAC, or None when the trail is empty."""
    row = db.session.execute(
        select(AuditEvent.id, AuditEvent.mac).order_by(AuditEvent.id.desc()).limit(1)
    ).first()
    return (row.id, row.mac) if row else None


def head_anchor() -> str | None:
    """The anchor text of the current chain head (as the anchor file and log carry it), for a
    copy kept elsewhere, such as the admins' daily digest; None when the trail is empty."""
    head = chain_head()
    if head is None:
        return None
    return Head(head[0], head[1], key_id(audit_key()), "").text()


def case_access_log(case_id: int, limit: int = 200) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.object_type == "case", AuditEvent.object_id == str(case_id))
            .order_by(AuditEvent.id.desc())
            .limit(limit)
        )
    )
