"""The scheduler's own bookkeeping on cases — when each needs it next, the claim deadline, whether
it waits in triage — written in one statement per batch instead of one versioned UPDATE a case.

Those columns are derived from the case, so the scan moving them is not an edit: it must not bump
the case's version (a caseworker with the case open would be told it changed under them). The
write still checks the version the scan read: a case someone changed meanwhile keeps what their
own change computed.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import bindparam, update
from sqlalchemy.orm.attributes import NO_VALUE, instance_state, set_committed_value

from casework.extensions import db
from casework.models import Case
from casework.services.reports import facts

BOOKKEEPING = frozenset({"next_deadline_at", "claim_deadline", "in_triage"})


def write_bookkeeping(cases: Iterable[Case]) -> int:
    """For the cases whose only pending changes are bookkeeping: write them with one statement
    (before the session flushes) and leave the session seeing them as stored. Cases with other
    changes are left to the unit of work. Returns how many rows it sent (a case changed
    meanwhile matches none of them)."""
    rows: list[dict[str, object]] = []
    moved: list[Case] = []
    for case in cases:
        state = instance_state(case)
        pending = state.committed_state
        if not pending or not BOOKKEEPING.issuperset(pending):
            continue
        changed = any(
            pending[key] is NO_VALUE or pending[key] != getattr(case, key) for key in pending
        )
        for key in list(pending):
            set_committed_value(case, key, getattr(case, key))
        if changed:
            moved.append(case)
            rows.append(
                {
                    "_id": case.id,
                    "_version": case.version,
                    "_next": case.next_deadline_at,
                    "_claim": case.claim_deadline,
                    "_triage": case.in_triage,
                }
            )
    if rows:
        table = Case.__table__
        statement = (
            update(table)
            .where(table.c.id == bindparam("_id"), table.c.version == bindparam("_version"))
            .values(
                next_deadline_at=bindparam("_next"),
                claim_deadline=bindparam("_claim"),
                in_triage=bindparam("_triage"),
            )
        )
        connection = db.session.connection()
        connection.execute(statement, rows)
        facts.copy_deadlines(connection, [case.id for case in moved])
    return len(rows)
