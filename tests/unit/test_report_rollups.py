"""Every rollup (`report_rollups`, `report_code_rollups`, `report_entity_rollups`,
`report_money_rollups`) stays equal to the groups of a fresh computation from the source
tables, whatever sequence of case changes came before; and the figures read from it equal the figures
read from the facts.

Property-based (hypothesis): each example starts from no case (the case tables emptied, a few
deletes), lodges complaints on random days, corridors and abuse codes, answers offers, moves
statuses, records outcomes and changes exchange rates through the services, as staff do; then
compares every group with the facts computed afresh from cases, assignments, outcomes and
fee payments (casework.services.reports.facts.facts_query), and the report's tables with the
rollup and without it, for an admin and a supervisor, with and without filters.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from flask import Flask
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from casework.extensions import db
from casework.models import (
    Assignment,
    Case,
    ExchangeRate,
    Outcome,
    Referral,
    ReportMoneyRollup,
    User,
)
from casework.models.report_case import ReportCodeRollup, ReportEntityRollup, ReportRollup
from casework.services.assignments.operations import accept_offer, decline_offer
from casework.services.casefile.lifecycle import change_status
from casework.services.casefile.outcomes import record_outcome
from casework.services.errors import DomainError
from casework.services.reports import compute, rollups
from casework.services.reports.facts import COLUMNS, facts_query
from casework.services.reports.rates import save_rate
from casework.services.reports.scope import ReportFilters, Scope
from casework.services.reports.wait_ranges import DAY, RANGES
from casework.vocabulary.abuse import ABUSE_CODES

START = datetime(2026, 1, 27, 9, 0, tzinfo=UTC)  # day 0 falls in a month the filters cut
CORRIDORS = (("NP", "QA"), ("NP", "AE"), ("PH", "QA"))
ABUSES = ("RA_FEES", "FL_DOCS", "FL_WAGES", "RA_NO_JOB")
STATUSES = ("triaged", "in_progress", "resolved", "closed", "withdrawn")
OUTCOMES = ("OUT_MONEY_RECOVERED", "OUT_AWARD", "OUT_LICENCE_ACTION", "OUT_WITHDRAWN")
ROLLED = (
    "summary",
    "new_cases",
    "open_by_status",
    "remedy_rate",
    "recruitment_cost",
    "outcomes",
    "response_spread",
    "agencies",
    "agency_licences",
    "caseload",
    "money",
    "referrals",
    "referral_outcomes",
    "response_times",
)
# Lodgings name one of these agencies, by day (None: no agency named).
AGENCIES = ({"name": "Himal Overseas", "licence_number": "1234/067/68"}, {"name": "Gorkha"}, None)
ROLLUP_TABLES = (ReportRollup, ReportCodeRollup, ReportEntityRollup, ReportMoneyRollup)

lodging = st.tuples(
    st.just("lodge"),
    st.integers(0, 80),  # days after START
    st.sampled_from(CORRIDORS),
    st.sets(st.sampled_from(ABUSES), max_size=3),
    st.booleans(),  # fees and a wage: a measurable recruitment cost
)
answering = st.tuples(st.sampled_from(("accept", "decline")), st.integers(0, 5))
moving = st.tuples(st.just("status"), st.integers(0, 5), st.sampled_from(STATUSES))
ending = st.tuples(st.just("outcome"), st.integers(0, 5), st.sampled_from(OUTCOMES))
rating = st.tuples(st.just("rate"), st.sampled_from(("NPR", "QAR")), st.integers(40, 160))
referring = st.tuples(
    st.just("refer"),
    st.integers(0, 5),
    st.sampled_from(("DEST_LABOUR_COURT", "ORIG_REGULATOR")),
    st.sampled_from(("sent", "decided", "closed")),
)
steps = st.lists(
    st.one_of(lodging, lodging, answering, moving, ending, rating, referring),
    min_size=1,
    max_size=7,
)


@pytest.fixture
def world(app: Flask, make_org: Any, make_user: Any) -> dict[str, User]:
    for currency, per_usd in (("NPR", "100"), ("QAR", "4"), ("AED", "3.67"), ("PHP", "56")):
        rate = db.session.get(ExchangeRate, (currency, date(2025, 1, 1)))
        if rate is None:
            rate = ExchangeRate(currency=currency, valid_from=date(2025, 1, 1))
            db.session.add(rate)
        rate.per_usd = Decimal(per_usd)
    db.session.commit()
    gefont = make_org("gefont", ["NP"], ["ne", "en"])
    gulf = make_org("gulf-legal-aid", ["QA"], ["ne", "en"], kind="legal_aid")
    platform = make_org("platform", [], ["en"])
    return {
        "gefont": make_user(gefont, "caseworker", ["ne", "en"]),
        "gulf": make_user(gulf, "caseworker", ["ne", "en"]),
        "supervisor": make_user(gefont, "supervisor", ["ne", "en"]),
        "admin": make_user(platform, "admin"),
    }


def _case_tables() -> list[Any]:
    """The tables holding cases and whatever hangs off them, dependants first."""
    dependent = {"cases"}
    for table in db.metadata.sorted_tables:
        if any(fk.column.table.name in dependent for fk in table.foreign_keys):
            dependent.add(table.name)
    return [t for t in reversed(db.metadata.sorted_tables) if t.name in dependent]


def _empty() -> None:
    db.session.rollback()
    for table in _case_tables():
        db.session.execute(delete(table))
    for rollup in ROLLUP_TABLES:
        db.session.execute(delete(rollup.__table__))
    db.session.commit()


def _cases() -> list[Case]:
    return list(db.session.scalars(select(Case).order_by(Case.id)))


def _apply(step: tuple[Any, ...], people: dict[str, User], lodge: Any) -> None:
    kind, cases = step[0], _cases()
    if kind == "lodge":
        _, days, (origin, destination), abuses, paid = step
        changes: dict[str, Any] = {
            "origin_country": origin,
            "destination_country": destination,
            "abuse_categories": sorted(abuses),
            "agency": AGENCIES[days % len(AGENCIES)] or {},
        }
        if not paid:
            changes.update(fees=[], actual_monthly_wage=None)
        with time_machine.travel(START + timedelta(days=days, hours=days % 7), tick=False):
            lodge(**changes)
        return
    if kind == "rate":
        _, currency, per_usd = step
        save_rate(
            people["admin"],
            {"currency": currency, "valid_from": "2026-02-01", "per_usd": str(per_usd)},
        )
        return
    if not cases:
        return
    case = cases[step[1] % len(cases)]
    if kind == "refer":  # written as staff's steps leave it (decided: with an award)
        _, n, forum, status = step
        referral = Referral(case_id=case.id, forum_kind=forum, status=status)
        if status != "sent":
            referral.outcome_code = "OUT_AWARD" if n % 2 else "OUT_UNRESOLVED"
            referral.decided_at = START + timedelta(days=60 + n)
            if n % 2:
                referral.amount_awarded, referral.amount_enforced = Decimal("500.75"), None
                referral.currency = "QAR"
        db.session.add(referral)
        db.session.commit()
        return
    later = START + timedelta(days=90 + step[1])
    by_org = {people[k].organisation_id: people[k] for k in ("gefont", "gulf")}
    try:
        with time_machine.travel(later, tick=False):
            if kind in ("accept", "decline"):
                offer = next((a for a in case.assignments if a.status == "offered"), None)
                if offer is None or offer.organisation_id not in by_org:
                    return
                actor = by_org[offer.organisation_id]
                if kind == "accept":
                    accept_offer(actor, case, offer.id)
                else:
                    decline_offer(actor, case, offer.id, "Not our corridor")
                return
            holder = next(
                (
                    by_org[a.organisation_id]
                    for a in case.assignments
                    if a.status == "accepted" and a.organisation_id in by_org
                ),
                None,
            )
            if holder is None:
                return
            if kind == "status":
                change_status(holder, case, step[2], case.version, "a reason")
            else:
                data = {"code": step[2]}
                if step[2] == "OUT_MONEY_RECOVERED":
                    data.update(amount="20000", currency="NPR")
                elif step[2] == "OUT_AWARD":  # recovered: the amount enforced
                    data.update(amount_claimed="900.25", amount="750.5", amount_enforced="300.1")
                    data["currency"] = "QAR" if step[1] % 2 else "NPR"
                record_outcome(holder, case, data, case.version)
    except DomainError:
        db.session.rollback()  # a step the rules refuse changes nothing


def _fresh_rows() -> list[tuple[int, dict[str, Any]]]:
    """Each case's facts computed afresh from the source tables (not the stored facts), under
    every organisation (0) and under each organisation holding it."""
    fresh = {
        row[0]: dict(zip(COLUMNS, row, strict=True)) for row in db.session.execute(facts_query())
    }
    held = set(
        db.session.execute(
            select(Assignment.organisation_id, Assignment.case_id).where(
                Assignment.status != "declined"
            )
        )
    )
    rows = [(0, facts) for facts in fresh.values()]
    return rows + [(organisation, fresh[case_id]) for organisation, case_id in held]


def _range_of(days: int) -> str:
    """The code of the response spread's range a whole number of days falls in."""
    return next(
        code
        for code, (_, low, high) in RANGES.items()
        if days >= low and (high is None or days < high)
    )


def _fresh_code_groups() -> dict[tuple[Any, ...], int]:
    """The cases per outcome code (from the outcomes table itself) and per range of days to
    the first answer (from the acceptances, through the fresh facts), per group."""
    outcomes: dict[int, set[str]] = defaultdict(set)
    for case_id, code in db.session.execute(select(Outcome.case_id, Outcome.code)):
        outcomes[case_id].add(code)
    groups: dict[tuple[Any, ...], int] = defaultdict(int)
    for organisation, f in _fresh_rows():
        codes = [("outcome", code) for code in outcomes[f["case_id"]]]
        seconds = f["first_response_seconds"]
        if seconds is not None and seconds >= 0:
            codes.append(("wait", _range_of(int(seconds // DAY))))
        for abuse in [""] + [c for c in f["abuse_codes"].split() if c in ABUSE_CODES]:
            for measure, code in codes:
                key = (
                    organisation,
                    abuse,
                    f["created_month"],
                    f["origin_country"],
                    f["destination_country"],
                    measure,
                    code,
                    int(f["organisations"] > 1),
                )
                groups[key] += 1
    return dict(groups)


def _stored_code_groups() -> dict[tuple[Any, ...], int]:
    table = ReportCodeRollup.__table__
    found = db.session.execute(select(table).where(table.c.cases != 0)).mappings()
    return {tuple(row[k] for k in rollups.CODE_KEYS): row["cases"] for row in found}


def _fresh_groups() -> dict[tuple[Any, ...], tuple[int, int, float]]:
    """The groups computed from the source tables, not from the stored facts."""
    groups: dict[tuple[Any, ...], list[Any]] = defaultdict(lambda: [0, 0, 0.0])
    for organisation, f in _fresh_rows():
        codes = [""] + [c for c in f["abuse_codes"].split() if c in ABUSE_CODES]
        for code in codes:
            key = (
                organisation,
                code,
                f["created_month"],
                f["origin_country"],
                f["destination_country"],
                f["status"],
                f["outcome_state"],
                int(f["organisations"] > 1),
            )
            group = groups[key]
            group[0] += 1
            if f["recruitment_months"] is not None:
                group[1] += 1
                group[2] += f["recruitment_months"]
    return {key: (n, m, s) for key, (n, m, s) in groups.items()}


def _stored_groups() -> dict[tuple[Any, ...], tuple[int, int, float]]:
    table = ReportRollup.__table__
    found = db.session.execute(select(table).where(table.c.cases != 0)).mappings()
    return {
        tuple(row[k] for k in rollups.KEYS): (row["cases"], row["measured"], row["months_sum"])
        for row in found
    }


def _fresh_entity_groups() -> dict[tuple[Any, ...], tuple[int, int]]:
    """The cases per agency (with the licence judgement), per caseworker holding them (with
    the status), with money per currency (and in any), per referral kind and per whole hour
    of each clock, from the fresh facts, the outcomes and the referrals."""
    groups: dict[tuple[Any, ...], list[int]] = defaultdict(lambda: [0, 0])
    money, referred = _money_of_cases(), _referrals_of_cases()
    for organisation, f in _fresh_rows():
        shared = int(f["organisations"] > 1)
        keys = [(organisation, "agency", f["agency_id"] or 0, f["licence_then"] or "")]
        for side in ("origin", "destination"):
            if f[f"{side}_caseworker_id"] is not None:
                keys.append((organisation, "holder", f[f"{side}_caseworker_id"], f["status"]))
        currencies = {currency for currency, _, _ in money[f["case_id"]]}
        keys += [(organisation, "money", 0, c) for c in sorted(currencies)]
        keys += [(organisation, "money", 0, "")] if currencies else []
        keys += _referral_keys(organisation, referred[f["case_id"]])
        for kind, clock in (
            ("resp_hours", "first_response_seconds"),
            ("res_hours", "resolution_seconds"),
        ):
            if f[clock] is not None:
                keys.append((organisation, kind, -1 if f[clock] < 0 else int(f[clock] // 3600), ""))
        for organisation_, kind, entity, detail in keys:
            hours = kind in ("resp_hours", "res_hours")  # in the totals groups alone
            for grain in _grains(f, totals_only=hours):
                group = groups[(organisation_, kind, *grain, entity, detail)]
                group[0] += 1
                group[1] += shared
        # per month alone: hours to a first answer, whole days to resolution
        for kind, clock, width in (
            ("resp_month", "first_response_seconds", 3600),
            ("res_month", "resolution_seconds", 86400),
        ):
            if f[clock] is not None:
                bin_ = -1 if f[clock] < 0 else int(f[clock] // width)
                group = groups[(organisation, kind, "", "", "", f["created_month"], bin_, "")]
                group[0] += 1
                group[1] += shared
    return {key: (n, shared) for key, (n, shared) in groups.items()}


def _grains(f: dict[str, Any], totals_only: bool = False) -> list[tuple[str, str, str, str]]:
    """The abuse code, corridor and month of the entity and money groups a fact row counts
    in: the totals group (all ""), and unless `totals_only` its month and corridor for any
    abuse and for each abuse code of the case."""
    grains = [("", "", "", "")]
    if totals_only:
        return grains
    codes = [""] + [c for c in f["abuse_codes"].split() if c in ABUSE_CODES]
    corridor = (f["origin_country"], f["destination_country"], f["created_month"])
    return grains + [(code, *corridor) for code in codes]


def _referral_keys(organisation: int, referrals: list[Referral]) -> list[tuple[Any, ...]]:
    """A case's referral kinds: one per referral passing each test, one per forum kind, one
    per forum kind and outcome code."""
    keys = []
    for r in referrals:
        if r.status in ("proposed", "consented", "sent", "acknowledged", "hearing"):
            keys.append((organisation, "ref_open", 0, r.forum_kind))
        if r.status in ("decided", "closed"):
            keys.append((organisation, "ref_done", 0, r.forum_kind))
        if r.amount_awarded is not None and r.amount_awarded > 0:
            keys.append((organisation, "ref_award", 0, r.forum_kind))
    keys += [(organisation, "referred", 0, forum) for forum in {r.forum_kind for r in referrals}]
    coded = {f"{r.forum_kind} {r.outcome_code}" for r in referrals if r.outcome_code}
    return keys + [(organisation, "ref_code", 0, code) for code in coded]


def _stored_entity_groups() -> dict[tuple[Any, ...], tuple[int, int]]:
    table = ReportEntityRollup.__table__
    found = db.session.execute(select(table).where(table.c.cases != 0)).mappings()
    return {
        tuple(row[k] for k in rollups.ENTITY_KEYS): (row["cases"], row["shared_cases"])
        for row in found
    }


def _money_of_cases() -> dict[int, list[tuple[str, date, tuple[Any, ...]]]]:
    """Per case, its outcomes with a currency: currency, UTC day, and the amounts claimed,
    agreed and recovered (for an award, the amount enforced), from the outcomes table."""
    found: dict[int, list[tuple[str, date, tuple[Any, ...]]]] = defaultdict(list)
    for outcome in db.session.scalars(select(Outcome).where(Outcome.currency.is_not(None))):
        enforced = outcome.amount_enforced if outcome.code == "OUT_AWARD" else outcome.amount
        day = outcome.recorded_at.astimezone(UTC).date()
        amounts = (outcome.amount_claimed, outcome.amount, enforced)
        found[outcome.case_id].append((str(outcome.currency), day, amounts))
    return found


def _referrals_of_cases() -> dict[int, list[Referral]]:
    found: dict[int, list[Referral]] = defaultdict(list)
    for referral in db.session.scalars(select(Referral)):
        found[referral.case_id].append(referral)
    return found


def _fresh_money_groups() -> dict[tuple[Any, ...], tuple[int, ...]]:
    """The outcomes' amounts (forum "") and the referrals' (awarded as agreed, enforced as
    recovered) in cents, per organisation, grain (`_grains`), forum, currency, day and shared
    flag."""
    money = _money_of_cases()
    referred = _referrals_of_cases()
    groups: dict[tuple[Any, ...], list[int]] = defaultdict(lambda: [0] * 7)
    for organisation, f in _fresh_rows():
        items = [("", *outcome) for outcome in money[f["case_id"]]]
        for r in referred[f["case_id"]]:
            if r.currency:
                day = (r.decided_at or r.updated_at).astimezone(UTC).date()
                items.append(
                    (r.forum_kind, r.currency, day, (None, r.amount_awarded, r.amount_enforced))
                )
        shared = int(f["organisations"] > 1)
        for forum, currency, day, amounts in items:
            for grain in _grains(f):
                group = groups[(organisation, *grain, forum, currency, day, shared)]
                group[0] += 1
                for at, amount in enumerate(amounts):
                    if amount is not None:
                        group[1 + 2 * at] += 1
                        group[2 + 2 * at] += int(amount * 100)
    return {key: tuple(group) for key, group in groups.items()}


def _stored_money_groups() -> dict[tuple[Any, ...], tuple[int, ...]]:
    table = ReportMoneyRollup.__table__
    found = db.session.execute(select(table).where(table.c["items"] != 0)).mappings()
    return {
        tuple(row[k] for k in rollups.MONEY_KEYS): tuple(
            row[k] for k in table.c.keys() if k not in rollups.MONEY_KEYS
        )
        for row in found
    }


def _assert_groups_current() -> None:
    db.session.expire_all()
    stored, fresh = _stored_groups(), _fresh_groups()
    assert stored.keys() == fresh.keys()
    for key, (n, measured, months) in fresh.items():
        assert stored[key][:2] == (n, measured), key
        assert stored[key][2] == pytest.approx(months, abs=1e-9), key
    assert _stored_code_groups() == _fresh_code_groups()
    assert _stored_entity_groups() == _fresh_entity_groups()
    assert _stored_money_groups() == _fresh_money_groups()


def _scopes(people: dict[str, User]) -> list[Scope]:
    admin, supervisor = people["admin"], people["supervisor"]
    return [
        Scope.for_actor(admin),
        Scope.for_actor(supervisor),
        # cuts January and March in two, February whole
        Scope.for_actor(
            supervisor, ReportFilters(created_from=date(2026, 1, 25), created_to=date(2026, 3, 10))
        ),
        Scope.for_actor(admin, ReportFilters(origin="NP", destination="QA", abuse="RA_FEES")),
        Scope.for_actor(admin, ReportFilters(created_from=date(2026, 2, 1), abuse="FL_DOCS")),
        # one month cut at its start, whole to its end
        Scope.for_actor(
            admin, ReportFilters(created_from=date(2026, 2, 10), created_to=date(2026, 2, 28))
        ),
        # January and March read whole, their few days left out subtracted (month_edges.py)
        Scope.for_actor(
            supervisor, ReportFilters(created_from=date(2026, 1, 5), created_to=date(2026, 3, 27))
        ),
        # one month cut on both sides
        Scope.for_actor(
            admin,
            ReportFilters(created_from=date(2026, 2, 5), created_to=date(2026, 2, 20), origin="NP"),
        ),
    ]


def _tables(scope: Scope) -> dict[str, Any]:
    return {name: table.rows for name, table in compute(scope, list(ROLLED)).items()}


# A few examples (each lodges a handful of complaints), no shrinking: a failure prints its
# whole example, and shrinking one costs minutes of lodging.
@settings(
    max_examples=12,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@example(  # every kind of change, in the months the date filters cut and the one between
    changes=[
        ("lodge", 0, ("NP", "QA"), {"RA_FEES", "FL_DOCS"}, True),
        ("lodge", 35, ("NP", "AE"), {"FL_WAGES"}, True),
        ("lodge", 16, ("PH", "QA"), set(), False),
        ("accept", 0),
        ("decline", 1),
        ("accept", 2),
        ("status", 0, "in_progress"),
        ("outcome", 0, "OUT_MONEY_RECOVERED"),
        ("outcome", 0, "OUT_LICENCE_ACTION"),
        ("outcome", 2, "OUT_WITHDRAWN"),
        ("outcome", 5, "OUT_AWARD"),  # the third case, in QAR
        ("refer", 1, "DEST_LABOUR_COURT", "decided"),  # an award in QAR
        ("refer", 4, "DEST_LABOUR_COURT", "sent"),
        ("refer", 2, "ORIG_REGULATOR", "closed"),
        ("status", 0, "resolved"),
        ("rate", "NPR", 50),
    ]
)
@example(  # a case two organisations hold, with the same outcome twice: one shared case
    changes=[
        ("lodge", 3, ("NP", "QA"), {"RA_FEES"}, True),
        ("accept", 0),
        ("outcome", 0, "OUT_WITHDRAWN"),
        ("outcome", 0, "OUT_WITHDRAWN"),
        ("outcome", 0, "OUT_AWARD"),  # money of a shared case, in NPR
        ("refer", 3, "DEST_LABOUR_COURT", "decided"),  # a shared case's award, twice
        ("refer", 3, "DEST_LABOUR_COURT", "closed"),
    ]
)
@given(changes=steps)
def test_rollups_equal_a_fresh_computation_after_any_changes(
    app: Flask, world: dict[str, User], lodge: Any, monkeypatch: pytest.MonkeyPatch, changes: Any
) -> None:
    app.config["REPORT_WORKERS"] = 1
    _empty()
    for step in changes:
        _apply(step, world, lodge)
    _assert_groups_current()
    for scope in _scopes(world):
        assert rollups.serves(scope)
        rolled = _tables(scope)
        with monkeypatch.context() as patched:
            patched.setattr(rollups, "serves", lambda _scope: False)
            from_facts = _tables(scope)
        assert rolled == from_facts, scope.filters


def test_refresh_facts_rebuilds_the_rollups(
    app: Flask, runner: Any, world: dict[str, User], lodge: Any
) -> None:
    lodge(abuse_categories=["RA_FEES"])
    lodge(origin_country="PH", fees=[], actual_monthly_wage=None)
    first = _cases()[0]
    db.session.add(Outcome(case_id=first.id, code="OUT_DOCS_RETURNED"))
    db.session.commit()
    for rollup in ROLLUP_TABLES:  # lost, or loaded around the app
        db.session.execute(delete(rollup.__table__))
    db.session.commit()
    assert _stored_groups() == {} and _stored_code_groups() == {}
    assert _stored_entity_groups() == {} and _stored_money_groups() == {}
    result = runner.invoke(args=["reports", "refresh-facts"])
    assert result.exit_code == 0, result.output
    _assert_groups_current()
    summary = compute(Scope.for_actor(world["admin"]), ["summary"])["summary"].rows[0]
    assert summary["cases"] == 2 and summary["open"] == 2


def test_filters_the_rollup_lacks_read_the_facts(world: dict[str, User]) -> None:
    admin = world["admin"]
    assert rollups.serves(Scope.for_actor(admin, ReportFilters(origin="NP", abuse="FL_DOCS")))
    for filters in (
        ReportFilters(agency_id=3),
        ReportFilters(caseworker_id=world["gefont"].id),
        ReportFilters(abuse="NOT_A_CODE"),
    ):
        assert not rollups.serves(Scope.for_actor(admin, filters))
    other = ReportFilters(organisation_id=world["gulf"].organisation_id)
    assert not rollups.serves(Scope.for_actor(world["supervisor"], other))
    assert rollups.serves(Scope.for_actor(admin, other))  # the admin's report on Gulf
    # The counts per agency and caseworker: only with no filter but the organisation.
    assert rollups.serves_totals(Scope.for_actor(admin, other))
    assert rollups.serves_totals(Scope.for_actor(admin))
    assert rollups.serves_totals(Scope.for_actor(world["supervisor"]))
    for filters in (ReportFilters(origin="NP"), ReportFilters(created_from=date(2026, 2, 1))):
        assert not rollups.serves_totals(Scope.for_actor(admin, filters))


def test_a_deleted_case_leaves_its_groups(world: dict[str, User], lodge: Any) -> None:
    lodge(abuse_categories=["RA_FEES"])
    kept = lodge(origin_country="PH", fees=[], actual_monthly_wage=None).reference
    gone = next(case for case in _cases() if case.reference != kept)
    db.session.add(Outcome(case_id=gone.id, code="OUT_AWARD"))
    db.session.commit()
    assert _stored_code_groups()  # its outcome is counted, until the case goes
    db.session.delete(gone)
    db.session.commit()
    _assert_groups_current()
    summary = compute(Scope.for_actor(world["admin"]), ["summary"])["summary"].rows[0]
    assert summary["cases"] == 1


def test_referrals_written_around_the_session_join_their_groups(
    world: dict[str, User], lodge: Any
) -> None:
    """The stalled scan inserts referral proposals around the session, then calls
    `refresh_referred`: a case already referred to the forum is still counted once."""
    from sqlalchemy import insert

    from casework.models.columns import utcnow
    from casework.services.reports.facts import refresh_referred

    case = db.session.scalars(select(Case).where(Case.reference == lodge().reference)).one()
    db.session.add(Referral(case_id=case.id, forum_kind="DEST_LABOUR_COURT", status="sent"))
    db.session.commit()
    now = utcnow()
    proposal = {"case_id": case.id, "forum_kind": "DEST_LABOUR_COURT", "status": "proposed"}
    connection = db.session.connection()
    connection.execute(
        insert(Referral.__table__).values(**proposal, created_at=now, updated_at=now)
    )
    refresh_referred(connection, [case.id])
    db.session.commit()
    _assert_groups_current()
    rows = compute(Scope.for_actor(world["admin"]), ["referrals"])["referrals"].rows
    assert [(r["forum"], r["cases"], r["open"]) for r in rows] == [("DEST_LABOUR_COURT", 1, 2)]
