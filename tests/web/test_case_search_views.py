"""Saved views: a staff member names a search, finds it again as a link, deletes it; nobody else
sees or opens it."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import login


def _client(app: Flask, user: Any) -> FlaskClient:
    client = app.test_client()
    login(client, user)
    return client


def _view_links(page: str) -> dict[str, int]:
    return {
        name: int(number)
        for number, name in re.findall(r'href="/cases/views/(\d+)"[^>]*>([^<]+)</a>', page)
    }


def test_saved_views_are_mine_alone(app: Flask, lodge: Any, make_org: Any, make_user: Any) -> None:
    gefont = make_org("gefont", ["NP"], ["ne", "en"])
    asha = make_user(gefont, languages=["ne"])
    bikash = make_user(gefont, languages=["ne"])
    malaysia = lodge(destination_country="MY").reference
    lodge(destination_country="QA")
    mine, theirs = _client(app, asha), _client(app, bikash)

    search = "/cases/?tab=offered&destination=MY&abuse=RA_FEES"
    page = mine.get(search).get_data(as_text=True)
    query = re.search(r'name="query" type="hidden" value="([^"]+)"', page)
    assert query, "a search offers to be saved"
    saved = mine.post(
        "/cases/views", data={"name": "Malaysia fees", "query": query[1].replace("&amp;", "&")}
    )
    assert saved.status_code == 302
    assert parse_qs(urlsplit(saved.location).query) == {
        "tab": ["offered"],
        "destination": ["MY"],
        "abuse": ["RA_FEES"],
    }
    home = mine.get("/cases/").get_data(as_text=True)
    assert "My saved views" in home and "Malaysia fees" in _view_links(home)
    view_id = _view_links(home)["Malaysia fees"]

    opened = mine.get(f"/cases/views/{view_id}")
    assert opened.status_code == 302
    listed = mine.get(opened.location).get_data(as_text=True)
    found = set(re.findall(r'href="/cases/(CW-[2-9A-Z]{4}-[2-9A-Z]{4})"', listed))
    assert found == {malaysia}
    assert 'aria-current="page">Malaysia fees' in listed  # the view being looked at is marked

    # another caseworker of the same organisation neither sees nor uses nor deletes it
    assert "Malaysia fees" not in theirs.get("/cases/").get_data(as_text=True)
    assert theirs.get(f"/cases/views/{view_id}").status_code == 404
    assert theirs.post(f"/cases/views/{view_id}/delete").status_code == 404
    assert "Malaysia fees" in mine.get("/cases/").get_data(as_text=True)

    # saving again under the same name replaces it; a view needs a name and a search
    mine.post("/cases/views", data={"name": "Malaysia fees", "query": "tab=mine&destination=MY"})
    assert len(_view_links(mine.get("/cases/").get_data(as_text=True))) == 1
    nameless = mine.post("/cases/views", data={"name": " ", "query": "destination=QA"})
    assert "Give the view a name." in mine.get(nameless.location).get_data(as_text=True)
    assert len(_view_links(mine.get("/cases/").get_data(as_text=True))) == 1

    deleted = mine.post(f"/cases/views/{view_id}/delete")
    assert deleted.status_code == 302
    after = mine.get(deleted.location).get_data(as_text=True)
    assert "Deleted the view" in after and _view_links(after) == {}
    assert mine.get(f"/cases/views/{view_id}").status_code == 404
