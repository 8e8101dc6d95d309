"""Throttling shared between app nodes through Redis, and refused (503) when Redis is down.

The two-node test runs real gunicorn processes on one database and one Redis: a follow-up
secret guess is counted whichever node answers it.
"""

from __future__ import annotations

import http.client
import json
import re
import uuid
from collections.abc import Iterator
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from bench.gunicorn_server import CASEWORK_APP, CASEWORK_ARGS, gunicorn, request, server_env
from casework.extensions import db
from tests.conftest import complaint_payload, make_app, reset_schema
from tests.redis_server import RedisServer, redis_available, running_redis_server
from tests.shared_instance import prepare_shared_instance

pytestmark = pytest.mark.skipif(not redis_available(), reason="redis-server is not installed")


def _limited_app(tmp_path: Path, redis_url: str) -> Flask:
    app = make_app(
        tmp_path,
        WTF_CSRF_ENABLED=False,
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI=redis_url,
        RATELIMIT_KEY_PREFIX=f"test-{uuid.uuid4().hex}",
    )
    reset_schema(app)
    return app


@pytest.fixture
def own_redis() -> Iterator[RedisServer]:
    with running_redis_server() as server:
        yield server


def test_guessing_refused_with_503_while_redis_is_down_and_counted_again_after(
    tmp_path: Path, own_redis: RedisServer
) -> None:
    app = _limited_app(tmp_path, own_redis.url)
    with app.app_context():
        client = app.test_client()
        lodged = client.post("/api/v1/complaints", json=complaint_payload()).get_json()
        wrong = {"X-Complaint-Secret": "0" * 16}
        status_url = f"/api/v1/complaints/{lodged['reference']}"
        assert client.get(status_url, headers=wrong).status_code == 404

        own_redis.stop()
        # Fail closed: no guess goes through uncounted, on the API or the web pages.
        api = client.get(status_url, headers=wrong)
        assert api.status_code == 503 and int(api.headers["Retry-After"]) > 0
        assert api.is_json and "error" in api.get_json()
        followup = client.post(
            "/follow-up", data={"reference": lodged["reference"], "secret": "0" * 16}
        )
        assert followup.status_code == 503 and "Retry-After" in followup.headers
        login = client.post("/login", data={"email": "a@example.org", "password": "x" * 12})
        assert login.status_code == 503 and "Retry-After" in login.headers
        # Pages that count nothing keep working.
        assert client.get("/follow-up").status_code == 200
        assert client.get("/login").status_code == 200

        own_redis.start()  # same port; the app reconnects without a restart
        assert client.get(status_url, headers=wrong).status_code == 404
        right = client.get(status_url, headers={"X-Complaint-Secret": lodged["secret"]})
        assert right.status_code == 200
        db.session.remove()
        db.engine.dispose()


def _lodge(port: int) -> dict[str, Any]:
    status, body = request(
        port,
        "POST",
        "/api/v1/complaints",
        json.dumps(complaint_payload()).encode(),
        {"Content-Type": "application/json"},
    )
    assert status == 201, body[:300]
    answer: dict[str, Any] = json.loads(body)
    return answer


class Browser:
    """Just enough of a browser for the follow-up pages: keeps cookies, whichever node answers
    (a load balancer without sticky sessions)."""

    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}

    def go(
        self, port: int, method: str, path: str, form: dict[str, str] | None = None
    ) -> tuple[int, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            from urllib.parse import urlencode

            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
            return response.status, response.read().decode("utf-8", "replace")
        finally:
            connection.close()


def test_limits_and_follow_up_sessions_hold_across_two_gunicorn_nodes(
    tmp_path: Path, redis_server: RedisServer
) -> None:
    instance, database_url = prepare_shared_instance(tmp_path)
    env = server_env(
        CASEWORK_INSTANCE_PATH=str(instance),
        DATABASE_URL=database_url,
        CASEWORK_RATELIMIT_STORAGE=redis_server.url,
    )
    node = {"app": CASEWORK_APP, "env": env, "workdir": tmp_path, "workers": 1}
    ready = "/api/v1/openapi.json"
    args = [*CASEWORK_ARGS]
    with (
        gunicorn(**node, ready_path=ready, extra_args=args) as node_a,
        gunicorn(**node, ready_path=ready, extra_args=args) as node_b,
    ):
        lodged = _lodge(node_a.port)
        path = f"/api/v1/complaints/{lodged['reference']}"
        wrong = {"X-Complaint-Secret": "1" * 16}
        # Five wrong guesses, spread over both nodes (a balancer would do the same)...
        spread = [node_a, node_b, node_a, node_b, node_a]
        assert [request(n.port, "GET", path, headers=wrong)[0] for n in spread] == [404] * 5
        # ...and the sixth is refused whichever node gets it: one count, not one per node.
        assert request(node_b.port, "GET", path, headers=wrong)[0] == 429
        assert request(node_a.port, "GET", path, headers=wrong)[0] == 429
        # Each node reads what the other stored: the same case through either.
        other = _lodge(node_b.port)
        right = {"X-Complaint-Secret": other["secret"]}
        status, body = request(
            node_a.port, "GET", f"/api/v1/complaints/{other['reference']}", headers=right
        )
        assert status == 200 and json.loads(body)["status"] == other["status"]

        # A worker's phone: the form from one node, sent to the other (the CSRF token in the
        # signed session cookie), then the follow-up page from the first (the session row).
        phone = Browser()
        status, page = phone.go(node_a.port, "GET", "/follow-up")
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
        assert status == 200 and token
        form = {"csrf_token": token.group(1), "reference": other["reference"]}
        signed_in, _ = phone.go(
            node_b.port, "POST", "/follow-up", {**form, "secret": other["secret"]}
        )
        assert signed_in == 303
        status, page = phone.go(node_a.port, "GET", "/follow-up/case")
        assert status == 200 and str(other["reference"]) in page
