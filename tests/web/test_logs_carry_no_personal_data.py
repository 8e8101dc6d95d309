"""No log line may carry a worker's narrative, name, phone or secret — not even on errors."""

from __future__ import annotations

import io
import json
import logging
import re
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests import samples
from tests.conftest import complaint_payload

NARRATIVE = "Narrative-Marker-7731 the broker in Kathmandu kept my passport"
NAME = "Name-Marker-Gurung"
PHONE = "+977 9811122233"


def _all_log_text(caplog: pytest.LogCaptureFixture) -> str:
    return "\n".join(
        record.getMessage() + " " + json.dumps(record.args, default=str)
        for record in caplog.records
    )


def test_no_log_line_carries_a_narrative_name_or_secret(
    client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    payload = complaint_payload(
        narrative=NARRATIVE, contact={"name": NAME, "phone": PHONE, "safe_times": "after 9"}
    )
    api = client.post(
        "/api/v1/complaints",
        data={
            "complaint": json.dumps(payload),
            "evidence": (io.BytesIO(samples.png()), f"{NAME}.png"),
        },
        content_type="multipart/form-data",
    )
    assert api.status_code == 201
    secret = api.get_json()["secret"]
    reference = api.get_json()["reference"]
    web = client.post(
        "/complaint",
        data={
            "language": "en",
            "origin_country": "NP",
            "destination_country": "QA",
            "narrative": NARRATIVE,
            "contact_name": NAME,
            "contact_phone": PHONE,
        },
        follow_redirects=True,  # to the receipt page
    )
    web_secret = re.search(r"\d{4} \d{4} \d{4} \d{4}", web.get_data(as_text=True))
    assert web_secret
    client.post("/follow-up", data={"reference": reference, "secret": secret})
    client.post("/follow-up", data={"reference": reference, "secret": "1234123412341234"})
    headers = {"X-Complaint-Secret": secret}
    client.post(
        f"/api/v1/complaints/{reference}/messages", json={"message": NARRATIVE}, headers=headers
    )
    client.get(f"/api/v1/complaints/{reference}", headers=headers)

    logged = _all_log_text(caplog)
    assert caplog.records, "the flow should log something (lodging at least)"
    for private in (
        NARRATIVE,
        "Narrative-Marker",
        NAME,
        PHONE,
        secret,
        web_secret.group(0).replace(" ", ""),
    ):
        assert private not in logged


def test_unexpected_errors_log_no_submitted_data(
    client: FlaskClient, caplog: pytest.LogCaptureFixture, monkeypatch: Any
) -> None:
    caplog.set_level(logging.DEBUG)

    def explode(*_args: Any, **_kwargs: Any) -> None:
        raise ValueError(f"could not store {NARRATIVE} for {NAME}")

    monkeypatch.setattr("casework.blueprints.api.views.lodge_complaint", explode)
    response = client.post("/api/v1/complaints", json=complaint_payload(narrative=NARRATIVE))
    assert response.status_code == 500
    assert response.get_json()["error"]["code"] == "server_error"
    logged = _all_log_text(caplog)
    assert "ValueError" in logged
    assert NARRATIVE not in logged and NAME not in logged
