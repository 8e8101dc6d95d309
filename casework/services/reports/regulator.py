"""The regulator export: per origin country and period, the agencies workers complained about,
their abuse codes, the fees workers paid, money claimed and recovered, and each agency's licence
as the registry records it, as evidence a union brings to a ministry.

Aggregated in SQL over the report facts of the viewer's cases (the report's access rule), with
agencies merged by registry entry (see `licences.merged_key`), and always with small cells
hidden: it leaves the organisation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import Float, case, func, select
from sqlalchemy.orm import aliased

from casework.extensions import db
from casework.models import (
    Agency,
    CaseAbuse,
    Country,
    FeePayment,
    Outcome,
    RegistryAgency,
    User,
)
from casework.services import audit
from casework.services.errors import InvalidInput
from casework.services.reports.case_figures import rows
from casework.services.reports.licences import (
    UNKNOWN,
    licensed_then,
    merged_key,
    status_on,
)
from casework.services.reports.scope import ReportFilters, Scope
from casework.services.reports.sql import convert, utc_day
from casework.services.reports.tables import LABEL, MONEY, TEXT, Column, Table, protect

PARTS = ("agencies", "abuses")
# No per-country table of legal fee limits exists yet (DOMAIN.md: "a per-country rule table,
# editable by admins"); until it does, every row says so rather than guessing a limit.
NO_LIMIT = "none"


@dataclass(frozen=True)
class RegulatorExport:
    country: str
    period_from: date | None
    period_to: date | None
    tables: list[Table]


def regulator_filters(args: dict[str, str]) -> ReportFilters:
    """The country and period from a query string (`origin`, `from`, `to`); nothing else."""
    parsed = ReportFilters.from_args(args)
    return ReportFilters(
        created_from=parsed.created_from, created_to=parsed.created_to, origin=parsed.origin
    )


def _agencies(scope: Scope) -> Table:
    facts = scope.facts
    key = merged_key()
    picked = (
        select(
            facts.case_id.label("case_id"),
            facts.created_at.label("created_at"),
            facts.agency_id.label("agency_id"),
            key.label("key"),
        )
        .join(Agency, Agency.id == facts.agency_id)
        .where(*scope.cases())
        .cte("regulator_cases")
    )
    counted = (
        select(
            picked.c.key,
            func.min(picked.c.agency_id).label("agency_id"),
            func.count().label("complaints"),
        )
        .group_by(picked.c.key)
        .subquery()
    )
    licensed = licensed_then(scope)
    day = func.coalesce(FeePayment.paid_on, utc_day(picked.c.created_at))
    paid = convert(FeePayment.amount_paid, FeePayment.currency, scope.currency, day)
    fees = (
        select(
            picked.c.key,
            func.count(picked.c.case_id.distinct()).label("payers"),
            func.sum(paid).label("fees"),
        )
        .join(FeePayment, FeePayment.case_id == picked.c.case_id)
        .group_by(picked.c.key)
        .subquery()
    )
    on = utc_day(Outcome.recorded_at)
    recovered = case((Outcome.code == "OUT_AWARD", Outcome.amount_enforced), else_=Outcome.amount)
    claimed_rep = convert(Outcome.amount_claimed, Outcome.currency, scope.currency, on)
    recovered_rep = convert(recovered, Outcome.currency, scope.currency, on)
    money = (
        select(
            picked.c.key,
            func.count(picked.c.case_id.distinct())
            .filter(Outcome.amount_claimed.is_not(None))
            .label("claimants"),
            func.sum(claimed_rep, type_=Float).label("claimed"),
            func.count(picked.c.case_id.distinct())
            .filter(recovered.is_not(None), recovered > 0)
            .label("recovering"),
            func.sum(recovered_rep, type_=Float).label("recovered"),
        )
        .join(Outcome, Outcome.case_id == picked.c.case_id)
        .where(Outcome.currency.is_not(None))
        .group_by(picked.c.key)
        .subquery()
    )
    named = aliased(Agency)
    query = (
        select(
            func.coalesce(RegistryAgency.name, named.name).label("agency"),
            func.coalesce(RegistryAgency.licence_number, "").label("licence_number"),
            status_on(RegistryAgency.id, scope.today).label("licence_today"),
            RegistryAgency.valid_until.label("valid_until"),
            counted.c.complaints,
            func.coalesce(licensed.c.licensed_then, 0).label("licensed_then"),
            func.coalesce(fees.c.payers, 0).label("payers"),
            fees.c.fees,
            func.coalesce(money.c.claimants, 0).label("claimants"),
            money.c.claimed,
            func.coalesce(money.c.recovering, 0).label("recovering"),
            money.c.recovered,
        )
        .select_from(counted)
        .join(named, named.id == counted.c.agency_id)
        .outerjoin(RegistryAgency, RegistryAgency.id == -counted.c.key)
        .outerjoin(fees, fees.c.key == counted.c.key)
        .outerjoin(money, money.c.key == counted.c.key)
        .outerjoin(licensed, licensed.c.key == counted.c.key)
        .order_by(counted.c.complaints.desc(), "agency")
    )
    found = rows(query)
    for row in found:
        row["licence_today"] = row["licence_today"] or UNKNOWN
        row["valid_until"] = row["valid_until"].isoformat() if row["valid_until"] else ""
        row["legal_limit"] = NO_LIMIT
        for name in ("fees", "claimed", "recovered"):
            row[name] = None if row[name] is None else round(float(row[name]), 2)
    money_label = {"currency": scope.currency}
    return Table(
        "regulator_agencies",
        _l("Agencies with complaints"),
        _l(
            "Every agency named in complaints from this country in this period (agencies "
            "matched to the same registry entry count as one), its licence according to the "
            "registry, in how many complaints it was licensed on the day of recruitment, what "
            "workers paid it and others to get the job, and money claimed and recovered, in "
            "%(currency)s at each day's rate.",
            currency=scope.currency,
        ),
        [
            Column("agency", _l("Agency"), TEXT),
            Column("licence_number", _l("Licence number (registry)"), TEXT),
            Column("licence_today", _l("Licence today"), LABEL, vocabulary="registry_status"),
            Column("valid_until", _l("Licence valid until"), TEXT),
            Column("complaints", _l("Complaints")),
            Column("licensed_then", _l("Licensed at recruitment")),
            Column("payers", _l("Workers who paid")),
            Column("fees", _l("Fees paid (%(currency)s)", **money_label), MONEY, ("payers",)),
            Column("legal_limit", _l("Legal fee limit"), LABEL, vocabulary="legal_limit"),
            Column("claimants", _l("Workers who claimed money")),
            Column("claimed", _l("Claimed (%(currency)s)", **money_label), MONEY, ("claimants",)),
            Column("recovering", _l("Workers who recovered money")),
            Column(
                "recovered", _l("Recovered (%(currency)s)", **money_label), MONEY, ("recovering",)
            ),
        ],
        found,
        note=_l(
            "No legal fee limit is recorded for this country: fees are shown as paid. Under the "
            "ILO's fair recruitment principles, workers should pay no recruitment fees at all."
        ),
    )


def _abuses(scope: Scope) -> Table:
    facts = scope.facts
    key = merged_key()
    named = aliased(Agency)
    per_code = (
        select(
            key.label("key"),
            func.min(Agency.id).label("agency_id"),
            CaseAbuse.code.label("code"),
            func.count(facts.case_id.distinct()).label("complaints"),
        )
        .join(Agency, Agency.id == facts.agency_id)
        .join(CaseAbuse, CaseAbuse.case_id == facts.case_id)
        .where(*scope.cases())
        .group_by(key, CaseAbuse.code)
        .subquery()
    )
    query = (
        select(
            func.coalesce(RegistryAgency.name, named.name).label("agency"),
            per_code.c.code,
            per_code.c.complaints,
        )
        .select_from(per_code)
        .join(named, named.id == per_code.c.agency_id)
        .outerjoin(RegistryAgency, RegistryAgency.id == -per_code.c.key)
        .order_by("agency", per_code.c.complaints.desc(), per_code.c.code)
    )
    return Table(
        "regulator_abuses",
        _l("Abuses reported against each agency"),
        _l("For each agency, how many complaints report each kind of abuse."),
        [
            Column("agency", _l("Agency"), TEXT),
            Column("code", _l("Abuse"), LABEL, vocabulary="abuse"),
            Column("complaints", _l("Complaints")),
        ],
        rows(query),
    )


def origin_choices() -> list[str]:
    """The origin countries the export's form offers."""
    return list(
        db.session.scalars(select(Country.code).where(Country.is_origin).order_by(Country.code))
    )


def regulator_export(
    actor: User,
    filters: ReportFilters,
    currency: str = "USD",
    parts: tuple[str, ...] = PARTS,
) -> RegulatorExport:
    """The export for one origin country and period, over the cases the viewer's reports cover,
    small cells hidden, recorded on the audit trail (the country and period, never a case).
    `InvalidInput` when no origin country is chosen or the period runs backwards."""
    problems = {}
    if not filters.origin:
        problems["origin"] = _l("Choose the country workers were recruited from.")
    if filters.created_from and filters.created_to and filters.created_from > filters.created_to:
        problems["to"] = _l("The end of the period is before its start.")
    if problems:
        raise InvalidInput(problems)
    scope = Scope.for_actor(actor, filters, currency=currency)
    figures = {"agencies": _agencies, "abuses": _abuses}
    tables = [protect(figures[part](scope), everyone=True) for part in parts]
    detail = "&".join(f"{k}={v}" for k, v in sorted(filters.to_args().items()))
    audit.record_audit(actor, audit.EXPORT, "report", f"regulator:{','.join(parts)}", detail)
    db.session.commit()
    return RegulatorExport(filters.origin, filters.created_from, filters.created_to, tables)
