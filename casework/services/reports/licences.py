"""Licence status from the agency registry, as SQL: what `agencies.status.status_on` and the
case page's `recruitment_date` say about one case, written as expressions so that reports
judge every case in one statement.

A case's agency is judged through its registry entry (`Agency.registry_agency_id`), on the
day of recruitment: the departure date, else the first payment; without either, today (as the
case page does). A typed licence number alone proves nothing.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, literal, or_, select

from casework.models import Agency, Case, FeePayment, RegistryStatusChange
from casework.models.registry import EXPIRED, VALID
from casework.services.reports.scope import Scope
from casework.services.reports.sql import Expr

# What a report says about a case's agency licence.
LICENSED = "licensed"  # the registry says valid on the day of recruitment
UNLICENSED = "unlicensed"  # on the registry, but not valid that day
UNKNOWN = "unknown"  # not linked to a registry entry, or its history does not reach back
NO_AGENCY = "none"
KINDS = (LICENSED, UNLICENSED, UNKNOWN, NO_AGENCY)


def recruitment_day(
    case_id: Expr, today: date, departure: Expr | None = None
) -> ColumnElement[Any]:
    """The case's day of recruitment (`casework.services.agencies.panel.recruitment_date`), or
    `today` when the case gives none. `departure`: the case's departure date column when the
    query reads the cases table itself (else it is looked up)."""
    first_payment = (
        select(func.min(FeePayment.paid_on))
        .where(FeePayment.case_id == case_id, FeePayment.paid_on.is_not(None))
        .correlate_except(FeePayment)  # to the facts, however deep it is nested
        .scalar_subquery()
    )
    if departure is None:
        departure = (
            select(Case.departure_date)
            .where(Case.id == case_id)
            .correlate_except(Case)
            .scalar_subquery()
        )
    return func.coalesce(departure, first_payment, literal(today))


def status_on(registry_id: Expr, day: Expr | date) -> ColumnElement[Any]:
    """The registry entry's status on `day` (a valid licence past its end date is expired);
    NULL when the history does not reach back to that day."""
    on = literal(day) if isinstance(day, date) else day
    change = RegistryStatusChange
    return (
        select(
            case(
                (
                    and_(
                        change.status == VALID,
                        change.valid_until.is_not(None),
                        on > change.valid_until,
                    ),
                    literal(EXPIRED),
                ),
                else_=change.status,
            )
        )
        .where(change.registry_agency_id == registry_id, change.status_from <= on)
        .order_by(change.status_from.desc(), change.id.desc())
        .limit(1)
        .correlate_except(change)
        .scalar_subquery()
    )


def kind_on(registry_id: Expr, day: Expr) -> ColumnElement[str]:
    """LICENSED or UNLICENSED from the registry entry's history line in force on `day`;
    UNKNOWN when the history does not reach back that far."""
    change = RegistryStatusChange
    valid_then = and_(
        change.status == VALID, or_(change.valid_until.is_(None), day <= change.valid_until)
    )
    then = (
        select(case((valid_then, literal(LICENSED)), else_=literal(UNLICENSED)))
        .where(change.registry_agency_id == registry_id, change.status_from <= day)
        .order_by(change.status_from.desc(), change.id.desc())
        .limit(1)
        .correlate_except(change)
        .scalar_subquery()
    )
    return func.coalesce(then, literal(UNKNOWN))


def linked_cases(scope: Scope, *where: ColumnElement[bool]) -> Any:
    """The report's cases whose agency is linked to a registry entry: case id, agency id,
    merged key (`merged_key`), registry entry, day of recruitment and (for supervisors) the
    shared flag. Materialised, so each case's day is looked up once, however often the
    judging reads it."""
    if scope.covers_every_case:
        # An admin's report on every case: one sequential read of the cases table, which
        # holds the departure date (looking each case up from the facts costs ~6x more).
        every = select(
            Case.id.label("case_id"),
            Case.agency_id.label("agency_id"),
            merged_key().label("key"),
            Agency.registry_agency_id.label("registry_id"),
            recruitment_day(Case.id, scope.today, Case.departure_date).label("day"),
        ).join(Agency, Agency.id == Case.agency_id + 0)  # a scan of cases, not its agency index
        return (
            every.where(Agency.registry_agency_id.is_not(None), *where)
            .cte("linked_cases")
            .prefix_with("MATERIALIZED")
        )
    facts = scope.facts
    shared = scope.shared()
    return (
        select(
            facts.case_id.label("case_id"),
            facts.agency_id.label("agency_id"),
            merged_key().label("key"),
            Agency.registry_agency_id.label("registry_id"),
            recruitment_day(facts.case_id, scope.today).label("day"),
            *([] if shared is None else [case((shared, 1), else_=0).label("shared")]),
        )
        .join(Agency, Agency.id == facts.agency_id)
        .where(Agency.registry_agency_id.is_not(None), *scope.cases(), *where)
        .cte("linked_cases")
        .prefix_with("MATERIALIZED")
    )


def merged_key() -> ColumnElement[int]:
    """One key per agency as reports count them: agencies linked to the same registry entry
    are one (the entry's id, negated), any other agency is itself (its id)."""
    return case(
        (Agency.registry_agency_id.is_not(None), -Agency.registry_agency_id),
        else_=Agency.id,
    )
