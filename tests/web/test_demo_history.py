"""The demo looks lived in: complaints from every demo corridor spread over more than a year,
worked through the real services at their own times, so flags, referrals, outcomes and money
are there, the report counts what the database holds, and the audit chain is intact.

A small history (the demo loads 300 cases; this plays 36 to stay quick)."""

from __future__ import annotations

from collections import Counter

from flask import Flask
from sqlalchemy import func, select

from casework.extensions import db
from casework.models import Case, Flag, Outcome, Referral, User
from casework.models.columns import utcnow
from casework.services.audit.verify import verify_audit_chain
from casework.services.demo import play
from casework.services.demo.plan import CORRIDORS
from casework.services.demo_data import load_demo_staff
from casework.services.reports import Scope, build_report


def test_demo_history_spans_every_corridor_over_a_year_with_flags_referrals_and_money(
    app: Flask,
) -> None:
    load_demo_staff()
    played = play(count=36, months=18)
    assert played.cases == 36 and played.scans > 60  # one stalled scan a week of demo time

    cases = db.session.scalars(select(Case)).all()
    corridors = {(c.origin_country, c.destination_country) for c in cases}
    assert {origin for origin, _ in corridors} == set(CORRIDORS)  # every demo corridor
    assert all(destination in CORRIDORS[origin][1] for origin, destination in corridors)
    months = {c.created_at.strftime("%Y-%m") for c in cases}
    assert len(months) >= 12

    statuses = Counter(c.status for c in cases)
    assert statuses["in_progress"] and statuses["resolved"] + statuses["closed"]
    assert db.session.scalar(
        select(func.count()).select_from(Flag).where(Flag.resolved_at.is_(None))
    )
    sent = db.session.scalar(
        select(func.count()).select_from(Referral).where(Referral.sent_at.is_not(None))
    )
    assert sent
    money = db.session.scalar(
        select(func.count()).select_from(Outcome).where(Outcome.amount.is_not(None))
    )
    assert money
    now = utcnow()
    overdue = [c for c in cases if c.next_deadline_at and c.next_deadline_at < now]
    assert overdue  # the last scan ran some days ago: some deadlines have passed since

    # what the report says is what the database holds, and the audit chain verifies
    admin = db.session.scalars(select(User).where(User.role == "admin")).first()
    assert admin is not None
    summary = build_report(Scope.for_actor(admin, currency="USD"))[0]
    assert summary.name == "summary" and summary.rows[0]["cases"] == 36
    assert verify_audit_chain().intact
