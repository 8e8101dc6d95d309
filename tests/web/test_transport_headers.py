"""HTTPS only outside demo mode: every response carries HSTS, so a network on the way cannot
downgrade a worker's next visit to plain HTTP."""

from __future__ import annotations

from pathlib import Path

from flask.testing import FlaskClient

from tests.conftest import make_app, reset_schema


def test_every_response_outside_demo_mode_sends_hsts(client: FlaskClient) -> None:
    for url in ("/", "/complaint", "/follow-up", "/login", "/api/v1/openapi.json", "/nowhere"):
        hsts = client.get(url).headers.get("Strict-Transport-Security", "")
        assert "max-age=63072000" in hsts, url
        assert "includeSubDomains" in hsts, url


def test_demo_mode_on_plain_http_sends_no_hsts(tmp_path: Path) -> None:
    app = make_app(tmp_path, DEMO=True, WTF_CSRF_ENABLED=False)
    reset_schema(app)
    with app.app_context():
        response = app.test_client().get("/")
        assert response.status_code == 200
        assert "Strict-Transport-Security" not in response.headers
        from casework.extensions import db

        db.session.remove()
        db.engine.dispose()
