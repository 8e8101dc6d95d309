"""API v1 for partner chatbots: DESIGN §6, every documented error."""

from __future__ import annotations

import io
import json
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import func, select

from casework.extensions import db
from casework.models import Case, Evidence
from tests import samples
from tests.conftest import complaint_payload


def _lodge(
    client: FlaskClient, files: list[tuple[bytes, str]] | None = None, **changes: Any
) -> Any:
    data: dict[str, Any] = {"complaint": json.dumps(complaint_payload(**changes))}
    if files:
        data["evidence"] = [(io.BytesIO(content), name) for content, name in files]
    return client.post("/api/v1/complaints", data=data, content_type="multipart/form-data")


def test_chatbot_lodges_complaint_with_evidence(client: FlaskClient) -> None:
    response = _lodge(
        client, files=[(samples.png(), "a.png"), (samples.ogg_opus_voice_note(), "v.ogg")]
    )
    assert response.status_code == 201
    body = response.get_json()
    assert set(body) == {"reference", "secret", "status", "language"}
    assert body["status"] == "received" and body["language"] == "ne"
    assert len(body["secret"]) == 16
    case = db.session.scalars(select(Case).where(Case.reference == body["reference"])).one()
    assert case.source == "api" and len(case.evidence) == 2


def test_json_body_without_files_is_accepted(client: FlaskClient) -> None:
    response = client.post("/api/v1/complaints", json=complaint_payload(contact=None))
    assert response.status_code == 201


def test_status_shows_plain_words_and_messages_in_the_cases_language(client: FlaskClient) -> None:
    lodged = _lodge(client, language="en").get_json()
    headers = {"X-Complaint-Secret": lodged["secret"]}
    posted = client.post(
        f"/api/v1/complaints/{lodged['reference']}/messages",
        json={"message": "Any news?"},
        headers=headers,
    )
    assert posted.status_code == 201
    status = client.get(f"/api/v1/complaints/{lodged['reference']}", headers=headers)
    assert status.status_code == 200
    body = status.get_json()
    assert body["status"] == "received"
    assert "received your complaint" in body["status_label"]
    assert body["messages"][0]["text"] == "Any news?" and body["messages"][0]["from"] == "worker"
    assert status.headers["Cache-Control"] == "no-store"


def test_wrong_secret_and_unknown_reference_look_the_same(client: FlaskClient) -> None:
    lodged = _lodge(client).get_json()
    wrong_secret = client.get(
        f"/api/v1/complaints/{lodged['reference']}", headers={"X-Complaint-Secret": "0" * 16}
    )
    unknown = client.get(
        "/api/v1/complaints/CW-2222-2222", headers={"X-Complaint-Secret": lodged["secret"]}
    )
    no_header = client.get(f"/api/v1/complaints/{lodged['reference']}")
    assert wrong_secret.status_code == unknown.status_code == no_header.status_code == 404
    assert wrong_secret.get_json() == unknown.get_json() == no_header.get_json()


def test_worker_adds_evidence_through_the_api(client: FlaskClient) -> None:
    lodged = _lodge(client).get_json()
    response = client.post(
        f"/api/v1/complaints/{lodged['reference']}/evidence",
        data={"evidence": (io.BytesIO(samples.jpeg()), "payslip.jpg")},
        headers={"X-Complaint-Secret": lodged["secret"]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 201
    assert response.get_json()["evidence_count"] == 1


def test_malformed_json_is_400(client: FlaskClient) -> None:
    response = client.post("/api/v1/complaints", data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "bad_request"
    multipart = client.post(
        "/api/v1/complaints", data={"complaint": "[1,"}, content_type="multipart/form-data"
    )
    assert multipart.status_code == 400


def test_invalid_fields_are_422_with_messages_in_the_payload_language(client: FlaskClient) -> None:
    response = client.post(
        "/api/v1/complaints", json=complaint_payload(origin_country="", fees=[{"amount": "x"}])
    )
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "invalid"
    assert {"origin_country", "fees.0.amount", "fees.0.category"} <= set(error["fields"])


def test_disallowed_file_is_415_and_nothing_is_stored(client: FlaskClient) -> None:
    response = _lodge(client, files=[(samples.exe(), "photo.png")])
    assert response.status_code == 415
    assert response.get_json()["error"]["code"] == "unsupported_media_type"
    assert db.session.scalar(select(func.count(Case.id))) == 0
    assert db.session.scalar(select(func.count(Evidence.id))) == 0


def test_file_over_the_cap_is_413(tmp_path: Any) -> None:
    from tests.conftest import make_app, reset_schema

    app = make_app(tmp_path, MAX_FILE_BYTES=32 * 1024)
    reset_schema(app)
    with app.app_context():
        client = app.test_client()
        response = _lodge(client, files=[(samples.png() + b"\x00" * 40_000, "big.png")])
        assert response.status_code == 413
        assert response.get_json()["error"]["code"] == "too_large"
        assert db.session.scalar(select(func.count(Case.id))) == 0
        db.session.remove()
        db.engine.dispose()


def test_wrong_content_type_is_415(client: FlaskClient) -> None:
    response = client.post("/api/v1/complaints", data="language=ne", content_type="text/plain")
    assert response.status_code == 415


def test_openapi_describes_every_endpoint(client: FlaskClient) -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.1")
    assert set(document["paths"]) == {
        "/api/v1/complaints",
        "/api/v1/complaints/{reference}",
        "/api/v1/complaints/{reference}/messages",
        "/api/v1/complaints/{reference}/evidence",
        "/api/v1/openapi.json",
    }
    complaint = document["components"]["schemas"]["Complaint"]
    assert "RA_FEES" in complaint["properties"]["abuse_categories"]["items"]["enum"]


def test_retry_with_the_same_idempotency_key_returns_the_first_receipt(client: FlaskClient) -> None:
    headers = {"Idempotency-Key": "chatbot-retry-7f3a9c2e1b5d8e"}
    first = client.post("/api/v1/complaints", json=complaint_payload(), headers=headers)
    again = client.post("/api/v1/complaints", json=complaint_payload(), headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.get_json() == again.get_json()
    assert db.session.scalar(select(func.count(Case.id))) == 1
    other = client.post(
        "/api/v1/complaints",
        json=complaint_payload(),
        headers={"Idempotency-Key": "another-key-0a8c4e2f6b9d1357"},
    )
    assert other.get_json()["reference"] != first.get_json()["reference"]


def test_status_lists_referrals_waiting_for_the_worker(client: FlaskClient) -> None:
    from casework.services.referrals.proposals import propose_referral

    lodged = client.post("/api/v1/complaints", json=complaint_payload(language="en")).get_json()
    case = db.session.scalars(select(Case).where(Case.reference == lodged["reference"])).one()
    referral = propose_referral(case, proposed_by="staff")
    db.session.commit()
    assert referral is not None
    body = client.get(
        f"/api/v1/complaints/{lodged['reference']}",
        headers={"X-Complaint-Secret": lodged["secret"]},
    ).get_json()
    assert [p["id"] for p in body["pending_referrals"]] == [referral.id]
    assert body["pending_referrals"][0]["authority"]
