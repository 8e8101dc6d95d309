"""Staff sessions live on the server: a copied cookie dies with sign-out, the idle and absolute
lifetimes are kept by the server, and staff see and end their other sessions."""

from __future__ import annotations

import hashlib
import re
import time
from typing import Any

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from casework.extensions import db
from casework.models import StaffSession
from casework.services.actors import SystemActor
from casework.services.directory.operations import reset_totp, update_organisation, update_user
from casework.services.directory.sessions import describe_device
from tests.conftest import login

PHONE = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Mobile Safari/537.36"
)
ADMIN = SystemActor("test-admin")


def _cookie(client: FlaskClient) -> str:
    cookie = client.get_cookie("cw_session")
    assert cookie is not None
    return cookie.value


def _replay(app: Flask, cookie: str) -> FlaskClient:
    """Another browser with a copy of the cookie (and the same User-Agent, which is no secret)."""
    thief = app.test_client()
    thief.set_cookie("cw_session", cookie)
    return thief


def _signed_in(client: FlaskClient) -> bool:
    response = client.get("/cases/")
    assert response.status_code in (200, 302)
    return response.status_code == 200


@pytest.fixture
def caseworker(make_org: Any, make_user: Any) -> Any:
    return make_user(make_org("gefont", ["NP"]))


def test_a_cookie_copied_before_sign_out_opens_nothing_after(
    app: Flask, client: FlaskClient, caseworker: Any
) -> None:
    login(client, caseworker)
    stolen = _cookie(client)
    assert _signed_in(_replay(app, stolen))  # the copy works while the session lives
    client.post("/logout")
    assert not _signed_in(client)
    thief = _replay(app, stolen)
    response = thief.get("/cases/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert not _signed_in(_replay(app, stolen))
    assert db.session.scalars(select(StaffSession)).all() == []


def test_the_idle_timer_cannot_be_extended_by_editing_the_cookie(
    app: Flask, client: FlaskClient, caseworker: Any
) -> None:
    login(client, caseworker)
    idle = app.config["STAFF_IDLE_TIMEOUT_SECONDS"]
    with time_machine.travel(time.time() + idle + 60, tick=False):
        with client.session_transaction() as forged:  # as if the cookie said "seen just now"
            forged["staff_last_seen"] = int(time.time())
            forged["_fresh"] = True
        response = client.get("/cases/")
        assert response.status_code == 302 and "/login" in response.headers["Location"]
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        assert "You were signed out after a period of inactivity." in page
    assert not _signed_in(client)


def test_use_keeps_a_session_alive_until_its_absolute_lifetime(
    app: Flask, client: FlaskClient, caseworker: Any
) -> None:
    login(client, caseworker)
    start = time.time()
    lifetime = app.config["STAFF_SESSION_MAX_SECONDS"]
    step = app.config["STAFF_IDLE_TIMEOUT_SECONDS"] * 2 // 3
    moment = start
    while moment + step < start + lifetime:
        moment += step
        with time_machine.travel(moment, tick=False):
            assert _signed_in(client), (moment - start) / 3600
    with time_machine.travel(start + lifetime + 60, tick=False):
        response = client.get("/cases/")
        assert response.status_code == 302 and "/login" in response.headers["Location"]
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        assert "Your session has ended. Please sign in again." in page


def test_deactivation_ends_sessions_for_good(
    app: Flask, client: FlaskClient, caseworker: Any
) -> None:
    login(client, caseworker)
    stolen = _cookie(client)
    fields = {"name": caseworker.name, "role": caseworker.role, "languages": ["en"]}
    org = caseworker.organisation_id
    update_user(ADMIN, caseworker, active=False, organisation=org, **fields)
    update_user(ADMIN, caseworker, active=True, organisation=org, **fields)
    assert not _signed_in(client)
    assert not _signed_in(_replay(app, stolen))


def test_organisation_deactivation_ends_its_staffs_sessions_for_good(
    app: Flask, client: FlaskClient, caseworker: Any
) -> None:
    login(client, caseworker)
    stolen = _cookie(client)
    org = caseworker.organisation
    fields = {"name": org.name, "kind": org.kind, "countries": ["NP"], "languages": ["en"]}
    update_organisation(ADMIN, org, active=False, **fields)
    update_organisation(ADMIN, org, active=True, **fields)
    assert not _signed_in(_replay(app, stolen))


def test_second_factor_reset_ends_sessions(
    app: Flask, client: FlaskClient, caseworker: Any
) -> None:
    login(client, caseworker)
    stolen = _cookie(client)
    reset_totp(ADMIN, caseworker)
    assert not _signed_in(_replay(app, stolen))
    assert not _signed_in(client)


def test_staff_see_and_end_their_other_sessions(
    app: Flask, caseworker: Any, make_user: Any
) -> None:
    laptop = app.test_client()
    phone = app.test_client()
    phone.environ_base["HTTP_USER_AGENT"] = PHONE
    login(laptop, caseworker)
    login(phone, caseworker)
    page = laptop.get("/account/sessions").get_data(as_text=True)
    assert "Chrome on Android" in page and "This session" in page
    ends = re.findall(r'action="/account/sessions/(\d+)/end"', page)
    assert len(ends) == 1  # the phone's; this session has no end button of its own

    # Someone else cannot end the phone's session by its number.
    colleague = app.test_client()
    login(colleague, make_user(caseworker.organisation))
    colleague.post(f"/account/sessions/{ends[0]}/end")
    assert _signed_in(phone)

    assert laptop.post(f"/account/sessions/{ends[0]}/end").status_code == 302
    assert not _signed_in(phone)
    assert _signed_in(laptop)
    assert "Chrome on Android" not in laptop.get("/account/sessions").get_data(as_text=True)


def test_ending_all_other_sessions_keeps_this_one(app: Flask, caseworker: Any) -> None:
    clients = [app.test_client() for _ in range(3)]
    for client in clients:
        login(client, caseworker)
    clients[0].post("/account/sessions/end-others")
    assert [_signed_in(c) for c in clients] == [True, False, False]


def test_sessions_page_needs_sign_in(client: FlaskClient) -> None:
    assert client.get("/account/sessions").status_code == 302
    assert client.post("/account/sessions/1/end").status_code == 302
    assert client.post("/account/sessions/end-others").status_code == 302


def test_the_database_holds_no_usable_token(client: FlaskClient, caseworker: Any) -> None:
    login(client, caseworker)
    with client.session_transaction() as cookie:
        token = cookie["staff_sid"]
    (record,) = db.session.scalars(select(StaffSession)).all()
    assert len(token) >= 43  # 256 random bits
    assert record.token_hash == hashlib.sha256(token.encode()).hexdigest() != token


def test_expired_sessions_are_purged_at_the_next_sign_in(
    app: Flask, caseworker: Any, make_user: Any
) -> None:
    login(app.test_client(), caseworker)
    later = time.time() + app.config["STAFF_IDLE_TIMEOUT_SECONDS"] + 120
    with time_machine.travel(later, tick=False):
        login(app.test_client(), make_user(caseworker.organisation))
    db.session.expire_all()
    owners = [s.user_id for s in db.session.scalars(select(StaffSession))]
    assert caseworker.id not in owners and len(owners) == 1


@pytest.mark.parametrize(
    ("agent", "label"),
    [
        (PHONE, ("Chrome", "Android")),
        (
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chromium/119.0 Chrome/119.0 Safari/537.36",
            ("Chromium", "Linux"),
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/120.0 Safari/537.36 Edg/120.0",
            ("Edge", "Windows"),
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1",
            ("Safari", "iOS"),
        ),
        ("Mozilla/5.0 (Macintosh; rv:121.0) Gecko/20100101 Firefox/121.0", ("Firefox", "macOS")),
        ("curl/8.4", ("", "")),
    ],
)
def test_devices_are_described_coarsely(agent: str, label: tuple[str, str]) -> None:
    assert describe_device(agent) == label
