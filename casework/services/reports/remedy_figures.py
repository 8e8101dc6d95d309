"""Figures about what the cases achieved: outcomes, the remedy rate, money claimed and
recovered, and referrals to access-to-justice forums. Aggregated in SQL; amounts are converted
to the reporting currency in SQL at the rate of the day they were recorded."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Float, case, func, literal, null, select, union_all

from casework.models import Outcome
from casework.models.report_case import OUTCOME, REMEDY
from casework.services.reports import cubes, rolled, rollups
from casework.services.reports.case_figures import rows, shared_column, shared_sum
from casework.services.reports.entity_rollups import ANY_CURRENCY
from casework.services.reports.money_facts import recovered
from casework.services.reports.money_rollups import AMOUNTS, OUTCOMES
from casework.services.reports.scope import Scope
from casework.services.reports.sql import converted, unordered, utc_day, with_rates
from casework.services.reports.tables import (
    CURRENCY,
    LABEL,
    MONEY,
    PERCENT,
    Chart,
    Column,
    Table,
)

ALL = "*"  # the row adding every currency up in the reporting currency


def shared_cases_column(case_id: Any, test: Any) -> Any:
    """The `_shared` column: how many distinct cases pass `test`."""
    return func.count(case((test, case_id)).distinct()).label("_shared")


def in_cents(value: object) -> float | None:
    """An amount as the tables show it: rounded to the cent."""
    return None if value is None else round(float(value), 2)  # type: ignore[arg-type]


def outcomes_by_code(scope: Scope) -> Table:
    # Every case: the outcomes by code, read in the order of their (code, case) index.
    # Some cases: grouped on an expression, so that SQLite starts from the report's cases
    # and looks up their codes instead of walking every outcome in code order.
    code = Outcome.code if scope.covers_every_case else unordered(Outcome.code)
    shared = scope.shared()
    # Cases another organisation also holds, each once however many outcomes of the code
    # it has (as the rollup counts them).
    shared_cases = [] if shared is None else [shared_cases_column(Outcome.case_id, shared)]
    counted = select(
        code.label("code"),
        func.count(Outcome.case_id.distinct()).label("cases"),
        *shared_cases,
    )
    query = (
        scope.narrow(counted, Outcome.case_id)
        .group_by(code)
        .order_by(func.count(Outcome.case_id.distinct()).desc(), code)
    )
    return Table(
        "outcomes",
        _l("Outcomes by code"),
        _l("Cases with each recorded outcome. A case can have several outcomes."),
        [Column("code", _l("Outcome"), LABEL, vocabulary="outcome"), Column("cases", _l("Cases"))],
        rolled.outcomes(scope) if rollups.serves(scope) else rows(query),
        chart=Chart("bars", "code", ("cases",)),
    )


def remedy_rate(scope: Scope) -> Table:
    facts = scope.facts
    counted = select(
        func.count().filter(facts.outcome_state >= OUTCOME).label("with_outcome"),
        func.count().filter(facts.outcome_state == REMEDY).label("remedied"),
        *shared_sum(scope),
    ).where(facts.outcome_state >= OUTCOME, *scope.cases())
    found = rolled.remedy_rate(scope) if rollups.serves(scope) else rows(counted)
    for row in found:
        total, remedied_count = row["with_outcome"], row["remedied"]
        row["rate"] = round(100.0 * remedied_count / total, 1) if total else None
    return Table(
        "remedy_rate",
        _l("Remedy rate"),
        _l(
            "Of the cases with a recorded outcome, the share where the worker obtained a "
            "remedy: money recovered, a settlement, an award, repatriation, documents returned, "
            "a transfer to another employer, or an absconding charge cleared."
        ),
        [
            Column("with_outcome", _l("Cases with an outcome")),
            Column("remedied", _l("Cases with a remedy")),
            Column("rate", _l("Remedy rate (%)"), PERCENT, basis=("with_outcome", "remedied")),
        ],
        found,
    )


def _money_picked(scope: Scope) -> tuple[Any, Any, Any]:
    """The money figure's day sums, cases per currency and cases with money, from the
    outcomes of the report's cases."""
    shared = scope.shared()
    picked = scope.narrow(
        select(
            Outcome.case_id.label("case_id"),
            Outcome.currency.label("currency"),
            utc_day(Outcome.recorded_at).label("day"),
            Outcome.amount_claimed.label("claimed"),
            Outcome.amount.label("agreed"),
            recovered().label("recovered"),
            *shared_column(scope),
        ).where(Outcome.currency.is_not(None)),
        Outcome.case_id,
    )
    # The outcomes with money of the report's cases, read by the three sums below: picked
    # once when that takes a join (a common table), else straight from their index.
    m = picked.subquery("money") if scope.covers_every_case else picked.cte("money")
    daily = (
        select(
            m.c.currency,
            m.c.day,
            func.sum(m.c.claimed, type_=Float).label("claimed"),
            func.sum(m.c.agreed, type_=Float).label("agreed"),
            func.sum(m.c.recovered, type_=Float).label("recovered"),
            func.count(m.c.claimed).label("n_claimed"),
            func.count(m.c.recovered).label("n_recovered"),
        )
        .group_by(m.c.currency, m.c.day)
        .cte("money_days")
    )
    cases = (
        select(
            m.c.currency,
            func.count(m.c.case_id.distinct()).label("cases"),
            *([] if shared is None else [func.sum(m.c.shared).label("_shared")]),
        )
        .group_by(m.c.currency)
        .cte("money_cases")
    )
    return daily, cases, select(func.count(m.c.case_id.distinct())).scalar_subquery()


def _money_rolled(scope: Scope) -> tuple[Any, Any, Any]:
    """The same, from the money groups (day sums in cents) and the cases with money per
    currency of the entity rollup."""
    r = cubes.money_groups(scope).c
    groups = [r.forum == OUTCOMES]

    daily = (
        select(
            r.currency,
            r.day,
            *[cubes.cents(r, name) for name in AMOUNTS],
            func.sum(r.n_claimed).label("n_claimed"),
            func.sum(r.n_recovered).label("n_recovered"),
        )
        .where(*groups)
        .group_by(r.currency, r.day)
        .cte("money_days")
    )
    e = cubes.entities(scope, rollups.BY_MONEY)
    shared = []
    if "_shared" in e.c:  # outcomes of cases another organisation shares, as counted above
        outcomes = func.sum(case((r.shared == 1, r["items"]), else_=0))
        per_currency = select(r.currency, outcomes.label("n")).where(*groups).group_by(r.currency)
        shared_outcomes = per_currency.subquery("shared_outcomes")
        shared = [
            select(shared_outcomes.c.n)
            .where(shared_outcomes.c.currency == e.c.detail)
            .scalar_subquery()
            .label("_shared")
        ]
    cases = (
        select(e.c.detail.label("currency"), e.c.cases, *shared)
        .where(e.c.detail != ANY_CURRENCY)
        .cte("money_cases")
    )
    everyone = select(e.c.cases).where(e.c.detail == ANY_CURRENCY).scalar_subquery()
    return daily, cases, func.coalesce(everyone, 0)


def money(scope: Scope) -> Table:
    """Claimed, agreed or awarded, and recovered, per currency and in the reporting currency.

    Recovered is what reached the worker: the amount paid, except for awards, where it is the
    amount actually enforced. Amounts are first added up per currency and day, then converted
    at that day's rate: the same sum as converting each amount, with far fewer rate lookups.
    A report with no filter but the organisation reads those day sums from the money groups."""
    target = scope.currency
    gathered = _money_rolled if rollups.serves(scope) else _money_picked
    daily, cases, all_cases = gathered(scope)
    rated = with_rates(daily, target, "money_rated")
    d = rated.c
    claimed_rep = converted(d.claimed, d, target)
    recovered_rep = converted(d.recovered, d, target)
    in_target = [
        func.sum(claimed_rep).label("claimed_rep"),
        func.sum(recovered_rep).label("recovered_rep"),
        func.sum(
            case((claimed_rep.is_(None), d.n_claimed), else_=0)
            + case((recovered_rep.is_(None), d.n_recovered), else_=0)
        ).label("no_rate"),
    ]
    sums = (
        select(
            d.currency,
            func.sum(d.claimed).label("claimed"),
            func.sum(d.agreed).label("agreed"),
            func.sum(d.recovered).label("recovered"),
            *in_target,
        )
        .group_by(d.currency)
        .subquery()
    )
    shared_cases = [c for c in cases.c if c.key == "_shared"]
    by_currency = select(
        sums.c.currency,
        sums.c.claimed,
        sums.c.agreed,
        sums.c.recovered,
        cases.c.cases,
        sums.c.claimed_rep,
        sums.c.recovered_rep,
        sums.c.no_rate,
        *shared_cases,
    ).join(cases, cases.c.currency == sums.c.currency)
    everything = select(
        literal(ALL).label("currency"),
        null().label("claimed"),
        null().label("agreed"),
        null().label("recovered"),
        all_cases.label("cases"),
        *in_target,
        *[select(func.sum(c)).scalar_subquery().label("_shared") for c in shared_cases],
    ).select_from(rated)
    found = rows(union_all(by_currency, everything))
    found.sort(key=lambda r: (r["currency"] == ALL, r["currency"]))
    if found and found[-1]["currency"] == ALL and not found[-1]["cases"]:
        found.pop()
    for row in found:
        for key in ("claimed", "agreed", "recovered", "claimed_rep", "recovered_rep"):
            row[key] = in_cents(row[key])
        row["no_rate"] = int(row["no_rate"] or 0)
    return Table(
        "money",
        _l("Money claimed and recovered"),
        _l(
            "Amounts recorded with outcomes, per currency and converted to %(currency)s at the "
            "rate of the day each outcome was recorded. Recovered is what reached the worker: the "
            "amount paid, or for an award the amount actually enforced.",
            currency=target,
        ),
        [
            Column("currency", _l("Currency"), CURRENCY),
            Column("cases", _l("Cases")),
            Column("claimed", _l("Claimed"), MONEY, basis=("cases",)),
            Column("agreed", _l("Agreed or awarded"), MONEY, basis=("cases",)),
            Column("recovered", _l("Recovered"), MONEY, basis=("cases",)),
            Column("claimed_rep", _l("Claimed (%(currency)s)", currency=target), MONEY, ("cases",)),
            Column(
                "recovered_rep", _l("Recovered (%(currency)s)", currency=target), MONEY, ("cases",)
            ),
            Column("no_rate", _l("Amounts without a rate")),
        ],
        found,
        chart=Chart("bars", "currency", ("claimed_rep", "recovered_rep")),
    )
