"""Checking the audit trail: every link and MAC, then every published anchor; and sealing a
trail that predates the audit key."""

from __future__ import annotations

import hmac
from collections.abc import Iterable
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import select

from casework.extensions import db
from casework.models import AuditEvent
from casework.models.audit import SCHEME_HMAC, SCHEME_SHA256
from casework.services.actors import SystemActor
from casework.services.audit.actions import AUDIT_SEALED
from casework.services.audit.anchors import Anchor, read_anchors
from casework.services.audit.chain import GENESIS, keyed_mac, legacy_digest, record_audit
from casework.services.runtime import audit_key


@dataclass(frozen=True)
class ChainReport:
    checked: int
    first_broken_id: int | None
    reason: str = ""
    keyed_from: int | None = None  # the first event sealed with the audit key
    head: int | None = None  # the newest event in the database
    anchors_checked: int = 0
    newest_anchor: int | None = None
    anchor_sources: tuple[str, ...] = field(default_factory=tuple)

    @property
    def intact(self) -> bool:
        return self.first_broken_id is None


@dataclass
class _Walk:
    anchors: dict[int, list[Anchor]]
    key: bytes
    expected_prev: str = GENESIS
    checked: int = 0
    keyed_from: int | None = None
    head: int | None = None
    anchored_seen: set[int] = field(default_factory=set)

    def problem(self, event: AuditEvent) -> str:
        """Why `event` breaks the chain, or "" when it holds."""
        if event.prev_mac != self.expected_prev:
            return "does not link to the event before it (an event was removed or replaced)"
        if event.scheme == SCHEME_SHA256:
            if self.keyed_from is not None:
                return "is unkeyed, inside the keyed chain (the chain was rewritten)"
            if legacy_digest(event) != event.mac:
                return "content was changed after it was written"
        elif event.scheme == SCHEME_HMAC:
            if self.keyed_from is None:
                self.keyed_from = event.id
            if not hmac.compare_digest(keyed_mac(self.key, event), event.mac):
                return "content was changed, or it was not sealed with this audit key"
        else:
            return f"has an unknown scheme {event.scheme!r}"
        published = self.anchors.get(event.id)
        if published is not None:
            if any(anchor.mac != event.mac for anchor in published):
                wrong = next(a for a in published if a.mac != event.mac)
                return f"differs from its published anchor ({wrong.source})"
            self.anchored_seen.add(event.id)
        return ""


def verify_audit_chain(extra_anchors: Iterable[str] = (), batch: int = 5000) -> ChainReport:
    """Walk the chain in id order, checking each link and MAC against the audit key, then that
    every anchor published outside the database (the anchor file and `extra_anchors`: other
    nodes' files or a log export) names an event the database still holds, unchanged. Reports
    the first problem."""
    sources = tuple(p for p in (current_app.config["AUDIT_ANCHOR_PATH"], *extra_anchors) if p)
    anchors: dict[int, list[Anchor]] = {}
    for anchor in read_anchors(sources):
        anchors.setdefault(anchor.position, []).append(anchor)
    walk = _Walk(anchors, audit_key())
    last_id = 0

    def report(broken: int | None, reason: str = "") -> ChainReport:
        return ChainReport(
            walk.checked,
            broken,
            reason,
            keyed_from=walk.keyed_from,
            head=walk.head,
            anchors_checked=len(walk.anchored_seen),
            newest_anchor=max(anchors) if anchors else None,
            anchor_sources=sources,
        )

    while True:
        events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.id > last_id).order_by(AuditEvent.id).limit(batch)
        ).all()
        if not events:
            break
        for event in events:
            problem = walk.problem(event)
            if problem:
                return report(event.id, problem)
            walk.expected_prev = event.mac
            walk.head = event.id
            walk.checked += 1
        last_id = events[-1].id
        db.session.expunge_all()
    missing = sorted(set(anchors) - walk.anchored_seen)
    if missing:
        first = anchors[missing[0]][0]
        return report(
            missing[0],
            f"is missing: the anchor {first.source} records it, but the database no longer "
            f"holds it ({len(missing)} anchored event(s) missing; events were deleted)",
        )
    if walk.keyed_from is not None and not anchors:
        where = ", ".join(sources) or "no anchor file configured"
        return report(
            walk.head,
            f"has no anchor to check against ({where}): cannot tell whether the newest events "
            "were deleted; pass the other nodes' anchor files or the log with --anchors",
        )
    return report(None)


def seal_audit_chain() -> ChainReport:
    """Verify the trail and, if it is intact, append an `audit_sealed` event: its MAC covers the
    head so far (including events written before the audit key existed), and its anchor is
    published on commit. Run once after upgrading to the keyed chain; harmless to repeat."""
    report = verify_audit_chain()
    if not report.intact:
        return report
    record_audit(SystemActor("system:audit"), AUDIT_SEALED, detail=f"verified {report.checked}")
    db.session.commit()
    return verify_audit_chain()
