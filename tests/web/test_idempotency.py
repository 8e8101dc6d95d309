"""A repeated submission answers the first receipt — but never hands the secret to someone else:
the replay must carry the same complaint, a strong key, come within a short window, and (on the
web form) come from the browser that sent it."""

from __future__ import annotations

import json
import re
import time
from typing import Any

import pytest
import time_machine
from flask.testing import FlaskClient
from sqlalchemy import func, select

from casework.extensions import db
from casework.models import Case, Submission
from tests.conftest import complaint_payload

KEY = "9fJ2kQx7Lm4Rt8Vb1Nc6Zp"  # 22 base64url characters: 132 bits
SECRET = re.compile(r"\d{4} \d{4} \d{4} \d{4}")
REFERENCE = re.compile(r"CW-[2-9A-Z]{4}-[2-9A-Z]{4}")
FORM = {
    "language": "en",
    "origin_country": "NP",
    "destination_country": "QA",
    "abuse_categories": ["RA_FEES"],
    "narrative": "The agent kept my passport.",
}
FORM_KEY = "Hq3XbT9mWv2Kp7Ls4Nd8Rf1Yc6Gj5"


def _cases() -> int:
    return int(db.session.scalar(select(func.count(Case.id))) or 0)


def _post(client: FlaskClient, payload: Any, key: str | None = KEY) -> Any:
    headers = {"Idempotency-Key": key} if key is not None else {}
    return client.post("/api/v1/complaints", json=payload, headers=headers)


# --- the API --------------------------------------------------------------------------------


def test_the_same_key_with_another_complaint_gets_no_receipt(client: FlaskClient) -> None:
    first = _post(client, complaint_payload())
    assert first.status_code == 201
    other = _post(client, complaint_payload(narrative="Someone else's story, sent to fish."))
    assert other.status_code == 422
    body = other.get_json()
    assert "Idempotency-Key" in body["error"]["fields"]
    assert first.get_json()["secret"] not in other.get_data(as_text=True)
    assert first.get_json()["reference"] not in other.get_data(as_text=True)
    assert _cases() == 1


def test_the_same_complaint_written_differently_is_the_same_submission(
    client: FlaskClient,
) -> None:
    first = _post(client, complaint_payload())
    raw = json.dumps(dict(reversed(list(complaint_payload().items()))), indent=3)
    again = client.post(
        "/api/v1/complaints",
        data=raw,
        content_type="application/json",
        headers={"Idempotency-Key": KEY},
    )
    assert again.status_code == 201
    assert again.get_json() == first.get_json()
    assert _cases() == 1


@pytest.mark.parametrize(
    "key",
    [
        "chatbot-retry-16c",  # 17 characters: ~100 bits at best
        "x" * 15,
        "0" * 40,  # long, but one character repeated
        "deadbeef" * 3,  # 24 hex digits: 96 bits
        "12345678901234567890123456789012345",  # 35 decimal digits: 116 bits
        "k" + "9fJ2kQx7Lm4Rt8Vb1Nc6Zp" * 6,  # 133 characters: over the limit
        "9fJ2kQx7 Lm4Rt8Vb1Nc6Zp/+==",  # characters outside base64url
        "",
    ],
)
def test_weak_or_overlong_keys_are_refused(client: FlaskClient, key: str) -> None:
    response = _post(client, complaint_payload(), key=key)
    assert response.status_code == 400, key
    assert "Idempotency-Key" in response.get_json()["error"]["fields"]
    assert _cases() == 0


@pytest.mark.parametrize(
    "key",
    [
        "0f8e2a7c4b9d1e3f5a6c8b0d2e4f6a8c",  # 32 hex digits
        "123e4567-e89b-42d3-a456-556642440000",  # a UUID
        "9fJ2kQx7Lm4Rt8Vb1Nc6Zp",  # 22 base64url characters
    ],
)
def test_keys_of_128_bits_are_accepted(client: FlaskClient, key: str) -> None:
    assert _post(client, complaint_payload(), key=key).status_code == 201


def test_the_secret_is_not_replayed_after_the_window(client: FlaskClient) -> None:
    first = _post(client, complaint_payload()).get_json()
    with time_machine.travel(time.time() + 16 * 60, tick=False):
        late = _post(client, complaint_payload())
        assert late.status_code == 409
        assert first["secret"] not in late.get_data(as_text=True)
        assert late.get_json()["error"]["fields"]["reference"] == first["reference"]
        assert _cases() == 1


def test_receipts_hold_no_secret_and_drop_the_sealed_copy_after_the_window(
    client: FlaskClient,
) -> None:
    first = _post(client, complaint_payload()).get_json()
    row = db.session.scalars(select(Submission)).one()
    assert KEY not in row.token_hash
    assert row.receipt_sealed is not None
    assert first["secret"].encode() not in row.receipt_sealed
    with time_machine.travel(time.time() + 16 * 60, tick=False):
        _post(client, complaint_payload(), key="Zy8Xw7Vu6Ts5Rq4Po3Nm2Lk")
        db.session.expire_all()
        old = db.session.get(Submission, row.token_hash)
        assert old is not None and old.receipt_sealed is None


def test_the_openapi_document_states_the_key_rule(client: FlaskClient) -> None:
    operation = client.get("/api/v1/openapi.json").get_json()["paths"]["/api/v1/complaints"]
    (parameter,) = [p for p in operation["post"]["parameters"] if p["name"] == "Idempotency-Key"]
    assert parameter["schema"]["minLength"] == 22
    assert parameter["schema"]["maxLength"] == 128
    assert parameter["schema"]["pattern"] == "^[A-Za-z0-9_-]+$"
    assert "128 bits" in parameter["description"]
    assert {"400", "409", "422"} <= set(operation["post"]["responses"])


# --- the web form ---------------------------------------------------------------------------


def _send_form(client: FlaskClient, **changes: Any) -> Any:
    return client.post(
        "/complaint", data={**FORM, "submission": FORM_KEY, **changes}, follow_redirects=True
    )


def test_the_form_redirects_to_the_receipt_so_back_never_sends_it_again(
    client: FlaskClient,
) -> None:
    client.get("/complaint")
    sent = client.post("/complaint", data={**FORM, "submission": FORM_KEY})
    assert sent.status_code == 303 and sent.headers["Location"] == "/complaint/receipt"
    page = client.get("/complaint/receipt").get_data(as_text=True)
    assert SECRET.search(page) and REFERENCE.search(page)


def test_the_secret_is_shown_again_only_in_the_browser_that_sent_it(
    client: FlaskClient, app: Any
) -> None:
    client.get("/complaint")
    page = _send_form(client).get_data(as_text=True)
    secret = SECRET.search(page)
    reference = REFERENCE.search(page)
    assert secret and reference
    # A double tap in the same browser: the same receipt.
    assert SECRET.findall(_send_form(client).get_data(as_text=True)) == [secret.group(0)]
    # Someone else who learnt the form's key: the reference at most, never the secret.
    other = app.test_client()
    other.get("/complaint")
    stolen = _send_form(other).get_data(as_text=True)
    assert secret.group(0) not in stolen and not SECRET.search(stolen)
    assert _cases() == 1


def test_reloading_the_receipt_later_shows_the_reference_and_advice_not_the_secret(
    client: FlaskClient,
) -> None:
    client.get("/complaint")
    page = _send_form(client).get_data(as_text=True)
    secret = SECRET.search(page)
    reference = REFERENCE.search(page)
    assert secret and reference
    again = client.get("/complaint/receipt").get_data(as_text=True)
    assert secret.group(0) in again  # a reload a minute later, same browser
    with time_machine.travel(time.time() + 16 * 60, tick=False):
        later = client.get("/complaint/receipt").get_data(as_text=True)
    assert reference.group(0) in later
    assert not SECRET.search(later) and 'id="secret"' not in later
    assert "shown only for a short time" in later


def test_back_change_and_send_again_does_not_reuse_the_receipt(client: FlaskClient) -> None:
    client.get("/complaint")
    first = _send_form(client).get_data(as_text=True)
    changed = _send_form(client, narrative="I remembered more: they also took my phone.")
    assert changed.status_code == 422
    page = changed.get_data(as_text=True)
    assert "You already sent this complaint." in page
    assert not SECRET.search(page) and not REFERENCE.search(page)
    assert "I remembered more" in page  # everything typed is kept
    new_key = re.search(r'name="submission" type="hidden" value="([^"]+)"', page)
    assert new_key and new_key.group(1) != FORM_KEY
    second = _send_form(
        client, narrative="I remembered more: they also took my phone.", submission=new_key.group(1)
    ).get_data(as_text=True)
    assert REFERENCE.findall(second) != REFERENCE.findall(first)
    assert _cases() == 2


def test_a_weak_form_key_is_refused(client: FlaskClient) -> None:
    client.get("/complaint")
    assert _send_form(client, submission="form-token-1").status_code == 400
    assert _cases() == 0


def test_a_double_tap_racing_the_first_request_gets_the_first_receipt(
    client: FlaskClient, monkeypatch: Any
) -> None:
    from casework.services.intake import submissions

    first = _post(client, complaint_payload()).get_json()
    real_replay = submissions.replay
    calls = {"n": 0}

    def not_yet_committed(token: str, holder: str, body: str) -> Any:
        # The second request looked before the first one had committed.
        calls["n"] += 1
        return None if calls["n"] == 1 else real_replay(token, holder, body)

    monkeypatch.setattr(submissions, "replay", not_yet_committed)
    again = _post(client, complaint_payload())
    assert again.status_code == 201
    assert again.get_json() == first
    assert _cases() == 1
