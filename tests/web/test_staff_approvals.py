"""Admins cannot make themselves caseworkers: a staff account with access to cases that an admin
creates, moves or resets takes effect only once a supervisor of *that* organisation approves."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select

from casework.extensions import db
from casework.models import Notification, OutboxMessage, StaffApproval, User
from casework.services.directory import operations as directory
from casework.services.directory.staff_auth import start_totp_enrolment
from casework.services.notifications.digests import build_daily_digests
from tests.conftest import STAFF_PASSWORD, login

TAKEN_OVER = "an admin's own passphrase"


@pytest.fixture
def world(app: Flask, make_org: Any, make_user: Any) -> dict[str, Any]:
    gefont = make_org("gefont", ["NP"], ["ne", "en"])
    other = make_org("qatar-legal-aid", ["QA"], ["en"], kind="legal_aid")
    admins = make_org("platform", ["NP"], ["en"], kind="ngo")
    admin = make_user(admins, role="admin")
    admin_client = app.test_client()
    login(admin_client, admin)
    return {
        "gefont": gefont,
        "other": other,
        "admin": admin,
        "admin_client": admin_client,
        "supervisor": make_user(gefont, role="supervisor", name="Bikash"),
        "other_supervisor": make_user(other, role="supervisor"),
        "caseworker": make_user(gefont, name="Asha"),
    }


def _sign_in(app: Flask, email: str, password: str) -> int:
    response = app.test_client().post("/login", data={"email": email, "password": password})
    return response.status_code


def _signed_in(app: Flask, user: Any) -> FlaskClient:
    client = app.test_client()
    login(client, user)
    return client


def _pending(user_id: int) -> list[StaffApproval]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(StaffApproval).where(
                StaffApproval.user_id == user_id, StaffApproval.status == "pending"
            )
        )
    )


def _notified(user: Any, kind: str) -> bool:
    return (
        db.session.scalar(
            select(Notification.id).where(
                Notification.user_id == user.id, Notification.kind == kind
            )
        )
        is not None
    )


def test_admin_created_caseworker_cannot_sign_in_until_a_supervisor_approves(
    app: Flask, world: dict[str, Any]
) -> None:
    response = world["admin_client"].post(
        "/admin/users/new",
        data={
            "email": "mole@gefont.example",
            "name": "Not Really Staff",
            "organisation": str(world["gefont"].id),
            "role": "caseworker",
            "languages": "en",
            "password": TAKEN_OVER,
            "repeat": TAKEN_OVER,
        },
    )
    assert response.status_code == 302
    mole = directory.find_user_by_email("mole@gefont.example")
    assert mole is not None and mole.awaiting_approval
    assert _sign_in(app, mole.email, TAKEN_OVER) != 302  # refused: nothing approved yet

    # The organisation's supervisor is told, in the app and by a content-free digest e-mail.
    assert _notified(world["supervisor"], "staff_approval_needed")
    assert not _notified(world["other_supervisor"], "staff_approval_needed")
    build_daily_digests(datetime.now(UTC).date())
    mail = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.user_id == world["supervisor"].id)
    ).one()
    assert "mole" not in mail.body and "Not Really" not in mail.body

    # A supervisor of another organisation cannot approve it, nor even see it.
    (approval,) = _pending(mole.id)
    outsider = _signed_in(app, world["other_supervisor"])
    assert "mole@gefont.example" not in outsider.get("/approvals").get_data(as_text=True)
    assert outsider.post(f"/approvals/{approval.id}/approve").status_code == 404
    # Nor can a caseworker of the organisation, or the admin.
    assert _signed_in(app, world["caseworker"]).post(
        f"/approvals/{approval.id}/approve"
    ).status_code in (403, 404)
    assert world["admin_client"].post(f"/approvals/{approval.id}/approve").status_code == 403
    assert _sign_in(app, mole.email, TAKEN_OVER) != 302

    supervisor = _signed_in(app, world["supervisor"])
    assert "mole@gefont.example" in supervisor.get("/approvals").get_data(as_text=True)
    assert supervisor.post(f"/approvals/{approval.id}/approve").status_code == 302
    assert _pending(mole.id) == []
    assert _sign_in(app, mole.email, TAKEN_OVER) == 302
    assert _notified(mole, "staff_change_approved")  # the user is told too


def test_admin_reset_password_and_second_factor_wait_for_approval(
    app: Flask, world: dict[str, Any]
) -> None:
    asha = world["caseworker"]
    start_totp_enrolment(asha)
    asha.totp_confirmed = True
    db.session.commit()
    admin = world["admin_client"]
    response = admin.post(
        f"/admin/users/{asha.id}/password",
        data={"reset-password": TAKEN_OVER, "reset-repeat": TAKEN_OVER},
    )
    assert response.status_code == 302
    assert admin.post(f"/admin/users/{asha.id}/second-factor").status_code == 302

    # Nothing took effect: the admin's password does not open the account, Asha's still does,
    # and her authenticator still stands. She is told that a change was asked for.
    assert _sign_in(app, asha.email, TAKEN_OVER) != 302
    assert _sign_in(app, asha.email, STAFF_PASSWORD) == 302
    db.session.expire_all()
    assert asha.has_totp
    assert _notified(asha, "staff_change_requested")

    approvals = {a.kind: a for a in _pending(asha.id)}
    assert set(approvals) == {"password", "second_factor"}
    outsider = _signed_in(app, world["other_supervisor"])
    for approval in approvals.values():
        assert outsider.post(f"/approvals/{approval.id}/approve").status_code == 404
    assert _sign_in(app, asha.email, TAKEN_OVER) != 302

    supervisor = _signed_in(app, world["supervisor"])
    for approval in approvals.values():
        assert supervisor.post(f"/approvals/{approval.id}/approve").status_code == 302
    db.session.expire_all()
    assert not asha.has_totp
    assert _sign_in(app, asha.email, STAFF_PASSWORD) != 302
    assert _sign_in(app, asha.email, TAKEN_OVER) == 302
    stored = db.session.scalars(select(StaffApproval.password_hash)).all()
    assert stored == [None, None]  # the new password's hash is not kept once decided


def test_a_refused_reset_changes_nothing(app: Flask, world: dict[str, Any]) -> None:
    asha = world["caseworker"]
    world["admin_client"].post(
        f"/admin/users/{asha.id}/password",
        data={"reset-password": TAKEN_OVER, "reset-repeat": TAKEN_OVER},
    )
    (approval,) = _pending(asha.id)
    supervisor = _signed_in(app, world["supervisor"])
    assert supervisor.post(f"/approvals/{approval.id}/reject").status_code == 302
    assert _sign_in(app, asha.email, TAKEN_OVER) != 302
    assert _sign_in(app, asha.email, STAFF_PASSWORD) == 302


def test_no_supervisor_approves_a_change_to_their_own_account(
    app: Flask, world: dict[str, Any]
) -> None:
    boss = world["supervisor"]
    world["admin_client"].post(
        f"/admin/users/{boss.id}/password",
        data={"reset-password": TAKEN_OVER, "reset-repeat": TAKEN_OVER},
    )
    (approval,) = _pending(boss.id)
    own = _signed_in(app, boss)
    assert f'id="approval-{approval.id}"' not in own.get("/approvals").get_data(as_text=True)
    assert own.post(f"/approvals/{approval.id}/approve").status_code == 403
    assert _sign_in(app, boss.email, TAKEN_OVER) != 302


def test_an_admin_account_turned_caseworker_waits_for_approval(
    app: Flask, world: dict[str, Any]
) -> None:
    admin = world["admin_client"]
    admin.post(
        "/admin/users/new",
        data={
            "email": "helper@platform.example",
            "name": "Helper",
            "organisation": str(world["admin"].organisation_id),
            "role": "admin",
            "languages": "en",
            "password": TAKEN_OVER,
            "repeat": TAKEN_OVER,
        },
    )
    helper = directory.find_user_by_email("helper@platform.example")
    assert helper is not None and not helper.awaiting_approval  # admins see no cases
    helper_client = app.test_client()
    assert (
        helper_client.post(
            "/login", data={"email": helper.email, "password": TAKEN_OVER}
        ).status_code
        == 302
    )
    response = admin.post(
        f"/admin/users/{helper.id}",
        data={
            "name": "Helper",
            "organisation": str(world["gefont"].id),
            "role": "caseworker",
            "languages": "en",
            "active": "y",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert helper.role == "caseworker" and helper.awaiting_approval
    assert helper_client.get("/cases/").status_code == 302  # its open session ended
    assert _sign_in(app, helper.email, TAKEN_OVER) != 302
    assert [a.kind for a in _pending(helper.id)] == ["account"]
    assert _notified(world["supervisor"], "staff_approval_needed")


def test_first_supervisor_of_a_new_organisation_is_approved_by_an_operator(
    app: Flask, runner: FlaskCliRunner, world: dict[str, Any]
) -> None:
    admin = world["admin_client"]
    admin.post(
        "/admin/organisations/new",
        data={
            "slug": "new-union",
            "name": "New Union",
            "kind": "union",
            "countries": "NP",
            "languages": "en",
        },
    )
    organisation = directory.find_organisation("new-union")
    assert organisation is not None
    admin.post(
        "/admin/users/new",
        data={
            "email": "first@new-union.example",
            "name": "First Supervisor",
            "organisation": str(organisation.id),
            "role": "supervisor",
            "languages": "en",
            "password": TAKEN_OVER,
            "repeat": TAKEN_OVER,
        },
    )
    first = directory.find_user_by_email("first@new-union.example")
    assert first is not None and first.awaiting_approval
    page = admin.get(f"/admin/users/{first.id}").get_data(as_text=True)
    assert "users approve" in page  # no supervisor there can approve: the operator is named
    assert _sign_in(app, first.email, TAKEN_OVER) != 302
    result = runner.invoke(args=["users", "approve", "--email", first.email])
    assert result.exit_code == 0, result.output
    assert "1 pending change(s) approved" in result.output
    assert _sign_in(app, first.email, TAKEN_OVER) == 302


def test_the_cli_is_trusted_and_needs_no_approval(
    app: Flask, runner: FlaskCliRunner, world: dict[str, Any]
) -> None:
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "ops@gefont.example",
            "--name",
            "Ops",
            "--org",
            "gefont",
            "--role",
            "caseworker",
            "--languages",
            "en",
            "--password-stdin",
        ],
        input=TAKEN_OVER + "\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalars(select(User).where(User.email == "ops@gefont.example")).one()
    assert not user.awaiting_approval and _pending(user.id) == []
    assert _sign_in(app, user.email, TAKEN_OVER) == 302
