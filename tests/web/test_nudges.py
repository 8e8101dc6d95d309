"""A nudge when there is news: a worker who asked is told, in one content-free text inside their
safe hours, at most once a day, until they say stop (issue 17).

The worker's destination is Qatar (UTC+3) and their safe hours 18-21, i.e. 15:00-18:00 UTC.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from flask import Flask, render_template_string
from flask.testing import FlaskClient
from sqlalchemy import select

from casework.extensions import db
from casework.models.nudge import NudgeSubscription
from casework.services.notifications.nudges import is_stop_reply
from tests.conftest import case_by_reference, complaint_payload, login
from tests.sms_gateway import TOKEN, GatewaySink, running_sms_gateway

INSIDE = datetime(2026, 12, 3, 15, 30, tzinfo=UTC)  # 18:30 in Doha
BEFORE = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)  # 12:00 in Doha: not a safe time
PHONE = "+977 981-2345678"
WORKER_NAME = "Ram Bahadur Test"
INBOUND_TOKEN = "inbound-test-token"  # noqa: S105 - a test value


@pytest.fixture
def gateway(app: Flask) -> Iterator[GatewaySink]:
    with running_sms_gateway() as sink:
        app.config.update(
            SMS_GATEWAY_URL=sink.url,
            SMS_GATEWAY_TOKEN=TOKEN,
            SMS_INBOUND_TOKEN=INBOUND_TOKEN,
            NUDGE_LINK="https://help.example.org/follow-up",
        )
        yield sink


@pytest.fixture
def desk(app: Flask, make_org: Any, make_user: Any) -> dict[str, Any]:
    org = make_org("gefont", ["NP"], ["ne"])
    return {
        "org": org,
        "caseworker": make_user(org, languages=["ne"]),
        "supervisor": make_user(org, "supervisor"),
    }


def _contact(**changes: Any) -> dict[str, Any]:
    contact = {"name": WORKER_NAME, "phone": PHONE, "notify": True, "safe_hours": "18-21"}
    contact.update(changes)
    return {k: v for k, v in contact.items() if v is not None}


def _file(client: FlaskClient, **contact: Any) -> dict[str, Any]:
    response = client.post(
        "/api/v1/complaints", json=complaint_payload(contact=_contact(**contact))
    )
    assert response.status_code == 201, response.get_json()
    lodged: dict[str, Any] = response.get_json()
    from casework.extensions import db

    case = case_by_reference(lodged["reference"])
    case.assignments[0].status = "accepted"  # the origin-side union works the case
    db.session.commit()
    return lodged


def _message(client: FlaskClient, reference: str, text: str = "Please call us.") -> None:
    version = case_by_reference(reference).version
    response = client.post(
        f"/cases/{reference}/messages", data={"body": text, "version": version, "seen_event": 0}
    )
    assert response.status_code == 302


def _run_job(runner: Any) -> str:
    result = runner.invoke(args=["jobs", "run", "nudges"])
    assert result.exit_code == 0, result.output
    return str(result.output)


def _stop_reply(client: FlaskClient, sender: str, token: str = INBOUND_TOKEN) -> int:
    response = client.post(
        "/sms/inbound",
        json={"from": sender, "text": "STOP"},
        headers={"Authorization": f"Bearer {token}"},
    )
    return response.status_code


def test_worker_is_nudged_once_content_free_until_they_reply_stop(
    app: Flask,
    client: FlaskClient,
    runner: Any,
    gateway: GatewaySink,
    desk: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    with time_machine.travel(INSIDE, tick=False) as clock:
        lodged = _file(app.test_client())
        login(client, desk["caseworker"])
        _message(client, lodged["reference"])
        _run_job(runner)

        assert len(gateway.texts) == 1
        sent = gateway.texts[0]
        assert sent.to == "+9779812345678"
        assert "https://help.example.org/follow-up" in sent.text
        for secret in (lodged["reference"], "Gefont", "gefont", WORKER_NAME, "Please call"):
            assert secret not in sent.text
        staff_part = _case_partial(app, lodged["reference"])
        assert 'id="nudges"' in staff_part and "Sent " in staff_part

        # A second message the same day: no second text, today or later today.
        clock.shift(timedelta(hours=1))
        _message(client, lodged["reference"], "And bring your contract.")
        _run_job(runner)
        assert len(gateway.texts) == 1

        # STOP needs the gateway's token; a STOP from another number stops nothing.
        assert _stop_reply(app.test_client(), PHONE, token="guess") == 401
        assert _stop_reply(app.test_client(), "+44 7700 900123") == 200
        assert "Stopped by the worker" not in _case_partial(app, lodged["reference"])
        # The worker replies STOP (spaces and all): the waiting nudge is cancelled too.
        assert _stop_reply(app.test_client(), "+977 9812345678") == 200
        clock.shift(timedelta(days=1))
        _message(client, lodged["reference"], "Any news from you?")
        _run_job(runner)
        assert len(gateway.texts) == 1
        assert "Stopped by the worker" in _case_partial(app, lodged["reference"])
    logged = caplog.text
    assert "9812345678" not in logged and "981-2345678" not in logged


def test_a_news_status_nudges_and_a_routine_one_does_not(
    app: Flask, client: FlaskClient, runner: Any, gateway: GatewaySink, desk: dict[str, Any]
) -> None:
    with time_machine.travel(INSIDE, tick=False):
        lodged = _file(app.test_client())
        login(client, desk["caseworker"])
        reference = lodged["reference"]
        for to in ("triaged", "in_progress"):  # routine steps: not news
            version = case_by_reference(reference).version
            client.post(f"/cases/{reference}/status", data={"to": to, "version": version})
        assert case_by_reference(reference).status == "in_progress"
        _run_job(runner)
        assert gateway.texts == []
        version = case_by_reference(reference).version
        client.post(
            f"/cases/{reference}/status", data={"to": "awaiting_worker", "version": version}
        )
        _run_job(runner)
        assert len(gateway.texts) == 1


def test_outside_safe_hours_the_nudge_waits_for_them(
    app: Flask, client: FlaskClient, runner: Any, gateway: GatewaySink, desk: dict[str, Any]
) -> None:
    with time_machine.travel(BEFORE, tick=False) as clock:
        lodged = _file(app.test_client())
        login(client, desk["caseworker"])
        _message(client, lodged["reference"])
        _run_job(runner)
        assert gateway.texts == []  # noon in Doha: not a safe time
        clock.move_to(datetime(2026, 12, 3, 14, 59, tzinfo=UTC))
        _run_job(runner)
        assert gateway.texts == []  # one minute before the window opens
        clock.move_to(datetime(2026, 12, 3, 15, 5, tzinfo=UTC))
        _run_job(runner)
        assert len(gateway.texts) == 1


def test_worker_who_already_looked_is_not_nudged(
    app: Flask, client: FlaskClient, runner: Any, gateway: GatewaySink, desk: dict[str, Any]
) -> None:
    with time_machine.travel(BEFORE, tick=False) as clock:
        lodged = _file(app.test_client())
        login(client, desk["caseworker"])
        _message(client, lodged["reference"])
        clock.shift(timedelta(hours=1))
        worker = app.test_client()
        worker.post(
            "/follow-up", data={"reference": lodged["reference"], "secret": lodged["secret"]}
        )
        assert "Please call us." in worker.get("/follow-up/case").get_data(as_text=True)
        clock.move_to(INSIDE)
        _run_job(runner)
        assert gateway.texts == []


def test_stop_telling_me_on_the_follow_up_page(
    app: Flask, client: FlaskClient, runner: Any, gateway: GatewaySink, desk: dict[str, Any]
) -> None:
    with time_machine.travel(INSIDE, tick=False):
        lodged = _file(app.test_client())
        worker = app.test_client()
        signed_in = worker.post(
            "/follow-up", data={"reference": lodged["reference"], "secret": lodged["secret"]}
        )
        assert signed_in.status_code == 303
        # The partial the follow-up page includes (templates/intake/followup.html).
        assert 'id="stop-news"' in _followup_partial(app, worker)
        stopped = worker.post("/follow-up/stop-news")
        assert stopped.status_code == 303
        assert stopped.headers["Location"].endswith("/follow-up/case#news-texts")
        partial = _followup_partial(app, worker)
        assert 'id="stop-news"' not in partial and "any more" in partial
        login(client, desk["caseworker"])
        _message(client, lodged["reference"])
        _run_job(runner)
        assert gateway.texts == []
        # Without a follow-up session the button stops nothing.
        assert app.test_client().post("/follow-up/stop-news").status_code == 403


def _case_partial(app: Flask, reference: str) -> str:
    """The partial the case page includes (templates/cases/detail.html), as a caseworker with
    full access sees it."""
    with app.test_request_context(f"/cases/{reference}"):
        return render_template_string(
            '{% include "cases/_nudges.html" %}',
            case=case_by_reference(reference),
            page={"full": True},
        )


def _followup_partial(app: Flask, worker: FlaskClient) -> str:
    cookie = worker.get_cookie("cw_followup")
    assert cookie is not None
    headers = {"Cookie": f"cw_followup={cookie.value}"}
    with app.test_request_context("/follow-up/case", headers=headers):
        return render_template_string('{% include "nudges/_followup_stop.html" %}')


def test_gateway_down_is_retried_and_supervisors_see_the_failure(
    app: Flask, client: FlaskClient, runner: Any, gateway: GatewaySink, desk: dict[str, Any]
) -> None:
    with time_machine.travel(INSIDE, tick=False) as clock:
        lodged = _file(app.test_client())
        login(client, desk["caseworker"])
        _message(client, lodged["reference"])
        gateway.fail_with = 503
        assert "1 failed" in _run_job(runner)
        assert gateway.texts == []
        supervisor = app.test_client()
        login(supervisor, desk["supervisor"])
        failures = supervisor.get("/notifications/texts").get_data(as_text=True)
        assert lodged["reference"] in failures and "HTTP 503" in failures
        assert "9812345678" not in failures
        # A caseworker does not get the list.
        assert client.get("/notifications/texts").status_code == 403

        gateway.fail_with = None
        clock.shift(timedelta(minutes=2))  # past the first back-off
        _run_job(runner)
        assert len(gateway.texts) == 1
        failures = supervisor.get("/notifications/texts").get_data(as_text=True)
        assert lodged["reference"] not in failures


def test_a_gateway_that_stays_down_is_given_up(
    app: Flask, client: FlaskClient, runner: Any, gateway: GatewaySink, desk: dict[str, Any]
) -> None:
    app.config.update(NUDGE_MAX_ATTEMPTS=2, SMS_GATEWAY_URL="http://127.0.0.1:9/send")
    with time_machine.travel(INSIDE, tick=False) as clock:
        lodged = _file(app.test_client())
        login(client, desk["caseworker"])
        _message(client, lodged["reference"])
        _run_job(runner)
        clock.shift(timedelta(minutes=2))
        assert "1 given up" in _run_job(runner)
        supervisor = app.test_client()
        login(supervisor, desk["supervisor"])
        failures = supervisor.get("/notifications/texts").get_data(as_text=True)
        assert "gateway unreachable" in failures and "given up" in failures


def test_nudge_by_email_when_there_is_no_phone(
    app: Flask, client: FlaskClient, runner: Any, desk: dict[str, Any]
) -> None:
    from tests.smtp_server import running_smtp_server

    with running_smtp_server() as smtp, time_machine.travel(INSIDE, tick=False):
        app.config.update(
            MAIL_SERVER=smtp.host,
            MAIL_PORT=smtp.port,
            MAIL_STARTTLS=False,
            NUDGE_LINK="https://x.example/f",
        )
        lodged = _file(app.test_client(), phone=None, email="ram@example.net")
        login(client, desk["caseworker"])
        _message(client, lodged["reference"])
        _run_job(runner)
        assert [m.recipients for m in smtp.messages] == [["ram@example.net"]]
        text = smtp.messages[0].text + str(smtp.messages[0].message["Subject"])
        assert "https://x.example/f" in text
        assert lodged["reference"] not in text and WORKER_NAME not in text


def test_api_explains_a_wish_it_cannot_keep(client: FlaskClient) -> None:
    for contact, field in [
        ({"name": "R", "notify": True}, "contact.notify"),  # no phone, no e-mail
        (_contact(safe_hours="evenings"), "contact.safe_hours"),
        (_contact(safe_hours="25-3"), "contact.safe_hours"),
        (_contact(time_zone="Mars/Olympus"), "contact.time_zone"),
    ]:
        response = client.post("/api/v1/complaints", json=complaint_payload(contact=contact))
        assert response.status_code == 422, contact
        assert field in response.get_json()["error"]["fields"], contact


def test_a_purge_forgets_the_number(
    app: Flask, runner: Any, gateway: GatewaySink, desk: dict[str, Any]
) -> None:
    from sqlalchemy import select

    from casework.extensions import db
    from casework.models import NudgeSubscription
    from casework.services.escalation.deadlines import set_status

    lodged = _file(app.test_client())
    case = case_by_reference(lodged["reference"])
    assert db.session.scalar(select(NudgeSubscription.phone_hash)) is not None
    set_status(case, "closed")
    db.session.commit()
    with time_machine.travel(datetime.now(UTC) + timedelta(days=800), tick=False):
        result = runner.invoke(args=["jobs", "run", "retention"])
        assert "1 case(s) purged" in result.output
    assert db.session.scalars(select(NudgeSubscription)).all() == []


def test_the_web_form_asks_whether_to_be_told_of_news(client: FlaskClient) -> None:
    """The single-page form (and the contact step, which posts the same fields) records the
    opt-in and the chosen hours; without it, no subscription."""
    form = {
        "language": "en",
        "origin_country": "NP",
        "destination_country": "QA",
        "abuse_categories": ["RA_FEES"],
        "submission": "nudge-form-token-3e9a1c7b5d2f",
        "contact_phone": "+977 9812345678",
        "contact_notify": "y",
        "contact_safe_hours": "18-21",
    }
    client.get("/complaint")
    assert client.post("/complaint", data=form).status_code == 303
    (subscription,) = db.session.scalars(select(NudgeSubscription)).all()
    assert (subscription.channel, subscription.safe_start, subscription.safe_end) == (
        "sms",
        18 * 60,
        21 * 60,
    )
    other = {**form, "submission": "nudge-form-token-8b2d4f6a1c3e", "contact_notify": ""}
    client.get("/complaint")
    assert client.post("/complaint", data=other).status_code == 303
    assert len(db.session.scalars(select(NudgeSubscription)).all()) == 1


@pytest.mark.parametrize(
    "reply", ["STOP", "stop.", "रोक", "Tigil", "BERHENTI", "بند۔", "বন্ধ", "නවත්වන්න", "አቁም", "توقف"]
)
def test_stop_is_understood_in_the_workers_languages(reply: str) -> None:
    assert is_stop_reply(reply) and is_stop_reply(f"{reply} please")


@pytest.mark.parametrize("reply", ["", "   ", "Hello", "stopping by later", "Thank you"])
def test_other_replies_stop_nothing(reply: str) -> None:
    assert not is_stop_reply(reply)
