"""The scheduler's writes to the cases of a batch, in one statement each instead of one UPDATE a
case through the unit of work (whose versioned UPDATEs cannot be batched).

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
from typing import Any

from sqlalchemy import bindparam, update
from sqlalchemy.orm import ONETOMANY
from sqlalchemy.orm.attributes import NO_VALUE, instance_state, set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from casework.extensions import db
from casework.models import Case
from casework.services.reports import facts

BOOKKEEPING = frozenset({"next_deadline_at", "claim_deadline", "in_triage"})
EDITED = BOOKKEEPING | {"updated_at"}


def _row(case: Case) -> dict[str, Any]:
    return {
        "_id": case.id,
        "_version": case.version,
        "_next": case.next_deadline_at,
        "_claim": case.claim_deadline,
        "_triage": case.in_triage,
    }


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


def write_bookkeeping(cases: Iterable[Case]) -> int:
    """For the cases whose only pending changes are bookkeeping, or bookkeeping and
    `updated_at`: write them (before the session flushes) and leave the session seeing them
    as stored. Cases with other changes are left to the unit of work. Returns how many rows
    it sent for bookkeeping alone (a case changed meanwhile matches none of them)."""
    kept: list[Case] = []
    edited: list[Case] = []
    for case in cases:
        state = instance_state(case)
        # Collections of the case's own rows (a referral proposed) are left to the flush:
        # they change other tables, not the case's row.
        collections = {rel.key for rel in state.mapper.relationships if rel.direction is ONETOMANY}
        pending = {
            key: value for key, value in state.committed_state.items() if key not in collections
        }
        if not pending or not EDITED.issuperset(pending):
            continue
        changed = any(
            pending[key] is NO_VALUE or pending[key] != getattr(case, key) for key in pending
        )
        if changed:
            (edited if "updated_at" in pending else kept).append(case)
        for key in list(pending):
            set_committed_value(case, key, getattr(case, key))
        if not state.committed_state:
            # Nothing left for the flush: take the case off the session's modified list, or
            # the flush compares each of its attributes again to find nothing (a tenth of a
            # 1,000-case batch). What a flush does to the objects it wrote.
            state._commit_all(state.dict, db.session.identity_map)
    connection = db.session.connection()
    if kept:
        connection.execute(_statement(edited=False), [_row(case) for case in kept])
    if edited:
        rows = [_row(case) | {"_updated": case.updated_at} for case in edited]
        written = connection.execute(_statement(edited=True), rows).rowcount
        if written != len(rows):
            raise StaleDataError(
                f"{len(rows) - written} of {len(rows)} case(s) changed while the scan ran"
            )
        for case in edited:
            set_committed_value(case, "version", case.version + 1)
    moved = kept + edited
    if moved:
        facts.copy_deadlines(connection, [case.id for case in moved])
    return len(kept)
