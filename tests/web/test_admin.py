"""Admin pages: organisations and users, for admins only."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from casework.extensions import db
from casework.models import AuditEvent, Organisation, StaffApproval, User
from casework.services import audit
from casework.services.actors import SystemActor
from casework.services.directory import operations as directory
from casework.services.directory.staff_auth import current_enrolment

PASSWORD = "a long enough passphrase"
SET_UP = SystemActor("test")


def sign_in(client: FlaskClient, email: str, password: str = PASSWORD) -> TestResponse:
    """Sign in as a real person would: password, then the authenticator (enrolling if needed)."""
    response = client.post("/login", data={"email": email, "password": password})
    if response.status_code != 302 or "/login/" not in response.location:
        return response
    user = directory.find_user_by_email(email)
    assert user is not None
    if response.location.endswith("/login/enrol"):
        client.get("/login/enrol")  # creates the new, unconfirmed key
    totp = pyotp.TOTP(current_enrolment(user).secret)
    # A code is accepted once: take the next step if this one was used by an earlier sign-in.
    step = max(int(time.time() // totp.interval), user.totp_last_step + 1)
    return client.post(response.location, data={"code": totp.at(step * totp.interval)})


@pytest.fixture
def union(app: Flask) -> Organisation:
    return directory.create_organisation(
        SET_UP, "gefont-np", "GEFONT Nepal", "union", ["NP"], ["ne", "en"]
    )


@pytest.fixture
def add_user(union: Organisation) -> Callable[..., User]:
    def _make(role: str = "caseworker", email: str = "", organisation: str = "gefont-np") -> User:
        return directory.create_user(
            SET_UP,
            email or f"{role}@gefont.example",
            f"Test {role}",
            organisation,
            role,
            ["en"],
            PASSWORD,
        )

    return _make


@pytest.fixture
def admin(add_user: Callable[..., User]) -> User:
    return add_user("admin")


@pytest.fixture
def admin_client(app: Flask, admin: User) -> FlaskClient:
    client = app.test_client()
    assert sign_in(client, admin.email).status_code == 302
    return client


def _admin_urls(app: Flask) -> list[tuple[str, str]]:
    urls = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("admin."):
            path = re.sub(r"<(?:int:)?\w+>", "1", rule.rule)
            urls += [
                (method, path) for method in sorted(rule.methods or ()) if method in {"GET", "POST"}
            ]
    return urls


def _approve_as_supervisor(app: Flask, add_user: Callable[..., User], user: User) -> None:
    """What an admin asks for a caseworker's account waits for a supervisor of its
    organisation (tests/web/test_staff_approvals.py): one approves everything pending."""
    supervisor = add_user("supervisor", email="boss@gefont.example")
    client = app.test_client()
    assert sign_in(client, supervisor.email).status_code == 302
    pending = db.session.scalars(
        select(StaffApproval).where(
            StaffApproval.user_id == user.id, StaffApproval.status == "pending"
        )
    ).all()
    assert pending
    for approval in pending:
        assert client.post(f"/approvals/{approval.id}/approve").status_code == 302
    db.session.expire_all()


def _admin_events() -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == audit.ADMIN_CHANGE)
            .order_by(AuditEvent.id)
        )
    )


# --- access ------------------------------------------------------------------------------------
def test_anonymous_reaches_no_admin_page(app: Flask, client: FlaskClient, admin: User) -> None:
    urls = _admin_urls(app)
    assert len(urls) >= 9
    for method, url in urls:
        response = client.open(url, method=method)
        assert response.status_code == 302, (method, url)
        assert response.location.startswith("/login"), (method, url)


@pytest.mark.parametrize("role", ["caseworker", "supervisor"])
def test_other_staff_are_refused_admin_pages(
    app: Flask, add_user: Callable[..., User], role: str
) -> None:
    add_user(role)
    client = app.test_client()
    assert sign_in(client, f"{role}@gefont.example").status_code == 302
    for method, url in _admin_urls(app):
        assert client.open(url, method=method).status_code == 403, (method, url)
    assert Organisation.query.count() == 1


# --- organisations -----------------------------------------------------------------------------
def test_admin_creates_an_organisation(admin_client: FlaskClient, admin: User) -> None:
    response = admin_client.post(
        "/admin/organisations/new",
        data={
            "slug": "qa-legal-aid",
            "name": "Doha Legal Aid",
            "kind": "legal_aid",
            "countries": "qa, NP",
            "languages": "ar, en, ne",
        },
    )
    assert response.status_code == 302
    organisation = directory.find_organisation("qa-legal-aid")
    assert organisation is not None
    assert (organisation.countries, organisation.languages) == (["NP", "QA"], ["ar", "en", "ne"])
    event = _admin_events()[-1]
    assert (event.object_type, event.object_id, event.detail) == (
        "organisation",
        str(organisation.id),
        "create",
    )
    assert event.actor_user_id == admin.id
    listing = admin_client.get("/admin/organisations").get_data(as_text=True)
    assert "Doha Legal Aid" in listing and "NP, QA" in listing


def test_invalid_organisation_keeps_what_was_typed(admin_client: FlaskClient) -> None:
    typed = {
        "slug": "new-union",
        "name": "",
        "kind": "union",
        "countries": "NP, XX",
        "languages": "ne",
    }
    response = admin_client.post("/admin/organisations/new", data=typed)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'value="new-union"' in page and 'value="NP, XX"' in page
    assert "Not ISO country codes: XX." in page and "Please fill this in." in page
    assert directory.find_organisation("new-union") is None


def test_admin_deactivates_an_organisation_and_its_staff_are_signed_out(
    app: Flask, admin_client: FlaskClient, add_user: Callable[..., User]
) -> None:
    other = directory.create_organisation(
        SET_UP, "mrc-bd", "MRC Dhaka", "migrant_resource_centre", ["BD"], ["bn"]
    )
    add_user("caseworker", organisation="mrc-bd")
    caseworker = app.test_client()
    sign_in(caseworker, "caseworker@gefont.example")
    assert caseworker.get("/account/password").status_code == 200

    edit = admin_client.get(f"/admin/organisations/{other.id}").get_data(as_text=True)
    assert 'value="BD"' in edit and "checked" in edit
    response = admin_client.post(
        f"/admin/organisations/{other.id}",
        data={
            "name": "MRC Dhaka",
            "kind": "migrant_resource_centre",
            "countries": "BD",
            "languages": "bn, en",
        },
    )
    assert response.status_code == 302
    assert other.active is False and other.languages == ["bn", "en"]
    assert _admin_events()[-1].detail == "update: languages,active"
    assert caseworker.get("/account/password").status_code == 302


def test_admin_cannot_deactivate_own_organisation(
    admin_client: FlaskClient, union: Organisation
) -> None:
    response = admin_client.post(
        f"/admin/organisations/{union.id}",
        data={"name": "GEFONT Nepal", "kind": "union", "countries": "NP", "languages": "ne"},
    )
    assert response.status_code == 422
    assert union.active is True


# --- users -------------------------------------------------------------------------------------
def test_admin_creates_a_user_who_can_sign_in_once_approved(
    app: Flask, admin_client: FlaskClient, union: Organisation, add_user: Callable[..., User]
) -> None:
    response = admin_client.post(
        "/admin/users/new",
        data={
            "email": "Sita@GEFONT.example",
            "name": "Sita Tamang",
            "organisation": str(union.id),
            "role": "caseworker",
            "languages": "ne, en",
            "password": PASSWORD,
            "repeat": PASSWORD,
        },
    )
    assert response.status_code == 302
    user = directory.find_user_by_email("sita@gefont.example")
    assert user is not None and user.role == "caseworker" and user.languages == ["ne", "en"]
    assert user.password_hash.startswith("$argon2id$")
    event = _admin_events()[-1]
    assert (event.object_type, event.object_id) == ("user", str(user.id))
    assert "Sita" not in event.detail and "gefont" not in event.detail.lower()
    assert sign_in(app.test_client(), "sita@gefont.example").status_code == 401
    _approve_as_supervisor(app, add_user, user)
    assert sign_in(app.test_client(), "sita@gefont.example").status_code == 302
    assert "Sita Tamang" in admin_client.get("/admin/users").get_data(as_text=True)


def test_invalid_user_keeps_what_was_typed(
    admin_client: FlaskClient, admin: User, union: Organisation
) -> None:
    response = admin_client.post(
        "/admin/users/new",
        data={
            "email": admin.email.upper(),
            "name": "Hari Rai",
            "organisation": str(union.id),
            "role": "boss",
            "languages": "ne, klingon",
            "password": "short",
            "repeat": "short",
        },
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert (
        f'value="{admin.email.upper()}"' in page
        and 'value="Hari Rai"' in page
        and 'value="ne, klingon"' in page
    )
    assert "A user with this email already exists." in page
    assert "Not ISO language codes: klingon." in page
    assert "Not accepted: at least 12 characters." in page
    assert 'value="short"' not in page  # passwords are never sent back
    assert User.query.count() == 1


def test_mismatched_passwords_create_nothing(
    admin_client: FlaskClient, union: Organisation
) -> None:
    response = admin_client.post(
        "/admin/users/new",
        data={
            "email": "hari@gefont.example",
            "name": "Hari Rai",
            "organisation": str(union.id),
            "role": "caseworker",
            "languages": "ne",
            "password": PASSWORD,
            "repeat": PASSWORD + "!",
        },
    )
    assert response.status_code == 422
    assert "The two do not match." in response.get_data(as_text=True)
    assert directory.find_user_by_email("hari@gefont.example") is None


def test_admin_changes_role_organisation_and_languages(
    admin_client: FlaskClient, add_user: Callable[..., User]
) -> None:
    user = add_user("caseworker")
    other = directory.create_organisation(SET_UP, "gfbtu-qa", "GFBTU", "union", ["QA"], ["en"])
    assert 'value="en"' in admin_client.get(f"/admin/users/{user.id}").get_data(as_text=True)
    response = admin_client.post(
        f"/admin/users/{user.id}",
        data={
            "name": "Test caseworker",
            "organisation": str(other.id),
            "role": "supervisor",
            "languages": "en, ne",
            "active": "y",
        },
    )
    assert response.status_code == 302
    assert (user.role, user.organisation_id, user.languages) == (
        "supervisor",
        other.id,
        ["en", "ne"],
    )
    assert _admin_events()[-1].detail == "update: role,languages,organisation"
    assert user.awaiting_approval  # until a supervisor of GFBTU approves the move


def test_admin_cannot_demote_or_deactivate_self(admin_client: FlaskClient, admin: User) -> None:
    response = admin_client.post(
        f"/admin/users/{admin.id}",
        data={
            "name": admin.name,
            "organisation": str(admin.organisation_id),
            "role": "caseworker",
            "languages": "en",
        },
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "You cannot change your own role." in page and "You cannot deactivate yourself." in page
    assert admin.role == "admin" and admin.active


def test_reset_password_ends_the_users_other_sessions(
    app: Flask, admin_client: FlaskClient, add_user: Callable[..., User]
) -> None:
    user = add_user("caseworker")
    elsewhere = app.test_client()
    assert sign_in(elsewhere, user.email).status_code == 302
    assert elsewhere.get("/account/password").status_code == 200

    new_password = "another long passphrase"
    response = admin_client.post(
        f"/admin/users/{user.id}/password",
        data={"reset-password": new_password, "reset-repeat": new_password},
    )
    assert response.status_code == 302
    assert _admin_events()[-1].detail == "reset_password awaiting approval"
    assert elsewhere.get("/account/password").status_code == 200  # nothing changed yet
    _approve_as_supervisor(app, add_user, user)
    assert elsewhere.get("/account/password").status_code == 302
    assert _admin_events()[-1].detail == "approve password"
    assert sign_in(app.test_client(), user.email).status_code == 401
    assert sign_in(app.test_client(), user.email, new_password).status_code == 302


def test_reset_password_refuses_a_weak_password(
    admin_client: FlaskClient, add_user: Callable[..., User]
) -> None:
    user = add_user("caseworker")
    before = user.session_version
    response = admin_client.post(
        f"/admin/users/{user.id}/password",
        data={"reset-password": "short", "reset-repeat": "short"},
    )
    assert response.status_code == 422
    assert "Not accepted: at least 12 characters." in response.get_data(as_text=True)
    assert user.session_version == before


def test_reset_second_factor_makes_the_user_enrol_again(
    app: Flask, admin_client: FlaskClient, add_user: Callable[..., User]
) -> None:
    app.config["REQUIRE_2FA"] = True
    user = add_user("caseworker")
    sign_in(app.test_client(), user.email)
    assert user.has_totp
    response = admin_client.post(f"/admin/users/{user.id}/second-factor")
    assert response.status_code == 302
    assert user.has_totp  # until a supervisor approves
    assert _admin_events()[-1].detail == "reset_totp awaiting approval"
    _approve_as_supervisor(app, add_user, user)
    assert not user.has_totp and user.totp_wrapped is None
    assert _admin_events()[-1].detail == "approve second_factor"
    again = app.test_client().post("/login", data={"email": user.email, "password": PASSWORD})
    assert again.location.endswith("/login/enrol")


def test_admin_audit_details_carry_no_personal_data(
    admin_client: FlaskClient, add_user: Callable[..., User]
) -> None:
    user = add_user("caseworker")
    admin_client.post(f"/admin/users/{user.id}/second-factor")
    for event in _admin_events():
        assert (
            "@" not in event.detail and "Test" not in event.detail and "GEFONT" not in event.detail
        )


def test_unknown_ids_are_not_found(admin_client: FlaskClient) -> None:
    assert admin_client.get("/admin/organisations/999").status_code == 404
    assert admin_client.get("/admin/users/999").status_code == 404
    assert admin_client.post("/admin/users/999/second-factor").status_code == 404
