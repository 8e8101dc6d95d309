"""No log line may carry a worker's narrative, name, phone or secret — not even on errors."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from casework.extensions import db
from casework.json_logging import use_json_logs
from tests import samples
from tests.conftest import complaint_payload, make_app, reset_schema

NARRATIVE = "Narrative-Marker-7731 the broker in Kathmandu kept my passport"
NAME = "Name-Marker-Gurung"
PHONE = "+977 9811122233"


def _all_log_text(caplog: pytest.LogCaptureFixture) -> str:
    return "\n".join(
        record.getMessage() + " " + json.dumps(record.args, default=str)
        for record in caplog.records
    )


def _worker_flow(client: FlaskClient) -> list[str]:
    """Lodge through the API and the web form, follow up right and wrong, send a message: the
    private strings a log must never hold."""
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
    return [
        NARRATIVE,
        "Narrative-Marker",
        NAME,
        PHONE,
        secret,
        web_secret.group(0).replace(" ", ""),
    ]


def test_no_log_line_carries_a_narrative_name_or_secret(
    client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    private = _worker_flow(client)
    logged = _all_log_text(caplog)
    assert caplog.records, "the flow should log something (lodging at least)"
    for value in private:
        assert value not in logged


@pytest.fixture
def json_app(tmp_path: Path) -> Iterator[tuple[Flask, io.StringIO]]:
    """The app as `make serve` runs it: JSON log lines (captured here instead of stderr)."""
    app = make_app(tmp_path, WTF_CSRF_ENABLED=False, REQUIRE_2FA=False, LOG_FORMAT="json")
    reset_schema(app)
    handler = use_json_logs(io.StringIO())
    try:
        with app.app_context():
            yield app, handler.stream
            db.session.remove()
            db.engine.dispose()
    finally:
        logging.getLogger().removeHandler(handler)


def test_json_logs_are_one_object_per_line_with_request_ids_and_no_personal_data(
    json_app: tuple[Flask, io.StringIO],
) -> None:
    app, stream = json_app
    client = app.test_client()
    private = _worker_flow(client)
    answer = client.get("/follow-up", headers={"X-Request-ID": "proxy-id-0123456789abcdef"})
    assert answer.headers["X-Request-ID"] == "proxy-id-0123456789abcdef"
    made_up = client.get("/follow-up", headers={"X-Request-ID": "<script>" + NAME})
    assert client.get("/healthz").status_code == 200  # a balancer's probe: not logged
    assert re.fullmatch(r"[0-9a-f]{32}", made_up.headers["X-Request-ID"])

    text = stream.getvalue()
    for value in private:
        assert value not in text
    lines = [json.loads(line) for line in text.splitlines()]
    access = [line for line in lines if line["logger"] == "casework.request"]
    assert {"time", "level", "logger", "message", "request_id"} <= set(lines[0])
    assert len(access) >= 9  # one per request
    for line in access:
        assert {"method", "path", "endpoint", "status", "duration_ms"} <= set(line)
        assert line["request_id"] and line["duration_ms"] >= 0
        assert "CW-" not in str(line["path"])  # the route's template, not the path
    assert not any(str(line["endpoint"]).startswith("health.") for line in access)
    paths = {(line["method"], line["path"], line["status"]) for line in access}
    assert ("POST", "/api/v1/complaints", 201) in paths
    assert ("GET", "/api/v1/complaints/<reference>", 200) in paths
    by_id = {line["request_id"]: line for line in access}
    assert by_id["proxy-id-0123456789abcdef"]["endpoint"] == "intake.followup"
    assert made_up.headers["X-Request-ID"] in by_id
    # Records logged during a request carry its id: lodging's own line shares one with its
    # access line.
    ids_of_access = {line["request_id"] for line in access}
    assert all(line["request_id"] in ids_of_access for line in lines if line["request_id"])


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
