"""The stalled scan's writes for a batch of cases, around the unit of work: its bookkeeping on
the cases in one UPDATE statement (an executemany) instead of one UPDATE a case through the unit
of work (whose versioned UPDATEs cannot be batched), and its new rows in one INSERT per table (a
COPY on PostgreSQL, see bulk_insert.py) instead of thousands of objects flushed one by one.
What it writes comes from the functions the interactive services use: the bookkeeping
`refresh_deadlines` sets (`deadlines.current_deadlines`), and the row builders
`referrals.proposals.scheduler_proposal` and `notifications.notify.notification_rows`, so a
batch writes what a request would. The scan never sets these values on the cases it holds:
once written, they are put there as the stored values (`set_committed_value`, until the commit
expires them), so the session never takes the cases for modified and its flush skips them.

Bookkeeping — when each case needs the scheduler next, the claim deadline, whether it waits in
triage — is derived from the case, so the scan moving it is not an edit: it must not bump the
case's version (a caseworker with the case open would be told it changed under them). The
write still checks the version the scan read: a case someone changed meanwhile keeps what
their own change computed.

A scheduler's proposal of a referral does edit the case (its `updated_at` moves with its
bookkeeping): that write bumps the version and fails with `StaleDataError` when a case changed
meanwhile, as the unit of work would, and the scan's transaction is rolled back.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from casework.extensions import db
from casework.models import Case, CaseEvent, Flag, Notification, OutboxMessage, Referral
from casework.services.escalation.bulk_insert import insert_rows
from casework.services.escalation.deadlines import Bookkeeping
from casework.services.reports import facts


@dataclass(frozen=True)
class CaseWrite:
    """What the scan writes to one case: its bookkeeping and, when the scan edited the case
    (proposed a referral), its new `updated_at`."""

    case: Case
    kept: Bookkeeping
    updated_at: datetime | None = None

    def moves(self) -> bool:
        """Whether the write changes what the case holds."""
        case, kept = self.case, self.kept
        return (
            self.updated_at is not None
            or kept.next_deadline_at != case.next_deadline_at
            or kept.claim_deadline != case.claim_deadline
            or kept.in_triage != case.in_triage
        )


@dataclass
class BatchWrites:
    """What a batch writes: to its cases, and its new rows per table in the order they were
    made (thousands on a first scan, too many for the unit of work). New flags are objects
    outside the session (the batch climbs them level by level), written as rows."""

    cases: list[CaseWrite] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)
    referrals: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    notifications: list[dict[str, Any]] = field(default_factory=list)
    mails: list[dict[str, Any]] = field(default_factory=list)  # outbox_messages

    def flag_rows(self) -> list[dict[str, Any]]:
        return [
            {
                "case_id": flag.case_id,
                "rule": flag.rule,
                "level": flag.level,
                "reason": flag.reason,
                "raised_at": flag.raised_at,
                "resolved_at": flag.resolved_at,
            }
            for flag in self.flags
        ]


def write_batch(batch: BatchWrites) -> None:
    """Write the batch: the bookkeeping of its cases (`write_bookkeeping`); then flush the
    session (flags resolved or climbing); then insert its new rows, in the order they were
    made. Flags resolved in the flush leave room for their successors under the unique
    open-flag index."""
    write_bookkeeping(batch.cases)
    db.session.flush()
    connection = db.session.connection()
    for model, values in (
        (Flag, batch.flag_rows()),
        (Referral, batch.referrals),
        (CaseEvent, batch.events),
        (Notification, batch.notifications),
        (OutboxMessage, batch.mails),
    ):
        insert_rows(connection, model.__table__, values)
    if batch.referrals:  # written around the unit of work: the report rows follow by hand
        facts.refresh_referred(connection, {row["case_id"] for row in batch.referrals})


def _row(write: CaseWrite) -> dict[str, Any]:
    case, kept = write.case, write.kept
    row = {
        "_id": case.id,
        "_version": case.version,
        "_next": kept.next_deadline_at,
        "_claim": kept.claim_deadline,
        "_triage": kept.in_triage,
    }
    if write.updated_at is not None:
        row["_updated"] = write.updated_at
    return row


def _statement(edited: bool) -> Any:
    table = Case.__table__
    values: dict[str, Any] = {
        "next_deadline_at": bindparam("_next"),
        "claim_deadline": bindparam("_claim"),
        "in_triage": bindparam("_triage"),
    }
    if edited:
        values |= {"updated_at": bindparam("_updated"), "version": table.c.version + 1}
    return (
        update(table)
        .where(table.c.id == bindparam("_id"), table.c.version == bindparam("_version"))
        .values(**values)
    )


def write_bookkeeping(writes: Iterable[CaseWrite]) -> int:
    """Write what the scan computed for these cases, those it changes: bookkeeping alone
    without bumping the version, with `updated_at` as an edit that does (`StaleDataError` if
    one of those cases changed meanwhile). Each write checks the version the scan read. The
    cases then hold the written values as stored ones (not as changes for the session to
    flush). Returns how many rows it sent for bookkeeping alone (a case changed meanwhile
    matches none of them)."""
    kept: list[CaseWrite] = []
    edited: list[CaseWrite] = []
    for write in writes:
        if write.moves():
            (kept if write.updated_at is None else edited).append(write)
    connection = db.session.connection()
    if kept:
        connection.execute(_statement(edited=False), [_row(write) for write in kept])
    if edited:
        count = connection.execute(_statement(edited=True), [_row(w) for w in edited]).rowcount
        if count != len(edited):
            raise StaleDataError(
                f"{len(edited) - count} of {len(edited)} case(s) changed while the scan ran"
            )
    for write in kept + edited:
        case, values = write.case, write.kept
        set_committed_value(case, "next_deadline_at", values.next_deadline_at)
        set_committed_value(case, "claim_deadline", values.claim_deadline)
        set_committed_value(case, "in_triage", values.in_triage)
    for write in edited:
        set_committed_value(write.case, "updated_at", write.updated_at)
        set_committed_value(write.case, "version", write.case.version + 1)
    moved = [write.case.id for write in kept + edited]
    if moved:
        facts.copy_deadlines(connection, moved)
    return len(kept)
