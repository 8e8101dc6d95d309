"""Licence status from the agency registry, as SQL: what `agencies.status.status_on` and the
case page's `recruitment_date` say about one case, written as expressions so that reports
judge every case in one statement.

A case's agency is judged through its registry entry (`Agency.registry_agency_id`), on the
day of recruitment: the departure date, else the first payment; without either, today (as the
case page does). A typed licence number alone proves nothing. The judgement on the day of
recruitment is made when the case's facts are written (`judged_at_write`), so a report reads
it from the facts and consults the registry once per agency, not once per case (`judged`).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Integer, and_, case, func, literal, or_, select

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


def recruitment_day(case_id: Expr, departure: Expr) -> ColumnElement[Any]:
    """The case's day of recruitment (`casework.services.agencies.panel.recruitment_date`):
    its departure date, else its first dated payment; NULL when it gives neither."""
    first_payment = (
        select(func.min(FeePayment.paid_on))
        .where(FeePayment.case_id == case_id, FeePayment.paid_on.is_not(None))
        .correlate_except(FeePayment)
        .scalar_subquery()
    )
    return func.coalesce(departure, first_payment)


def judged_at_write() -> ColumnElement[Any]:
    """The facts' `licence_then` of a case, in a query over `cases`: the kind on its day of
    recruitment when its agency is linked and the day is known, else NULL. Kept current by
    the facts' listeners (a new day, a new link, a new line of the registry's history)."""
    registry = (
        select(Agency.registry_agency_id)
        .where(Agency.id == Case.agency_id)
        .correlate_except(Agency)
        .scalar_subquery()
    )
    day = recruitment_day(Case.id, Case.departure_date)
    return case((and_(registry.is_not(None), day.is_not(None)), kind_on(registry, day)))


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


def judged(scope: Scope, per: Any = None) -> Any:
    """The report's cases naming a linked agency, counted per agency and judgement: agency
    id, merged key (`merged_key`), registry entry, `licence` (LICENSED, UNLICENSED or
    UNKNOWN), `n` and (for supervisors) `_shared`. The facts hold the judgement on the day of
    recruitment; cases without such a day are judged on `scope.today`, once per agency. One
    pass over the facts' agency index, whatever the caseload: the registry is read per group.
    `per`: the counts per agency and judgement (`per_judgement`) when the caller has them."""
    per = per_judgement(scope) if per is None else per
    today = kind_on(Agency.registry_agency_id, literal(scope.today))
    return (
        select(
            per.c.agency_id,
            merged_key().label("key"),
            Agency.registry_agency_id.label("registry_id"),
            func.coalesce(per.c.licence_then, today).label("licence"),
            per.c.n,
            *([per.c._shared] if "_shared" in per.c else []),
        )
        .join(Agency, Agency.id == per.c.agency_id)
        .where(Agency.registry_agency_id.is_not(None))
        .subquery("judged")
    )


def per_judgement(scope: Scope) -> Any:
    """The report's cases per agency (NULL: the cases naming none) and judgement on the day of
    recruitment (`licence_then`, NULL when not judged): from the entity rollup's agency groups
    when they serve the report, else from the facts' agency index, materialised: a figure
    reads it twice, in one pass over the facts."""
    # here, not at the top: the facts (which this module serves) are below the figures
    from casework.services.reports import cubes, rollups
    from casework.services.reports.case_figures import shared_sum

    if rollups.serves(scope):
        e = cubes.entities(scope, rollups.BY_AGENCY)
        return select(
            func.nullif(e.c.entity_id, rollups.NO_AGENCY_ID).label("agency_id"),
            func.nullif(e.c.detail, rollups.NOT_JUDGED).label("licence_then"),
            e.c.cases.label("n"),
            *([e.c._shared] if "_shared" in e.c else []),
        ).subquery("per_judgement")
    facts = scope.facts
    return (
        select(
            facts.agency_id.label("agency_id"),
            facts.licence_then.label("licence_then"),
            func.count().label("n"),
            *shared_sum(scope),
        )
        .where(*scope.cases())
        .group_by(facts.agency_id, facts.licence_then)
        .cte("per_judgement")
        .prefix_with("MATERIALIZED")
    )


def licensed_then(scope: Scope, keys: Any = None, per: Any = None) -> Any:
    """Per merged key (`merged_key`), how many of the report's cases were licensed on the day
    of recruitment (`licensed_then`), from `judged` (of `per`, when given); only the keys in
    `keys` (a select of them) when given."""
    judgements = judged(scope, per)
    counted = select(
        judgements.c.key,
        func.sum(judgements.c.n)
        .filter(judgements.c.licence == LICENSED)
        .cast(Integer)
        .label("licensed_then"),
    )
    if keys is not None:
        counted = counted.where(judgements.c.key.in_(keys))
    return counted.group_by(judgements.c.key).subquery()


def merged_key() -> ColumnElement[int]:
    """One key per agency as reports count them: agencies linked to the same registry entry
    are one (the entry's id, negated), any other agency is itself (its id)."""
    return case(
        (Agency.registry_agency_id.is_not(None), -Agency.registry_agency_id),
        else_=Agency.id,
    )
