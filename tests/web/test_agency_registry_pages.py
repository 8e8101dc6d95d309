"""The registries on the web: an admin uploads a government's list and edits an entry; on
the case page a caseworker sees the agency's licence then and now, confirms or rejects the
matcher's candidates, and takes up the proposed RA_UNLICENSED code."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from casework.extensions import db
from casework.models import AuditEvent, RegistryAgency
from casework.services.actors import SystemActor
from casework.services.agencies.lists import read_agency_list
from casework.services.agencies.registry_import import import_agency_list
from tests.conftest import case_by_reference, login

HEADER = "licence_number,name,status,status_date,valid_until\n"
NP_LIST = HEADER + (
    "1234/067/68,Himal Alpha Manpower Pvt. Ltd.,Suspended,2026-02-01,\n"
    "1101/070/71,Sunrise Gamma Manpower Pvt. Ltd.,Active,2025-01-01,2028-01-01\n"
    "1188/072/73,Sunrise Delta Recruiters,Active,2025-01-01,2028-01-01\n"
)


def _import(text: str, country: str = "NP") -> None:
    import_agency_list(
        SystemActor("test"), country, "DoFE test list", read_agency_list(text.encode())
    )


def _text(response: Any) -> str:
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", response.get_data(as_text=True)))


@pytest.fixture
def admin(app: Flask, make_org: Any, make_user: Any) -> FlaskClient:
    client = app.test_client()
    login(client, make_user(make_org("casework-admin", ["NP"]), role="admin"))
    return client


@pytest.fixture
def asha(app: Flask, make_org: Any, make_user: Any) -> FlaskClient:
    client = app.test_client()
    login(client, make_user(make_org("gefont", ["NP"], ["ne"]), languages=["ne"], name="Asha"))
    return client


def _accepted(client: FlaskClient, lodge: Any, **changes: Any) -> str:
    lodged = lodge(**changes)
    offer = case_by_reference(lodged.reference).assignments[0]
    client.post(f"/cases/{lodged.reference}/accept", data={"assignment_id": offer.id})
    return str(lodged.reference)


def test_admin_uploads_a_list_and_sees_what_it_changed(admin: FlaskClient) -> None:
    bad_row = "9/9,Nobody Overseas,Perhaps,,\n"
    response = admin.post(
        "/admin/agencies/import",
        data={
            "country": "NP",
            "source": "DoFE list 2026-11",
            "file": (io.BytesIO((NP_LIST + bad_row).encode()), "dofe.csv"),
        },
        content_type="multipart/form-data",
    )
    page = _text(response)
    assert response.status_code == 200
    assert re.search(r"New agencies</th><td class=\"num\">3<", page)
    assert "Line 5:" in page and "Perhaps" in page
    listing = _text(admin.get("/admin/agencies/NP?q=१२३४-०६७-६८"))
    assert "Himal Alpha Manpower Pvt. Ltd." in listing
    assert "Sunrise Gamma" not in listing
    assert "DoFE list 2026-11" in _text(admin.get("/admin/agencies"))


def test_an_upload_without_the_columns_is_refused_and_changes_nothing(
    admin: FlaskClient,
) -> None:
    response = admin.post(
        "/admin/agencies/import",
        data={
            "country": "PH",
            "source": "DMW list",
            "file": (io.BytesIO(b"License No.,Agency Name,License Status\n1,A,Valid\n"), "l.csv"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "missing: licence_number, name, status" in _text(response)
    assert db.session.scalar(select(RegistryAgency.id)) is None
    mapped = admin.post(
        "/admin/agencies/import",
        data={
            "country": "PH",
            "source": "DMW list",
            "column_map": "licence_number=License No.,name=Agency Name,status=License Status",
            "file": (
                io.BytesIO(b"License No.,Agency Name,License Status\n1,A,Forever Banned\n"),
                "l.csv",
            ),
        },
        content_type="multipart/form-data",
    )
    assert mapped.status_code == 200
    assert db.session.scalars(select(RegistryAgency.status)).all() == ["banned"]


def test_admin_edits_an_entry_and_its_history_grows(admin: FlaskClient) -> None:
    _import(NP_LIST)
    entry = db.session.scalars(
        select(RegistryAgency).where(RegistryAgency.licence_key == "110107071")
    ).one()
    form = {
        "licence_number": entry.licence_number,
        "name": entry.name,
        "status": "cancelled",
        "status_date": "2026-10-01",
        "valid_until": "2028-01-01",
        "address": "Demo Marg 2",
        "phone": "",
        "representative": "",
        "aliases": "Sunrise Gamma",
    }
    saved = admin.post(f"/admin/agencies/entry/{entry.id}", data=form)
    assert saved.status_code == 302
    page = _text(admin.get(f"/admin/agencies/entry/{entry.id}"))
    history = page.split("Status history", 1)[1]
    assert history.index("Licence cancelled") < history.index("Licensed")  # newest first
    assert "edited by an admin" in history
    refused = admin.post(f"/admin/agencies/entry/{entry.id}", data={**form, "status_date": "soon"})
    assert refused.status_code == 422
    assert "year-month-day" in _text(refused)


def test_caseworkers_do_not_reach_the_registry_admin(asha: FlaskClient) -> None:
    assert asha.get("/admin/agencies").status_code in (403, 404)


def test_caseworker_confirms_a_candidate_and_the_matcher_learns_the_name(
    app: Flask, asha: FlaskClient, lodge: Any
) -> None:
    _import(NP_LIST)
    reference = _accepted(asha, lodge, agency={"name": "Sunrise Gamma"})
    page = _text(asha.get(f"/cases/{reference}"))
    assert "Is it one of these licensed agencies?" in page
    assert page.index("Sunrise Gamma Manpower Pvt. Ltd.") < page.index("Sunrise Delta Recruiters")
    candidate = case_by_reference(reference).agency.candidates[0]  # type: ignore[union-attr]
    asha.post(f"/cases/{reference}/agency/candidates/{candidate.id}/confirm")
    page = _text(asha.get(f"/cases/{reference}"))
    assert "On the registry</th><td>Sunrise Gamma Manpower Pvt. Ltd. · 1101/070/71" in page
    assert "confirmed by a caseworker" in page
    assert "Licence today</th><td>Licensed" in page
    assert "agency-warning" not in page
    assert (
        db.session.scalars(select(AuditEvent.detail).where(AuditEvent.action == "agency_match"))
        .all()[-1]
        .startswith("confirmed registry:")
    )
    # Another worker writes the name the same way with a different licence typo: linked at once.
    again = lodge(agency={"name": "SUNRISE  gamma", "licence_number": "typo"})
    agency = case_by_reference(again.reference).agency
    assert agency is not None and agency.match_state == "alias"


def test_a_rejected_candidate_is_not_proposed_again(
    app: Flask, asha: FlaskClient, lodge: Any
) -> None:
    _import(NP_LIST)
    reference = _accepted(asha, lodge, agency={"name": "Sunrise Gamma"})
    agency = case_by_reference(reference).agency
    assert agency is not None
    wrong = next(c for c in agency.candidates if "Delta" in c.registry_agency.name)
    asha.post(f"/cases/{reference}/agency/candidates/{wrong.id}/reject")
    _import(NP_LIST)  # a re-import matches again
    page = _text(asha.get(f"/cases/{reference}"))
    assert "Sunrise Gamma Manpower Pvt. Ltd." in page
    assert "Sunrise Delta Recruiters" not in page


def test_case_page_warns_of_a_suspended_licence_and_proposes_the_code(
    app: Flask, asha: FlaskClient, lodge: Any
) -> None:
    _import(NP_LIST)
    # Recruited 2026-04-01 by an agency suspended since 2026-02-01: the licence number links it.
    reference = _accepted(asha, lodge, departure_date="2026-04-01")
    page = _text(asha.get(f"/cases/{reference}"))
    assert 'id="agency-warning"' in page
    assert "On the date of recruitment (" in page and "Licence suspended" in page
    assert "matched by the licence number the worker gave" in page
    assert "Suggested: add “Unlicensed agent or broker”" in page
    assert "RA_UNLICENSED" not in case_by_reference(reference).abuse_codes
    asha.post(f"/cases/{reference}/agency/unlicensed")
    assert "RA_UNLICENSED" in case_by_reference(reference).abuse_codes
    page = _text(asha.get(f"/cases/{reference}"))
    assert "Suggested: add" not in page
    # and the timeline says so, like any change of the facts
    told = page.split("What happened:", 1)[1].split("\n", 1)[0]
    assert "→" in told and "Unlicensed agent or broker" in told.split("→")[1]
    assert "RA_" not in told  # plain words, never codes


def test_an_agency_missing_from_the_list_is_flagged(
    app: Flask, asha: FlaskClient, lodge: Any
) -> None:
    _import(NP_LIST)
    reference = _accepted(asha, lodge, agency={"name": "Kathmandu Omega Services"})
    page = _text(asha.get(f"/cases/{reference}"))
    assert "is not on the list of licensed agencies of Nepal" in page


def test_the_panel_says_when_no_list_is_loaded(app: Flask, asha: FlaskClient, lodge: Any) -> None:
    reference = _accepted(asha, lodge)
    page = _text(asha.get(f"/cases/{reference}"))
    assert "No list of licensed agencies is loaded for Nepal." in page
    assert "agency-warning" not in page


def test_anonymous_visitors_reach_no_registry_page(client: FlaskClient) -> None:
    for method, path in (
        ("GET", "/admin/agencies"),
        ("POST", "/admin/agencies/import"),
        ("GET", "/admin/agencies/entry/1"),
        ("POST", "/cases/CW-0000-0000/agency/candidates/1/confirm"),
        ("POST", "/cases/CW-0000-0000/agency/unlicensed"),
    ):
        response = client.open(path, method=method)
        assert response.status_code == 302 and "/login" in response.headers["Location"], path
