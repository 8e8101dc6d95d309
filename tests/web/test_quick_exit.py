"""A shared phone: the quick exit goes through the app, which ends the follow-up session and
the receipt on the server and asks the browser to forget the site; every worker form redirects
after it is sent, so Back never sends it again."""

from __future__ import annotations

import re
import time
from typing import Any

import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from casework.extensions import db
from casework.models import CaseEvent
from casework.models import event as ev

SECRET = re.compile(r"\d{4} \d{4} \d{4} \d{4}")
FORM = {
    "language": "en",
    "origin_country": "NP",
    "destination_country": "QA",
    "abuse_categories": ["RA_FEES"],
    "narrative": "The agent kept my passport.",
    "submission": "Hq3XbT9mWv2Kp7Ls4Nd8Rf1Yc6Gj5",
}


def _cookies(client: FlaskClient) -> dict[str, str]:
    return {c.key: c.value for c in client._cookies.values()}  # noqa: SLF001 - the browser's jar


def _sign_in(client: FlaskClient, lodged: Any) -> Any:
    return client.post("/follow-up", data={"reference": lodged.reference, "secret": lodged.secret})


def test_quick_exit_clears_the_site_and_leaves(client: FlaskClient, app: Flask) -> None:
    page = client.get("/complaint").get_data(as_text=True)
    assert 'id="quick-exit" href="/exit"' in page
    response = client.get("/exit")
    assert response.status_code == 303
    assert response.headers["Location"] == app.config["QUICK_EXIT_URL"]
    assert response.headers["Clear-Site-Data"] == '"cache", "cookies", "storage"'
    assert response.headers["Cache-Control"] == "no-store"
    expired = " ".join(response.headers.getlist("Set-Cookie"))
    for name in ("cw_followup", "cw_receipt", "cw_intake", "cw_lang"):
        assert f"{name}=;" in expired, name
    assert _cookies(client) == {}


def test_quick_exit_ends_the_follow_up_session_on_the_server(
    client: FlaskClient, app: Flask, lodge: Any
) -> None:
    lodged = lodge(language="en")
    assert _sign_in(client, lodged).status_code == 303
    session_cookie = _cookies(client)["cw_followup"]
    assert lodged.secret not in session_cookie
    assert lodged.reference in client.get("/follow-up/case").get_data(as_text=True)
    client.get("/exit")
    # Someone who copied the cookie before the exit (or a browser that ignored the exit's
    # Clear-Site-Data) opens nothing.
    client.set_cookie("cw_followup", session_cookie)
    after = client.get("/follow-up/case")
    assert after.status_code == 403
    assert lodged.reference not in after.get_data(as_text=True)
    posted = client.post("/follow-up/message", data={"message": "hello?"})
    assert posted.status_code == 403


def test_the_follow_up_session_ends_when_idle(client: FlaskClient, lodge: Any) -> None:
    lodged = lodge(language="en")
    _sign_in(client, lodged)
    with time_machine.travel(time.time() + 16 * 60, tick=False):
        assert client.get("/follow-up/case").status_code == 403


def test_sending_a_message_redirects_so_back_never_sends_it_twice(
    client: FlaskClient, lodge: Any
) -> None:
    lodged = lodge(language="en")
    _sign_in(client, lodged)
    sent = client.post("/follow-up/message", data={"message": "I have the receipt now"})
    assert sent.status_code == 303
    assert sent.headers["Location"] == "/follow-up/case?done=message"
    # Back, reload: the browser asks for the page again, not the form.
    for _ in range(2):
        page = client.get(sent.headers["Location"])
        assert page.status_code == 200
        assert page.headers["Cache-Control"] == "no-store"
        assert "Your message was sent." in page.get_data(as_text=True)
    messages = db.session.scalar(
        select(func.count(CaseEvent.id)).where(CaseEvent.kind == ev.MESSAGE_FROM_WORKER)
    )
    assert messages == 1


def test_quick_exit_after_the_receipt_hides_the_secret_for_good(
    client: FlaskClient,
) -> None:
    client.get("/complaint")
    sent = client.post("/complaint", data=FORM)
    assert sent.status_code == 303
    receipt = client.get("/complaint/receipt")
    assert receipt.headers["Cache-Control"] == "no-store"
    secret = SECRET.search(receipt.get_data(as_text=True))
    assert secret
    kept = _cookies(client)
    client.get("/exit")
    assert client.get("/complaint/receipt").status_code == 303  # nothing left to show
    # Even with the cookies put back, the secret is gone from the server.
    for name, value in kept.items():
        client.set_cookie(name, value)
    page = client.get("/complaint/receipt").get_data(as_text=True)
    assert secret.group(0) not in page and not SECRET.search(page)
