"""The worker's follow-up page: reference + secret, never in a URL or cookie; throttled."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import make_app, reset_schema


def _login(client: FlaskClient, reference: str, secret: str) -> Any:
    return client.post(
        "/follow-up", data={"reference": reference, "secret": secret}, follow_redirects=True
    )


def test_worker_checks_status_and_sends_a_message(client: FlaskClient, lodge: Any) -> None:
    lodged = lodge(language="en")
    spaced = " ".join(lodged.secret[i : i + 4] for i in range(0, 16, 4))
    response = _login(client, lodged.reference.lower(), spaced)
    assert response.status_code == 200
    assert response.request.path == "/follow-up/case"
    page = response.get_data(as_text=True)
    assert lodged.reference in page
    assert "We have received your complaint" in page
    assert lodged.secret not in page
    sent = client.post(
        "/follow-up/message", data={"message": "I have the receipt now"}, follow_redirects=True
    )
    assert sent.status_code == 200
    assert "I have the receipt now" in sent.get_data(as_text=True)
    assert "Your message was sent." in sent.get_data(as_text=True)
    for cookie in client._cookies.values():  # noqa: SLF001 - inspecting what the browser keeps
        assert lodged.secret not in cookie.value


def test_wrong_secret_and_unknown_reference_answer_the_same(
    client: FlaskClient, lodge: Any
) -> None:
    lodged = lodge()
    wrong = _login(client, lodged.reference, "1111 2222 3333 4444")
    unknown = _login(client, "CW-2222-3333", lodged.secret)
    assert wrong.status_code == unknown.status_code == 404

    def page(response: Any) -> str:
        text: str = response.get_data(as_text=True)
        return text.replace(lodged.reference, "").replace("CW-2222-3333", "")

    assert page(wrong) == page(unknown)


def test_empty_message_is_refused_in_place(client: FlaskClient, lodge: Any) -> None:
    lodged = lodge(language="en")
    _login(client, lodged.reference, lodged.secret)
    response = client.post("/follow-up/message", data={"message": "  "})
    assert response.status_code == 422
    assert "Please write a message." in response.get_data(as_text=True)


def test_forged_or_missing_session_is_refused(client: FlaskClient, lodge: Any) -> None:
    lodge()
    assert client.post("/follow-up/message", data={"message": "hi"}).status_code == 403
    client.set_cookie("cw_followup", "forged")
    assert client.post("/follow-up/message", data={"message": "hi"}).status_code == 403
    assert client.get("/follow-up/case").status_code == 403


def test_guessing_is_throttled_per_reference_without_locking_out_the_worker(
    tmp_path: Any,
) -> None:
    app: Flask = make_app(tmp_path, WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=True)
    reset_schema(app)
    from casework.services.intake.operations import lodge_complaint
    from tests.conftest import complaint_payload

    with app.app_context():
        lodged = lodge_complaint(complaint_payload())
        attacker = app.test_client()
        codes = [_login(attacker, lodged.reference, f"{n:016d}").status_code for n in range(6)]
        assert codes[:5] == [404] * 5 and codes[5] == 429
        # The worker, from their own phone, still gets in.
        worker = app.test_client()
        worker_response = worker.post(
            "/follow-up",
            data={"reference": lodged.reference, "secret": lodged.secret},
            environ_base={"REMOTE_ADDR": "10.9.8.7"},
        )
        assert worker_response.status_code == 303
        from casework.extensions import db

        db.session.remove()
        db.engine.dispose()


def test_secret_is_a_plain_field_without_javascript_and_any_grouping_works(
    client: FlaskClient, lodge: Any
) -> None:
    page = client.get("/follow-up").get_data(as_text=True)
    secret_input = re.search(r'<input[^>]*id="secret"[^>]*>', page)
    assert secret_input is not None
    assert 'type="text"' in secret_input.group(0) and "data-secret-input" in secret_input.group(0)
    assert re.search(r"/static/secret\.[.\w]*js", page)
    lodged = lodge(language="en")
    dashed = "-".join(lodged.secret[i : i + 4] for i in range(0, 16, 4))
    assert _login(client, lodged.reference.lower(), dashed).request.path == "/follow-up/case"


def test_dates_are_written_in_the_workers_script_without_seconds(
    client: FlaskClient, lodge: Any
) -> None:
    lodged = lodge(language="ne")
    client.set_cookie("cw_lang", "ne")
    page = _login(client, lodged.reference, lodged.secret).get_data(as_text=True)
    hint = re.search(r'<p class="hint">([^<]*२०[^<]*)</p>', page)
    assert hint is not None, "the last update is written in Devanagari digits"
    when = hint.group(1)
    assert not re.search(r"[0-9]", when)
    assert len(re.findall(r"[०-९]{1,2}:[०-९]{2}", when)) == 1  # hours:minutes, no seconds
