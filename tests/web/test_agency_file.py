"""The agency file for staff: a registry agency's facts and licence history, and the cases
naming it that the viewer may open (never another organisation's), in plain words; found by a
search box that forgives misspellings and reads licence numbers in any script."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from casework.extensions import db
from casework.models import RegistryAgency
from casework.services.actors import SystemActor
from casework.services.agencies.lists import read_agency_list
from casework.services.agencies.registry_import import import_agency_list
from casework.vocabulary.labels import label
from tests.conftest import case_by_reference, login

NP_LIST = (
    "licence_number,name,status,status_date,valid_until,address,representative,aliases\n"
    "1234/067/68,Sunrise Manpower Pvt Ltd,Active,2024-01-01,2028-01-01,"
    "Kalanki Kathmandu,Hari Shrestha,Sunrise Overseas\n"
    "1101/070/71,Himal Alpha Manpower Pvt. Ltd.,Active,2025-01-01,2028-01-01,,,\n"
)
NOT_THEIRS = {"share_with_partners": True, "share_across_borders": False}


def _text(response: Any) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def _sunrise() -> RegistryAgency:
    import_agency_list(
        SystemActor("test"), "NP", "DoFE list 2026-11", read_agency_list(NP_LIST.encode())
    )
    db.session.commit()
    return db.session.scalars(
        select(RegistryAgency).where(RegistryAgency.licence_key == "123406768")
    ).one()


@pytest.fixture
def two_unions(app: Flask, lodge: Any, make_org: Any, make_user: Any) -> dict[str, Any]:
    """Two Nepali unions, each holding one case against Sunrise Manpower."""
    entry = _sunrise()
    other_org = make_org("other-union", ["NP"], ["ne"])
    other = make_user(other_org, languages=["ne"])
    theirs = lodge(consent=NOT_THEIRS).reference  # the only Nepali union yet: theirs
    gefont = make_org("gefont", ["NP"], ["ne"])
    asha = make_user(gefont, languages=["ne"])
    mine = lodge(consent=NOT_THEIRS, abuse_categories=["RA_FEES", "FL_DOCS"]).reference
    for reference, user in ((theirs, other), (mine, asha)):
        offer = case_by_reference(reference).assignments[0]
        assert offer.organisation_id == user.organisation_id
        assert case_by_reference(reference).agency.registry_agency_id == entry.id
    client = app.test_client()
    login(client, asha)
    offer = case_by_reference(mine).assignments[0]
    client.post(f"/cases/{mine}/accept", data={"assignment_id": offer.id})
    return {"entry": entry, "mine": mine, "theirs": theirs, "client": client, "asha": asha}


def test_caseworker_sees_own_case_against_the_agency_but_not_another_unions(
    two_unions: dict[str, Any],
) -> None:
    client: FlaskClient = two_unions["client"]
    mine, theirs = two_unions["mine"], two_unions["theirs"]
    case = case_by_reference(mine)
    client.post(
        f"/cases/{mine}/outcomes",
        data={
            "code": "OUT_MONEY_RECOVERED",
            "kind": "fee_refund",
            "amount_claimed": "150000",
            "amount": "90000",
            "currency": "NPR",
            "version": case.version,
        },
    )
    response = client.get(f"/agencies/{two_unions['entry'].id}")
    page = _text(response)
    assert response.status_code == 200
    # The registry's facts and history.
    for fact in ("Sunrise Manpower Pvt Ltd", "1234/067/68", "Kalanki Kathmandu", "Hari Shrestha"):
        assert fact in page
    assert "Sunrise Overseas" in page and "DoFE list 2026-11" in page
    assert "Licensed" in page and "Licence history" in page
    # The case this union holds, in plain words, and nothing of the other union's.
    assert f'href="/cases/{mine}"' in page
    assert theirs not in page
    assert label("RA_FEES", "abuse") in page and label("FL_DOCS", "abuse") in page
    assert "RA_FEES" not in page and "FL_DOCS" not in page
    assert "Money recovered" in page and "90,000" in page and "150,000" in page
    assert re.search(r"Cases</th> ?<td class=\"num\">1<", page)
    # No worker's identity on the page.
    assert "Ram Bahadur Test" not in page and "9812345678" not in page


def test_the_other_union_sees_only_its_own_case(app: Flask, two_unions: dict[str, Any]) -> None:
    theirs_user = case_by_reference(two_unions["theirs"]).assignments[0].user
    client = app.test_client()
    login(client, theirs_user)
    page = _text(client.get(f"/agencies/{two_unions['entry'].id}"))
    assert two_unions["theirs"] in page  # offered to them: they may open it
    assert two_unions["mine"] not in page


def test_anonymous_visitors_are_sent_to_sign_in(client: FlaskClient, app: Flask) -> None:
    entry = _sunrise()
    for path in (f"/agencies/{entry.id}", "/agencies/?q=sunrise"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_case_page_and_admin_list_link_to_the_agency_page(
    app: Flask, two_unions: dict[str, Any], make_org: Any, make_user: Any
) -> None:
    entry_url = f"/agencies/{two_unions['entry'].id}"
    case_page = _text(two_unions["client"].get(f"/cases/{two_unions['mine']}"))
    assert f'href="{entry_url}"' in case_page
    admin = app.test_client()
    login(admin, make_user(make_org("platform", ["NP"]), role="admin"))
    assert f'href="{entry_url}"' in _text(admin.get("/admin/agencies/NP"))


def test_search_finds_an_agency_by_misspelt_name_or_licence_in_any_script(
    app: Flask, make_org: Any, make_user: Any
) -> None:
    entry = _sunrise()
    client = app.test_client()
    login(client, make_user(make_org("gefont", ["NP"], ["ne"])))
    found = _text(client.get("/agencies/?q=sunrise+manpwr"))
    assert f'href="/agencies/{entry.id}"' in found
    assert "Himal Alpha" not in found
    by_licence = _text(client.get("/agencies/?q=१२३४-०६७-६८&country=NP"))
    assert f'href="/agencies/{entry.id}"' in by_licence
    assert "No agency found." in _text(client.get("/agencies/?q=nothing+like+it"))
    assert client.get("/agencies/999999").status_code == 404
