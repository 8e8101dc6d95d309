"""Issues 13 and 17 in a real browser: a worker files the step-by-step complaint on a phone in
Bengali, Sinhala, Amharic, Arabic (right to left), Tagalog and Urdu (right to left), typing the
money in their language's digits, and the case keeps the right amount (Nepali, English without
JavaScript and Indonesian with a mistake are walked in test_worker_journeys.py); a supervisor who chose Arabic for their own pages gets the
staff pages right to left, with no axe-core violation."""

from __future__ import annotations

from typing import Any

import pytest
from babel import Locale
from sqlalchemy import select

from casework.extensions import db
from casework.models import Case
from casework.vocabulary.languages import LANGUAGES
from tests.browser.conftest import CHROMIUM, CHROMIUM_MISSING, LiveServer, translator
from tests.browser.journey_data import ARABIC_SUPERVISOR, FILINGS, Desk, Filing, set_up_desk
from tests.browser.test_desk_journeys import Visit, checker
from tests.browser.test_staff_pages_axe import DESK, _sign_in
from tests.browser.test_worker_journeys import (
    NEXT,
    PAID_FOR_JOB,
    REFERENCE,
    SECRET,
    SEND_COMPLAINT,
    choose_language,
    label_text_edges,
    submit,
)

if not CHROMIUM.exists():
    pytest.skip(CHROMIUM_MISSING, allow_module_level=True)

from playwright.sync_api import expect  # noqa: E402

pytestmark = pytest.mark.browser

LIVE_SERVER_CONFIG = {"REQUIRE_2FA": False}

# The digits of the numbering systems CLDR names for these languages.
DIGITS = {
    "latn": "0123456789",
    "beng": "০১২৩৪৫৬৭৮৯",
    "arab": "٠١٢٣٤٥٦٧٨٩",
    "deva": "०१२३४५६७८९",
}


def in_worker_digits(code: str, number: int) -> str:
    """`number` in the digits CLDR says the language writes by default (Bengali: ০-৯)."""
    system = Locale.parse(LANGUAGES[code].babel_locale).default_numbering_system
    return str(number).translate(str.maketrans("0123456789", DIGITS[system]))


def on_step(page: Any, code: str, number: int, title: str) -> None:
    """Step `number` of 7, titled `title`, the progress line in the language's own digits."""
    t = translator(code)
    expect(page.locator("#progress")).to_have_text(
        t(
            "Step %(number)s of %(total)s",
            number=in_worker_digits(code, number),
            total=in_worker_digits(code, 7),
        )
    )
    expect(page.get_by_role("heading", level=1)).to_have_text(t(title))


def labels_hug_the_right(page: Any, field_id: str) -> None:
    """In a right-to-left page the label's text starts at the right edge of its column."""
    left, right = label_text_edges(page, field_id)
    box = page.locator(f"#{field_id}").bounding_box()
    assert box is not None
    field_right = box["x"] + box["width"]
    assert abs(field_right - right) < 4, f"{field_id}: label ends at {right}, field {field_right}"
    assert right - left < box["width"], (
        f"{field_id}: the label text is narrower than its field ({left}-{right})"
    )


@pytest.mark.parametrize("filing", FILINGS, ids=[f.code for f in FILINGS])
def test_worker_files_in_own_language_and_digits_on_a_phone(
    module_live_server: LiveServer, new_context: Any, filing: Filing
) -> None:
    server, code = module_live_server, filing.code
    language = LANGUAGES[code]
    t = translator(code)
    assert t("Your complaint was received") != "Your complaint was received", "no catalogue"
    page = new_context().new_page()

    choose_language(page, server, language.native_name)
    expect(page.locator("html")).to_have_attribute("lang", code)
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if language.rtl else "ltr")
    on_step(page, code, 1, "Language")
    expect(page.get_by_label(language.native_name, exact=True)).to_be_checked()
    submit(page, t(NEXT))

    on_step(page, code, 2, "Where")
    if language.rtl:
        assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
        width = page.viewport_size["width"]
        for field in ("origin_country", "destination_country"):
            labels_hug_the_right(page, field)
            left, right = label_text_edges(page, field)
            assert width - right < 40 and left > width - right, (field, left, right)
        next_box = page.get_by_role("button", name=t(NEXT), exact=True).bounding_box()
        assert next_box is not None and next_box["x"] < width / 2, next_box
    page.select_option("#origin_country", filing.origin)
    page.select_option("#destination_country", filing.destination)
    submit(page, t(NEXT))

    on_step(page, code, 3, "What happened")
    page.get_by_label(t(PAID_FOR_JOB), exact=True).check()
    page.fill("#narrative", filing.narrative)
    submit(page, t(NEXT))

    on_step(page, code, 4, "Money you paid to get this job")
    page.select_option("#fees-0-category", "FEE_AGENT")
    page.fill("#fees-0-amount", filing.amount)
    page.select_option("#fees-0-currency", filing.currency)
    if filing.receipt:
        page.fill("#fees-0-receipt_amount", filing.receipt)
    if language.rtl:
        labels_hug_the_right(page, "fees-0-amount")
    submit(page, t(NEXT))

    on_step(page, code, 5, "Evidence")
    submit(page, t(NEXT))
    on_step(page, code, 6, "How can we reach you? (you can stay anonymous)")
    submit(page, t(NEXT))
    on_step(page, code, 7, "Check and send")
    answers = page.locator("main")
    expect(answers).to_contain_text(filing.narrative)
    expect(answers).to_contain_text(filing.amount)  # read back as typed, in the same digits
    submit(page, t(SEND_COMPLAINT))

    # The receipt, in the worker's language and direction.
    expect(page.locator("html")).to_have_attribute("lang", code)
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if language.rtl else "ltr")
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Your complaint was received"))
    expect(page.locator("#files-received")).to_have_text(
        t(
            "No files came with your complaint. You can add photos or documents later, "
            "when you check your complaint."
        )
    )
    expect(page.locator("#reference")).to_have_text(REFERENCE)
    expect(page.locator("#secret")).to_have_text(SECRET)
    reference = page.locator("#reference").inner_text().strip()

    with server.app.app_context():
        case = db.session.scalars(select(Case).where(Case.reference == reference)).one()
        assert (case.language, case.origin_country, case.destination_country) == (
            code,
            filing.origin,
            filing.destination,
        )
        assert [(f.category, f.amount_paid, f.receipt_amount, f.currency) for f in case.fees] == [
            ("FEE_AGENT", filing.paid, filing.receipt_paid, filing.currency)
        ]
        db.session.remove()


def test_staff_pages_in_arabic_lay_out_right_to_left(
    module_live_server: LiveServer, new_context: Any
) -> None:
    problems: list[str] = []
    page = new_context(viewport=DESK).new_page()
    arabic_staff_journey(
        page, module_live_server, set_up_desk(module_live_server), checker(problems)
    )
    assert problems == []


def arabic_staff_journey(page: Any, server: LiveServer, desk: Desk, visit: Visit) -> None:
    """A supervisor chooses Arabic for their own pages, then opens the queue and a case: each
    right to left; `visit(page, what)` on each."""
    reference = desk.first
    t = translator("ar")
    _sign_in(page, server, ARABIC_SUPERVISOR)
    expect(page.locator("html")).to_have_attribute("lang", "en")

    # The supervisor chooses Arabic for their own pages.
    page.goto(server.url("/account/language"))
    page.get_by_label("العربية", exact=True).check()
    submit(page, "Save")
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "ar")
    expect(html).to_have_attribute("dir", "rtl")
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Language of your pages"))
    expect(page.get_by_label("العربية", exact=True)).to_be_checked()
    visit(page, "language page")

    # The queue: navigation and the search form's labels from the right.
    page.goto(server.url("/cases/?tab=org_all"))
    expect(html).to_have_attribute("lang", "ar")
    expect(html).to_have_attribute("dir", "rtl")
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Cases"))
    main = page.locator("main").bounding_box()
    brand = page.locator("header a.brand").bounding_box()
    cases_link = page.locator(".staff-nav").get_by_role("link", name=t("Cases"), exact=True)
    nav_first = cases_link.bounding_box()
    assert main is not None and brand is not None and nav_first is not None
    right, middle = main["x"] + main["width"], main["x"] + main["width"] / 2
    assert right - (brand["x"] + brand["width"]) < 40, f"the brand starts at the right: {brand}"
    assert nav_first["x"] > middle, f"the navigation starts at the right: {nav_first}"
    reference_label = label_text_edges(page, "f-reference")
    status_label = label_text_edges(page, "f-status")
    assert right - reference_label[1] < 40, f"the first label at the right: {reference_label}"
    assert status_label[1] < reference_label[0], "the next field sits to its left"
    labels_hug_the_right(page, "f-reference")
    row = page.locator("tbody tr").filter(has=page.get_by_role("link", name=reference))
    expect(row).to_have_count(1)
    visit(page, "queue")

    # The case page: its message form's label at the right of the form.
    row.get_by_role("link", name=reference, exact=True).click()
    page.wait_for_url(server.url(f"/cases/{reference}"))
    expect(html).to_have_attribute("dir", "rtl")
    expect(page.locator("#message h2")).to_have_text(t("Message the worker"))
    labels_hug_the_right(page, "message-body")
    message = page.locator("#message").bounding_box()
    story = page.locator("#story").bounding_box()
    assert message is not None and story is not None
    assert message["x"] < story["x"], "the side column is on the left in Arabic"
    # The worker's English story keeps its own direction (its full stop at the end, not the
    # start) inside the Arabic page.
    assert page.locator("#story .body").evaluate("(el) => getComputedStyle(el).direction") == "ltr"
    visit(page, "case page")
