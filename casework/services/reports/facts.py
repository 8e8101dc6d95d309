"""Keeps `report_cases` (one row of report facts per case) and `report_org_cases` (the same
row once per organisation holding the case) equal to what the source tables say.

A row is computed in SQL from the case, its assignments, outcomes and fee payments (the same
definitions the figures used to compute on every request), and written:
- after every ORM flush that changes what a report shows about a case (its dates, status,
  corridor, agency or wage; an assignment, outcome or fee payment of it): the touched cases'
  rows, in the same transaction (a listener on every session). A flush that only moves a
  case's deadlines (a note restarting its clock, say) copies those two columns and nothing
  else; so does the stalled scan, which writes its deadline bookkeeping around the ORM;
- after a flush that writes an exchange rate: the rows whose recruitment cost converts that
  currency;
- by `refresh_all`, for bulk loads that bypass the ORM (`flask reports refresh-facts`).
The same statements rewrite the cases' outcome amounts in `report_money` and their referrals
in `report_referrals` (money_facts.py).
Each write moves the groups of `report_rollups` with the rows (casework.services.reports.rollups):
the cases' old rows are taken out of their groups before, the new ones added after.
Deleting a case deletes its row (foreign key, ON DELETE CASCADE); through the ORM, its groups
are taken out just before.

Each statement is set-based: the assignments, outcomes and payments of the cases concerned
are aggregated once per table (grouped by case) and joined to the cases, so rebuilding a
million rows is a few scans rather than a million small queries.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import (
    Float,
    Select,
    and_,
    case,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.engine import Connection

from casework.models import Agency, Assignment, Case, CaseAbuse, FeePayment, Outcome
from casework.models.assignment import ACCEPTED, DECLINED, DESTINATION, ORIGIN
from casework.models.report_case import NO_OUTCOME, OUTCOME, REMEDY, ReportCase, ReportOrgCase
from casework.services.reports import money_facts, prebuilt, rollups
from casework.services.reports.licences import judged_at_write
from casework.services.reports.sql import (
    convert,
    seconds_between,
    spaced_list,
    utc_day,
    utc_month,
)
from casework.vocabulary.status import CLOSED, RESOLVED

# What the worker obtained. Sanctions on the agency (licence action, fine, prosecution) count as
# outcomes but not as a remedy for the worker; neither do withdrawal, time bar or lost contact.
REMEDIES = (
    "OUT_MONEY_RECOVERED",
    "OUT_SETTLED_MEDIATION",
    "OUT_AWARD",
    "OUT_REPATRIATED",
    "OUT_DOCS_RETURNED",
    "OUT_EMPLOYER_TRANSFER",
    "OUT_ABSCONDING_CLEARED",
)
DEADLINES = ("claim_deadline", "next_deadline_at")
CHUNK = 500  # case ids per statement when refreshing a list
FACT_TABLES = (ReportCase.__table__, ReportOrgCase.__table__)

# Which cases a statement concerns: every case (None), a list of ids or a query of ids.
CaseIds = list[int] | Select[Any] | None


def _only(column: Any, ids: CaseIds) -> list[Any]:
    return [] if ids is None else [prebuilt.among(column, ids)]


def _assignments(ids: CaseIds) -> Any:
    """Per case: the organisations holding or having held a (not declined) assignment, the
    caseworker holding each side (a side has one accepted assignment at most: accepting a
    transfer ends the old one) and the first acceptance."""
    accepted = Assignment.status == ACCEPTED
    accepted_at = case(
        (and_(accepted, Assignment.responded_at.is_not(None)), Assignment.responded_at)
    )

    def holder(side: str) -> Any:
        return func.max(case((and_(accepted, Assignment.side == side), Assignment.user_id)))

    return (
        select(
            Assignment.case_id.label("case_id"),
            func.count(Assignment.organisation_id.distinct()).label("organisations"),
            holder(ORIGIN).label("origin_caseworker"),
            holder(DESTINATION).label("destination_caseworker"),
            func.min(accepted_at).label("accepted_at"),
        )
        .where(Assignment.status != DECLINED, *_only(Assignment.case_id, ids))
        .group_by(Assignment.case_id)
        .subquery("assigned")
    )


def _outcomes(ids: CaseIds) -> Any:
    """Per case with outcomes: REMEDY when one is a remedy for the worker, else OUTCOME; and
    the outcomes' codes between spaces."""
    state = case((Outcome.code.in_(REMEDIES), REMEDY), else_=OUTCOME)
    return (
        select(
            Outcome.case_id.label("case_id"),
            func.max(state).label("state"),
            spaced_list(Outcome.code).label("codes"),
        )
        .where(*_only(Outcome.case_id, ids))
        .group_by(Outcome.case_id)
        .subquery("outcomes")
    )


def _payments(ids: CaseIds) -> Any:
    """Per case with a first-month wage: what the worker paid, converted to the wage currency
    at the payment day's rate (the complaint's day when the payment has no date); NULL when a
    rate is missing."""
    day = func.coalesce(FeePayment.paid_on, utc_day(Case.created_at))
    paid = convert(FeePayment.amount_paid, FeePayment.currency, Case.actual_wage_currency, day)
    return (
        select(
            FeePayment.case_id.label("case_id"),
            case((func.count(paid) == func.count(), func.sum(paid))).label("paid"),
        )
        .join(Case, Case.id == FeePayment.case_id)
        .where(
            Case.actual_wage_amount > 0,
            Case.actual_wage_currency.is_not(None),
            *_only(FeePayment.case_id, ids),
        )
        .group_by(FeePayment.case_id)
        .subquery("payments")
    )


def _abuses(ids: CaseIds) -> Any:
    """Per case with abuse codes: the codes between spaces."""
    return (
        select(CaseAbuse.case_id.label("case_id"), spaced_list(CaseAbuse.code).label("codes"))
        .where(*_only(CaseAbuse.case_id, ids))
        .group_by(CaseAbuse.case_id)
        .subquery("abuses")
    )


def _resolution() -> Any:
    resolved_at = case((Case.status == RESOLVED, Case.status_since), else_=Case.closed_at)
    return case(
        (
            and_(Case.status.in_((RESOLVED, CLOSED)), resolved_at.is_not(None)),
            seconds_between(resolved_at, Case.created_at),
        )
    )


COLUMNS = (
    "case_id",
    "created_at",
    "created_month",
    "status",
    "origin_country",
    "destination_country",
    "agency_id",
    "organisations",
    "origin_caseworker_id",
    "destination_caseworker_id",
    "first_response_seconds",
    "resolution_seconds",
    "outcome_state",
    "recruitment_months",
    "claim_deadline",
    "next_deadline_at",
    "abuse_codes",
    "licence_then",
    "outcome_codes",
)


def facts_query(ids: CaseIds = None) -> Select[Any]:
    """The report facts of these cases (every case by default), in COLUMNS order."""
    assigned, outcomes, payments = _assignments(ids), _outcomes(ids), _payments(ids)
    abuses = _abuses(ids)
    # SDG 10.7.1 for one worker: costs paid over the actual first-month wage (NULL unless the
    # worker recorded payments and a wage and every payment has a rate).
    months = case(
        (Case.actual_wage_amount > 0, payments.c.paid / Case.actual_wage_amount.cast(Float))
    )
    return (
        select(
            Case.id,
            Case.created_at,
            utc_month(Case.created_at),
            Case.status,
            Case.origin_country,
            Case.destination_country,
            Case.agency_id,
            func.coalesce(assigned.c.organisations, 0),
            assigned.c.origin_caseworker,
            assigned.c.destination_caseworker,
            seconds_between(assigned.c.accepted_at, Case.created_at),
            _resolution(),
            func.coalesce(outcomes.c.state, literal(NO_OUTCOME)),
            months,
            Case.claim_deadline,
            Case.next_deadline_at,
            func.coalesce(abuses.c.codes, ""),
            judged_at_write(),
            func.coalesce(outcomes.c.codes, ""),
        )
        .outerjoin(assigned, assigned.c.case_id == Case.id)
        .outerjoin(outcomes, outcomes.c.case_id == Case.id)
        .outerjoin(payments, payments.c.case_id == Case.id)
        .outerjoin(abuses, abuses.c.case_id == Case.id)
        .where(*_only(Case.id, ids))
    )


def _org_rows(ids: CaseIds) -> Select[Any]:
    """The rows of `report_org_cases` for these cases: each case's facts once per organisation
    holding or having held a (not declined) assignment on it, in key order."""
    held = (
        select(Assignment.organisation_id, Assignment.case_id)
        .where(Assignment.status != DECLINED, *_only(Assignment.case_id, ids))
        .distinct()
        .subquery("held")
    )
    facts = ReportCase.__table__
    return (
        select(held.c.organisation_id, *[facts.c[name] for name in COLUMNS])
        .join(held, held.c.case_id == facts.c.case_id)
        .order_by(held.c.organisation_id, held.c.case_id)
    )


# A write's statements, named for prebuilt.py: the old rows out; each case's new row in, then
# again once per organisation holding it.
_Write = tuple[str, Callable[[CaseIds], Any]]
_DELETES: tuple[_Write, ...] = (
    *(
        (f"facts-delete-{t.name}", lambda ids, t=t: delete(t).where(*_only(t.c.case_id, ids)))
        for t in FACT_TABLES
    ),
    ("money-delete", money_facts.delete_rows),
    ("referrals-delete", money_facts.delete_referrals),
)
_INSERTS: tuple[_Write, ...] = (
    ("facts-insert", lambda ids: insert(FACT_TABLES[0]).from_select(COLUMNS, facts_query(ids))),
    (
        "facts-insert-org",
        lambda ids: insert(FACT_TABLES[1]).from_select(
            ["organisation_id", *COLUMNS], _org_rows(ids)
        ),
    ),
    ("money-insert", money_facts.insert_rows),
    ("referrals-insert", money_facts.insert_referrals),
)


def _write(connection: Connection, ids: CaseIds, *, created: bool = False) -> None:
    """`created`: the cases were inserted in this transaction and have no rows yet, so there is
    nothing to take out of the groups or delete (a lodging saves three statements)."""
    if ids is not None and not created:  # the groups follow: these cases out, then in again
        rollups.subtract(connection, ids)
    for name, build in _INSERTS if created else (*_DELETES, *_INSERTS):
        if isinstance(ids, list):  # the flush's case: compiled once (prebuilt.py)
            connection.execute(prebuilt.for_ids(connection, name, build), {"ids": ids})
        else:
            connection.execute(build(ids))
    if ids is None:
        rollups.rebuild(connection)
    else:
        rollups.add(connection, ids)


def refresh(connection: Connection, case_ids: Iterable[int], created: Iterable[int] = ()) -> None:
    """Recompute the rows of these cases (a case that no longer exists keeps no row). Those
    also in `created` were inserted in this transaction: their rows are only added."""
    ids, fresh = set(case_ids), set(created)
    for part, new in ((sorted(ids - fresh), False), (sorted(ids & fresh), True)):
        for start in range(0, len(part), CHUNK):
            _write(connection, part[start : start + CHUNK], created=new)


def refresh_referred(connection: Connection, case_ids: Iterable[int]) -> None:
    """After referrals were inserted around the unit of work (the stalled scan's proposals):
    these cases' `report_referrals` rows and the groups that depend on them alone (nothing
    else in the facts depends on referrals)."""
    ids = sorted(set(case_ids))
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        rollups.move_referred(connection, chunk, -1)
        for name, build in (
            ("referrals-delete", money_facts.delete_referrals),
            ("referrals-insert", money_facts.insert_referrals),
        ):
            connection.execute(prebuilt.for_ids(connection, name, build), {"ids": chunk})
        rollups.move_referred(connection, chunk, 1)


def refresh_all(connection: Connection) -> int:
    """Rebuild every row (after a bulk load); returns the number of cases."""
    _write(connection, None)
    return int(
        connection.execute(select(func.count()).select_from(ReportCase.__table__)).scalar_one()
    )


def refresh_currency(connection: Connection, currency: str) -> None:
    """After a rate of `currency` changed: the rows whose recruitment cost converts it."""
    paid_in = select(FeePayment.case_id).where(FeePayment.currency == currency)
    affected = select(Case.id).where(
        Case.actual_wage_amount > 0,
        Case.actual_wage_currency.is_not(None),
        or_(Case.actual_wage_currency == currency, Case.id.in_(paid_in)),
    )
    # As a list: statements for a list of ids are compiled once (prebuilt.py), not per call.
    refresh(connection, connection.execute(affected).scalars().all())


def rejudge_licences(connection: Connection, agencies: set[int], entries: set[int]) -> None:
    """After agencies were linked or unlinked, or registry entries' histories changed: the
    licence judgement of the cases naming those agencies (or an agency linked to those
    entries), and nothing else, since nothing else in the facts depends on the registry (of
    the rollups, only the agency groups: `rollups.move_judged`). Set-based statements, however
    many cases: an import of a national list does not recompute every case's facts.

    Nothing is written when no judgement changes. Otherwise the concerned cases leave their
    agency groups, the rows whose judgement changes are rewritten (only those: on PostgreSQL
    every row written is a new row version in each of the table's indexes; rewriting all
    153,468 judgements of Nepal's cases at 1,000,000 cases took 20-37 s), and the cases join
    their groups again."""
    linked = select(Agency.id).where(Agency.registry_agency_id.in_(sorted(entries)))
    concerned = select(Case.id).where(
        or_(Case.agency_id.in_(sorted(agencies)), Case.agency_id.in_(linked))
    )
    every = FACT_TABLES[0]  # a case's judgement is the same in both tables
    changing = select(every.c.case_id).where(
        every.c.case_id.in_(concerned), every.c.licence_then.is_distinct_from(_judged(every))
    )
    if connection.execute(changing.limit(1)).first() is None:
        return
    rollups.move_judged(connection, concerned, -1)
    for table in FACT_TABLES:
        judged = _judged(table)
        connection.execute(
            update(table)
            .where(table.c.case_id.in_(concerned), table.c.licence_then.is_distinct_from(judged))
            .values(licence_then=judged)
        )
    rollups.move_judged(connection, concerned, 1)


def _judged(table: Any) -> Any:
    """The licence judgement of the case of a facts table's row, as the refresh writes it."""
    return select(judged_at_write()).where(Case.id == table.c.case_id).scalar_subquery()


def copy_deadlines(connection: Connection, case_ids: list[int]) -> None:
    """Copy the stored deadlines of these cases into their rows: after a flush that only moved
    them, or a write that bypassed the unit of work (a case whose write did not apply keeps its
    stored values)."""
    cases = Case.__table__
    for start in range(0, len(case_ids), CHUNK):
        chunk = case_ids[start : start + CHUNK]
        for table in FACT_TABLES:
            stored = {
                name: select(cases.c[name]).where(cases.c.id == table.c.case_id).scalar_subquery()
                for name in DEADLINES
            }
            connection.execute(update(table).where(table.c.case_id.in_(chunk)).values(**stored))
