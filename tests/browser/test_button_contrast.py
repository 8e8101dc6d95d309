"""Every button a worker must press can be seen: its text against its own background reaches
WCAG AA contrast (4.5:1), computed in the browser from the styles that really apply.

axe-core only marks these "needs review", so the ratio is computed here. A white-on-white
"Send message" passed every other test.
"""

from __future__ import annotations

from typing import Any

import pytest

from casework.extensions import db
from casework.services.intake.operations import lodge_complaint
from tests.browser.conftest import LiveServer
from tests.conftest import complaint_payload

pytestmark = pytest.mark.browser

# Relative luminance and contrast of each visible button's text against its background.
CONTRAST = """
() => {
  const channel = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
  const rgb = (text) => (text.match(/[\\d.]+/g) || []).slice(0, 3).map(Number);
  const luminance = ([r, g, b]) => 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  const background = (el) => {
    for (let node = el; node; node = node.parentElement) {
      const style = getComputedStyle(node);
      if (!/rgba\\(0, 0, 0, 0\\)|transparent/.test(style.backgroundColor)) return rgb(style.backgroundColor);
    }
    return [255, 255, 255];
  };
  return [...document.querySelectorAll('button, input[type=submit], a.button')]
    .filter((el) => el.offsetParent !== null)
    .map((el) => {
      const fg = luminance(rgb(getComputedStyle(el).color));
      const bg = luminance(background(el));
      const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
      return { label: (el.value || el.textContent || '').trim(), ratio: Math.round(ratio * 100) / 100 };
    });
}
"""


def _low_contrast(page: Any) -> list[dict[str, Any]]:
    return [button for button in page.evaluate(CONTRAST) if button["ratio"] < 4.5]


def _lodge(server: LiveServer) -> tuple[str, str]:
    with server.app.app_context():
        lodged = lodge_complaint(complaint_payload(language="en"), source="api")
        db.session.remove()
    return lodged.reference, lodged.secret


def test_every_button_on_the_worker_pages_can_be_seen(live_server: LiveServer, phone: Any) -> None:
    reference, secret = _lodge(live_server)
    pages = ["/", "/complaint", "/follow-up"]
    for path in pages:
        phone.goto(live_server.url(path))
        assert _low_contrast(phone) == [], path
    phone.get_by_label("Your reference (like CW-7K3M-92XD)", exact=True).fill(reference)
    phone.get_by_label("Your 16-digit secret code", exact=True).fill(secret)
    with phone.expect_navigation():
        phone.get_by_role("button", name="Check my complaint", exact=True).click()
    buttons = phone.evaluate(CONTRAST)
    assert any(button["label"] == "Send message" for button in buttons)
    assert _low_contrast(phone) == [], "follow-up page"


def _axe_violations(page: Any) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{violation['id']} ({violation['impact']}): {len(violation['nodes'])} node(s)"
        for violation in results.response["violations"]
    ]


def test_axe_finds_nothing_on_the_worker_pages_this_work_changed(
    live_server: LiveServer, phone: Any
) -> None:
    reference, secret = _lodge(live_server)
    phone.goto(live_server.url("/follow-up"))
    assert _axe_violations(phone) == [], "follow-up sign-in"
    phone.get_by_label("Your reference (like CW-7K3M-92XD)", exact=True).fill(reference)
    phone.get_by_label("Your 16-digit secret code", exact=True).fill(secret)
    with phone.expect_navigation():
        phone.get_by_role("button", name="Check my complaint", exact=True).click()
    assert _axe_violations(phone) == [], "follow-up page"
