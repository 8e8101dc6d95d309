"""`make screenshots`: every worker page of the complaint journey, as a 360 × 740 phone shows it,
in each language (PNG files under build/screenshots/<language>/, full page), and the staff
pages of the caseworker's and the supervisor's journeys at a 1366 px desk (under staff/), and
in Arabic, right to left (under staff-ar/).

    .venv/bin/python tests/browser/screenshots.py [--out DIR] [--width 360] [--no-staff] [LANGUAGE ...]

Serves the real app (as tests/browser/conftest.py does: a fresh SQLite instance in a temporary
folder) and walks it in headless Chromium (/usr/bin/chromium, never a downloaded browser):
start, each step (with a mistake on the way), the kept files, check and send, the receipt and
the follow-up pages, and the single-page form for comparison; Bengali, Sinhala, Amharic and
Arabic type the money as tests/browser/journey_data.py does (Bengali and Arabic-Indic digits).
The staff pages are those tests/browser/test_desk_journeys.py and
test_new_language_journeys.py walk, on the data they make. Without languages: all nine.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests import samples  # noqa: E402
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, LiveServer, translator  # noqa: E402
from tests.browser.journey_data import FILED_IN  # noqa: E402

DESK = {"width": 1366, "height": 900}
ALL_LANGUAGES = ["en", "ur", "ne", "tl", "id", "bn", "si", "am", "ar"]


def walk(page: Any, base: str, code: str, out: Path, folder: Path) -> list[Path]:
    """The journey in language `code`, one screenshot per page; returns the files written."""
    t = translator(code)
    shots: list[Path] = []

    def shoot(name: str) -> None:
        path = out / code / f"{len(shots) + 1:02d}-{name}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(path), full_page=True)
        shots.append(path)

    def press(label: str) -> None:
        with page.expect_navigation():
            page.get_by_role("button", name=t(label), exact=True).click()

    page.goto(f"{base}/")
    shoot("start")
    page.get_by_role("link", name=t("Make a complaint"), exact=True).click()
    page.wait_for_url(f"{base}/complaint/step/language")
    shoot("step1-language")
    press("Next")
    press("Next")  # no countries yet: the mistake on the way
    shoot("step2-where-error")
    filing = FILED_IN.get(code)
    page.select_option("#origin_country", filing.origin if filing else "NP")
    page.select_option("#destination_country", filing.destination if filing else "QA")
    shoot("step2-where")
    press("Next")
    page.locator("#abuse_categories-0").check()
    page.locator("#abuse_categories-4").check()
    story = "The agent kept my passport and took 150000 rupees."
    page.fill("#narrative", filing.narrative if filing else story)
    shoot("step3-what")
    press("Next")
    page.select_option("#fees-0-category", "FEE_AGENT")
    page.fill("#fees-0-amount", filing.amount if filing else "150000")
    page.select_option("#fees-0-currency", filing.currency if filing else "NPR")
    if filing and filing.receipt:
        page.fill("#fees-0-receipt_amount", filing.receipt)
    shoot("step4-money")
    press("Next")
    shoot("step5-evidence")
    photo, note = folder / "receipt.png", folder / "voice-note.ogg"
    photo.write_bytes(samples.png())
    note.write_bytes(samples.ogg_opus_voice_note())
    page.set_input_files("#evidence", [photo, note])
    press("Next")
    page.fill("#contact_phone", "+977 9841234567")
    page.fill("#contact_email", "sita@")
    press("Next")  # a mistake after the files were chosen
    shoot("step6-contact-error")
    press("Back")
    shoot("step5-evidence-kept")
    press("Next")
    page.fill("#contact_email", "")
    shoot("step6-contact")
    press("Next")
    shoot("step7-check")
    press("Send my complaint")
    shoot("receipt")
    reference = page.locator("#reference").inner_text().strip()
    secret = page.locator("#secret").inner_text().strip()
    page.goto(f"{base}/follow-up")
    shoot("follow-up-sign-in")
    page.get_by_label(t("Your reference (like CW-7K3M-92XD)"), exact=True).fill(reference)
    page.get_by_label(t("Your 16-digit secret code"), exact=True).fill(secret)
    press("Check my complaint")
    shoot("follow-up")
    page.goto(f"{base}/complaint")  # all questions on one page, still offered
    shoot("single-page-form")
    return shots


def walk_staff(browser: Any, server: LiveServer, out: Path, folder: Path) -> list[Path]:
    """The caseworker's, the supervisor's and the Arabic-reading supervisor's journeys at a
    1366 px desk, one full-page screenshot per page they check."""
    from tests.browser.journey_data import set_up_desk
    from tests.browser.test_desk_journeys import caseworker_journey, supervisor_journey
    from tests.browser.test_new_language_journeys import arabic_staff_journey

    desk = set_up_desk(server)
    shots: list[Path] = []

    def shooter(where: str) -> Any:
        def shoot(page: Any, what: str) -> None:
            number = sum(1 for shot in shots if shot.parent.name == where) + 1
            path = out / where / f"{number:02d}-{what.replace(' ', '-')}.png"
            path.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(path), full_page=True)
            shots.append(path)

        return shoot

    for journey, where in (
        (lambda page, shoot: caseworker_journey(page, server, desk, folder, shoot), "staff"),
        (lambda page, shoot: supervisor_journey(page, server, desk, shoot), "staff"),
        (lambda page, shoot: arabic_staff_journey(page, server, desk, shoot), "staff-ar"),
    ):
        context = browser.new_context(viewport=DESK)
        journey(context.new_page(), shooter(where))
        context.close()
    return shots


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("languages", nargs="*", default=ALL_LANGUAGES)
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "screenshots")
    parser.add_argument("--width", type=int, default=360)
    parser.add_argument("--height", type=int, default=740)
    parser.add_argument("--no-staff", action="store_true", help="only the worker pages")
    args = parser.parse_args()
    if not CHROMIUM.exists():
        print(f"needs Chromium at {CHROMIUM}", file=sys.stderr)
        return 1
    from playwright.sync_api import sync_playwright

    from casework.i18n import LANGUAGE_COOKIE
    from tests.browser.conftest import serving

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        # Staff sign in with a password alone here, as the browser tests of their pages do.
        with serving(folder, {"REQUIRE_2FA": False}) as server, sync_playwright() as playwright:
            base = server.base
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            for code in args.languages:
                context = browser.new_context(viewport={"width": args.width, "height": args.height})
                context.add_cookies([{"name": LANGUAGE_COOKIE, "value": code, "url": base}])
                shots = walk(context.new_page(), base, code, args.out, folder)
                print(f"{code}: {len(shots)} pages in {args.out / code}")
                context.close()
            if not args.no_staff:
                shots = walk_staff(browser, server, args.out, folder)
                print(
                    f"staff: {len(shots)} pages in {args.out / 'staff'} and {args.out / 'staff-ar'}"
                )
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
