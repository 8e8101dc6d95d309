"""Figures about recruitment itself: the SDG 10.7.1 recruitment-cost indicator by corridor, and
the agencies workers complain about, with the fees they charged. Aggregated in SQL."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import Integer, case, func, select

from casework.models import Agency, FeePayment
from casework.services.reports import rolled, rollups
from casework.services.reports.case_figures import rows, shared_sum
from casework.services.reports.scope import Scope
from casework.services.reports.sql import convert, utc_day
from casework.services.reports.tables import LABEL, MONEY, MONTHS, TEXT, Chart, Column, Table

TOP_AGENCIES = 25


def recruitment_cost(scope: Scope) -> Table:
    """SDG indicator 10.7.1 per corridor: the mean over workers of RC / E.

    RC is every fee and cost the worker paid, converted to the wage currency at the payment
    day's rate (the day the complaint arrived when the payment has no date); E is the worker's
    actual first-month wage. A worker counts when they recorded at least one payment and their
    wage, and every payment has a rate: costs and earnings are always the same worker's."""
    facts = scope.facts
    months = facts.recruitment_months
    query = (
        select(
            facts.origin_country.label("origin"),
            facts.destination_country.label("destination"),
            func.count().label("workers"),
            func.avg(months).label("months"),
            *shared_sum(scope),
        )
        .where(months.is_not(None), *scope.cases())
        .group_by(facts.origin_country, facts.destination_country)
        .order_by(func.count().desc(), facts.origin_country, facts.destination_country)
    )
    found = rolled.recruitment_cost(scope) if rollups.serves(scope) else rows(query)
    for row in found:
        row["corridor"] = f"{row.pop('origin')}-{row.pop('destination')}"
        row["months"] = None if row["months"] is None else round(float(row["months"]), 2)
    return Table(
        "recruitment_cost",
        _l("Recruitment cost in months of earnings (SDG 10.7.1)"),
        _l(
            "For each worker: everything they paid to get the job, converted to the wage "
            "currency at the payment day's rate, divided by their actual first-month wage; then "
            "the mean over workers, per corridor. Only workers who recorded payments and their "
            "wage count, so this describes complainants, not all migrant workers."
        ),
        [
            Column("corridor", _l("Corridor"), LABEL, vocabulary="corridor"),
            Column("workers", _l("Workers")),
            Column("months", _l("Mean months of earnings"), MONTHS, basis=("workers",)),
        ],
        found,
        chart=Chart("bars", "corridor", ("months",)),
    )


def agencies(scope: Scope) -> Table:
    """The agencies named in most complaints, with the fees workers paid in their cases."""
    facts = scope.facts
    ranked = (
        select(
            facts.agency_id.label("agency_id"),
            func.count().label("complaints"),
            *shared_sum(scope),
        )
        .where(facts.agency_id.is_not(None), *scope.cases())
        .group_by(facts.agency_id)
        .order_by(func.count().desc(), facts.agency_id)
        .limit(TOP_AGENCIES)
        .cte("ranked_agencies")
    )
    day = func.coalesce(FeePayment.paid_on, utc_day(facts.created_at))
    paid = convert(FeePayment.amount_paid, FeePayment.currency, scope.currency, day)
    fees = (
        select(
            facts.agency_id.label("agency_id"),
            func.count(facts.case_id.distinct()).label("payers"),
            func.sum(paid).label("fees"),
            func.count().filter(paid.is_(None)).label("no_rate"),
        )
        .join(FeePayment, FeePayment.case_id == facts.case_id)
        .where(facts.agency_id.in_(select(ranked.c.agency_id)), *scope.cases())
        .group_by(facts.agency_id)
        .subquery()
    )
    query = (
        select(
            Agency.id.label("_agency_id"),
            Agency.name.label("agency"),
            Agency.country.label("country"),
            (Agency.licence_number != "").label("licensed"),
            ranked.c.complaints,
            func.coalesce(fees.c.payers, 0).label("payers"),
            fees.c.fees,
            *([ranked.c._shared] if "_shared" in ranked.c else []),
        )
        .join(ranked, ranked.c.agency_id == Agency.id)
        .outerjoin(fees, fees.c.agency_id == Agency.id)
        .order_by(ranked.c.complaints.desc(), fees.c.fees.desc(), Agency.name)
    )
    found = rows(query)
    for row in found:
        row["licensed"] = "yes" if row["licensed"] else "no"
        row["fees"] = None if row["fees"] is None else round(float(row["fees"]), 2)
    return Table(
        "agencies",
        _l("Agencies named in complaints"),
        _l(
            "The %(count)s agencies named in most complaints, whether they hold a licence, how "
            "many of their workers recorded payments, and what those workers paid, in "
            "%(currency)s at the payment day's rate.",
            count=TOP_AGENCIES,
            currency=scope.currency,
        ),
        [
            Column("agency", _l("Agency"), TEXT),
            Column("country", _l("Country"), LABEL, vocabulary="country"),
            Column("licensed", _l("Licensed"), LABEL, vocabulary="yes_no"),
            Column("complaints", _l("Complaints")),
            Column("payers", _l("Workers who paid")),
            Column(
                "fees", _l("Fees paid (%(currency)s)", currency=scope.currency), MONEY, ("payers",)
            ),
        ],
        found,
        chart=Chart("bars", "agency", ("complaints",)),
    )


def agency_licences(scope: Scope) -> Table:
    """Complaints naming a licensed agency, an unlicensed one, or none."""
    facts = scope.facts
    # Counted per agency first (from the agency index), then the agencies' licences looked up.
    per_agency = (
        select(facts.agency_id.label("agency_id"), func.count().label("n"), *shared_sum(scope))
        .where(*scope.cases())
        .group_by(facts.agency_id)
        .subquery()
    )
    kind = case(
        (per_agency.c.agency_id.is_(None), "none"),
        (Agency.licence_number == "", "unlicensed"),
        else_="licensed",
    )
    shared = [func.sum(c).cast(Integer).label(c.key) for c in per_agency.c if c.key == "_shared"]
    query = (
        select(
            kind.label("licence"),
            func.sum(per_agency.c.n).cast(Integer).label("complaints"),
            *shared,
        )
        .select_from(per_agency)
        .outerjoin(Agency, Agency.id == per_agency.c.agency_id)
        .group_by(kind)
    )
    found = {row["licence"]: row for row in rows(query)}
    return Table(
        "agency_licences",
        _l("Complaints by agency licence"),
        _l("Complaints naming a licensed agency, an agency without a licence number, or none."),
        [
            Column("licence", _l("Agency"), LABEL, vocabulary="licence"),
            Column("complaints", _l("Complaints")),
        ],
        [
            found.get(key, {"licence": key, "complaints": 0})
            for key in ("licensed", "unlicensed", "none")
        ],
        partition=True,
    )
