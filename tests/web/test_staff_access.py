"""Deny by default: anonymous visitors and unrelated organisations reach no case data."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests import samples
from tests.conftest import login

PUBLIC_ENDPOINTS = {
    "static",
    "intake.start",
    "intake.choose_language",
    "intake.complaint",
    "intake.complaint_steps",  # the step-by-step form: the worker's own draft, nothing else
    "intake.complaint_step",
    "intake.followup",
    "intake.followup_message",
    "intake.followup_evidence",
    "intake.followup_case",  # the worker's follow-up session decides (403 without one)
    "intake.receipt",  # the receipt cookie decides (a redirect to the start page without one)
    "intake.quick_exit",
    "intake.agency_suggestions",  # the registry's public facts (name, licence number), no cases
    # the public licence check: off by default (404); when on, registry facts only, no cases
    "intake.agency_check",
    "auth.login",
    "auth.totp",
    "auth.enrol",
    "auth.logout",
    "api.openapi",
    "api.create_complaint",
    "api.complaint_status",
    "api.add_message",
    "api.add_evidence",
    "health.healthz",  # alive: touches nothing
    "health.readyz",  # check names only, no personal data
}


def _urls(app: Flask, reference: str, evidence_id: int) -> list[tuple[str, str, str]]:
    urls = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        values = {}
        for arg in rule.arguments:
            values[arg] = {"reference": reference, "evidence_id": evidence_id}.get(arg, 1)
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m, v=values: str(v[m.group(1)]), rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            urls.append((rule.endpoint, method, path))
    return urls


@pytest.fixture
def nepal_case(app: Any, lodge: Any, make_org: Any, make_user: Any) -> Any:
    gefont = make_org("gefont", ["NP"], ["ne"])
    caseworker = make_user(gefont, languages=["ne"])
    lodged = lodge(files=[("receipt.png", samples.png())], narrative="SECRET-STORY-MARKER")
    from casework.extensions import db
    from casework.models import Case

    case = db.session.query(Case).filter_by(reference=lodged.reference).one()
    case.assignments[0].status = "accepted"
    db.session.commit()
    return {"reference": lodged.reference, "evidence_id": case.evidence[0].id, "owner": caseworker}


def test_every_staff_url_denies_anonymous_visitors(
    app: Flask, client: FlaskClient, nepal_case: Any
) -> None:
    urls = _urls(app, nepal_case["reference"], nepal_case["evidence_id"])
    assert len(urls) > 10
    for endpoint, method, path in urls:
        response = client.open(path, method=method)
        assert response.status_code in (302, 401, 403, 404), (endpoint, method, path)
        if response.status_code == 302:
            assert "/login" in response.headers["Location"], (endpoint, path)
        body = response.get_data(as_text=True)
        assert "SECRET-STORY-MARKER" not in body
        if response.status_code != 302:  # a redirect echoes the visitor's own URL, nothing more
            assert nepal_case["reference"] not in body


def test_unrelated_organisation_sees_nothing_of_the_case(
    app: Flask, nepal_case: Any, make_org: Any, make_user: Any
) -> None:
    outsider_org = make_org("kenya-union", ["KE"], ["sw", "en"])
    for role in ("caseworker", "supervisor"):
        outsider = make_user(outsider_org, role=role)
        client = app.test_client()
        login(client, outsider)
        for endpoint, method, path in _urls(
            app, nepal_case["reference"], nepal_case["evidence_id"]
        ):
            if nepal_case["reference"] not in path:
                continue
            response = client.open(path, method=method, data={"assignment_id": 1, "version": 1})
            assert response.status_code in (403, 404), (role, endpoint, method, path)
            body = response.get_data(as_text=True)
            assert "SECRET-STORY-MARKER" not in body
        for queue in ("/cases/", "/cases/?tab=org_all", "/cases/?tab=mine", "/cases/triage"):
            assert nepal_case["reference"] not in client.get(queue).get_data(as_text=True)


def test_owner_sees_the_story(app: Flask, client: FlaskClient, nepal_case: Any) -> None:
    login(client, nepal_case["owner"])
    page = client.get(f"/cases/{nepal_case['reference']}").get_data(as_text=True)
    assert "SECRET-STORY-MARKER" in page


def test_admin_routes_cases_but_never_reads_them(
    app: Flask, client: FlaskClient, nepal_case: Any, make_org: Any, make_user: Any
) -> None:
    platform = make_org("platform", ["NP"], ["en"])
    admin = make_user(platform, role="admin")
    login(client, admin)
    page = client.get(f"/cases/{nepal_case['reference']}")
    assert page.status_code == 200
    assert "SECRET-STORY-MARKER" not in page.get_data(as_text=True)
    assert (
        client.get(
            f"/cases/{nepal_case['reference']}/evidence/{nepal_case['evidence_id']}"
        ).status_code
        == 403
    )
    assert client.post(f"/cases/{nepal_case['reference']}/identity").status_code == 403


def test_offer_shows_facts_but_not_the_story(
    app: Flask, lodge: Any, make_org: Any, make_user: Any
) -> None:
    gefont = make_org("gefont", ["NP"], ["ne"])
    caseworker = make_user(gefont, languages=["ne"])
    lodged = lodge(narrative="OFFERED-STORY-MARKER")
    client = app.test_client()
    login(client, caseworker)
    page = client.get(f"/cases/{lodged.reference}").get_data(as_text=True)
    assert "Accept" in page and "OFFERED-STORY-MARKER" not in page
    assert client.post(f"/cases/{lodged.reference}/identity").status_code == 403
