"""/healthz and /readyz as a load balancer and a monitor see them: cheap, cookie-free, and
naming the dependency that is down without saying anything else about it.

Failures are real: a folder removed, a key ring file gone, a database or Redis on a port where
nothing listens."""

from __future__ import annotations

import base64
import logging
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from casework.extensions import db
from casework.models import AuditEvent
from tests.conftest import make_app


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A local port where nothing listens (bound, so nothing else takes it meanwhile)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield int(sock.getsockname()[1])


def _readiness(app: Flask) -> tuple[int, dict[str, object]]:
    response = app.test_client().get("/readyz")
    body = response.get_json()
    assert isinstance(body, dict)
    return response.status_code, body


def _app_without_schema(tmp_path: Path, **overrides: object) -> Flask:
    """An app that needs nothing from its database to start: keys from the environment."""
    key = base64.urlsafe_b64encode(bytes(range(32))).decode("ascii")
    return make_app(
        tmp_path, MASTER_KEYS=f"mk-test:{key}", FOLLOWUP_PEPPER="test-pepper", **overrides
    )


def test_probes_answer_and_leave_no_trace(app: Flask, caplog: pytest.LogCaptureFixture) -> None:
    """Polled every few seconds: no cookie, no audit event, no log line of its own."""
    client = app.test_client()
    assert client.get("/healthz").get_json() == {"status": "alive"}
    status, body = _readiness(app)
    assert status == 200
    assert body == {
        "status": "ready",
        "checks": {
            "database": "ok",
            "evidence_store": "ok",
            "key_ring": "ok",
            "limiter": "disabled",  # the test app does not throttle
        },
    }
    audit_rows = db.session.scalar(select(func.count()).select_from(AuditEvent))
    with caplog.at_level(logging.DEBUG, logger="casework"):
        for _ in range(10):
            for path in ("/healthz", "/readyz"):
                response = client.get(path)
                assert response.status_code == 200
                assert "Set-Cookie" not in response.headers
                assert response.headers["Cache-Control"] == "no-store"
    assert client.get_cookie(app.config["SESSION_COOKIE_NAME"]) is None
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == audit_rows
    assert [r.getMessage() for r in caplog.records if r.name.startswith("casework")] == []


def test_readyz_names_the_store_or_key_ring_that_fails_and_recovers(app: Flask) -> None:
    evidence = Path(app.instance_path) / "evidence"
    shutil.rmtree(evidence)
    status, body = _readiness(app)
    assert status == 503
    assert body == {
        "status": "unavailable",
        "checks": {
            "database": "ok",
            "evidence_store": "unavailable",
            "key_ring": "ok",
            "limiter": "disabled",
        },
    }
    response = app.test_client().get("/readyz")
    assert response.headers["Retry-After"].isdigit()
    assert app.instance_path not in response.get_data(as_text=True)  # no path, no errno text
    (evidence / "tmp").mkdir(parents=True)  # the disk is back
    assert _readiness(app)[0] == 200

    ring = Path(app.config["KEYS_PATH"]) / "keyring.json"
    kept = ring.with_name("keyring.json.moved")
    ring.rename(kept)
    try:
        status, body = _readiness(app)
        assert status == 503
        assert body["checks"] == {
            "database": "ok",
            "evidence_store": "ok",
            "key_ring": "unavailable",
            "limiter": "disabled",
        }
    finally:
        kept.rename(ring)
    status, body = _readiness(app)
    assert (status, body["status"]) == (200, "ready")


def test_readyz_names_a_database_that_cannot_be_reached(tmp_path: Path, closed_port: int) -> None:
    """The database on a port where nothing listens: the app starts, is alive, is not ready."""
    down = _app_without_schema(
        tmp_path,
        SQLALCHEMY_DATABASE_URI=f"postgresql+psycopg://casework@127.0.0.1:{closed_port}/casework",
    )
    client = down.test_client()
    assert client.get("/healthz").status_code == 200
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"] == {
        "database": "unavailable",
        "evidence_store": "ok",
        "key_ring": "ok",
        "limiter": "disabled",
    }
    text = response.get_data(as_text=True)
    assert str(closed_port) not in text and "casework@" not in text  # no DSN
    with down.app_context():
        db.engine.dispose()


def test_readyz_names_a_limiter_storage_that_cannot_be_reached(
    tmp_path: Path, closed_port: int
) -> None:
    throttled = _app_without_schema(
        tmp_path,
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{closed_port}/0",
    )
    try:
        response = throttled.test_client().get("/readyz")
        assert response.status_code == 503
        checks = response.get_json()["checks"]
        assert checks == {
            "database": "ok",
            "evidence_store": "ok",
            "key_ring": "ok",
            "limiter": "unavailable",
        }
        assert "Set-Cookie" not in response.headers
    finally:
        with throttled.app_context():
            db.engine.dispose()
