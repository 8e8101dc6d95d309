"""The append-only, MAC-chained audit trail."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from casework.extensions import Model
from casework.models.columns import UTCDateTime, utcnow

# How an event's `mac` was computed. Events written before the audit key existed keep their
# plain SHA-256 link ("sha256"); every later event is HMAC-SHA-256 under the audit key.
SCHEME_SHA256 = "sha256"
SCHEME_HMAC = "hmac-sha256"


class AuditEvent(Model):
    """One security-relevant act. `mac` is an HMAC (keyed by the audit key, kept outside the
    database) over this row and the previous row's `mac`, so editing, deleting or rewriting
    rows breaks the chain, and the chain head is published outside the database after every
    commit (`flask audit verify` checks both)."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_object", "object_type", "object_id"),)

    # Assigned by `record_audit` (previous id + 1, under the append lock): the MAC covers it.
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_label: Mapped[str] = mapped_column(String(120))  # e.g. "user:12", "worker", "system"
    action: Mapped[str] = mapped_column(String(40))
    object_type: Mapped[str] = mapped_column(String(20), default="")
    object_id: Mapped[str] = mapped_column(String(40), default="")
    detail: Mapped[str] = mapped_column(String(300), default="")  # never personal data
    scheme: Mapped[str] = mapped_column(String(12), default=SCHEME_HMAC)
    prev_mac: Mapped[str] = mapped_column(String(64), unique=True)
    mac: Mapped[str] = mapped_column(String(64), unique=True)
