"""The worker's agency question offers the origin country's licensed agencies: without
JavaScript, "Find my agency" lists the closest entries of the registry (everything typed is
kept), the chosen one fills the name and licence number, and the lodged case is linked to it.
The JSON the type-ahead script reads holds public registry facts only."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from casework.extensions import db
from casework.models import Case, RegistryAgency
from casework.models.agency import MATCH_LICENCE
from casework.services.actors import SystemActor
from casework.services.agencies.lists import read_agency_list
from casework.services.agencies.registry_import import import_agency_list

REGISTRY = (
    "licence_number,name,status,status_date,address,phone\n"
    "1234/067/68,Sunrise Manpower Pvt Ltd,Active,2024-01-01,Kalanki Kathmandu,+977 1 4000000\n"
    "1101/070/71,Himal Alpha Manpower Pvt. Ltd.,Active,2025-01-01,,\n"
    "1188/072/73,Everest Recruiters,Active,2025-01-01,,\n"
)
WHERE = {
    "origin_country": "NP",
    "destination_country": "QA",
    "agency_name": "sunrise manpwr",
    "employer_name": "Doha Build Contracting",
    "occupation": "Mason",
}
REST: list[tuple[str, dict[str, Any]]] = [
    ("what", {"abuse_categories": ["RA_FEES"], "narrative": "The agent kept my passport."}),
    ("money", {}),
    ("evidence", {}),
    ("contact", {}),
]


@pytest.fixture
def sunrise(app: Flask) -> RegistryAgency:
    import_agency_list(
        SystemActor("test"), "NP", "DoFE list 2026-11", read_agency_list(REGISTRY.encode())
    )
    db.session.commit()
    return db.session.scalars(
        select(RegistryAgency).where(RegistryAgency.name == "Sunrise Manpower Pvt Ltd")
    ).one()


def _post(client: FlaskClient, step: str, data: dict[str, Any], go: str = "next") -> Any:
    return client.post(f"/complaint/step/{step}", data={**data, "go": go})


def _page(response: Any) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def _value(page: str, name: str) -> str:
    found = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', page)
    return found.group(1) if found else ""


def test_worker_finds_a_misspelt_agency_without_javascript_and_the_case_is_linked(
    client: FlaskClient, sunrise: RegistryAgency
) -> None:
    assert _post(client, "language", {"language": "en"}).status_code == 303
    found = _post(client, "where", WHERE, go="find_agency")
    page = _page(found)
    assert found.status_code == 200
    assert "Sunrise Manpower Pvt Ltd (licence 1234/067/68)" in page
    assert f'name="agency_choice" type="radio" value="{sunrise.id}"' in page
    assert "My agency is not in this list" in page
    assert "Everest Recruiters" not in page
    assert "Kalanki" not in page and "4000000" not in page  # a name and a number, no more
    # Everything typed is still there.
    assert _value(page, "agency_name") == "sunrise manpwr"
    assert _value(page, "employer_name") == "Doha Build Contracting"
    assert _value(page, "occupation") == "Mason"
    assert re.search(r'<option selected value="NP">|<option value="NP" selected>', page)

    chosen = _post(client, "where", {**WHERE, "agency_choice": str(sunrise.id)})
    assert chosen.status_code == 303 and chosen.location == "/complaint/step/what"
    again = _page(client.get("/complaint/step/where"))
    assert _value(again, "agency_name") == "Sunrise Manpower Pvt Ltd"
    assert _value(again, "agency_licence_number") == "1234/067/68"
    assert _value(again, "employer_name") == "Doha Build Contracting"

    for step, data in REST:
        assert _post(client, step, data).status_code == 303, step
    assert _post(client, "check", {}, go="send").location == "/complaint/receipt"
    case = db.session.scalars(select(Case)).one()
    assert case.agency is not None
    assert case.agency.registry_agency_id == sunrise.id
    assert case.agency.match_state == MATCH_LICENCE
    assert case.employer_name == "Doha Build Contracting"


def test_not_in_the_list_keeps_the_name_as_typed(
    client: FlaskClient, sunrise: RegistryAgency
) -> None:
    _post(client, "language", {"language": "en"})
    _post(client, "where", WHERE, go="find_agency")
    kept = _post(client, "where", {**WHERE, "agency_choice": "none"})
    assert kept.status_code == 303
    page = _page(client.get("/complaint/step/where"))
    assert _value(page, "agency_name") == "sunrise manpwr"
    assert _value(page, "agency_licence_number") == ""


def test_find_without_a_country_says_what_to_do_in_the_workers_language(
    client: FlaskClient, sunrise: RegistryAgency
) -> None:
    _post(client, "language", {"language": "ne"})
    response = _post(client, "where", {**WHERE, "origin_country": ""}, go="find_agency")
    page = _page(response)
    assert response.status_code == 200
    assert '<html lang="ne"' in page
    assert 'id="agency_name-hint"' in page
    assert re.search(r'<input[^>]*aria-describedby="agency_name-hint"[^>]*name="agency_name"', page)
    assert 'name="agency_choice"' not in page
    assert _value(page, "agency_name") == "sunrise manpwr"


def test_nothing_on_the_list_keeps_the_name_and_offers_no_choice(
    client: FlaskClient, sunrise: RegistryAgency
) -> None:
    _post(client, "language", {"language": "en"})
    page = _page(_post(client, "where", {**WHERE, "agency_name": "Zqxw Global"}, go="find_agency"))
    assert "No licensed agency on the list has a name like this." in page
    assert 'name="agency_choice"' not in page
    assert _value(page, "agency_name") == "Zqxw Global"


def test_type_ahead_json_gives_only_name_and_licence_of_offered_origins(
    client: FlaskClient, sunrise: RegistryAgency
) -> None:
    response = client.post("/complaint/agencies", data={"country": "NP", "q": "sunrise manpwr"})
    assert response.status_code == 200
    agencies = response.get_json()["agencies"]
    assert agencies[0] == {"name": "Sunrise Manpower Pvt Ltd", "licence_number": "1234/067/68"}
    assert all(set(a) == {"name", "licence_number"} for a in agencies)
    by_licence = client.post(
        "/complaint/agencies", data={"country": "NP", "q": "१२३४-०६७-६८"}
    ).get_json()
    assert by_licence["agencies"][0]["name"] == "Sunrise Manpower Pvt Ltd"
    # Qatar is offered as a destination only: nothing, whatever its registry holds.
    import_agency_list(SystemActor("test"), "QA", "MoL list", read_agency_list(REGISTRY.encode()))
    db.session.commit()
    qatar = client.post("/complaint/agencies", data={"country": "QA", "q": "sunrise"})
    assert qatar.get_json() == {"agencies": []}
