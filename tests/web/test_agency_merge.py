"""Agencies as complaints name them: an admin links a name to the registry without opening a
case, and merges the names that are one agency; the complaints move in one audited step,
count together in the reports, and a new complaint naming the agency the old way joins them.
Refusals change nothing."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from casework.extensions import db
from casework.models import Agency, AuditEvent, Organisation, ReportCase
from casework.services.actors import SystemActor
from casework.services.agencies.lists import read_agency_list
from casework.services.agencies.registry_import import import_agency_list
from casework.services.assignments.operations import accept_offer
from tests.conftest import case_by_reference, login

NP_LIST = (
    "licence_number,name,status,status_date,valid_until\n"
    "1101/070/71,Sunrise Gamma Manpower Pvt. Ltd.,Active,2025-01-01,2028-01-01\n"
    "1188/072/73,Himal Delta Recruiters,Active,2025-01-01,2028-01-01\n"
)


def _text(response: Any) -> str:
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", response.get_data(as_text=True)))


def _agency(name: str) -> Agency:
    db.session.expire_all()
    return db.session.scalars(select(Agency).where(Agency.name == name)).one()


def gefont() -> Organisation:
    return db.session.scalars(select(Organisation).where(Organisation.slug == "gefont")).one()


@pytest.fixture
def admin(app: Flask, make_org: Any, make_user: Any) -> FlaskClient:
    client = app.test_client()
    login(client, make_user(make_org("casework-admin", ["NP"]), role="admin"))
    return client


@pytest.fixture
def named(app: Flask, lodge: Any, make_org: Any) -> dict[str, list[str]]:
    """Three ways of writing one agency that is not on any list yet, and one other agency."""
    make_org("gefont", ["NP"], ["ne"])
    written = {
        "Sunrise Gamma": 2,
        "Sunrise Gamma Manpower Pvt Ltd": 1,
        "sunrise gama manpower": 1,
        "Kathmandu Omega Services": 1,
    }
    return {
        name: [str(lodge(agency={"name": name, "licence_number": ""}).reference) for _ in range(n)]
        for name, n in written.items()
    }


def test_the_page_lists_names_with_counts_and_look_alikes(
    admin: FlaskClient, named: dict[str, list[str]]
) -> None:
    page = _text(admin.get("/admin/agencies/NP/named"))
    assert page.index("Sunrise Gamma<") < page.index("Kathmandu Omega Services")  # most first
    row = page.split(f'id="agency-{_agency("Sunrise Gamma").id}"', 1)[1].split("</tr>", 1)[0]
    assert '<td class="num">2</td>' in row
    assert "Sunrise Gamma Manpower Pvt Ltd" in row and "sunrise gama manpower" in row  # alike
    assert "Kathmandu" not in row
    found = _text(admin.get("/admin/agencies/NP/named?q=omega"))
    assert "Kathmandu Omega Services" in found and "Sunrise" not in found


def test_admin_merges_three_names_into_one_and_new_complaints_follow(
    app: Flask, admin: FlaskClient, named: dict[str, list[str]], lodge: Any, make_user: Any
) -> None:
    keep = _agency("Sunrise Gamma")
    others = [_agency("Sunrise Gamma Manpower Pvt Ltd").id, _agency("sunrise gama manpower").id]
    response = admin.post(
        "/admin/agencies/NP/merge", data={"keep": keep.id, "merge": [*others, keep.id]}
    )
    assert response.status_code == 302
    page = _text(admin.get(response.headers["Location"]))
    assert "2 agencies merged into “Sunrise Gamma”; 2 complaints moved." in page
    moved = named["Sunrise Gamma Manpower Pvt Ltd"] + named["sunrise gama manpower"]
    for reference in [*named["Sunrise Gamma"], *moved]:
        case = case_by_reference(reference)
        assert case.agency_id == keep.id
        facts = db.session.scalars(select(ReportCase).where(ReportCase.case_id == case.id)).one()
        assert facts.agency_id == keep.id  # the reports count them together
    # the merged names are off the page, the kept one counts four complaints
    assert "Pvt Ltd" not in page and re.search(
        rf'id="agency-{keep.id}".*?<td class="num">4</td>', page
    )
    # The moved case's timeline says so, as for any change of the facts.
    caseworker = make_user(gefont(), languages=["ne"])
    moved_case = case_by_reference(named["sunrise gama manpower"][0])
    accept_offer(caseworker, moved_case, moved_case.assignments[0].id)
    desk = app.test_client()
    login(desk, caseworker)
    timeline = _text(desk.get(f"/cases/{moved_case.reference}"))
    assert "Agency: sunrise gama manpower → Sunrise Gamma" in timeline
    audited = db.session.scalars(
        select(AuditEvent.detail).where(AuditEvent.action == "agency_merge")
    ).all()
    assert sorted(audited) == sorted(
        f"merged agency:{i} (1 complaints) into agency:{keep.id}" for i in others
    )
    # A worker who writes the agency the old way joins the kept row; searching the old name
    # still finds every case.
    again = lodge(agency={"name": "Sunrise Gamma Manpower Pvt Ltd", "licence_number": ""})
    assert case_by_reference(again.reference).agency_id == keep.id
    supervisor = app.test_client()
    login(supervisor, make_user(gefont(), "supervisor"))
    page = supervisor.get("/cases/?tab=org_all&agency=manpower+pvt").get_data(as_text=True)
    found = set(re.findall(r'href="/cases/(CW-[2-9A-Z]{4}-[2-9A-Z]{4})"', page))
    assert found == {*named["Sunrise Gamma"], *moved, str(again.reference)}


def test_merging_into_a_linked_agency_links_the_names_and_teaches_them(
    admin: FlaskClient, named: dict[str, list[str]], lodge: Any
) -> None:
    import_agency_list(SystemActor("test"), "NP", "DoFE list", read_agency_list(NP_LIST.encode()))
    db.session.commit()
    keep = _agency("Sunrise Gamma Manpower Pvt Ltd")
    page = _text(admin.get("/admin/agencies/NP/named?unlinked=1"))
    row = page.split(f'id="agency-{keep.id}"', 1)[1].split("</tr>", 1)[0]
    # the list's name and number isolated: a Latin name keeps its order inside an Arabic sentence
    assert "Link to <bdi>Sunrise Gamma Manpower Pvt. Ltd.</bdi> (<bdi>1101/070/71</bdi>" in row
    entry = keep.candidates[0].registry_agency_id
    admin.post(f"/admin/agencies/named/{keep.id}/link", data={"entry": entry, "country": "NP"})
    assert _agency("Sunrise Gamma Manpower Pvt Ltd").match_state == "confirmed"
    other = _agency("sunrise gama manpower")
    admin.post("/admin/agencies/NP/merge", data={"keep": keep.id, "merge": [other.id]})
    merged = _agency("sunrise gama manpower")
    assert merged.merged_into_id == keep.id and merged.registry_agency_id is None
    # the matcher learnt the merged name: written that way again, it links at once
    again = lodge(agency={"name": "SUNRISE GAMA  manpower", "licence_number": ""})
    agency = case_by_reference(again.reference).agency
    assert agency is not None and agency.registry_agency_id == entry


def test_admin_links_a_name_by_licence_number_in_any_script(
    admin: FlaskClient, named: dict[str, list[str]]
) -> None:
    import_agency_list(SystemActor("test"), "NP", "DoFE list", read_agency_list(NP_LIST.encode()))
    db.session.commit()
    omega = _agency("Kathmandu Omega Services")
    admin.post(
        f"/admin/agencies/named/{omega.id}/link",
        data={"country": "NP", f"licence-{omega.id}": "११८८-०७२-७३"},
    )
    linked = _agency("Kathmandu Omega Services")
    assert linked.registry_agency is not None
    assert linked.registry_agency.name == "Himal Delta Recruiters"
    assert db.session.scalars(
        select(AuditEvent.detail).where(AuditEvent.action == "agency_match")
    ).all() == [f"confirmed registry:{linked.registry_agency_id}"]


def test_refused_merges_change_nothing(
    admin: FlaskClient, named: dict[str, list[str]], lodge: Any
) -> None:
    import_agency_list(SystemActor("test"), "NP", "DoFE list", read_agency_list(NP_LIST.encode()))
    db.session.commit()
    sunrise, omega = _agency("Sunrise Gamma"), _agency("Kathmandu Omega Services")
    admin.post(
        f"/admin/agencies/named/{sunrise.id}/link",
        data={f"licence-{sunrise.id}": "1101/070/71", "country": "NP"},
    )
    admin.post(
        f"/admin/agencies/named/{omega.id}/link",
        data={f"licence-{omega.id}": "1188/072/73", "country": "NP"},
    )
    refused = {
        "different entries": {"keep": sunrise.id, "merge": [omega.id]},
        "nothing ticked": {"keep": sunrise.id},
        "nothing kept": {"merge": [omega.id]},
    }
    for why, data in refused.items():
        response = admin.post("/admin/agencies/NP/merge", data=data)
        assert response.status_code == 422, why
        assert "Nothing was changed" in _text(response), why
    qa = lodge(destination_country="QA", origin_country="PH", agency={"name": "Sunrise Gamma"})
    philippine = case_by_reference(qa.reference).agency
    assert philippine is not None
    response = admin.post(
        "/admin/agencies/NP/merge", data={"keep": sunrise.id, "merge": [philippine.id]}
    )
    assert response.status_code == 422
    assert "same country" in _text(response)
    assert not db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "agency_merge")
    ).all()
    assert all(a.merged_into_id is None for a in db.session.scalars(select(Agency)))


def test_only_admins_reach_the_merge(
    app: Flask, make_org: Any, make_user: Any, client: FlaskClient, named: dict[str, list[str]]
) -> None:
    asha = app.test_client()
    login(asha, make_user(make_org("gefont-desk", ["NP"], ["ne"]), name="Asha"))
    keep = _agency("Sunrise Gamma")
    for who in (asha, client):
        assert who.get("/admin/agencies/NP/named").status_code in (302, 403, 404)
        response = who.post("/admin/agencies/NP/merge", data={"keep": keep.id, "merge": [1, 2]})
        assert response.status_code in (302, 403, 404)
    assert all(a.merged_into_id is None for a in db.session.scalars(select(Agency)))
