"""Figures about recruitment itself: the SDG 10.7.1 recruitment-cost indicator by corridor, and
the agencies workers complain about, with the fees they charged. Aggregated in SQL."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Integer, case, func, select, union_all
from sqlalchemy.orm import aliased

from casework.models import Agency, FeePayment, RegistryAgency
from casework.services.reports import rolled, rollups
from casework.services.reports.case_figures import rows, shared_sum
from casework.services.reports.licences import (
    KINDS,
    NO_AGENCY,
    UNKNOWN,
    judged,
    licensed_then,
    merged_key,
    per_judgement,
    status_on,
)
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


def _per_agency(per: Any) -> Any:
    """Complaints per agency row (agency_id NULL: none named), before merging, from the counts
    per agency and judgement (`per`, licences.per_judgement: the groups or the facts read once
    for both)."""
    shared = [] if "_shared" not in per.c else [func.sum(per.c._shared).label("_shared")]
    return (
        select(per.c.agency_id, func.sum(per.c.n).label("n"), *shared)
        .group_by(per.c.agency_id)
        .subquery()
    )


def agencies(scope: Scope) -> Table:
    """The agencies named in most complaints, with the fees workers paid in their cases.

    Agencies linked to the same registry entry are one agency, named as the registry names
    it; "licensed at recruitment" counts the complaints whose agency the registry lists as
    valid on the day of recruitment (see `licences`)."""
    facts = scope.facts
    per = per_judgement(scope)
    per_agency = _per_agency(per)
    key = merged_key()
    shared = [func.sum(c).cast(Integer).label(c.key) for c in per_agency.c if c.key == "_shared"]
    ranked = (
        select(
            key.label("key"),
            func.min(Agency.id).label("agency_id"),
            func.sum(per_agency.c.n).cast(Integer).label("complaints"),
            *shared,
        )
        .select_from(per_agency)
        .join(Agency, Agency.id == per_agency.c.agency_id)
        .group_by(key)
        .order_by(func.sum(per_agency.c.n).desc(), key)
        .limit(TOP_AGENCIES)
        .cte("ranked_agencies")
    )
    day = func.coalesce(FeePayment.paid_on, utc_day(facts.created_at))
    paid = convert(FeePayment.amount_paid, FeePayment.currency, scope.currency, day)
    ranked_keys = select(ranked.c.key)
    fees = (
        select(
            key.label("key"),
            func.count(facts.case_id.distinct()).label("payers"),
            func.sum(paid).label("fees"),
        )
        .join(Agency, Agency.id == facts.agency_id)
        .join(FeePayment, FeePayment.case_id == facts.case_id)
        # the ranked agencies' ids, so the facts' agency index finds their cases alone
        .where(facts.agency_id.in_(select(Agency.id).where(key.in_(ranked_keys))))
        .where(*scope.cases())
        .group_by(key)
        .subquery()
    )
    licensed = licensed_then(scope, ranked_keys, per)
    named = aliased(Agency)
    query = (
        select(
            ranked.c.agency_id.label("_agency_id"),
            func.coalesce(RegistryAgency.name, named.name).label("agency"),
            func.coalesce(RegistryAgency.country, named.country).label("country"),
            status_on(RegistryAgency.id, scope.today).label("licence_today"),
            ranked.c.complaints,
            func.coalesce(licensed.c.licensed_then, 0).label("licensed_then"),
            func.coalesce(fees.c.payers, 0).label("payers"),
            fees.c.fees,
            *([ranked.c._shared] if "_shared" in ranked.c else []),
        )
        .select_from(ranked)
        .join(named, named.id == ranked.c.agency_id)
        .outerjoin(RegistryAgency, RegistryAgency.id == -ranked.c.key)
        .outerjoin(fees, fees.c.key == ranked.c.key)
        .outerjoin(licensed, licensed.c.key == ranked.c.key)
        .order_by(ranked.c.complaints.desc(), fees.c.fees.desc(), "agency")
    )
    found = rows(query)
    for row in found:
        row["licence_today"] = row["licence_today"] or UNKNOWN
        row["fees"] = None if row["fees"] is None else round(float(row["fees"]), 2)
    return Table(
        "agencies",
        _l("Agencies named in complaints"),
        _l(
            "The %(count)s agencies named in most complaints (agencies matched to the same "
            "registry entry count as one), their licence today according to the registry, in "
            "how many complaints the registry shows them licensed on the day of recruitment, "
            "how many of their workers recorded payments, and what those workers paid, in "
            "%(currency)s at the payment day's rate.",
            count=TOP_AGENCIES,
            currency=scope.currency,
        ),
        [
            Column("agency", _l("Agency"), TEXT),
            Column("country", _l("Country"), LABEL, vocabulary="country"),
            Column("licence_today", _l("Licence today"), LABEL, vocabulary="registry_status"),
            Column("complaints", _l("Complaints")),
            Column("licensed_then", _l("Licensed at recruitment")),
            Column("payers", _l("Workers who paid")),
            Column(
                "fees", _l("Fees paid (%(currency)s)", currency=scope.currency), MONEY, ("payers",)
            ),
        ],
        found,
        chart=Chart("bars", "agency", ("complaints",)),
    )


def agency_licences(scope: Scope) -> Table:
    """Complaints by what the registry says of their agency on the day of recruitment:
    licensed, not licensed, not known (no registry link, or a history that does not reach
    back), or no agency named."""
    # Agencies without a registry link are counted per agency (from the agency index); the
    # complaints naming a linked agency are judged per agency, against its history.
    per = per_judgement(scope)
    per_agency = _per_agency(per)
    shared = [func.sum(c).cast(Integer).label(c.key) for c in per_agency.c if c.key == "_shared"]
    unlinked_kind = case((per_agency.c.agency_id.is_(None), NO_AGENCY), else_=UNKNOWN)
    unlinked = (
        select(
            unlinked_kind.label("licence"),
            func.sum(per_agency.c.n).cast(Integer).label("complaints"),
            *shared,
        )
        .select_from(per_agency)
        .outerjoin(Agency, Agency.id == per_agency.c.agency_id)
        .where(Agency.registry_agency_id.is_(None))
        .group_by(unlinked_kind)
    )
    judgements = judged(scope, per)
    linked = select(
        judgements.c.licence,
        func.sum(judgements.c.n).cast(Integer).label("complaints"),
        *(
            [func.sum(judgements.c._shared).cast(Integer).label("_shared")]
            if "_shared" in judgements.c
            else []
        ),
    ).group_by(judgements.c.licence)
    found: dict[str, dict[str, Any]] = {}
    for row in rows(union_all(unlinked, linked)):  # one statement: the facts read once
        total = found.setdefault(row["licence"], {"licence": row["licence"], "complaints": 0})
        for name in ("complaints", "_shared"):
            if name in row:
                total[name] = total.get(name, 0) + int(row[name] or 0)
    return Table(
        "agency_licences",
        _l("Complaints by agency licence"),
        _l(
            "Complaints by what the agency registry says of their agency on the day of "
            "recruitment (the departure date, else the first payment; today when neither is "
            "known). A licence number the worker typed is not enough: the agency must be "
            "matched to the registry."
        ),
        [
            Column("licence", _l("Agency"), LABEL, vocabulary="licence"),
            Column("complaints", _l("Complaints")),
        ],
        [found.get(key, {"licence": key, "complaints": 0}) for key in KINDS],
        partition=True,
    )
