"""`make screenshots`: every worker page of the complaint journey, as a 360 × 740 phone shows it,
in each language (PNG files under build/screenshots/<language>/, full page).

    .venv/bin/python tests/browser/screenshots.py [--out DIR] [--width 360] [LANGUAGE ...]

Serves the real app (as tests/browser/conftest.py does: a fresh SQLite instance in a temporary
folder) and walks it in headless Chromium (/usr/bin/chromium, never a downloaded browser):
start, each step (with a mistake on the way), the kept files, check and send, the receipt and
the follow-up pages, and the single-page form for comparison. Without languages: en ur ne tl id.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests import samples  # noqa: E402
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, translator  # noqa: E402
from tests.conftest import make_app, reset_schema  # noqa: E402


def _serve(folder: Path) -> tuple[Any, str]:
    from werkzeug.serving import make_server

    from tests.browser.conftest import _LateApp

    late = _LateApp()
    server = make_server("127.0.0.1", 0, late, threaded=True)
    base = f"http://127.0.0.1:{server.server_port}"
    late.app = make_app(folder, QUICK_EXIT_URL=f"{base}/static/casework.css")
    reset_schema(late.app)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, base


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
    page.select_option("#origin_country", "NP")
    page.select_option("#destination_country", "QA")
    shoot("step2-where")
    press("Next")
    page.locator("#abuse_categories-0").check()
    page.locator("#abuse_categories-4").check()
    page.fill("#narrative", "The agent kept my passport and took 150000 rupees.")
    shoot("step3-what")
    press("Next")
    page.select_option("#fees-0-category", "FEE_AGENT")
    page.fill("#fees-0-amount", "150000")
    page.select_option("#fees-0-currency", "NPR")
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("languages", nargs="*", default=["en", "ur", "ne", "tl", "id"])
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "screenshots")
    parser.add_argument("--width", type=int, default=360)
    parser.add_argument("--height", type=int, default=740)
    args = parser.parse_args()
    if not CHROMIUM.exists():
        print(f"needs Chromium at {CHROMIUM}", file=sys.stderr)
        return 1
    from playwright.sync_api import sync_playwright

    from casework.i18n import LANGUAGE_COOKIE

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        server, base = _serve(folder)
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
                )
                for code in args.languages:
                    context = browser.new_context(
                        viewport={"width": args.width, "height": args.height}
                    )
                    context.add_cookies([{"name": LANGUAGE_COOKIE, "value": code, "url": base}])
                    shots = walk(context.new_page(), base, code, args.out, folder)
                    print(f"{code}: {len(shots)} pages in {args.out / code}")
                    context.close()
                browser.close()
        finally:
            server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
