"""Each staff member reads their own pages in the language they choose; that choice never
changes what a worker sees, even in the same browser."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from casework.extensions import db
from casework.i18n import LANGUAGE_COOKIE
from casework.vocabulary.languages import LANGUAGES, STAFF_LANGUAGES
from tests.conftest import login


@pytest.fixture
def caseworker(make_org: Any, make_user: Any) -> Any:
    gefont = make_org("gefont", ["NP"], ["ne", "en"])
    return make_user(gefont, "caseworker", ["ne", "en"])


def test_a_staff_member_chooses_the_language_of_their_pages(
    app: Flask, client: FlaskClient, caseworker: Any
) -> None:
    login(client, caseworker)
    assert 'lang="en"' in client.get("/cases/").get_data(as_text=True)
    answer = client.post("/account/language", data={"language": "ne"})
    assert answer.status_code == 302
    page = client.get("/cases/").get_data(as_text=True)
    assert '<html lang="ne" dir="ltr">' in page
    assert "केस" in page  # the navigation, in Nepali
    db.session.refresh(caseworker)
    assert caseworker.page_language == "ne"


def test_the_choice_never_reaches_the_worker_pages(client: FlaskClient, caseworker: Any) -> None:
    login(client, caseworker)
    client.post("/account/language", data={"language": "ne"})
    client.set_cookie(LANGUAGE_COOKIE, "id")  # the worker's choice on a shared phone
    page = client.get("/complaint").get_data(as_text=True)
    assert '<html lang="id"' in page and "Bahasa Indonesia" in page
    assert 'lang="ne" dir' not in page


def test_a_language_not_offered_to_staff_is_refused(client: FlaskClient, caseworker: Any) -> None:
    login(client, caseworker)
    for code in ("xx", "", "../en"):
        assert client.post("/account/language", data={"language": code}).status_code == 422
    db.session.refresh(caseworker)
    assert caseworker.page_language == ""  # not chosen: the browser's language


def test_signed_out_nobody_can_set_a_page_language(client: FlaskClient) -> None:
    answer = client.post("/account/language", data={"language": "ne"})
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]


@pytest.mark.parametrize("code", STAFF_LANGUAGES)
def test_every_staff_language_lays_the_page_out_in_its_direction(
    client: FlaskClient, caseworker: Any, code: str
) -> None:
    login(client, caseworker)
    client.post("/account/language", data={"language": code})
    page = client.get("/cases/").get_data(as_text=True)
    direction = "rtl" if LANGUAGES[code].rtl else "ltr"
    assert f'<html lang="{code}" dir="{direction}">' in page


def test_until_they_choose_staff_pages_follow_the_browser(
    client: FlaskClient, caseworker: Any
) -> None:
    login(client, caseworker)
    client.set_cookie(LANGUAGE_COOKIE, "id")
    assert '<html lang="id"' in client.get("/cases/").get_data(as_text=True)
    client.post("/account/language", data={"language": "ne"})
    assert '<html lang="ne"' in client.get("/cases/").get_data(as_text=True)
