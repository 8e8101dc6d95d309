"""`report_rollups`: the report facts added up per group, kept current with the facts.

A group is (organisation, abuse code, month of the complaint, corridor, status, outcome state,
shared); its row holds how many cases it has, how many of them measure the SDG 10.7.1
recruitment cost and the sum of that cost (see casework.models.report_case.ReportRollup).
The rollup is a pure function of the fact rows: `_contributions` gives each fact row's share,
and

- `subtract(ids)` before the facts of some cases are rewritten, `add(ids)` after: both in the
  statements that rewrite them (casework.services.reports.facts._write), so the groups move
  in the same transaction as the facts, by upserts of the few groups those cases touch;
- `rebuild` recomputes every group from the facts (`flask reports refresh-facts`).

`report_code_rollups` is kept the same way: per organisation, abuse code, month, corridor
and shared flag, the cases with each code of a measure: each outcome code ("outcome", from the
facts' outcome codes) and each range of days to the first answer ("wait", from the facts'
first response time).

`report_entity_rollups` and `report_money_rollups` too (entity_rollups.py): per organisation,
the cases of each agency (with their licence judgement), of each caseworker holding them (with
their status), with money in each currency, per referral kind and per clock bin, and the
outcomes' and referrals' amounts per currency and day; in totals groups (a report with no
filter but the organisation, `serves_totals`) and per month, corridor and abuse code. The
licence judgement can also change alone (facts.rejudge_licences), which moves the agency
groups only (`move_judged`).

`serves(scope)` says whether the filters allow a report to read them (the agency, caseworker
and another organisation's cases are not dimensions of the rollups: such reports read the
facts as before); cubes.py reads them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    CompoundSelect,
    Float,
    Select,
    String,
    delete,
    func,
    insert,
    literal,
    select,
    union_all,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from casework.models.report_case import (
    ANY_ABUSE,
    ReportCodeRollup,
    ReportRollup,
)
from casework.services.reports import prebuilt
from casework.services.reports.entity_rollups import (
    BY_AGENCY,
    BY_HOLDER,
    BY_MONEY,
    ENTITY_KEYS,
    ENTITY_ROLLUP,
    NO_AGENCY_ID,
    NOT_JUDGED,
    agencies_grouped,
    entities_grouped,
    referrals_grouped,
)
from casework.services.reports.group_parts import fact_tables, in_key_order, shared_flag
from casework.services.reports.money_rollups import (
    MONEY_KEYS,
    MONEY_MEASURES,
    MONEY_ROLLUP,
    money_grouped,
    referral_money_grouped,
)
from casework.services.reports.scope import Scope
from casework.services.reports.sql import contains_word
from casework.services.reports.wait_ranges import wait_range
from casework.vocabulary.abuse import ABUSE_CODES
from casework.vocabulary.outcomes import OUTCOMES

ROLLUP = ReportRollup.__table__
# A group's key: organisation_id, abuse_code, created_month, origin_country,
# destination_country, status, outcome_state, shared.
KEYS = tuple(column.name for column in ROLLUP.primary_key.columns)
MEASURES = ("cases", "measured", "months_sum")
# The code groups (ReportCodeRollup), the cases with each code of a measure: the same key
# without status and outcome state, with the measure and the code.
CODE_ROLLUP = ReportCodeRollup.__table__
CODE_KEYS = tuple(column.name for column in CODE_ROLLUP.primary_key.columns)
BY_OUTCOME, BY_WAIT = "outcome", "wait"  # the measures of the code rollup


def _vocabulary(codes: Any, name: str) -> Any:
    """Codes as a constant table of one column, `code`."""
    return union_all(
        *[select(literal(code, String(30)).label("code")) for code in sorted(codes)]
    ).subquery(name)


def _codes() -> Any:
    """The abuse codes as a constant table (the vocabulary: a code outside it is not rolled
    up, and a report filtered on one reads the facts)."""
    return _vocabulary(ABUSE_CODES, "codes")


def _outcome_codes() -> Any:
    """The outcome codes as a constant table (services only record codes of the vocabulary)."""
    return _vocabulary(OUTCOMES, "outcome_codes")


def _per_abuse(
    table: Any,
    organisation: Any,
    columns: list[Any],
    ids: Any,
    joins: tuple[Any, ...] = (),
    kept: tuple[Any, ...] = (),
) -> list[Select[Any]]:
    """A facts table's rows with `columns` (after `joins`, each a (target, on) pair; those
    `kept` passes), once for any abuse and once per abuse code of the case, under
    `organisation`."""
    c = table.c
    only = [*kept] if ids is None else [prebuilt.among(c.case_id, ids), *kept]
    codes = _codes()
    every = select(
        organisation.label("organisation_id"),
        literal(ANY_ABUSE, String(20)).label("abuse_code"),
        *columns,
    ).select_from(table)
    per_code = (
        select(organisation.label("organisation_id"), codes.c.code.label("abuse_code"), *columns)
        .select_from(table)
        .join(codes, contains_word(c.abuse_codes, codes.c.code))
    )
    for target, on in joins:
        every, per_code = every.join(target, on), per_code.join(target, on)
    return [every.where(*only), per_code.where(*only)]


def _contributions(ids: Any) -> CompoundSelect[Any]:
    """One row per fact row and group it belongs to (each case: every organisation's rows and
    the every-case row, each once for any abuse and once per abuse code), with the group's
    key columns and the row's recruitment cost (`months`)."""
    parts = []
    for table, organisation in fact_tables():
        c = table.c
        columns = [
            c.created_month,
            c.origin_country,
            c.destination_country,
            c.status,
            c.outcome_state,
            shared_flag(c).label("shared"),
            c.recruitment_months.label("months"),
        ]
        parts += _per_abuse(table, organisation, columns, ids)
    return union_all(*parts)


def code_rows(measure: str, c: Any) -> tuple[tuple[Any, ...], Any, tuple[Any, ...]]:
    """For the columns `c` of a facts table (or the facts entity): the joins, the code and the
    conditions that give one row per code of `measure` of each case."""
    if measure == BY_OUTCOME:
        outcomes = _outcome_codes()
        return ((outcomes, contains_word(c.outcome_codes, outcomes.c.code)),), outcomes.c.code, ()
    waited = wait_range(c.first_response_seconds)
    return (), waited, (waited.is_not(None),)


def _code_contributions(ids: Any) -> CompoundSelect[Any]:
    """One row per fact row, code of each measure of its case and group it belongs to (once
    for any abuse and once per abuse code, as `_contributions`)."""
    parts = []
    for measure in (BY_OUTCOME, BY_WAIT):
        for table, organisation in fact_tables():
            c = table.c
            joins, code, kept = code_rows(measure, c)
            columns = [
                c.created_month,
                c.origin_country,
                c.destination_country,
                shared_flag(c).label("shared"),
                literal(measure, String(10)).label("measure"),
                code.label("code"),
            ]
            parts += _per_abuse(table, organisation, columns, ids, joins, kept)
    return union_all(*parts)


def _grouped(ids: Any, sign: int) -> Select[Any]:
    rows = _contributions(ids).subquery("contributions")
    return in_key_order(
        select(
            *[rows.c[key] for key in KEYS],
            (func.count() * sign).label("cases"),
            (func.count(rows.c.months) * sign).label("measured"),
            (func.coalesce(func.sum(rows.c.months), 0.0).cast(Float) * sign).label("months_sum"),
        ),
        KEYS,
    )


def _codes_grouped(ids: Any, sign: int) -> Select[Any]:
    rows = _code_contributions(ids).subquery("contributions")
    counted = select(*[rows.c[key] for key in CODE_KEYS], (func.count() * sign).label("cases"))
    return in_key_order(counted, CODE_KEYS)


@dataclass(frozen=True)
class _Rollup:
    name: str
    table: Any
    keys: tuple[str, ...]
    measures: tuple[str, ...]
    grouped: Callable[[Any, int], Select[Any]]  # (case ids, +1 or -1) -> keys and measures


_ROLLUPS = (
    _Rollup("rollups", ROLLUP, KEYS, MEASURES, _grouped),
    _Rollup("code-rollups", CODE_ROLLUP, CODE_KEYS, ("cases",), _codes_grouped),
    _Rollup(
        "entity-rollups", ENTITY_ROLLUP, ENTITY_KEYS, ("cases", "shared_cases"), entities_grouped
    ),
    _Rollup("money-rollups", MONEY_ROLLUP, MONEY_KEYS, MONEY_MEASURES, money_grouped),
)
# What depends on the facts' licence judgement (facts.rejudge_licences): the agency groups.
JUDGED = _Rollup(
    "agency-groups", ENTITY_ROLLUP, ENTITY_KEYS, ("cases", "shared_cases"), agencies_grouped
)


def _statement(connection: Connection, ids: Any, sign: int, rollup: _Rollup) -> Any:
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    table = rollup.table
    statement = dialect.insert(table).from_select(
        [*rollup.keys, *rollup.measures], rollup.grouped(ids, sign)
    )
    return statement.on_conflict_do_update(
        index_elements=list(rollup.keys),
        set_={name: table.c[name] + statement.excluded[name] for name in rollup.measures},
    )


def _upsert(
    connection: Connection, ids: Any, sign: int, chosen: tuple[_Rollup, ...] = _ROLLUPS
) -> None:
    for rollup in chosen:
        if isinstance(ids, list | tuple):
            if ids:  # as text compiled once (prebuilt.py): a statement object cost 10-30 ms
                build = functools.partial(_statement, connection, sign=sign, rollup=rollup)
                upsert = prebuilt.for_ids(connection, f"{rollup.name}-upsert{sign:+d}", build)
                connection.execute(upsert, {"ids": list(ids)})
            continue
        connection.execute(_statement(connection, ids, sign, rollup))


def subtract(connection: Connection, ids: Any) -> None:
    """Take the facts of these cases (a list or a query of ids) out of their groups: before
    the facts are rewritten."""
    _upsert(connection, ids, -1)


def add(connection: Connection, ids: Any) -> None:
    """Add the facts of these cases to their groups: after the facts are written."""
    _upsert(connection, ids, 1)


# What depends on a case's referrals alone (facts.refresh_referred).
REFERRED = (
    _Rollup(
        "referral-groups", ENTITY_ROLLUP, ENTITY_KEYS, ("cases", "shared_cases"), referrals_grouped
    ),
    _Rollup("referral-money", MONEY_ROLLUP, MONEY_KEYS, MONEY_MEASURES, referral_money_grouped),
)


def move_referred(connection: Connection, ids: list[int], sign: int) -> None:
    """Take these cases out of (-1) or into (+1) the groups of their referrals alone: around a
    rewrite of their `report_referrals` rows that changes nothing else."""
    _upsert(connection, ids, sign, REFERRED)


def move_judged(connection: Connection, ids: Any, sign: int) -> None:
    """Take these cases out of (-1) or into (+1) the groups that depend on their licence
    judgement alone: around a rewrite of the judgement that changes nothing else."""
    _upsert(connection, ids, sign, (JUDGED,))


def rebuild(connection: Connection) -> None:
    """Every group recomputed from the facts."""
    for rollup in _ROLLUPS:
        connection.execute(delete(rollup.table))
        columns = [*rollup.keys, *rollup.measures]
        connection.execute(insert(rollup.table).from_select(columns, rollup.grouped(None, 1)))


# --- reading ----------------------------------------------------------------------------------
def serves_totals(scope: Scope) -> bool:
    """Whether the entity rollup holds the report's counts: every case of the organisation
    the report covers (or every case), no other filter."""
    return serves(scope) and not scope.filtered


def serves_months(scope: Scope) -> bool:
    """Whether the clocks' bins per month hold the report's: no filter but the organisation
    and the dates."""
    f = scope.filters
    return serves(scope) and not (f.origin or f.destination or f.abuse)


def serves(scope: Scope) -> bool:
    """Whether the rollup holds the groups of this report: no filter on the agency, a
    caseworker or another organisation than the one the report covers; an abuse code of the
    vocabulary."""
    f = scope.filters
    return (
        f.agency_id is None
        and f.caseworker_id is None
        and (f.organisation_id is None or f.organisation_id == scope.organisation)
        and (not f.abuse or f.abuse in ABUSE_CODES)
    )


__all__ = [
    "BY_OUTCOME",
    "BY_AGENCY",
    "BY_HOLDER",
    "BY_MONEY",
    "BY_WAIT",
    "CODE_KEYS",
    "CODE_ROLLUP",
    "ENTITY_KEYS",
    "ENTITY_ROLLUP",
    "KEYS",
    "MEASURES",
    "MONEY_KEYS",
    "MONEY_ROLLUP",
    "NOT_JUDGED",
    "NO_AGENCY_ID",
    "ROLLUP",
    "add",
    "code_rows",
    "move_judged",
    "rebuild",
    "serves",
    "serves_months",
    "serves_totals",
    "shared_flag",
    "subtract",
]
