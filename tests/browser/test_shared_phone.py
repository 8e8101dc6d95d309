"""A shared phone, in a real browser: after the quick exit, Back shows neither the follow-up
page's messages nor the receipt's secret (not from the server, not from the back/forward cache),
and Back or reload after a sent form never sends it again — with and without JavaScript."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import func, select

from casework.extensions import db
from casework.models import Case, CaseEvent
from casework.models import event as ev
from casework.services.intake.operations import lodge_complaint
from tests.browser.conftest import CHROMIUM, CHROMIUM_MISSING, LiveServer
from tests.conftest import complaint_payload

if not CHROMIUM.exists():
    pytest.skip(CHROMIUM_MISSING, allow_module_level=True)

from playwright.sync_api import expect  # noqa: E402

pytestmark = pytest.mark.browser

MESSAGE = "My passport is still at the agency office in Kathmandu"
SECRET = re.compile(r"\d{4} \d{4} \d{4} \d{4}")


def _lodge(server: LiveServer) -> tuple[str, str]:
    with server.app.app_context():
        lodged = lodge_complaint(complaint_payload(language="en"), source="api")
        db.session.remove()
    return lodged.reference, lodged.secret


def _worker_messages(server: LiveServer) -> int:
    with server.app.app_context():
        count = db.session.scalar(
            select(func.count(CaseEvent.id)).where(CaseEvent.kind == ev.MESSAGE_FROM_WORKER)
        )
        db.session.remove()
    return int(count or 0)


def _submit(page: Any, label: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=label, exact=True).click()


def _sign_in_and_write(page: Any, server: LiveServer, reference: str, secret: str) -> None:
    page.goto(server.url("/"))
    page.goto(server.url("/follow-up"))
    page.get_by_label("Your reference (like CW-7K3M-92XD)", exact=True).fill(reference)
    page.get_by_label("Your 16-digit secret code", exact=True).fill(secret)
    _submit(page, "Check my complaint")
    expect(page.get_by_role("heading", level=1)).to_contain_text(reference)
    page.get_by_label("Write a message to your caseworker", exact=True).fill(MESSAGE)
    _submit(page, "Send message")
    expect(page.locator(".notice")).to_have_text("Your message was sent.")
    expect(page.locator(".messages li.from-worker .text")).to_have_text([MESSAGE])


def _quick_exit(page: Any, server: LiveServer) -> None:
    page.get_by_role("link", name="Quick exit", exact=True).click()
    page.wait_for_url(server.quick_exit_url)


def _walk_back(page: Any, server: LiveServer, forbidden: list[str]) -> list[str]:
    """Press Back until the history ends; at each step nothing in `forbidden` may show."""
    seen = []
    for _ in range(8):
        before = page.url
        page.go_back(wait_until="load")
        if page.url == before:
            break
        # A page restored from the back/forward cache reloads itself (pageshow): wait for it.
        page.wait_for_load_state("load")
        page.wait_for_timeout(300)
        seen.append(page.url)
        content = page.content()
        for text in forbidden:
            assert text not in content, f"Back to {page.url} shows {text!r}"
        assert not SECRET.search(page.locator("body").inner_text()), page.url
        if not page.url.startswith(server.base):
            break
    return seen


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_back_after_quick_exit_shows_no_messages(
    live_server: LiveServer, new_context: Any, javascript: bool
) -> None:
    reference, secret = _lodge(live_server)
    context = new_context(java_script_enabled=javascript)
    page = context.new_page()
    _sign_in_and_write(page, live_server, reference, secret)
    _quick_exit(page, live_server)
    assert [c["name"] for c in context.cookies()] == []
    visited = _walk_back(page, live_server, [MESSAGE, reference])
    assert visited, "expected history to walk back through"
    # Pages seen on the way back may set a fresh CSRF cookie, never a follow-up session.
    assert "cw_followup" not in [c["name"] for c in context.cookies()]
    # Going forward again shows nothing either.
    page.goto(live_server.url("/follow-up/case"))
    assert MESSAGE not in page.content() and reference not in page.content()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_back_after_quick_exit_shows_no_secret(
    live_server: LiveServer, new_context: Any, javascript: bool
) -> None:
    context = new_context(java_script_enabled=javascript)
    page = context.new_page()
    page.goto(live_server.url("/"))
    page.goto(live_server.url("/complaint"))
    page.select_option("#origin_country", "NP")
    page.select_option("#destination_country", "QA")
    page.fill("#narrative", "The agent kept my passport.")
    _submit(page, "Send my complaint")
    assert page.url == live_server.url("/complaint/receipt")
    expect(page.locator("#secret")).to_have_text(SECRET)
    reference = page.locator("#reference").inner_text().strip()
    # A reload in the same browser, soon after: the same receipt, no second case.
    page.reload()
    expect(page.locator("#secret")).to_have_text(SECRET)
    _quick_exit(page, live_server)
    _walk_back(page, live_server, [reference])
    page.goto(live_server.url("/complaint/receipt"))
    assert not SECRET.search(page.locator("body").inner_text())
    with live_server.app.app_context():
        assert db.session.scalar(select(func.count(Case.id))) == 1
        db.session.remove()


def test_back_and_reload_never_send_a_message_again_without_javascript(
    live_server: LiveServer, new_context: Any
) -> None:
    reference, secret = _lodge(live_server)
    page = new_context(java_script_enabled=False).new_page()
    _sign_in_and_write(page, live_server, reference, secret)
    page.reload()
    page.go_back(wait_until="load")
    page.go_forward(wait_until="load")
    page.reload()
    expect(page.locator(".messages li.from-worker .text")).to_have_text([MESSAGE])
    assert _worker_messages(live_server) == 1
