"""The public licence check: off unless an admin turns it on (or the deployment's default,
CASEWORK_PUBLIC_AGENCY_CHECK, says so); then anyone can see the
registry's public facts about an agency (name, licence number, status today, valid until),
never complaints. Rate limited like the other public pages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from casework.extensions import db
from casework.models import Organisation
from casework.services.actors import SystemActor
from casework.services.agencies.lists import read_agency_list
from casework.services.agencies.registry_import import import_agency_list
from tests.conftest import make_app, reset_schema

NP_LIST = (
    "licence_number,name,status,status_date,valid_until\n"
    "1234/067/68,Sunrise Manpower Pvt Ltd,Active,2024-01-01,2028-01-01\n"
    "555/070/71,Gorkha Manpower Pvt Ltd,Suspended,2025-06-01,\n"
)


@pytest.fixture
def registry(app: Flask, lodge: Any, make_org: Any) -> None:
    import_agency_list(
        SystemActor("test"), "NP", "DoFE list 2026-11", read_agency_list(NP_LIST.encode())
    )
    db.session.commit()
    make_org("gefont", ["NP"], ["ne"])
    for _ in range(3):  # complaints against Sunrise: never shown here
        lodge(agency={"name": "Sunrise Manpower", "licence_number": "1234/067/68"})


def test_the_check_is_off_by_default(app: Flask, client: FlaskClient) -> None:
    assert app.config["PUBLIC_AGENCY_CHECK"] is False
    assert client.get("/agency-check").status_code == 404
    assert client.post("/agency-check", data={"q": "Sunrise"}).status_code == 404
    assert "/agency-check" not in client.get("/").get_data(as_text=True)


def test_anyone_sees_whether_an_agency_is_licensed_today_and_nothing_about_complaints(
    app: Flask, client: FlaskClient, registry: None
) -> None:
    app.config["PUBLIC_AGENCY_CHECK"] = True
    assert 'href="/agency-check"' in client.get("/").get_data(as_text=True)
    page = client.get("/agency-check")
    assert page.status_code == 200 and "Is this agency licensed?" in page.get_data(as_text=True)
    html = client.post("/agency-check", data={"q": "sunrise manpower"}).get_data(as_text=True)
    assert "Sunrise Manpower Pvt Ltd" in html
    assert "1234/067/68" in html and "Licensed" in html and "2028-01-01" in html
    results = html[
        html.index('<ul class="agency-check-results">') : html.index(
            "</ul>", html.index('<ul class="agency-check-results">')
        )
    ]
    assert "complaint" not in results.lower() and ">3<" not in results
    # A licence number in Devanagari digits finds the suspended agency.
    html = client.post("/agency-check", data={"q": "५५५/०७०/७१", "country": "NP"}).get_data(
        as_text=True
    )
    assert "Gorkha Manpower Pvt Ltd" in html and "Licence suspended" in html
    html = client.post("/agency-check", data={"q": "Nowhere Travels"}).get_data(as_text=True)
    assert "No agency on the lists we have is like this." in html
    html = client.post("/agency-check", data={"q": " "}).get_data(as_text=True)
    assert "Write the name of the agency or its licence number." in html


def test_an_admin_turns_the_check_on_and_off_and_each_change_is_audited(
    app: Flask, client: FlaskClient, registry: None, make_org: Any, make_user: Any
) -> None:
    from sqlalchemy import select

    from casework.models import AuditEvent
    from tests.conftest import login

    admin = app.test_client()
    login(admin, make_user(make_org("casework-admin", ["NP"]), role="admin"))
    caseworker = app.test_client()
    login(caseworker, make_user(db.session.get(Organisation, 1), languages=["ne"]))
    assert "Turn the public licence check on" in admin.get("/admin/agencies").get_data(as_text=True)
    # nobody but an admin can turn it on
    assert caseworker.post("/admin/agencies/public-check", data={"turn": "on"}).status_code in (
        403,
        404,
    )
    assert client.post("/admin/agencies/public-check", data={"turn": "on"}).status_code == 302
    assert client.get("/agency-check").status_code == 404

    response = admin.post("/admin/agencies/public-check", data={"turn": "on"})
    assert response.status_code == 302
    assert "The public licence check is now on." in admin.get("/admin/agencies").get_data(
        as_text=True
    )
    assert client.get("/agency-check").status_code == 200
    assert 'href="/agency-check"' in client.get("/").get_data(as_text=True)
    admin.post("/admin/agencies/public-check", data={"turn": "off"})
    assert client.get("/agency-check").status_code == 404
    details = db.session.scalars(
        select(AuditEvent.detail).where(AuditEvent.action == "setting_changed")
    ).all()
    assert details == ["on", "off"]


def test_searches_are_rate_limited(tmp_path: Path) -> None:
    limited = make_app(
        tmp_path, WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=True, PUBLIC_AGENCY_CHECK=True
    )
    reset_schema(limited)
    with limited.app_context():
        client = limited.test_client()
        codes = [client.post("/agency-check", data={"q": "Sunrise"}).status_code for _ in range(21)]
        db.session.remove()
        db.engine.dispose()
    assert codes[:20] == [200] * 20 and codes[20] == 429
