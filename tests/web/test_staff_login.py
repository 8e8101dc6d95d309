"""Staff sign-in: password, TOTP enrolment and codes, throttling, idle timeout, password change."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pyotp
import time_machine
from flask import Flask
from flask.testing import FlaskClient

from casework.extensions import db
from casework.models import AuditEvent
from tests.conftest import STAFF_PASSWORD, login, make_app, reset_schema


def _secret_from(page: str) -> str:
    marker = 'id="totp-secret" dir="ltr">'
    start = page.index(marker) + len(marker)
    return page[start : page.index("<", start)]


def test_two_factor_enrolment_then_code_login(tmp_path: Path) -> None:
    app: Flask = make_app(tmp_path, WTF_CSRF_ENABLED=False, REQUIRE_2FA=True)
    reset_schema(app)
    with app.app_context():
        from casework.models import Organisation, User
        from casework.services.directory.staff_auth import hash_password

        org = Organisation(slug="gefont", name="GEFONT", kind="union")
        org.countries = ["NP"]
        db.session.add(org)
        db.session.flush()
        user = User(
            email="asha@example.org",
            name="Asha",
            organisation_id=org.id,
            role="caseworker",
            password_hash=hash_password(STAFF_PASSWORD),
        )
        db.session.add(user)
        db.session.commit()

        client = app.test_client()
        first = client.post(
            "/login", data={"email": "ASHA@example.org", "password": STAFF_PASSWORD}
        )
        assert first.headers["Location"] == "/login/enrol"
        assert client.get("/cases/").status_code == 302  # not signed in yet
        page = client.get("/login/enrol").get_data(as_text=True)
        assert "<svg" in page
        secret = _secret_from(page)
        wrong = client.post("/login/enrol", data={"code": "000000"})
        assert "/cases" not in wrong.headers.get("Location", "")
        done = client.post("/login/enrol", data={"code": pyotp.TOTP(secret).now()})
        assert done.status_code == 302 and done.headers["Location"].endswith("/cases/")
        client.post("/logout")

        again = app.test_client()
        assert (
            again.post(
                "/login", data={"email": "asha@example.org", "password": STAFF_PASSWORD}
            ).headers["Location"]
            == "/login/code"
        )
        with time_machine.travel(time.time() + 60, tick=False):
            code = pyotp.TOTP(secret).now()
            assert again.post("/login/code", data={"code": code}).status_code == 302
            # The same code cannot be used twice.
            third = app.test_client()
            started = third.post(
                "/login", data={"email": "asha@example.org", "password": STAFF_PASSWORD}
            )
            assert started.headers["Location"] == "/login/code", started.status_code
            reused = third.post("/login/code", data={"code": code})
            assert reused.status_code == 401, reused.headers.get("Location")
        actions = [e.action for e in db.session.query(AuditEvent).order_by(AuditEvent.id)]
        assert "totp_enrolled" in actions and actions.count("login") == 2
        db.session.remove()
        db.engine.dispose()


def test_wrong_password_is_refused_and_recorded(
    client: FlaskClient, make_org: Any, make_user: Any
) -> None:
    user = make_user(make_org("gefont", ["NP"]))
    response = client.post("/login", data={"email": user.email, "password": "wrong password!"})
    assert response.status_code == 401
    assert "Wrong email or password." in response.get_data(as_text=True)
    unknown = client.post(
        "/login", data={"email": "nobody@example.org", "password": "wrong password!"}
    )
    assert unknown.status_code == 401
    actions = [e.action for e in db.session.query(AuditEvent)]
    assert actions.count("login_failed") == 2


def test_login_is_throttled_per_email(tmp_path: Path) -> None:
    app = make_app(tmp_path, WTF_CSRF_ENABLED=False, REQUIRE_2FA=False, RATELIMIT_ENABLED=True)
    reset_schema(app)
    with app.app_context():
        client = app.test_client()
        codes = [
            client.post(
                "/login", data={"email": "target@example.org", "password": f"guess {n}"}
            ).status_code
            for n in range(6)
        ]
        assert codes == [401] * 5 + [429]
        db.session.remove()
        db.engine.dispose()


def test_idle_session_ends(app: Flask, client: FlaskClient, make_org: Any, make_user: Any) -> None:
    user = make_user(make_org("gefont", ["NP"]))
    login(client, user)
    assert client.get("/cases/").status_code == 200
    with time_machine.travel(
        time.time() + app.config["STAFF_IDLE_TIMEOUT_SECONDS"] + 60, tick=False
    ):
        response = client.get("/cases/")
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.get("/cases/").status_code == 302


def test_password_change_ends_other_sessions(app: Flask, make_org: Any, make_user: Any) -> None:
    user = make_user(make_org("gefont", ["NP"]))
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, user)
    login(phone, user)
    changed = laptop.post(
        "/account/password",
        data={
            "current": STAFF_PASSWORD,
            "new": "a much longer new passphrase",
            "repeat": "a much longer new passphrase",
        },
    )
    assert changed.status_code == 302
    assert phone.get("/cases/").status_code == 302  # signed out everywhere


def test_logout_needs_post_and_ends_the_session(
    client: FlaskClient, make_org: Any, make_user: Any
) -> None:
    login(client, make_user(make_org("gefont", ["NP"])))
    assert client.get("/logout").status_code == 405
    client.post("/logout")
    assert client.get("/cases/").status_code == 302
