"""A worker's journeys in a real browser: filing in their language on a phone, with and without
JavaScript, right-to-left, mistakes, page weight and the quick exit."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from casework.extensions import db
from casework.i18n import LANGUAGE_COOKIE
from casework.models import Case
from casework.vocabulary.languages import LANGUAGES
from tests import samples
from tests.browser.conftest import CHROMIUM, CHROMIUM_MISSING, LiveServer, catalogue, translator

if not CHROMIUM.exists():
    pytest.skip(CHROMIUM_MISSING, allow_module_level=True)

from playwright.sync_api import expect  # noqa: E402

pytestmark = pytest.mark.browser

REFERENCE = re.compile(r"^CW-[0-9A-Z]{4}-[0-9A-Z]{4}$")
SECRET = re.compile(r"^\d{4} \d{4} \d{4} \d{4}$")
PAGE_BUDGET = 60 * 1024

# msgids of what the worker reads and clicks; translated per language at test time.
MAKE_A_COMPLAINT = "Make a complaint"
SEND_COMPLAINT = "Send my complaint"
ADD_PAYMENT = "Add another payment"
CHECK_MY_COMPLAINT = "Check my complaint"
PAID_FOR_JOB = "Did you pay money to get this job (to an agent, broker or anyone else)?"
PASSPORT_TAKEN = "Has someone taken your passport or ID and not given it back?"
WAGES_UNPAID = "Has your employer not paid your wages, or paid them late?"
STRANDED = "Are you stuck, or not allowed to go home?"


NEXT = "Next"
BACK = "Back"


def choose_language(page: Any, server: LiveServer, native_name: str) -> None:
    """From the start page, tap the language; the choice leads straight to the first step."""
    page.goto(server.url("/"))
    page.locator(".language-choice").get_by_role("link", name=native_name, exact=True).click()
    page.wait_for_url(server.url("/complaint/step/language"))


def submit(page: Any, label: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=label, exact=True).click()


def on_step(page: Any, code: str, number: int, title: str) -> None:
    """The page is step `number` of 7, titled `title`: the progress line says so, in the
    worker's digits (Devanagari in Nepali, CLDR's numbering system for ne)."""
    t = translator(code)
    digits = str.maketrans("0123456789", "०१२३४५६७८९" if code == "ne" else "0123456789")
    expect(page.locator("#progress")).to_have_text(
        t(
            "Step %(number)s of %(total)s",
            number=str(number).translate(digits),
            total=str(7).translate(digits),
        )
    )
    expect(page.get_by_role("heading", level=1)).to_have_text(t(title))


def test_worker_files_in_nepali_with_photo_and_voice_note_and_follows_up(
    live_server: LiveServer, phone: Any, tmp_path: Path
) -> None:
    t = translator("ne")
    page = phone
    choose_language(page, live_server, "नेपाली")
    expect(page.locator("html")).to_have_attribute("lang", "ne")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    on_step(page, "ne", 1, "Language")
    expect(page.get_by_label("नेपाली", exact=True)).to_be_checked()
    submit(page, t(NEXT))

    on_step(page, "ne", 2, "Where")
    page.select_option("#origin_country", "NP")
    page.select_option("#destination_country", "QA")
    submit(page, t(NEXT))
    on_step(page, "ne", 3, "What happened")
    page.get_by_label(t(PAID_FOR_JOB), exact=True).check()
    page.get_by_label(t(PASSPORT_TAKEN), exact=True).check()
    narrative = "एजेन्टले मेरो राहदानी लियो र १,५०,००० रुपैयाँ लियो। रसिद दिएन।"
    page.fill("#narrative", narrative)
    submit(page, t(NEXT))
    on_step(page, "ne", 4, "Money you paid to get this job")
    page.select_option("#fees-0-category", "FEE_AGENT")
    page.fill("#fees-0-amount", "150000")
    page.select_option("#fees-0-currency", "NPR")
    submit(page, t(NEXT))
    on_step(page, "ne", 5, "Evidence")
    photo = tmp_path / "receipt.png"
    photo.write_bytes(samples.png())
    voice_note = tmp_path / "voice-note.ogg"
    voice_note.write_bytes(samples.ogg_opus_voice_note())
    page.set_input_files("#evidence", [photo, voice_note])
    submit(page, t(NEXT))
    on_step(page, "ne", 6, "How can we reach you? (you can stay anonymous)")
    submit(page, t(NEXT))
    on_step(page, "ne", 7, "Check and send")
    expect(page.locator(".answers")).to_contain_text([t("Where"), t("What happened")])
    expect(page.locator("main")).to_contain_text(narrative)
    expect(page.locator("main")).to_contain_text("voice-note.ogg")
    submit(page, t(SEND_COMPLAINT))

    # The receipt: a reference and a secret shown once, in the worker's language.
    expect(page.locator("html")).to_have_attribute("lang", "ne")
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Your complaint was received"))
    expect(page.locator("#reference")).to_have_text(REFERENCE)
    expect(page.locator("#secret")).to_have_text(SECRET)
    reference = page.locator("#reference").inner_text().strip()
    secret = page.locator("#secret").inner_text().strip()
    digits = secret.replace(" ", "")

    # The secret is in the page only: not in the address bar, not in any cookie.
    assert digits not in page.url and secret not in page.url
    cookies = page.context.cookies()
    assert cookies, "expected the language and session cookies"
    for cookie in cookies:
        assert digits not in cookie["value"], cookie["name"]
    session = next(c for c in cookies if c["name"] == live_server.app.config["SESSION_COOKIE_NAME"])
    serializer = live_server.app.session_interface.get_signing_serializer(live_server.app)
    assert digits not in json.dumps(serializer.loads(session["value"]), default=str)

    # Follow up, as the worker would later, with what they wrote down.
    page.get_by_role("link", name=t(CHECK_MY_COMPLAINT), exact=True).click()
    page.wait_for_url(live_server.url("/follow-up"))
    page.get_by_label(t("Your reference (like CW-7K3M-92XD)"), exact=True).fill(reference)
    page.get_by_label(t("Your 16-digit secret code"), exact=True).fill(secret)
    submit(page, t(CHECK_MY_COMPLAINT))

    expect(page.locator("html")).to_have_attribute("lang", "ne")
    expect(page.get_by_role("heading", level=1)).to_contain_text(reference)
    expect(page.locator(".status")).to_have_text(
        t("We have received your complaint. A caseworker will look at it soon.")
    )
    expect(
        # In Nepali's own digits (CLDR's numbering system for ne is Devanagari).
        page.get_by_text(t("Files received so far: %(count)s", count="२"), exact=True)
    ).to_be_visible()
    assert digits not in page.url

    message = "मैले मेरो राहदानी कहिले फिर्ता पाउँछु?"
    page.get_by_label(t("Write a message to your caseworker"), exact=True).fill(message)
    submit(page, t("Send message"))
    expect(page.locator(".notice")).to_have_text(t("Your message was sent."))
    expect(page.locator(".messages li.from-worker .text")).to_have_text([message])

    with live_server.app.app_context():
        case = db.session.scalars(select(Case).where(Case.reference == reference)).one()
        assert (case.language, case.origin_country, case.destination_country) == ("ne", "NP", "QA")
        assert sorted(e.media_type for e in case.evidence) == ["audio/opus", "image/png"]
        assert [(f.amount_paid, f.currency) for f in case.fees] == [(150000, "NPR")]
        db.session.remove()


def test_urdu_form_lays_out_right_to_left(live_server: LiveServer, phone: Any) -> None:
    page = phone
    choose_language(page, live_server, "اردو")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ur")
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    submit(page, translator("ur")(NEXT))
    on_step(page, "ur", 2, "Where")

    width = page.viewport_size["width"]
    left, right = label_text_edges(page, "origin_country")
    assert width - right < 40, f"Urdu label text should start at the right edge: {left}-{right}"
    assert left > width - right, f"Urdu label text should hug the right, not the left: {left}"
    exit_box = page.locator("#quick-exit").bounding_box()
    assert exit_box is not None
    assert exit_box["x"] < 20 and exit_box["x"] + exit_box["width"] < width / 2, exit_box
    # Next sits at the inline start's far side: on the left in Urdu.
    next_box = page.get_by_role("button", name=translator("ur")(NEXT), exact=True).bounding_box()
    assert next_box is not None and next_box["x"] < width / 2, next_box

    # The same page in English: text from the left, quick exit on the right.
    page.locator("nav.languages").get_by_role("link", name="English", exact=True).click()
    page.wait_for_url(live_server.url("/complaint/step/where"))
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    left, right = label_text_edges(page, "origin_country")
    assert left < 40 and width - right > left, (left, right)
    exit_box = page.locator("#quick-exit").bounding_box()
    assert exit_box is not None
    assert width - (exit_box["x"] + exit_box["width"]) < 20 and exit_box["x"] > width / 2, exit_box


def label_text_edges(page: Any, field_id: str) -> tuple[float, float]:
    """Left and right edges of the label's text itself (the label box spans the column)."""
    return tuple(
        page.evaluate(
            """(id) => {
                const range = document.createRange();
                range.selectNodeContents(document.querySelector(`label[for="${id}"]`));
                const box = range.getBoundingClientRect();
                return [box.left, box.right];
            }""",
            field_id,
        )
    )


def test_form_works_without_javascript(live_server: LiveServer, new_context: Any) -> None:
    page = new_context(java_script_enabled=False).new_page()
    page.goto(live_server.url("/"))
    page.get_by_role("link", name=MAKE_A_COMPLAINT, exact=True).click()
    page.wait_for_url(live_server.url("/complaint/step/language"))
    submit(page, NEXT)
    page.select_option("#origin_country", "ID")
    page.select_option("#destination_country", "MY")
    submit(page, NEXT)
    page.get_by_label(WAGES_UNPAID, exact=True).check()
    story = "The agent kept my passport.\nThen he asked for more money."
    page.fill("#narrative", story)
    # "More questions" opens without JavaScript (a <details> element).
    page.get_by_text("More questions", exact=True).click()
    page.get_by_label(STRANDED, exact=True).check()
    submit(page, NEXT)

    # "Add another payment" is a real submit button: a second row, nothing typed is lost.
    on_step(page, "en", 4, "Money you paid to get this job")
    expect(page.locator("fieldset.fee")).to_have_count(1)
    page.fill("#fees-0-amount", "2500000")
    submit(page, ADD_PAYMENT)
    expect(page.locator("fieldset.fee")).to_have_count(2)
    expect(page.locator("#fees-1-amount")).to_have_value("")
    expect(page.locator("#fees-0-amount")).to_have_value("2500000")
    expect(page.locator(".error-summary")).to_have_count(0)
    # The worker lands on the new row, not at the top.
    expect(page.locator("#fees-1-category")).to_be_focused()
    expect(page.locator("#fees-1-category")).to_be_in_viewport()
    expect(page.locator("[autofocus]")).to_have_count(1)
    page.select_option("#fees-0-category", "FEE_AGENT")
    page.select_option("#fees-0-currency", "IDR")

    # Back keeps this page's answers and shows the last page's again.
    submit(page, BACK)
    on_step(page, "en", 3, "What happened")
    expect(page.locator("#narrative")).to_have_value(story)
    expect(page.get_by_label(STRANDED, exact=True)).to_be_checked()
    submit(page, NEXT)
    expect(page.locator("#fees-0-amount")).to_have_value("2500000")
    for _step in ("money", "evidence", "contact"):
        submit(page, NEXT)
    on_step(page, "en", 7, "Check and send")
    submit(page, SEND_COMPLAINT)
    expect(page.locator("#reference")).to_have_text(REFERENCE)
    expect(page.locator("#secret")).to_have_text(SECRET)
    reference = page.locator("#reference").inner_text().strip()
    with live_server.app.app_context():
        case = db.session.scalars(select(Case).where(Case.reference == reference)).one()
        assert case.abuse_codes == ["FL_WAGES", "RA_STRANDED"]
        assert [(f.amount_paid, f.currency) for f in case.fees] == [(2500000, "IDR")]
        db.session.remove()


def test_bad_input_keeps_everything_typed_and_the_chosen_files(
    live_server: LiveServer, phone: Any, tmp_path: Path
) -> None:
    t = translator("id")
    page = phone
    choose_language(page, live_server, "Bahasa Indonesia")
    expect(page.locator("html")).to_have_attribute("lang", "id")
    submit(page, t(NEXT))
    agency = "PT Maju Jaya Abadi"
    page.get_by_text(t("Who recruited you and who employs you"), exact=True).click()
    page.fill("#agency_name", agency)
    submit(page, t(NEXT))  # no countries: the step says so and keeps the agency

    summary = page.locator(".error-summary")
    expect(summary).to_contain_text(
        t("Please check the answers marked below. Everything you wrote is still here.")
    )
    expect(summary).to_be_focused()  # a screen reader and a keyboard start at the list
    for field in ("origin_country", "destination_country"):
        expect(page.locator(f"#{field}-error")).to_have_text(t("Please choose a country."))
        expect(page.locator(f"#{field}")).to_have_attribute("aria-describedby", f"{field}-error")
        expect(page.locator(f"#{field}")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#agency_name")).to_have_value(agency)
    # The summary's first link leads to the field.
    summary.get_by_role("link").first.click()
    expect(page.locator("#origin_country")).to_be_focused()
    page.select_option("#origin_country", "ID")
    page.select_option("#destination_country", "MY")
    submit(page, t(NEXT))
    story = "Agen mengambil paspor saya dan meminta 45.000.000 rupiah."
    page.fill("#narrative", story)
    submit(page, t(NEXT))
    submit(page, t(NEXT))
    photo = tmp_path / "kwitansi.png"
    photo.write_bytes(samples.png())
    contract = tmp_path / "kontrak.pdf"
    contract.write_bytes(samples.pdf())
    page.set_input_files("#evidence", [photo, contract])
    submit(page, t(NEXT))

    # A mistake after the files were chosen: the files are still held.
    page.fill("#contact_email", "sita@")
    submit(page, t(NEXT))
    expect(page.locator("#contact_email")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#contact_email")).to_have_value("sita@")
    submit(page, t(BACK))
    expect(page.locator(".held-files .filename")).to_have_text(["kwitansi.png", "kontrak.pdf"])
    expect(page.locator(".held-files button")).to_have_count(2)
    submit(page, t(NEXT))
    page.fill("#contact_email", "")
    submit(page, t(NEXT))
    expect(page.locator("main")).to_contain_text(story)
    submit(page, t(SEND_COMPLAINT))
    expect(page.locator("#reference")).to_have_text(REFERENCE)
    expect(page.locator("#files-received")).to_have_text(catalogue_plural("id", 2))
    reference = page.locator("#reference").inner_text().strip()
    with live_server.app.app_context():
        case = db.session.scalars(select(Case).where(Case.reference == reference)).one()
        assert sorted(e.media_type for e in case.evidence) == ["application/pdf", "image/png"]
        assert case.agency is not None and case.agency.name == agency
        db.session.remove()


def catalogue_plural(code: str, count: int) -> str:
    """The receipt's "We received N files" line in language `code`."""
    text = catalogue(code).ngettext(
        "We received %(num)s file with your complaint.",
        "We received %(num)s files with your complaint.",
        count,
    )
    return text % {"num": count}


def test_worker_step_pages_weigh_under_60_kb(live_server: LiveServer, new_context: Any) -> None:
    """The heaviest step, with its styles and scripts, on an empty cache, in every language."""
    for code in LANGUAGES:
        context = new_context()
        context.add_cookies([{"name": LANGUAGE_COOKIE, "value": code, "url": live_server.base}])
        page = context.new_page()
        responses: list[Any] = []
        page.on("response", lambda response, seen=responses: seen.append(response))
        page.goto(live_server.url("/complaint/step/money"), wait_until="load")
        expect(page.locator("html")).to_have_attribute("lang", code)

        sizes = [(response.url, len(response.body())) for response in responses]
        urls = [url for url, _ in sizes]
        assert live_server.url("/complaint/step/money") in urls
        assert any(url.endswith(".css") for url in urls)
        assert any(url.endswith(".js") for url in urls)
        total = sum(size for _, size in sizes)
        assert total < PAGE_BUDGET, f"{code}: {total} bytes > {PAGE_BUDGET}: {sizes}"
        context.close()


# Elements of the header (and, scrolled, of the form) the quick exit must never cover.
COVERED = """(selector) => {
    const exit = document.getElementById("quick-exit").getBoundingClientRect();
    return [...document.querySelectorAll(selector)]
        .filter((el) => el.id !== "quick-exit" && el.getClientRects().length)
        .filter((el) => {
            const r = el.getBoundingClientRect();
            return r.left < exit.right && r.right > exit.left && r.top < exit.bottom && r.bottom > exit.top;
        })
        .map((el) => el.id || el.textContent.trim());
}"""


def test_quick_exit_hides_nothing_on_a_phone(live_server: LiveServer, new_context: Any) -> None:
    """The quick-exit button sits in the header, not over it nor over the form: it covers
    no brand or language link, and scrolling the form never brings a field under it, in any
    language's wording and direction, on a 360-pixel-wide phone."""
    for code in LANGUAGES:
        context = new_context()
        context.add_cookies([{"name": LANGUAGE_COOKIE, "value": code, "url": live_server.base}])
        _quick_exit_covers_nothing(context.new_page(), live_server, code)
        context.close()


def _quick_exit_covers_nothing(page: Any, live_server: LiveServer, code: str) -> None:
    for path in ("/", "/complaint/step/what", "/complaint/step/money"):
        page.goto(live_server.url(path))
        expect(page.locator("html")).to_have_attribute("lang", code)
        expect(page.locator("header.site #quick-exit")).to_be_visible()
        covered = page.evaluate(COVERED, "header.site a, header.site strong")
        assert covered == [], f"{code} {path}: quick exit covers {covered}"
        for scroll in (200, 600, 100_000):
            page.evaluate("(y) => window.scrollTo(0, y)", scroll)
            covered = page.evaluate(COVERED, "main input, main select, main textarea, main button")
            assert covered == [], f"{code} {path} at {scroll}px: quick exit covers {covered}"


def test_quick_exit_leaves_the_site(live_server: LiveServer, new_context: Any) -> None:
    page = new_context().new_page()
    page.goto(live_server.url("/"))
    page.get_by_role("link", name=MAKE_A_COMPLAINT, exact=True).click()
    page.wait_for_url(live_server.url("/complaint/step/language"))
    page.get_by_role("link", name="Quick exit", exact=True).click()
    page.wait_for_url(live_server.quick_exit_url)
    # The form was replaced in history: Back does not bring it up again.
    page.go_back()
    page.wait_for_load_state()
    assert page.url == live_server.url("/"), page.url

    # Pressing Escape twice quickly also leaves.
    page.goto(live_server.url("/complaint/step/where"))
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    page.wait_for_url(live_server.quick_exit_url)

    # Without JavaScript the button is still a plain link that leaves.
    page = new_context(java_script_enabled=False).new_page()
    page.goto(live_server.url("/complaint/step/where"))
    page.get_by_role("link", name="Quick exit", exact=True).click()
    page.wait_for_url(live_server.quick_exit_url)
