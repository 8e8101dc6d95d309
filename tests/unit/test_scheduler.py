"""The scheduler: a case's 90 days with downtime, flags raised once and in order, one leader."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import time_machine
from flask import Flask
from sqlalchemy import delete, select, update
from sqlalchemy.orm.exc import StaleDataError

from casework.extensions import db
from casework.jobs import run_due_jobs, run_job
from casework.models import (
    Case,
    CaseEvent,
    Flag,
    JobRun,
    LimitationRule,
    Notification,
    OutboxMessage,
    StallRule,
)
from casework.services.assignments.operations import accept_offer
from casework.services.casefile.lifecycle import change_status
from casework.services.escalation.lease import acquire_lease
from casework.services.escalation.scan import scan_stalled_cases
from casework.services.escalation.stall_rules import load_default_stall_rules
from tests.conftest import case_by_reference

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def _flag_events(case: Case) -> list[str]:
    return [
        e.detail
        for e in db.session.scalars(
            select(CaseEvent)
            .where(CaseEvent.case_id == case.id, CaseEvent.kind == "flag")
            .order_by(CaseEvent.id)
        )
    ]


def _open_flags(case: Case) -> dict[str, int]:
    return {
        f.rule: f.level
        for f in db.session.scalars(
            select(Flag).where(Flag.case_id == case.id, Flag.resolved_at.is_(None))
        )
    }


def _gefont_caseworker(make_org: Any, make_user: Any) -> Any:
    """The default stall rules, and a GEFONT caseworker to take Nepali cases."""
    load_default_stall_rules()
    return make_user(make_org("gefont", ["NP"], ["ne"]), languages=["ne"])


def _in_progress(lodge: Any, caseworker: Any) -> Any:
    """A complaint the caseworker accepted and started working on, now."""
    lodged = lodge()
    accept_offer(
        caseworker,
        case_by_reference(lodged.reference),
        case_by_reference(lodged.reference).assignments[0].id,
    )
    case = case_by_reference(lodged.reference)
    change_status(caseworker, case, "in_progress", case.version)
    return lodged


def test_ninety_days_with_downtime_raise_every_flag_once_in_order(
    app: Flask, lodge: Any, make_org: Any, make_user: Any
) -> None:
    load_default_stall_rules()
    gefont = make_org("gefont", ["NP"], ["ne"])
    caseworker = make_user(gefont, languages=["ne"])
    make_user(gefont, role="supervisor", languages=["ne"])
    with time_machine.travel(START, tick=False) as clock:
        lodged = lodge()
        case = case_by_reference(lodged.reference)
        # Day 0: offered; nobody answers for 4 days → OFFER_NOT_ACCEPTED level 1 on day 3.
        day = 0
        down = set(range(20, 45))  # the scheduler is down for 25 days
        accepted_on, progress_on = 4, 5
        for day in range(0, 91):
            clock.move_to(START + timedelta(days=day, hours=1))
            if day == accepted_on:
                offer = case_by_reference(lodged.reference).assignments[0]
                accept_offer(caseworker, case_by_reference(lodged.reference), offer.id)
            if day == progress_on:
                case = case_by_reference(lodged.reference)
                change_status(caseworker, case, "in_progress", case.version)
            if day not in down:
                run_due_jobs()
        case = case_by_reference(lodged.reference)
        events = _flag_events(case)
    # Not triaged for two days, the offer unanswered for three: one warning each; the
    # caseworker accepted on day 4, before either escalated.
    assert events[:2] == ["NOT_TRIAGED level 1", "OFFER_NOT_ACCEPTED level 1"]
    # In progress from day 5 with no activity: level 1 at day 19, level 2 at day 26 (down),
    # level 3 at day 40 (down) — all raised when the scheduler came back on day 45, in order.
    no_activity = [e for e in events if e.startswith("NO_ACTIVITY")]
    assert no_activity == ["NO_ACTIVITY level 1", "NO_ACTIVITY level 2", "NO_ACTIVITY level 3"]
    assert len(events) == len(set(events))  # nothing raised twice
    assert _open_flags(case) == {"NO_ACTIVITY": 3}
    # Level 3 proposed an access-to-justice referral (when the catalogue has a pathway) and
    # notified the supervisor; the offer flag cleared itself once the offer was accepted.
    assert [(r.status, r.proposed_by) for r in case.referrals] == [("proposed", "scheduler")]
    from casework.models import Notification

    kinds = [n.kind for n in db.session.scalars(select(Notification).order_by(Notification.id))]
    assert kinds.count("referral_proposed") >= 1 and "stalled_escalation" in kinds
    resolved = db.session.scalars(
        select(Flag).where(Flag.case_id == case.id, Flag.resolved_at.is_not(None))
    ).all()
    assert sorted(f.rule for f in resolved) == ["NOT_TRIAGED", "OFFER_NOT_ACCEPTED"]


def test_a_referral_the_scan_proposes_is_in_the_report_at_once(
    app: Flask, lodge: Any, make_org: Any, make_user: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The scan writes its referrals around the session: the report's referral groups follow
    all the same, and read the same as the referrals themselves."""
    from casework.models import Referral
    from casework.services.reports import compute, rollups
    from casework.services.reports.scope import Scope

    caseworker = _gefont_caseworker(make_org, make_user)
    supervisor = make_user(
        db.session.get(type(caseworker.organisation), caseworker.organisation_id), role="supervisor"
    )
    with time_machine.travel(START, tick=False) as clock:
        lodged = _in_progress(lodge, caseworker)
        clock.move_to(START + timedelta(days=40))
        scan_stalled_cases()
    referral = db.session.scalars(select(Referral)).one()
    assert (referral.proposed_by, referral.case_id) == (
        "scheduler",
        case_by_reference(lodged.reference).id,
    )
    scope = Scope.for_actor(supervisor)
    assert rollups.serves_totals(scope)
    rolled = compute(scope, ["referrals"])["referrals"].rows
    monkeypatch.setattr(rollups, "serves", lambda _scope: False)
    assert rolled == compute(scope, ["referrals"])["referrals"].rows
    assert [(row["forum"], row["cases"], row["open"]) for row in rolled] == [
        (referral.forum_kind, 1, 1)
    ]
    assert _groups() == _groups(afresh=True)  # every group, as a rebuild computes them


def _groups(afresh: bool = False) -> list[set[tuple[object, ...]]]:
    """The rows of every rollup table, or (`afresh`) those a rebuild from the facts gives."""
    from casework.services.reports import rollups

    counted = (
        (rollups.ROLLUP, "cases"),
        (rollups.CODE_ROLLUP, "cases"),
        (rollups.ENTITY_ROLLUP, "cases"),
        (rollups.MONEY_ROLLUP, "items"),
    )
    with db.engine.connect() as connection:
        transaction = connection.begin()
        if afresh:
            rollups.rebuild(connection)
        found = [
            {tuple(row) for row in connection.execute(select(t).where(t.c[count] != 0))}
            for t, count in counted
        ]
        transaction.rollback()
    return found


def test_activity_clears_the_flag_and_restarts_the_clock(
    app: Flask, lodge: Any, make_org: Any, make_user: Any
) -> None:
    caseworker = _gefont_caseworker(make_org, make_user)
    with time_machine.travel(START, tick=False) as clock:
        lodged = _in_progress(lodge, caseworker)
        clock.move_to(START + timedelta(days=15))
        scan_stalled_cases()
        assert _open_flags(case_by_reference(lodged.reference)) == {"NO_ACTIVITY": 1}
        from casework.services.casefile.messages import add_note

        case = case_by_reference(lodged.reference)
        add_note(caseworker, case, "Called the worker", False, case.version)
        assert _open_flags(case_by_reference(lodged.reference)) == {}
        assert case_by_reference(lodged.reference).next_deadline_at == datetime(
            2026, 1, 20, 9, tzinfo=UTC
        ) + timedelta(days=14)


def test_clock_pauses_while_awaiting_the_worker(
    app: Flask, lodge: Any, make_org: Any, make_user: Any
) -> None:
    caseworker = _gefont_caseworker(make_org, make_user)
    with time_machine.travel(START, tick=False) as clock:
        lodged = _in_progress(lodge, caseworker)
        clock.move_to(START + timedelta(days=10))
        case = case_by_reference(lodged.reference)
        change_status(caseworker, case, "awaiting_worker", case.version)
        clock.move_to(START + timedelta(days=25))  # 15 days waiting: NO_ACTIVITY would be due
        scan_stalled_cases()
        assert _open_flags(case_by_reference(lodged.reference)) == {}
        clock.move_to(START + timedelta(days=32))  # 22 days waiting: the waiting rule fires
        scan_stalled_cases()
        assert _open_flags(case_by_reference(lodged.reference)) == {"AWAITING_WORKER": 1}
        case = case_by_reference(lodged.reference)
        assert case.paused_seconds == 0  # still waiting
        change_status(caseworker, case, "in_progress", case.version)
        assert case_by_reference(lodged.reference).paused_seconds == 22 * 86400
        assert _open_flags(case_by_reference(lodged.reference)) == {}


def test_claim_deadline_escalates_before_the_claim_is_time_barred(
    app: Flask, lodge: Any, make_org: Any, make_user: Any
) -> None:
    db.session.execute(update(StallRule).values(active=False))  # only the legal deadline here
    db.session.execute(delete(LimitationRule))  # and only this time limit
    db.session.add(
        LimitationRule(
            jurisdiction="NP",
            forum_kind="ORIG_REGULATOR",
            claim_kind="*",
            trigger="incident_date",
            period_days=365,
            note="one year (verify)",
        )
    )
    db.session.commit()
    gefont = make_org("gefont", ["NP"], ["ne"])
    make_user(gefont, languages=["ne"])
    with time_machine.travel(START, tick=False) as clock:
        lodged = lodge(incident_date="2025-06-01")
        case = case_by_reference(lodged.reference)
        assert case.claim_deadline == date(2026, 6, 1)
        assert case.next_deadline_at == datetime(2026, 4, 2, tzinfo=UTC)  # 60 days before
        clock.move_to(datetime(2026, 4, 3, tzinfo=UTC))
        scan_stalled_cases()
        assert _open_flags(case_by_reference(lodged.reference))["CLAIM_DEADLINE"] == 1
        clock.move_to(datetime(2026, 5, 12, tzinfo=UTC))  # 20 days before: levels 2 and 3
        scan_stalled_cases()
        assert _flag_events(case_by_reference(lodged.reference))[-2:] == [
            "CLAIM_DEADLINE level 2",
            "CLAIM_DEADLINE level 3",
        ]


def test_escalations_across_cases_and_batches_mail_each_person_once(
    app: Flask, lodge: Any, make_org: Any, make_user: Any
) -> None:
    load_default_stall_rules()
    gefont = make_org("gefont", ["NP"], ["ne"])
    caseworker = make_user(gefont, languages=["ne"])
    boss = make_user(gefont, role="supervisor", languages=["ne"])
    with time_machine.travel(START, tick=False) as clock:
        references = [lodge().reference for _ in range(3)]
        for reference in references:
            accept_offer(
                caseworker,
                case_by_reference(reference),
                case_by_reference(reference).assignments[0].id,
            )
            case = case_by_reference(reference)
            change_status(caseworker, case, "in_progress", case.version)
        clock.move_to(START + timedelta(days=22))  # NO_ACTIVITY levels 1 and 2
        report = scan_stalled_cases(batch=2)
        assert report.cases == 3 and len(report.raised) == 6
        # forms still current
        versions = [case_by_reference(reference).version for reference in references]
        clock.move_to(START + timedelta(days=36))  # level 3: a referral, everyone told urgently
        assert len(scan_stalled_cases(batch=2).raised) == 3
        cases = [case_by_reference(reference) for reference in references]
        # A proposed referral is a change to the case: a form opened before it is out of date.
        assert [case.version for case in cases] == [v + 1 for v in versions]
    notes = db.session.scalars(select(Notification).order_by(Notification.id)).all()
    assert [(n.user_id, n.kind, n.urgent) for n in notes if n.case_id == cases[0].id] == [
        (caseworker.id, "stalled_warning", False),
        (boss.id, "stalled_escalation", True),
        (boss.id, "referral_proposed", True),
        (caseworker.id, "referral_proposed", True),
    ]
    assert all(cases[0].reference in n.text for n in notes if n.case_id == cases[0].id)
    # One e-mail each while it waits, whatever the number of cases and batches.
    mails = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [(m.user_id, m.kind) for m in mails] == [
        (boss.id, "escalation"),
        (caseworker.id, "escalation"),
    ]
    for case in cases:
        assert _open_flags(case) == {"NO_ACTIVITY": 3}
        timeline = db.session.scalars(
            select(CaseEvent)
            .where(CaseEvent.case_id == case.id, CaseEvent.kind.in_(("flag", "referral")))
            .order_by(CaseEvent.id)
        ).all()
        assert [e.detail for e in timeline][:3] == [
            "NO_ACTIVITY level 1",
            "NO_ACTIVITY level 2",
            "NO_ACTIVITY level 3",
        ]
        assert timeline[3].detail.startswith("referral proposed by the scheduler")
        assert [(r.status, r.proposed_by) for r in case.referrals] == [("proposed", "scheduler")]


def test_scan_is_idempotent(app: Flask, lodge: Any, make_org: Any) -> None:
    load_default_stall_rules()
    make_org("gefont", ["NP"], ["ne"])
    with time_machine.travel(START, tick=False) as clock:
        lodged = lodge()
        clock.move_to(START + timedelta(days=3))
        for _ in range(5):
            scan_stalled_cases()
        case = case_by_reference(lodged.reference)
        assert len(db.session.scalars(select(Flag).where(Flag.case_id == case.id)).all()) == 2
        assert len(_flag_events(case)) == 2  # NOT_TRIAGED and OFFER_NOT_ACCEPTED, once each


def test_the_scan_moves_deadlines_without_changing_the_case_under_a_caseworker(
    app: Flask, lodge: Any, make_org: Any, make_user: Any
) -> None:
    from casework.models import ReportCase
    from casework.services.casefile.messages import add_note

    caseworker = _gefont_caseworker(make_org, make_user)
    with time_machine.travel(START, tick=False) as clock:
        lodged = _in_progress(lodge, caseworker)
        # a form the caseworker has open
        opened_at_version = case_by_reference(lodged.reference).version
        clock.move_to(START + timedelta(days=15))
        scan_stalled_cases()
        case = case_by_reference(lodged.reference)
        assert _open_flags(case) == {"NO_ACTIVITY": 1}
        # The next step of the ladder is a week later; the report facts say the same.
        assert case.next_deadline_at == START + timedelta(days=21)
        facts = db.session.get(ReportCase, case.id)
        assert facts is not None and facts.next_deadline_at == case.next_deadline_at
        # The scan's bookkeeping is not an edit: the caseworker's form is still current.
        assert case.version == opened_at_version
        add_note(caseworker, case, "Called the worker", False, opened_at_version)
        assert _open_flags(case_by_reference(lodged.reference)) == {}


def test_bookkeeping_yields_to_a_change_made_meanwhile(app: Flask, lodge: Any) -> None:
    from casework.services.escalation.batch_writes import CaseWrite, write_bookkeeping
    from casework.services.escalation.deadlines import Bookkeeping

    case = case_by_reference(lodge().reference)
    stored = case.next_deadline_at
    # What the scan computed.
    kept = Bookkeeping(case.in_triage, case.claim_deadline, datetime(2030, 1, 1, tzinfo=UTC))
    # Meanwhile somebody else's change is committed (its version moves on).
    cases = Case.__table__
    db.session.connection().execute(
        update(cases).where(cases.c.id == case.id).values(version=cases.c.version + 1)
    )
    # Written for the version the scan read: no row.
    assert write_bookkeeping([CaseWrite(case, kept)]) == 1
    assert case not in db.session.dirty  # nothing left for the unit of work to write
    db.session.commit()
    assert case_by_reference(case.reference).next_deadline_at == stored


def test_two_schedulers_fire_each_job_once(app: Flask) -> None:
    with time_machine.travel(START, tick=False) as clock:
        assert acquire_lease("node-a:1", 90)
        assert not acquire_lease("node-b:2", 90)  # a second scheduler does not lead
        ran_a = run_due_jobs()
        ran_b = run_due_jobs() if acquire_lease("node-b:2", 90) else []
        assert (
            ran_a
            == [
                "stalled",
                "outbox",
                "nudges",
                "evidence_cleanup",
                "digests",
                "retention",
                "keys",
            ]
            and ran_b == []
        )
        clock.move_to(START + timedelta(seconds=60))
        assert acquire_lease("node-a:1", 90)  # the leader renews
        assert run_due_jobs() == ["outbox"]
        # The leader dies; its lease expires; the other takes over and catches up once.
        clock.move_to(START + timedelta(days=3))
        assert acquire_lease("node-b:2", 90)
        assert not acquire_lease("node-a:1", 90)
        assert sorted(run_due_jobs()) == [
            "digests",
            "evidence_cleanup",
            "keys",
            "nudges",
            "outbox",
            "retention",
            "stalled",
        ]
        assert run_due_jobs() == []
        assert db.session.get(JobRun, "stalled").last_run_at == START + timedelta(days=3)


def test_jobs_run_from_the_command_line(runner: Any) -> None:
    result = runner.invoke(args=["jobs", "run", "all"])
    assert result.exit_code == 0, result.output
    assert "stalled:" in result.output and "retention:" in result.output
    assert runner.invoke(args=["jobs", "run", "nope"]).exit_code != 0
    assert run_job("stalled").endswith("flag level(s) raised")


def test_a_proposal_written_in_the_batch_bumps_the_version_and_refuses_a_stale_case(
    app: Flask, lodge: Any
) -> None:
    from casework.services.escalation.batch_writes import CaseWrite, write_bookkeeping
    from casework.services.escalation.deadlines import Bookkeeping

    case = case_by_reference(lodge().reference)
    version = case.version
    # What a scheduler's proposal writes on the case: its bookkeeping and updated_at.
    kept = Bookkeeping(case.in_triage, case.claim_deadline, datetime(2030, 1, 1, tzinfo=UTC))
    proposal = CaseWrite(case, kept, updated_at=datetime(2029, 12, 1, tzinfo=UTC))
    assert write_bookkeeping([proposal]) == 0  # not bookkeeping alone: an edit
    assert case.version == version + 1 and case not in db.session.dirty  # as stored
    db.session.commit()
    stored = case_by_reference(case.reference)
    assert stored.version == version + 1  # a caseworker's open form is now out of date
    assert stored.updated_at == datetime(2029, 12, 1, tzinfo=UTC)
    assert stored.next_deadline_at == datetime(2030, 1, 1, tzinfo=UTC)

    again = CaseWrite(stored, kept, updated_at=datetime(2030, 2, 1, tzinfo=UTC))
    cases = Case.__table__  # meanwhile somebody else's change is committed
    db.session.connection().execute(
        update(cases).where(cases.c.id == stored.id).values(version=cases.c.version + 1)
    )
    with pytest.raises(StaleDataError):
        write_bookkeeping([again])
    db.session.rollback()


def test_a_case_at_the_top_of_two_ladders_gets_two_different_proposals(
    app: Flask, lodge: Any, make_org: Any
) -> None:
    from casework.models import Referral

    load_default_stall_rules()
    make_org("gefont", ["NP"], ["ne"])
    with time_machine.travel(START, tick=False) as clock:
        lodged = lodge()
        clock.move_to(START + timedelta(days=11))  # NOT_TRIAGED and OFFER_NOT_ACCEPTED: level 3
        assert len(scan_stalled_cases().raised) == 6
        case = case_by_reference(lodged.reference)
        referrals = db.session.scalars(
            select(Referral).where(Referral.case_id == case.id).order_by(Referral.id)
        ).all()
        # As two scans would: the second proposal takes the next pathway, not the same again.
        assert [r.proposed_by for r in referrals] == ["scheduler", "scheduler"]
        assert len({r.pathway_id for r in referrals}) == 2
