"""Sign-in throttling that no one can aim at a colleague: wrong passwords count per (account,
client) with growing delays; second-factor guesses count per account."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pyotp
import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient

from casework.extensions import db
from casework.models import Organisation, User
from casework.services.directory.staff_auth import (
    confirm_totp,
    current_enrolment,
    hash_password,
    start_totp_enrolment,
)
from tests.conftest import STAFF_PASSWORD, make_app, reset_schema

ATTACKER = "198.51.100.66"
WRONG = "wrong guess"
OWNER = "203.0.113.20"


@pytest.fixture
def throttled(tmp_path: Path) -> Iterator[Flask]:
    app = make_app(tmp_path, WTF_CSRF_ENABLED=False, REQUIRE_2FA=True, RATELIMIT_ENABLED=True)
    reset_schema(app)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def user(throttled: Flask) -> User:
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
    start_totp_enrolment(user)
    assert confirm_totp(user, _code(user, 0))
    return user


def _code(user: User, steps_ahead: int) -> str:
    totp = pyotp.TOTP(current_enrolment(user).secret)
    return totp.at((int(time.time() // totp.interval) + steps_ahead) * totp.interval)


def _wrong_code(user: User) -> str:
    valid = {_code(user, step) for step in (-1, 0, 1)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in valid)


def _client(app: Flask, address: str) -> FlaskClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def _password(client: FlaskClient, password: str, email: str = "asha@example.org") -> int:
    return client.post("/login", data={"email": email, "password": password}).status_code


def test_an_attacker_cannot_lock_a_colleague_out(throttled: Flask, user: User) -> None:
    attacker = _client(throttled, ATTACKER)
    tries = [_password(attacker, f"guess {n}") for n in range(8)]
    assert tries == [401] * 5 + [429] * 3
    owner = _client(throttled, OWNER)
    started = owner.post("/login", data={"email": user.email, "password": STAFF_PASSWORD})
    assert started.status_code == 302 and started.headers["Location"] == "/login/code"
    done = owner.post("/login/code", data={"code": _code(user, 1)})
    assert done.status_code == 302 and done.headers["Location"].endswith("/cases/")


def test_a_colleague_behind_the_same_address_cannot_lock_the_owner_out(
    throttled: Flask, user: User
) -> None:
    """One office, one public address: the owner's own browser, where she signed in before,
    still gets in while a colleague (signed in to his own account there) guesses hers."""
    owner = _client(throttled, OWNER)
    assert _password(owner, STAFF_PASSWORD) == 302
    assert owner.post("/login/code", data={"code": _code(user, 1)}).status_code == 302
    owner.post("/logout")

    colleague_account = User(
        email="ravi@example.org",
        name="Ravi",
        organisation_id=user.organisation_id,
        role="caseworker",
        password_hash=hash_password(STAFF_PASSWORD),
    )
    db.session.add(colleague_account)
    db.session.commit()
    colleague = _client(throttled, OWNER)  # the same office address
    assert _password(colleague, STAFF_PASSWORD, colleague_account.email) == 302  # his own
    colleague.get("/login/enrol")
    enrolled = colleague.post("/login/enrol", data={"code": _code(colleague_account, 0)})
    assert enrolled.status_code == 302  # his browser is now known — for his account only
    colleague.post("/logout")
    tries = [_password(colleague, f"guess {n}") for n in range(7)]
    assert tries == [401] * 5 + [429] * 2
    with time_machine.travel(time.time() + 90, tick=False):  # a fresh code
        assert _password(owner, STAFF_PASSWORD) == 302
        assert owner.post("/login/code", data={"code": _code(user, 0)}).status_code == 302
        # A browser unknown to the account, behind that address, waits like the colleague.
        assert _password(_client(throttled, OWNER), STAFF_PASSWORD) == 429


def test_wrong_passwords_from_one_client_meet_growing_delays(throttled: Flask, user: User) -> None:
    start = time.time()
    client = _client(throttled, ATTACKER)

    def at(minutes: float, password: str = WRONG) -> int:
        with time_machine.travel(start + minutes * 60, tick=False):
            return _password(client, password)

    assert [at(0) for _ in range(5)] + [at(0)] == [401] * 5 + [429]
    assert at(14) == 429
    # 15 minutes later, five more; then the two-hour window holds even the right password.
    assert [at(16) for _ in range(5)] == [401] * 5
    assert at(32) == 429
    assert at(100, STAFF_PASSWORD) == 429
    # After two hours, ten more across the day; then a day's wait.
    assert [at(125) for _ in range(5)] + [at(142) for _ in range(5)] == [401] * 10
    assert at(250) == 429
    assert at(24 * 60 + 10, STAFF_PASSWORD) == 302


def test_second_factor_guesses_are_limited_per_account(throttled: Flask, user: User) -> None:
    wrong = _wrong_code(user)
    answers = []
    for n in range(7):  # a new address for every guess
        client = _client(throttled, f"198.51.100.{n + 1}")
        assert _password(client, STAFF_PASSWORD) == 302
        answers.append(client.post("/login/code", data={"code": wrong}).status_code)
    assert answers == [401] * 5 + [429] * 2


def test_code_guesses_on_one_account_leave_another_alone(throttled: Flask, user: User) -> None:
    other = User(
        email="bina@example.org",
        name="Bina",
        organisation_id=user.organisation_id,
        role="caseworker",
        password_hash=hash_password(STAFF_PASSWORD),
    )
    db.session.add(other)
    db.session.commit()
    start_totp_enrolment(other)
    assert confirm_totp(other, _code(other, 0))
    attacker = _client(throttled, ATTACKER)
    wrong = _wrong_code(user)
    for _ in range(6):
        _password(attacker, STAFF_PASSWORD)
        attacker.post("/login/code", data={"code": wrong})
    colleague = _client(throttled, OWNER)
    assert _password(colleague, STAFF_PASSWORD, other.email) == 302
    assert colleague.post("/login/code", data={"code": _code(other, 1)}).status_code == 302
