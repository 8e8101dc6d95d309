"""Admins edit stall rules and claim time limits; open cases follow at the next scan."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import time_machine
from flask import Flask
from sqlalchemy import select

from casework.extensions import db
from casework.models import Case, LimitationRule, StallRule
from casework.services.escalation.scan import scan_stalled_cases
from casework.services.escalation.stall_rules import load_default_stall_rules
from tests.conftest import login

START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def _admin(app: Flask, make_org: Any, make_user: Any) -> Any:
    client = app.test_client()
    login(client, make_user(make_org("platform", ["NP"]), role="admin"))
    return client


def test_admin_changes_the_days_and_open_cases_follow(
    app: Flask, lodge: Any, make_org: Any, make_user: Any
) -> None:
    load_default_stall_rules()
    with time_machine.travel(START, tick=False):
        client = _admin(app, make_org, make_user)  # sessions signed in the travelled time
        lodged = lodge()
        case = db.session.scalars(select(Case).where(Case.reference == lodged.reference)).one()
        assert case.next_deadline_at == START + timedelta(days=2)  # NOT_TRIAGED after 2 days
        page = client.get("/admin/rules")
        assert page.status_code == 200 and "NOT_TRIAGED" in page.get_data(as_text=True)
        response = client.post(
            "/admin/rules/stall/NOT_TRIAGED",
            data={"days": "1", "escalate_after_days": "1", "refer_after_days": "3", "active": "y"},
        )
        assert response.status_code == 302
        assert db.session.get(StallRule, "NOT_TRIAGED").days == 1
        scan_stalled_cases()
        db.session.expire_all()
        case = db.session.scalars(select(Case).where(Case.reference == lodged.reference)).one()
        assert case.next_deadline_at == START + timedelta(days=1)


def test_bad_rule_input_is_refused_and_kept(app: Flask, make_org: Any, make_user: Any) -> None:
    load_default_stall_rules()
    client = _admin(app, make_org, make_user)
    response = client.post(
        "/admin/rules/stall/NO_ACTIVITY",
        data={"days": "-3", "escalate_after_days": "7", "refer_after_days": "2"},
    )
    assert response.status_code == 422
    assert "whole number of days" in response.get_data(as_text=True)
    assert db.session.get(StallRule, "NO_ACTIVITY").days == 14


def test_admin_adds_a_time_limit(app: Flask, make_org: Any, make_user: Any) -> None:
    client = _admin(app, make_org, make_user)
    response = client.post(
        "/admin/rules/limitation",
        data={
            "jurisdiction": "ae",
            "forum_kind": "DEST_LABOUR_COURT",
            "claim_kind": "*",
            "trigger": "contract_end_date",
            "period_days": "730",
            "note": "Decree-Law 9/2024",
        },
    )
    assert response.status_code == 302
    rule = db.session.scalars(
        select(LimitationRule).where(LimitationRule.note == "Decree-Law 9/2024")
    ).one()
    assert (rule.jurisdiction, rule.period_days, rule.trigger) == ("AE", 730, "contract_end_date")


def test_only_admins_edit_rules(app: Flask, make_org: Any, make_user: Any) -> None:
    client = app.test_client()
    login(client, make_user(make_org("gefont", ["NP"]), role="supervisor"))
    assert client.get("/admin/rules").status_code == 403
    assert app.test_client().get("/admin/rules").status_code == 302


def test_admin_edits_the_referral_catalogue(app: Flask, make_org: Any, make_user: Any) -> None:
    from casework.models import ReferralPathway

    client = _admin(app, make_org, make_user)
    listing = client.get("/admin/pathways?country=QA")
    assert listing.status_code == 200 and "Labour" in listing.get_data(as_text=True)
    bad = client.post(
        "/admin/pathways/new", data={"country": "QA", "name": "", "claim_codes": "NOPE"}
    )
    assert bad.status_code == 422
    created = client.post(
        "/admin/pathways/new",
        data={
            "country": "qa",
            "forum_kind": "NGO",
            "name": "Doha Migrant Help Desk",
            "claim_codes": "fl_wages, RA_FEES",
            "time_limit_days": "10",
            "language": "en",
        },
    )
    assert created.status_code == 302
    pathway = db.session.scalars(
        select(ReferralPathway).where(ReferralPathway.name == "Doha Migrant Help Desk")
    ).one()
    assert pathway.claim_codes == ["FL_WAGES", "RA_FEES"] and pathway.active
    client.post(
        f"/admin/pathways/{pathway.id}",
        data={"country": "QA", "forum_kind": "NGO", "name": pathway.name},
    )
    db.session.expire_all()
    assert db.session.get(ReferralPathway, pathway.id).active is False  # unticked: retired
