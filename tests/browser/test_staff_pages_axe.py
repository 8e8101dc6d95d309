"""The caseworker's desk passes axe-core and every control can be read: at 1366 px, for a
caseworker and a supervisor, the queue (with the current tab's count), a case page that has
open flags and claim deadlines, and the supervisor's access log show no axe violation of any
impact, and the text of every link, button, field, badge and deadline marker reaches 4.5:1
against its background, computed in the browser from the styles that really apply (axe only
marks some of these "needs review")."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from casework.extensions import db
from casework.models import Case, Organisation, User
from casework.models.columns import utcnow
from casework.services.assignments.operations import accept_offer
from casework.services.casefile.lifecycle import change_status
from casework.services.directory.staff_auth import hash_password
from casework.services.escalation.deadlines import refresh_deadlines
from casework.services.escalation.scan import scan_stalled_cases
from casework.services.intake.operations import lodge_complaint
from tests.browser.conftest import LiveServer
from tests.conftest import STAFF_PASSWORD, complaint_payload

pytestmark = pytest.mark.browser

DESK = {"width": 1366, "height": 900}

# Every visible control and marker whose text must be read: its contrast against the first
# non-transparent background behind it (WCAG relative luminance).
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
  const selector = 'a, button, select, textarea, input:not([type=hidden]):not([type=checkbox]):not([type=radio]), '
    + 'label, .badge, .due, .flag, .hint';
  return [...document.querySelectorAll(selector)]
    .filter((el) => el.offsetParent !== null && (el.value || el.textContent || '').trim())
    .map((el) => {
      const fg = luminance(rgb(getComputedStyle(el).color));
      const bg = luminance(background(el));
      const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
      const text = (el.textContent || el.value || '').trim().replace(/\\s+/g, ' ').slice(0, 40);
      return { what: el.tagName.toLowerCase() + '.' + el.className + ' ' + text, ratio: Math.round(ratio * 100) / 100 };
    });
}
"""


@pytest.fixture
def live_server_config() -> dict[str, Any]:
    return {"REQUIRE_2FA": False}


def _desk(server: LiveServer) -> str:
    """GEFONT with a caseworker and a supervisor, and a Nepali case the caseworker accepted and
    then left alone for a month, its claim deadline ten days off: the stalled scan flagged it."""
    with server.app.app_context():
        org = Organisation(slug="gefont", name="GEFONT Migrant Workers Desk", kind="union")
        org.countries, org.languages = ["NP"], ["ne", "en"]
        db.session.add(org)
        db.session.flush()
        for email, name, role in (
            ("asha@gefont.example.org", "Asha Gurung", "caseworker"),
            ("bikash@gefont.example.org", "Bikash Thapa", "supervisor"),
        ):
            user = User(email=email, name=name, organisation_id=org.id, role=role)
            user.password_hash = hash_password(STAFF_PASSWORD)
            user.languages = ["ne", "en"]
            db.session.add(user)
        db.session.commit()
        now = utcnow()
        lodged = lodge_complaint(
            complaint_payload(incident_date=(now - timedelta(days=355)).date().isoformat()),
            source="api",
        )
        case = db.session.scalars(select(Case).where(Case.reference == lodged.reference)).one()
        asha = db.session.scalars(select(User).where(User.role == "caseworker")).one()
        accept_offer(asha, case, case.assignments[0].id)
        change_status(asha, case, "in_progress", case.version)
        case.last_activity_at = case.status_since = now - timedelta(days=30)
        refresh_deadlines(case, now)
        db.session.commit()
        scan_stalled_cases(now)
        db.session.remove()
    return lodged.reference


def _sign_in(page: Any, server: LiveServer, email: str) -> None:
    page.goto(server.url("/login"))
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(STAFF_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()


def _problems(page: Any) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    found = [
        f"axe {violation['id']} ({violation['impact']}): "
        + "; ".join(node["target"][0] for node in violation["nodes"][:3])
        for violation in results.response["violations"]
    ]
    found += [
        f"contrast {item['ratio']}: {item['what']}"
        for item in page.evaluate(CONTRAST)
        if item["ratio"] < 4.5
    ]
    return found


def test_queue_and_case_page_pass_axe_and_contrast_for_both_roles(
    live_server: LiveServer, new_context: Any
) -> None:
    reference = _desk(live_server)
    for email, tab in (
        ("asha@gefont.example.org", "mine"),
        ("bikash@gefont.example.org", "org_all"),
    ):
        page = new_context(viewport=DESK).new_page()
        _sign_in(page, live_server, email)
        page.goto(live_server.url(f"/cases/?tab={tab}"))
        current = page.locator(".tabs a.current .badge")
        assert current.inner_text() == "1"
        assert _problems(page) == [], f"queue, {email}"
        page.goto(live_server.url(f"/cases/{reference}"))
        assert "step 2 of 3: supervisor alerted" in page.locator("#time").inner_text()
        assert page.locator("#time .due.soon").count() >= 1
        assert _problems(page) == [], f"case page, {email}"
    page.goto(live_server.url(f"/cases/{reference}/access-log"))  # the supervisor's
    assert "Asha Gurung" in page.locator("main table").inner_text()
    assert _problems(page) == [], "access log"
