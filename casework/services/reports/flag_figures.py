"""The flags figure: open cases flagged (per highest level of the ladder), past their next
deadline, past their claim deadline. Returns an unprotected `Table`."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, Select, and_, func, select

from casework.extensions import db
from casework.models import Flag
from casework.services.reports import rolled, rollups
from casework.services.reports.case_figures import OPEN, rows
from casework.services.reports.scope import Scope
from casework.services.reports.tables import LABEL, Chart, Column, Table


def _open_flag_levels() -> Any:
    """Per case with an open flag, the highest level of its open flags."""
    return (
        select(Flag.case_id, func.max(Flag.level).label("level"))
        .where(Flag.resolved_at.is_(None))
        .group_by(Flag.case_id)
        .subquery()
    )


def _flag_counts(scope: Scope, level: Any, past: dict[str, Any]) -> Select[Any]:
    """The counts of the flags figure as columns: each measure, and for supervisors `_` and
    the measure (the cases of it another organisation shares) for the levels, `_open` (open
    cases another organisation shares) for the deadlines."""
    ladder = {"flagged": level.is_not(None), **{f"level_{n}": level == n for n in (1, 2, 3)}}
    shared = scope.shared()
    counts = [func.count().filter(test).label(name) for name, test in {**ladder, **past}.items()]
    if shared is not None:
        counts += [func.count().filter(and_(t, shared)).label(f"_{n}") for n, t in ladder.items()]
        if past:
            counts.append(func.count().filter(shared).label("_open"))
    return select(*counts)


def _flagged(scope: Scope, levels: Any) -> dict[str, Any]:
    """The ladder's counts of an admin's report on every case, from the open flags: each
    flagged case's status looked up by its key (a correlated subquery: joined, PostgreSQL
    hashed every open case, 470,000 of 1,000,000, to match 18,000 flagged ones)."""
    facts = scope.facts
    is_open = select(facts.status.in_(OPEN)).where(facts.case_id == levels.c.case_id)
    # materialised: inlined, the lookup ran once per count
    per_case = (
        select(levels.c.level, is_open.scalar_subquery().label("open"))
        .cte("flagged")
        .prefix_with("MATERIALIZED")
    )
    level = per_case.c.level
    ladder = {"flagged": level.is_not(None), **{f"level_{n}": level == n for n in (1, 2, 3)}}
    held = per_case.c.open.is_(True)
    counts = [func.count().filter(and_(test, held)).label(name) for name, test in ladder.items()]
    return rows(select(*counts))[0]


def flags_and_overdue(scope: Scope) -> Table:
    """Open cases with an open flag (per highest level), past their next deadline, past their
    claim deadline.

    A filtered report counts them in one pass over its open cases. A report on every case (or
    an organisation's) counts only the cases concerned: the open flags joined to its cases,
    and the facts' index on (status, deadline) up to now; so its cost follows the flagged and
    overdue cases, not the open ones."""
    facts = scope.facts
    levels = _open_flag_levels()
    past = {
        "overdue": facts.next_deadline_at < scope.now,
        "claim_deadline": facts.claim_deadline < scope.today,
    }
    is_open, shared = facts.status.in_(OPEN), scope.shared()
    if scope.filtered:
        query = _flag_counts(scope, levels.c.level, past).select_from(facts)
        query = query.outerjoin(levels, levels.c.case_id == facts.case_id)
        counted = rows(query.where(is_open, *scope.cases()))[0]
    else:
        if scope.organisation is None:
            counted = _flagged(scope, levels)
        else:  # an organisation's range of its facts: joined, the cheaper plan on both
            query = _flag_counts(scope, levels.c.level, {}).select_from(levels)
            query = query.join(facts, facts.case_id == levels.c.case_id)
            counted = rows(query.where(is_open, *scope.cases()))[0]
        for name, test in past.items():
            alone = select(func.count()).select_from(facts).where(is_open, test, *scope.cases())
            counted[name] = db.session.scalar(alone)
        if shared is not None:
            counted["_open"] = _open_shared(scope, shared)
    found = []
    for name in ("flagged", "level_1", "level_2", "level_3", *past):
        row = {"measure": name, "cases": counted[name]}
        if shared is not None:  # past a deadline: shared when any open case is
            row["_shared"] = counted.get(f"_{name}", counted.get("_open"))
        found.append(row)
    return Table(
        "flags",
        _l("Flagged and overdue cases"),
        _l(
            "Open cases with an open flag (by the highest step of the ladder reached), open "
            "cases whose next deadline has passed, and open cases past their claim deadline."
        ),
        [
            Column("measure", _l("Measure"), LABEL, vocabulary="measure"),
            Column("cases", _l("Cases")),
        ],
        found,
        chart=Chart("bars", "measure", ("cases",)),
    )


def _open_shared(scope: Scope, shared: ColumnElement[bool]) -> int:
    """For a supervisor: how many of the report's open cases another organisation shares."""
    if rollups.serves(scope):
        return rolled.open_shared(scope)
    facts = scope.facts
    query = select(func.count()).where(facts.status.in_(OPEN), shared, *scope.cases())
    return int(db.session.scalar(query) or 0)
