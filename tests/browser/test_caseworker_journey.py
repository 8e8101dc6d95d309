"""A case from both ends in a real browser: a worker files on a phone; a caseworker in another
browser signs in with a password and a TOTP code (enrolling on first sign-in), accepts the offer,
reads the story, downloads the evidence and writes back; the worker reads the reply.

The app runs as in production on the staff side: CSRF on and REQUIRE_2FA on."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pyotp
import pytest

from casework.extensions import db
from casework.models import Organisation, User
from casework.services.directory.staff_auth import hash_password, start_totp_enrolment
from tests import samples
from tests.browser.conftest import CHROMIUM, CHROMIUM_MISSING, LiveServer, translator
from tests.browser.test_worker_journeys import (
    CHECK_MY_COMPLAINT,
    NEXT,
    PASSPORT_TAKEN,
    REFERENCE,
    SECRET,
    SEND_COMPLAINT,
    choose_language,
    submit,
)
from tests.conftest import STAFF_PASSWORD

if not CHROMIUM.exists():
    pytest.skip(CHROMIUM_MISSING, allow_module_level=True)

from playwright.sync_api import expect  # noqa: E402

pytestmark = pytest.mark.browser

CODE_LABEL = "6-digit code from your authenticator app"


@pytest.fixture
def live_server_config() -> dict[str, Any]:
    """Production's staff-side settings, whatever the environment says (CSRF is on by default)."""
    return {"REQUIRE_2FA": True, "WTF_CSRF_ENABLED": True}


def add_caseworker(
    server: LiveServer, slug: str, countries: list[str], languages: list[str], speaks: list[str]
) -> str:
    """An organisation and one caseworker in it, as tests/conftest.py make_org/make_user create
    them (no TOTP yet). Returns the caseworker's email."""
    with server.app.app_context():
        org = Organisation(slug=slug, name=slug.replace("-", " ").title(), kind="union")
        org.countries = countries
        org.languages = languages
        db.session.add(org)
        db.session.flush()
        email = f"caseworker@{slug}.example.org"
        user = User(
            email=email,
            name="Sita Caseworker",
            organisation_id=org.id,
            role="caseworker",
            password_hash=hash_password(STAFF_PASSWORD),
        )
        user.languages = speaks
        db.session.add(user)
        db.session.commit()
        db.session.remove()
    return email


def give_confirmed_totp(server: LiveServer, email: str) -> str:
    """Enrol the user's authenticator app behind the scenes; returns its base32 secret. No code
    is used here, so the first code the browser sends is still fresh."""
    with server.app.app_context():
        user = db.session.query(User).filter_by(email=email).one()
        secret = start_totp_enrolment(user).secret
        user.totp_confirmed = True
        db.session.commit()
        db.session.remove()
    return secret


def sign_in_with_password(page: Any, email: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(STAFF_PASSWORD)
    submit(page, "Sign in")


def enter_code(page: Any, secret: str) -> None:
    page.get_by_label(CODE_LABEL, exact=True).fill(pyotp.TOTP(secret).now())
    submit(page, "Continue")


def is_login_back_to(target: str) -> Any:
    """A wait_for_url predicate: the login page, asked to come back to `target` afterwards."""

    def matches(url: str) -> bool:
        parts = urlsplit(url)
        return parts.path == "/login" and parse_qs(parts.query).get("next") == [target]

    return matches


def test_worker_files_caseworker_accepts_downloads_replies_and_worker_sees_it(
    live_server: LiveServer, phone: Any, desktop: Any, tmp_path: Path
) -> None:
    email = add_caseworker(live_server, "gefont", ["NP"], ["ne", "en"], speaks=["ne"])

    # The worker, on a phone, files in Nepali with a photo of the receipt.
    t = translator("ne")
    worker = phone
    choose_language(worker, live_server, "नेपाली")
    submit(worker, t(NEXT))  # language
    worker.select_option("#origin_country", "NP")
    worker.select_option("#destination_country", "QA")
    submit(worker, t(NEXT))  # where
    worker.get_by_label(t(PASSPORT_TAKEN), exact=True).check()
    story = "एजेन्टले मेरो राहदानी लियो र १,५०,००० रुपैयाँ लियो। रसिद दिएन।"
    worker.fill("#narrative", story)
    submit(worker, t(NEXT))  # what happened
    submit(worker, t(NEXT))  # money: none to tell
    photo = samples.png(width=3, height=2)
    receipt = tmp_path / "receipt.png"
    receipt.write_bytes(photo)
    worker.set_input_files("#evidence", receipt)
    submit(worker, t(NEXT))  # evidence
    submit(worker, t(NEXT))  # contact: anonymous
    submit(worker, t(SEND_COMPLAINT))  # check and send
    expect(worker.locator("#reference")).to_have_text(REFERENCE)
    expect(worker.locator("#secret")).to_have_text(SECRET)
    reference = worker.locator("#reference").inner_text().strip()
    secret = worker.locator("#secret").inner_text().strip()

    # The caseworker, in another browser at a desk. A password alone does not open the queue:
    # the first sign-in goes on to set up the authenticator app.
    staff = desktop
    staff.goto(live_server.url("/login"))
    sign_in_with_password(staff, email)
    staff.wait_for_url(live_server.url("/login/enrol"))
    staff.goto(live_server.url("/cases/"))
    staff.wait_for_url(is_login_back_to("/cases/"))
    staff.goto(live_server.url("/login/enrol"))
    expect(staff.get_by_role("heading", level=1)).to_have_text("Set up your second step")
    expect(staff.locator(".qr svg")).to_be_visible()
    totp_secret = staff.locator("#totp-secret").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-7]{32}", totp_secret), totp_secret
    enter_code(staff, totp_secret)
    staff.wait_for_url(live_server.url("/cases/"))

    # The case waits under "Offered to me".
    staff.get_by_role("link", name=re.compile(r"^Offered to me\b")).click()
    staff.wait_for_url(live_server.url("/cases/?tab=offered"))
    expect(staff.locator(".tabs a.current")).to_have_text(re.compile(r"^Offered to me\s+1$"))
    row = staff.locator("tbody tr").filter(has=staff.get_by_role("link", name=reference))
    expect(row).to_have_count(1)
    expect(row.locator(".badge")).to_have_text("offer")
    row.get_by_role("link", name=reference, exact=True).click()
    staff.wait_for_url(live_server.url(f"/cases/{reference}"))

    # Before accepting, the story is not shown; after, it is.
    expect(staff.locator(".panel.offer")).to_contain_text("This case is offered to you")
    expect(staff.locator("#story")).to_have_count(0)
    submit(staff, "Accept")
    staff.wait_for_url(live_server.url(f"/cases/{reference}"))
    expect(staff.locator(".notice")).to_have_text("You accepted the case.")
    expect(staff.locator(".panel.offer")).to_have_count(0)
    expect(staff.locator("#story .body")).to_have_text(story)
    expect(staff.locator("h1 .badge")).to_have_text("Triaged")

    # The photo comes back byte for byte.
    link = staff.locator("#evidence").get_by_role("link", name="receipt.png", exact=True)
    with staff.expect_download() as downloading:
        link.click()
    download = downloading.value
    assert download.suggested_filename == "receipt.png"
    assert download.failure() is None
    assert Path(download.path()).read_bytes() == photo

    reply = "नमस्ते। हामीले तपाईंको उजुरी लियौं। रसिदको फोटो पायौं।"
    staff.get_by_label(
        "Message to the worker (they read it on their follow-up page)", exact=True
    ).fill(reply)
    submit(staff, "Send to worker")
    expect(staff.locator(".notice")).to_have_text(
        "Message sent. The worker sees it on their follow-up page."
    )
    expect(staff.locator("#timeline")).to_contain_text(reply)

    # Back on the phone: the worker checks with what they wrote down and reads the reply.
    worker.get_by_role("link", name=t(CHECK_MY_COMPLAINT), exact=True).click()
    worker.wait_for_url(live_server.url("/follow-up"))
    worker.get_by_label(t("Your reference (like CW-7K3M-92XD)"), exact=True).fill(reference)
    worker.get_by_label(t("Your 16-digit secret code"), exact=True).fill(secret)
    submit(worker, t(CHECK_MY_COMPLAINT))
    expect(worker.get_by_role("heading", level=1)).to_contain_text(reference)
    expect(worker.locator(".status")).to_have_text(
        t("A caseworker has read your complaint and is deciding the next steps.")
    )
    expect(worker.locator(".messages li.from-caseworker .text")).to_have_text([reply])
    expect(worker.locator(".messages li.from-caseworker .who")).to_contain_text(
        t("Your caseworker")
    )


def test_signed_out_staff_page_redirects_to_login_and_back(
    live_server: LiveServer, desktop: Any
) -> None:
    email = add_caseworker(live_server, "pourakhi", ["NP"], ["ne", "en"], speaks=["ne", "en"])
    totp_secret = give_confirmed_totp(live_server, email)

    page = desktop
    page.goto(live_server.url("/cases/?tab=mine"))
    page.wait_for_url(is_login_back_to("/cases/?tab=mine"))
    sign_in_with_password(page, email)
    # Enrolled already: straight to the code, not to enrolment.
    page.wait_for_url(live_server.url("/login/code"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Second step")
    enter_code(page, totp_secret)

    page.wait_for_url(live_server.url("/cases/?tab=mine"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Cases")
    expect(page.locator(".tabs a.current")).to_have_text(re.compile(r"^Mine\s+0$"))
    expect(page.get_by_text("No cases here.", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Sign out", exact=True)).to_be_visible()
