"""Every page of the step-by-step complaint in every worker language, checked by axe-core (no
violations of any impact) and for button contrast (4.5:1, computed in the browser), including
a step with errors, the "Where" step offering the licensed agencies of the worker's country, a
step with an unusual answer to confirm and the receipt with its secret;
the start page, the single-page form, the public licence check, and the follow-up pages (the secret's show/hide and groups of four, a referral
question saying what the place does)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from casework.extensions import db
from casework.i18n import LANGUAGE_COOKIE
from casework.models import Case
from casework.services.referrals.proposals import propose_referral
from casework.vocabulary.forums import FORUM_DOES_FOR_WORKER
from casework.vocabulary.languages import LANGUAGES
from tests.browser.conftest import CHROMIUM, CHROMIUM_MISSING, LiveServer, translator
from tests.browser.test_button_contrast import CONTRAST

if not CHROMIUM.exists():
    pytest.skip(CHROMIUM_MISSING, allow_module_level=True)

from playwright.sync_api import expect  # noqa: E402

pytestmark = pytest.mark.browser

SECRET = re.compile(r"^\d{4} \d{4} \d{4} \d{4}$")


def _problems(page: Any, where: str) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    found = [
        f"{where}: {v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']]}"
        for v in results.response["violations"]
    ]
    faint = [b for b in page.evaluate(CONTRAST) if b["ratio"] < 4.5]
    return found + ([f"{where}: low-contrast buttons {faint}"] if faint else [])


@pytest.fixture
def live_server_config() -> dict[str, Any]:
    """The public licence check on, so that its page is checked too."""
    return {"PUBLIC_AGENCY_CHECK": True}


def test_every_step_passes_axe_and_contrast(live_server: LiveServer, new_context: Any) -> None:
    """One server, every language in turn (a fresh browser context each), with Nepal's list of
    licensed agencies for the "Where" step to offer."""
    from casework.services.actors import SystemActor
    from casework.services.agencies.lists import read_agency_list
    from casework.services.agencies.registry_import import import_agency_list

    listed = (
        "licence_number,name,status\n"
        "1234/067/68,Himal Overseas Manpower Pvt. Ltd.,Active\n"
        "1101/070/71,Himal Sky Overseas,Suspended\n"
    )
    with live_server.app.app_context():
        import_agency_list(SystemActor("test"), "NP", "DoFE", read_agency_list(listed.encode()))
        db.session.commit()
        db.session.remove()
    problems: list[str] = []
    for code in LANGUAGES:
        problems += _journey(live_server, new_context, code, follow_up=True)
    assert problems == []


def _journey(live_server: LiveServer, new_context: Any, code: str, follow_up: bool) -> list[str]:
    """Problems found on each page of the journey in language `code`."""
    t = translator(code)
    context = new_context()
    context.add_cookies([{"name": LANGUAGE_COOKIE, "value": code, "url": live_server.base}])
    page = context.new_page()
    problems: list[str] = []

    def press(label: str) -> None:
        with page.expect_navigation():
            page.get_by_role("button", name=t(label), exact=True).click()

    page.goto(live_server.url("/"))
    expect(page.locator("html")).to_have_attribute("lang", code)
    problems += _problems(page, "start")
    page.goto(live_server.url("/complaint"))  # the single-page form, still offered
    problems += _problems(page, "single-page form")
    page.goto(live_server.url("/agency-check"))  # when a deployment turns it on
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Is this agency licensed?"))
    problems += _problems(page, "licence check")
    page.goto(live_server.url("/complaint/steps"))
    expect(page.locator("html")).to_have_attribute("lang", code)
    problems += _problems(page, "language")
    press("Next")
    press("Next")  # no countries: errors, a focused summary
    expect(page.locator(".error-summary")).to_be_focused()
    problems += _problems(page, "where with errors")
    page.select_option("#origin_country", "NP")
    page.select_option("#destination_country", "QA")
    # "Find my agency": Nepal's list offers its entries
    page.locator("details.more > summary").click()
    page.fill("#agency_name", "himal overseas")
    press("Find my agency")
    expect(page.locator("#agency-found input[type=radio]").first).to_be_visible()
    problems += _problems(page, "where with the list's agencies")
    press("Next")
    page.fill("#narrative", "The agent kept my passport.")
    today = date.today()
    page.fill("#incident_date", today.replace(year=today.year + 1, day=1).isoformat())
    problems += _problems(page, "what")
    press("Next")  # an unusual answer: not an error, the worker confirms it
    expect(page.locator("#incident_date-unusual")).to_have_text(
        t("This date is in the future. Please check it.")
    )
    problems += _problems(page, "what with a warning")
    page.get_by_label(t("Yes, this is right"), exact=True).check()
    press("Next")
    problems += _problems(page, "money")
    press("Next")
    problems += _problems(page, "evidence")
    press("Next")
    problems += _problems(page, "contact")
    press("Next")
    problems += _problems(page, "check")
    press("Send my complaint")
    expect(page.locator("#secret")).to_have_text(SECRET)
    problems += _problems(page, "receipt")
    if not follow_up:
        context.close()
        return [f"{code} {p}" for p in problems]
    secret = page.locator("#secret").inner_text().strip()
    reference = page.locator("#reference").inner_text().strip()
    with live_server.app.app_context():  # a caseworker's question waits on the follow-up page
        case = db.session.scalars(select(Case).where(Case.reference == reference)).one()
        referral = propose_referral(case, proposed_by="scheduler")
        assert referral is not None
        db.session.commit()
        with force_locale(LANGUAGES[code].babel_locale):
            does = str(FORUM_DOES_FOR_WORKER[referral.forum_kind])
        db.session.remove()
    page.get_by_role("button", name=t("Hide the code"), exact=True).click()
    expect(page.locator("#secret")).not_to_contain_text(secret[:4])

    page.goto(live_server.url("/follow-up"))
    code_field = page.get_by_label(t("Your 16-digit secret code"), exact=True)
    expect(code_field).to_have_attribute("type", "password")
    code_field.press_sequentially(secret.replace(" ", "")[:6])
    expect(code_field).to_have_value(secret[:4] + " " + secret[5:7])
    page.get_by_role("button", name=t("Show the code"), exact=True).click()
    expect(code_field).to_have_attribute("type", "text")
    problems += _problems(page, "follow-up sign-in")
    code_field.fill(secret.replace(" ", "-"))
    page.get_by_label(t("Your reference (like CW-7K3M-92XD)"), exact=True).fill(reference.lower())
    press("Check my complaint")
    expect(page.get_by_role("heading", level=1)).to_contain_text(reference)
    # The question names the place and says what it does, in the worker's language.
    expect(page.locator(".forum-does")).to_have_text(does)
    assert code == "en" or does not in {str(d) for d in FORUM_DOES_FOR_WORKER.values()}
    problems += _problems(page, "follow-up page with a referral question")
    context.close()
    return [f"{code} {p}" for p in problems]
