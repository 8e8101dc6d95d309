"""Report facts (`report_cases`, `report_org_cases`) stay equal to what the source tables say, whatever changes them.

Each step acts through the services, as staff do, and then compares every stored row with the
facts computed afresh from cases, assignments, outcomes and fee payments.

Exchange rates: NPR 100 per USD, QAR 4 per USD. The complaint's fees are 150,000 NPR (1,500
USD, 6,000 QAR) against an actual wage of 800 QAR: 7.5 months of earnings.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from flask import Flask
from sqlalchemy import event, select, update

from casework.extensions import db
from casework.models import Assignment, Case, ExchangeRate, ReportCase, ReportOrgCase
from casework.models.report_case import NO_OUTCOME, OUTCOME, REMEDY
from casework.services.assignments.operations import accept_offer, decline_offer
from casework.services.casefile.lifecycle import change_status
from casework.services.casefile.outcomes import record_outcome
from casework.services.reports.facts import COLUMNS, facts_query
from casework.services.reports.rates import delete_rate, save_rate

LODGED = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _stored() -> list[tuple[Any, ...]]:
    table = ReportCase.__table__
    query = select(*[table.c[name] for name in COLUMNS]).order_by(table.c.case_id)
    return [tuple(row) for row in db.session.execute(query)]


def _fresh() -> list[tuple[Any, ...]]:
    return [tuple(row) for row in db.session.execute(facts_query().order_by(Case.id))]


def _facts(case: Case) -> dict[str, Any]:
    db.session.expire_all()
    row = db.session.get(ReportCase, case.id)
    assert row is not None
    return {name: getattr(row, name) for name in COLUMNS}


def _stored_per_organisation() -> list[tuple[Any, ...]]:
    table = ReportOrgCase.__table__
    query = select(table.c.organisation_id, *[table.c[name] for name in COLUMNS])
    return sorted(tuple(row) for row in db.session.execute(query))


def _fresh_per_organisation() -> list[tuple[Any, ...]]:
    """Each case's fresh facts once per organisation with a not declined assignment on it."""
    facts = {row[0]: row for row in _fresh()}
    held = db.session.execute(
        select(Assignment.organisation_id, Assignment.case_id).where(
            Assignment.status != "declined"
        )
    )
    return sorted((organisation, *facts[case_id]) for organisation, case_id in set(held))


def _assert_current() -> None:
    db.session.expire_all()
    assert _stored() == _fresh()
    assert _stored_per_organisation() == _fresh_per_organisation()


@contextmanager
def _statements() -> Iterator[list[str]]:
    seen: list[str] = []

    def before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", before)


@pytest.fixture
def people(app: Flask, make_org: Any, make_user: Any) -> dict[str, Any]:
    for currency, per_usd in (("NPR", "100"), ("QAR", "4")):
        rate = db.session.get(ExchangeRate, (currency, date(2025, 1, 1)))
        if rate is None:  # the reference data may hold one already
            rate = ExchangeRate(currency=currency, valid_from=date(2025, 1, 1))
            db.session.add(rate)
        rate.per_usd = Decimal(per_usd)
    db.session.commit()
    gefont = make_org("gefont", ["NP"], ["ne"])
    gulf = make_org("gulf-legal-aid", ["QA"], ["ne"], kind="legal_aid")
    platform = make_org("platform", [], ["en"])
    return {
        "asha": make_user(gefont, "caseworker", ["ne"]),
        "karim": make_user(gulf, "caseworker", ["ne"]),
        "admin": make_user(platform, "admin"),
    }


def _lodge(lodge: Any, **changes: Any) -> Case:
    with time_machine.travel(LODGED, tick=False):
        reference = lodge(**changes).reference
    return db.session.scalars(select(Case).where(Case.reference == reference)).one()


def _offer(case: Case, org_id: int) -> int:
    return next(a.id for a in case.assignments if a.organisation_id == org_id)


def test_facts_follow_a_case_through_its_life(lodge: Any, people: dict[str, Any]) -> None:
    asha, karim = people["asha"], people["karim"]
    case = _lodge(lodge)
    _lodge(lodge, fees=[], actual_monthly_wage=None, origin_country="NP")  # a second case
    _assert_current()
    lodged = _facts(case)
    assert lodged["status"] == "received"
    assert lodged["organisations"] == 2  # offered to GEFONT and Gulf Legal Aid
    assert lodged["recruitment_months"] == pytest.approx(7.5)
    assert lodged["outcome_state"] == NO_OUTCOME
    assert lodged["first_response_seconds"] is None

    with time_machine.travel(LODGED + timedelta(hours=6), tick=False):
        decline_offer(karim, case, _offer(case, karim.organisation_id), "Not our corridor")
    # A declined offer does not count; the side is routed again (here to Gulf's own queue).
    holding = {a.organisation_id for a in case.assignments if a.status != "declined"}
    assert _facts(case)["organisations"] == len(holding)
    _assert_current()  # no row for the organisation that declined
    with time_machine.travel(LODGED + timedelta(days=1), tick=False):
        accept_offer(asha, case, _offer(case, asha.organisation_id))
        change_status(asha, case, "in_progress", case.version)
    _assert_current()
    assert _facts(case)["first_response_seconds"] == pytest.approx(86_400)

    with time_machine.travel(LODGED + timedelta(days=30), tick=False):
        record_outcome(asha, case, {"code": "OUT_LICENCE_ACTION"}, case.version)
    assert _facts(case)["outcome_state"] == OUTCOME  # a sanction, not a remedy
    with time_machine.travel(LODGED + timedelta(days=40), tick=False):
        data = {"code": "OUT_MONEY_RECOVERED", "amount": "20000", "currency": "NPR"}
        record_outcome(asha, case, data, case.version)
        change_status(asha, case, "resolved", case.version)
    _assert_current()
    resolved = _facts(case)
    assert resolved["outcome_state"] == REMEDY
    assert resolved["status"] == "resolved"
    assert resolved["resolution_seconds"] == pytest.approx(40 * 86_400)


def test_an_exchange_rate_change_recomputes_recruitment_cost(
    lodge: Any, people: dict[str, Any]
) -> None:
    case = _lodge(lodge)
    other = _lodge(lodge, fees=[], actual_monthly_wage={"amount": "900", "currency": "QAR"})
    assert _facts(case)["recruitment_months"] == pytest.approx(7.5)
    # From 2026-01-01 a dollar buys 50 rupees: the fees, paid on 2026-03-01, are 3,000 USD.
    save_rate(people["admin"], {"currency": "NPR", "valid_from": "2026-01-01", "per_usd": "50"})
    _assert_current()
    assert _facts(case)["recruitment_months"] == pytest.approx(15.0)
    assert _facts(other)["recruitment_months"] is None  # no payments: nothing to measure
    delete_rate(people["admin"], "NPR", "2026-01-01")
    assert _facts(case)["recruitment_months"] == pytest.approx(7.5)
    # Without any QAR rate the fees cannot be converted: not measurable rather than wrong.
    delete_rate(people["admin"], "QAR", "2025-01-01")
    assert _facts(case)["recruitment_months"] is None
    _assert_current()


def test_a_deadline_move_updates_only_the_deadlines(lodge: Any, people: dict[str, Any]) -> None:
    case = _lodge(lodge)
    due = datetime(2026, 3, 20, 9, 0, tzinfo=UTC)
    with _statements() as seen:
        case.next_deadline_at = due
        case.claim_deadline = date(2027, 3, 1)
        db.session.commit()
    for table in ("report_cases", "report_org_cases"):
        writes = [s for s in seen if f" {table} " in s]
        assert len(writes) == 1 and writes[0].lstrip().upper().startswith("UPDATE")
    assert _facts(case)["next_deadline_at"] == due
    assert _facts(case)["claim_deadline"] == date(2027, 3, 1)
    _assert_current()
    # A flush that changes nothing a report shows writes nothing to the facts.
    with _statements() as seen:
        case.language = "en"
        db.session.commit()
    assert not [s for s in seen if "report_" in s]


def test_refresh_facts_command_rebuilds_after_a_load_around_the_application(
    app: Flask, runner: Any, lodge: Any, people: dict[str, Any]
) -> None:
    case = _lodge(lodge)
    # A bulk load or a hand-made fix straight in SQL: no flush, so the facts fall behind.
    db.session.execute(update(Case).where(Case.id == case.id).values(status="withdrawn"))
    db.session.commit()
    assert _facts(case)["status"] == "received"
    result = runner.invoke(args=["reports", "refresh-facts"])
    assert result.exit_code == 0, result.output
    assert "report facts recomputed for 1 case(s)" in result.output
    assert _facts(case)["status"] == "withdrawn"
    _assert_current()
