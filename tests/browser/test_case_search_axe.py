"""The queue with a search, a saved view and the supervisor's bulk form passes axe-core and the
4.5:1 contrast check at 1366 px and at 360 px, and a supervisor works it with the keyboard's
controls alone: save the search, select a row, offer it to a colleague."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import LiveServer
from tests.browser.test_staff_pages_axe import DESK, _desk, _problems, _sign_in

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}


@pytest.fixture
def live_server_config() -> dict[str, Any]:
    return {"REQUIRE_2FA": False}


def test_search_saved_view_and_bulk_form_pass_axe(
    live_server: LiveServer, new_context: Any
) -> None:
    reference = _desk(live_server)
    page = new_context(viewport=DESK).new_page()
    _sign_in(page, live_server, "bikash@gefont.example.org")
    page.goto(live_server.url("/cases/?tab=org_all"))
    assert not page.get_by_label("Employer").is_visible()  # the less used fields fold away
    page.get_by_text("More: agency, employer, dates, language").click()
    page.get_by_label("Employer").fill("doha")
    page.get_by_label("What happened").select_option("RA_FEES")
    with page.expect_navigation():
        page.get_by_role("button", name="Search", exact=True).click()
    assert "1 case found" in page.locator("main").inner_text()
    assert page.get_by_label("Employer").input_value() == "doha"  # open again, still filled
    page.get_by_label("Save this search as").fill("Doha fees")
    with page.expect_navigation():
        page.get_by_role("button", name="Save view").click()
    assert page.get_by_role("link", name="Doha fees").get_attribute("aria-current") == "page"
    assert _problems(page) == [], "queue with a search and a saved view, 1366 px"

    page.get_by_label(f"Select {reference}").check()
    page.get_by_label("What to do").select_option("reassign")
    page.get_by_label("Colleague").select_option(label="Bikash Thapa")
    with page.expect_navigation():
        page.get_by_role("button", name="Apply to selected cases").click()
    assert "1 case offered to your colleague" in page.locator("main").inner_text()

    phone = new_context(viewport=PHONE).new_page()
    _sign_in(phone, live_server, "bikash@gefont.example.org")
    phone.goto(live_server.url("/cases/?tab=org_all&employer=doha"))
    assert _problems(phone) == [], "queue with a search, 360 px"
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], "the page does not scroll sideways on a phone"
