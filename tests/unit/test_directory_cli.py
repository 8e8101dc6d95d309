"""`flask orgs ...` and `flask users ...`: setting up organisations and staff from the shell."""

from __future__ import annotations

import time

import pyotp
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from casework.extensions import db
from casework.models import AuditEvent, Organisation, User
from casework.services import audit
from casework.services.directory import operations as directory
from casework.services.directory.staff_auth import current_enrolment

PASSWORD = "a long enough passphrase"
ORG = ["orgs", "create", "--slug", "gefont-np", "--name", "GEFONT Nepal", "--kind", "union"]
ORG += ["--countries", "NP,QA", "--languages", "ne,en"]


def user_args(email: str = "sita@gefont.example", org: str = "gefont-np") -> list[str]:
    return [
        "users", "create", "--email", email, "--name", "Sita Tamang", "--org", org,
        "--role", "caseworker", "--languages", "ne,en",
    ]  # fmt: skip


def test_cli_creates_an_organisation_and_a_user_who_can_sign_in(
    app: Flask, runner: FlaskCliRunner
) -> None:
    result = runner.invoke(args=ORG)
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=[*user_args(), "--password-stdin"], input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output

    organisation = directory.find_organisation("gefont-np")
    assert (
        organisation is not None
        and organisation.countries == ["NP", "QA"]
        and organisation.kind == "union"
    )
    user = directory.find_user_by_email("sita@gefont.example")
    assert (
        user is not None
        and user.organisation_id == organisation.id
        and user.languages == ["ne", "en"]
    )
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == audit.ADMIN_CHANGE)
    ).all()
    assert [(e.actor_label, e.object_type) for e in events] == [
        ("cli", "organisation"),
        ("cli", "user"),
    ]

    # First sign-in as in production: password, then enrol an authenticator.
    app.config["REQUIRE_2FA"] = True
    client = app.test_client()
    response = client.post("/login", data={"email": "sita@gefont.example", "password": PASSWORD})
    assert response.location.endswith("/login/enrol")
    client.get("/login/enrol")
    totp = pyotp.TOTP(current_enrolment(user).secret)
    response = client.post("/login/enrol", data={"code": totp.now()})
    assert response.status_code == 302 and response.location.startswith("/cases")
    assert time.time() - user.last_login_at.timestamp() < 60  # type: ignore[union-attr]


def test_cli_asks_for_the_password_twice_without_stdin(runner: FlaskCliRunner) -> None:
    runner.invoke(args=ORG)
    result = runner.invoke(args=user_args(), input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert "Password" in result.output and PASSWORD not in result.output
    assert directory.find_user_by_email("sita@gefont.example") is not None


def test_cli_refuses_mismatched_prompted_passwords(runner: FlaskCliRunner) -> None:
    runner.invoke(args=ORG)
    result = runner.invoke(args=user_args(), input=f"{PASSWORD}\n{PASSWORD}x\n")
    assert result.exit_code != 0
    assert directory.find_user_by_email("sita@gefont.example") is None


def test_cli_reports_invalid_input_and_changes_nothing(runner: FlaskCliRunner) -> None:
    bad_org = [arg if arg != "NP,QA" else "NP,XX" for arg in ORG]
    result = runner.invoke(args=bad_org)
    assert result.exit_code == 1
    assert "countries: Not ISO country codes: XX." in result.output
    assert Organisation.query.count() == 0

    runner.invoke(args=ORG)
    result = runner.invoke(args=[*user_args(org="nobody"), "--password-stdin"], input="short\n")
    assert result.exit_code == 1
    assert "organisation: There is no such organisation." in result.output
    assert "password: Not accepted: at least 12 characters." in result.output
    assert User.query.count() == 0


def test_cli_refuses_an_email_taken_in_another_case(runner: FlaskCliRunner) -> None:
    runner.invoke(args=ORG)
    runner.invoke(args=[*user_args(), "--password-stdin"], input=PASSWORD)
    result = runner.invoke(
        args=[*user_args(email="SITA@gefont.example"), "--password-stdin"], input=PASSWORD
    )
    assert result.exit_code == 1
    assert "email: A user with this email already exists." in result.output
    assert User.query.count() == 1


def test_cli_refuses_an_unknown_kind_or_role(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=[arg if arg != "union" else "club" for arg in ORG])
    assert result.exit_code == 2 and "club" in result.output


def test_cli_lists_show_no_secrets(runner: FlaskCliRunner) -> None:
    runner.invoke(args=ORG)
    runner.invoke(args=[*user_args(), "--password-stdin"], input=PASSWORD)
    orgs = runner.invoke(args=["orgs", "list"])
    assert orgs.exit_code == 0 and "gefont-np\tunion\tNP,QA\tne,en\tactive" in orgs.output
    users = runner.invoke(args=["users", "list", "--org", "gefont-np"])
    assert users.exit_code == 0 and "sita@gefont.example\tgefont-np\tcaseworker" in users.output
    assert "argon2" not in users.output and PASSWORD not in users.output


def test_cli_resets_password_and_second_factor(runner: FlaskCliRunner) -> None:
    runner.invoke(args=ORG)
    runner.invoke(args=[*user_args(), "--password-stdin"], input=PASSWORD)
    user = directory.find_user_by_email("sita@gefont.example")
    assert user is not None
    before = (user.session_version, user.password_hash)
    args = ["users", "reset-password", "--email", "sita@gefont.example", "--password-stdin"]
    result = runner.invoke(args=args, input="another long passphrase\n")
    assert result.exit_code == 0, result.output
    assert user.session_version == before[0] + 1 and user.password_hash != before[1]
    result = runner.invoke(args=["users", "reset-2fa", "--email", "sita@gefont.example"])
    assert result.exit_code == 0 and not user.has_totp
    missing = runner.invoke(args=["users", "reset-2fa", "--email", "nobody@example.org"])
    assert missing.exit_code == 1
