"""Issue 14 in a real browser at a 1366 px desk: a caseworker finds a case by its reference,
opens it, looks at a photo, writes to the worker, adds a file of their own, and merges the
worker's second complaint into it; a supervisor opens a saved view, offers a case to a
colleague, reads the report and downloads a table as CSV. Every page on the way passes
axe-core (no violation of any impact) and the 4.5:1 contrast check of its controls."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from casework.extensions import db
from casework.models import Case
from tests import samples
from tests.browser.conftest import CHROMIUM, CHROMIUM_MISSING, LiveServer
from tests.browser.journey_data import (
    AGAIN_STORY,
    CASEWORKER,
    COLLEAGUE,
    FIRST_STORY,
    SUPERVISOR,
    Desk,
    set_up_desk,
)
from tests.browser.test_staff_pages_axe import DESK, _problems, _sign_in
from tests.browser.test_worker_journeys import submit

if not CHROMIUM.exists():
    pytest.skip(CHROMIUM_MISSING, allow_module_level=True)

from playwright.sync_api import expect  # noqa: E402

pytestmark = pytest.mark.browser

LIVE_SERVER_CONFIG = {"REQUIRE_2FA": False}

Visit = Callable[[Any, str], None]  # (page, what it shows): check it, or take its picture

# Ids a label points to that more than one element has: the label names only the first (the
# case page's note box was labelled "Message to the worker" and its own label went nowhere).
SHARED_IDS = """() => [...new Set([...document.querySelectorAll('label[for]')].map((l) => l.htmlFor))]
  .filter((id) => document.querySelectorAll(`[id="${CSS.escape(id)}"]`).length > 1)"""


@pytest.fixture(scope="module")
def desk(module_live_server: LiveServer) -> Desk:
    return set_up_desk(module_live_server)


def checker(problems: list[str]) -> Visit:
    """A `visit` that runs axe-core, the contrast of every control and the label-id check on
    the page, adding what it finds to `problems`."""

    def check(page: Any, where: str) -> None:
        problems.extend(f"{where}: {problem}" for problem in _problems(page))
        problems.extend(f"{where}: id {id_} used twice" for id_ in page.evaluate(SHARED_IDS))

    return check


def caseworker_journey(
    page: Any, server: LiveServer, desk: Desk, folder: Path, visit: Visit
) -> None:
    """Search → open → preview → message → upload → link and merge, as Asha; `visit(page,
    what)` on each page worth looking at."""
    _sign_in(page, server, CASEWORKER)
    page.wait_for_url(server.url("/cases/"))

    # Search by the start of the reference the worker gave on the phone. The queue opens on
    # "Offered to me", where the search looks first; "Mine" keeps the search and finds it.
    page.get_by_label("Reference", exact=True).fill(desk.first[:7].lower())
    submit(page, "Search")
    expect(page.locator(".tabs a.current")).to_have_text(re.compile(r"^Offered to me\s+0$"))
    expect(page.locator("main")).to_contain_text("0 cases found")
    page.locator(".tabs").get_by_role("link", name=re.compile(r"^Mine\b")).click()
    expect(page.locator(".tabs a.current")).to_have_text(re.compile(r"^Mine\s+3$"))
    expect(page.get_by_label("Reference", exact=True)).to_have_value(desk.first[:7].lower())
    expect(page.locator("main")).to_contain_text("1 case found")
    rows = page.locator("table.queue tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Nepal → Qatar")
    visit(page, "search results")
    rows.first.get_by_role("link", name=desk.first, exact=True).click()
    page.wait_for_url(server.url(f"/cases/{desk.first}"))

    # The case page: the story, the photo, its state.
    expect(page.get_by_role("heading", level=1)).to_contain_text(desk.first)
    expect(page.locator("h1 .badge")).to_have_text("Triaged")
    expect(page.locator("#story .body")).to_have_text(FIRST_STORY)
    visit(page, "case page")

    # The photo, shown in the page without its location.
    page.locator("#evidence").get_by_role("link", name="Show room.jpg", exact=True).click()
    page.wait_for_url(re.compile(r"/evidence/\d+/show$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("room.jpg")
    photo = page.get_by_role("img", name="Evidence photo: room.jpg")
    expect(photo).to_be_visible()
    page.wait_for_function("(img) => img.complete", arg=photo.element_handle())
    assert photo.evaluate("(img) => img.naturalWidth") == 160, "the preview is the photo"
    expect(page.locator("figcaption")).to_contain_text("Shown without its metadata")
    visit(page, "evidence preview")
    page.get_by_role("link", name="Back to the case", exact=True).click()
    page.wait_for_url(re.compile(rf"/cases/{desk.first}(#evidence)?$"))

    # A message to the worker.
    reply = "Namaste. We have your complaint and the photo. Can you send the receipt?"
    page.get_by_label(
        "Message to the worker (they read it on their follow-up page)", exact=True
    ).fill(reply)
    submit(page, "Send to worker")
    expect(page.locator(".notice")).to_have_text(
        "Message sent. The worker sees it on their follow-up page."
    )
    expect(page.locator("#timeline")).to_contain_text(reply)

    # A file of the caseworker's own, kept encrypted and marked as from staff.
    letter = folder / "letter-to-agency.pdf"
    letter.write_bytes(samples.pdf())
    page.get_by_label("Add files (photos, PDF, audio, short video, text)").set_input_files(letter)
    submit(page, "Upload")
    expect(page.locator(".notice")).to_have_text(
        "Files added: 1. They are encrypted like the worker's."
    )
    staff_row = page.locator("#evidence tbody tr").filter(has_text="letter-to-agency.pdf")
    expect(staff_row).to_have_count(1)
    expect(staff_row.locator("td").last).to_have_text("staff")

    # The worker filed again after losing the secret: link both, then merge.
    page.get_by_label("Other case's reference", exact=True).fill(desk.again.lower())
    submit(page, "Link as duplicate")
    expect(page.locator(".notice")).to_have_text(f"Linked as duplicates: {desk.again}.")
    expect(page.locator("#links")).to_contain_text(f"Duplicate of {desk.again}")
    page.get_by_label("Other case's reference", exact=True).fill(desk.again)
    submit(page, "Merge into this case…")
    title = f"Merge {desk.again} into {desk.first}"
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.locator("main")).to_contain_text("This cannot be undone.")
    visit(page, "merge page")
    submit(page, title)
    page.wait_for_url(server.url(f"/cases/{desk.first}"))
    expect(page.locator(".notice")).to_have_text(
        f"{desk.again} was merged into this case and closed."
    )
    expect(page.locator("#links")).to_contain_text(f"Merged here from {desk.again}")
    expect(page.locator("#timeline")).to_contain_text(AGAIN_STORY)
    visit(page, "case page after the merge")

    # The merged case says where it went, and is closed.
    page.locator("#links").get_by_role("link", name=desk.again, exact=True).click()
    page.wait_for_url(server.url(f"/cases/{desk.again}"))
    expect(page.locator("h1 .badge")).to_have_text("Closed")
    expect(page.locator("#merged-into")).to_contain_text(
        "This case was merged into another case and closed."
    )
    visit(page, "merged case")


def test_caseworker_searches_opens_previews_writes_uploads_and_merges(
    module_live_server: LiveServer, desk: Desk, new_context: Any, tmp_path: Path
) -> None:
    server, problems = module_live_server, []
    page = new_context(viewport=DESK).new_page()
    caseworker_journey(page, server, desk, tmp_path, checker(problems))
    assert problems == []

    with server.app.app_context():
        kept = db.session.scalars(select(Case).where(Case.reference == desk.first)).one()
        merged = db.session.scalars(select(Case).where(Case.reference == desk.again)).one()
        assert sorted(e.uploaded_by for e in kept.evidence) == ["staff", "worker"]
        assert merged.status == "closed"
        db.session.remove()


def supervisor_journey(page: Any, server: LiveServer, desk: Desk, visit: Visit) -> list[list[str]]:
    """Saved view → bulk reassign → the case → report → CSV, as Bikash; `visit(page, what)` on
    each page worth looking at. Returns the downloaded table."""
    _sign_in(page, server, SUPERVISOR)

    # A search by employer, saved as a view, then opened again from the plain queue.
    page.goto(server.url("/cases/?tab=org_all"))
    page.get_by_text("More: agency, employer, dates, language", exact=True).click()
    page.get_by_label("Employer", exact=True).fill("al noor")
    submit(page, "Search")
    page.get_by_label("Save this search as", exact=True).fill("Al Noor wages")
    submit(page, "Save view")
    page.get_by_role("link", name="Clear the search", exact=True).click()
    page.wait_for_url(server.url("/cases/?tab=org_all"))
    expect(page.locator("main")).to_contain_text("3 cases")
    page.locator(".saved-views").get_by_role("link", name="Al Noor wages", exact=True).click()
    expect(page.get_by_role("link", name="Al Noor wages", exact=True)).to_have_attribute(
        "aria-current", "page"
    )
    expect(page.locator("main")).to_contain_text("1 case found")
    expect(page.get_by_label("Employer", exact=True)).to_have_value("al noor")
    rows = page.locator("table.queue tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(desk.cleaning)
    expect(rows.first).to_contain_text("Nepal → Saudi Arabia")
    visit(page, "saved view")

    # Hand the case to a colleague: offered to her until she accepts.
    page.get_by_label(f"Select {desk.cleaning}", exact=True).check()
    page.get_by_label("What to do", exact=True).select_option(label="Offer to a colleague")
    page.get_by_label("Colleague", exact=True).select_option(label=COLLEAGUE)
    submit(page, "Apply to selected cases")
    expect(page.locator(".notice")).to_have_text(
        "1 case offered to your colleague; it moves when they accept."
    )
    expect(page.locator("main")).to_contain_text("1 case found")  # back on the saved view
    # Still Asha's until Rita accepts, and counted once (it read 4 with two assignments).
    expect(page.locator("main > ul.tabs a.current")).to_have_text(  # not the saved views'
        re.compile(r"^All of my organisation\s+3$")
    )
    visit(page, "saved view after the bulk change")
    page.get_by_role("link", name=desk.cleaning, exact=True).click()
    page.wait_for_url(server.url(f"/cases/{desk.cleaning}"))
    expect(page.locator(".panel.offer")).to_have_count(0)  # not offered to the supervisor
    who = page.get_by_role("heading", name="Who works this case").locator("..")
    expect(who).to_contain_text(f"{COLLEAGUE} · offered")
    visit(page, "case offered to a colleague")

    # The report: headline figures, then tables, each downloadable in plain words.
    page.locator(".staff-nav").get_by_role("link", name="Reports", exact=True).click()
    page.wait_for_url(server.url("/reports/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Outcome report")
    expect(page.get_by_role("heading", name="At a glance")).to_be_visible()
    section = page.locator("section#open_by_status")
    expect(section.get_by_role("heading", level=2)).to_have_text("Open cases by status")
    on_page = [text.strip() for text in section.locator("thead th").all_inner_texts()]
    visit(page, "report")
    with page.expect_download() as downloading:
        section.get_by_role("link", name="Download this table as CSV", exact=True).click()
    download = downloading.value
    assert re.fullmatch(
        r"casework-open_by_status-\d{4}-\d{2}-\d{2}\.csv", download.suggested_filename
    )
    text = Path(download.path()).read_text(encoding="utf-8-sig")
    table = list(csv.reader(io.StringIO(text)))
    assert [name for name in table[0] if "(code)" not in name] == on_page
    return table


def test_supervisor_opens_saved_view_reassigns_and_downloads_the_report(
    module_live_server: LiveServer, desk: Desk, new_context: Any
) -> None:
    server, problems = module_live_server, []
    page = new_context(viewport=DESK).new_page()
    table = supervisor_journey(page, server, desk, checker(problems))
    header = table[0]
    assert header == ["Status", "Status (code)", "Cases"], header
    assert not [name for name in header if "_" in name or name != name.strip()], header
    statuses = {row[1]: row for row in table[1:]}
    # Words, then the code for machines; a count under five is hidden in every download.
    assert statuses["triaged"] == ["Triaged", "triaged", "<5"], statuses
    assert problems == []

    with server.app.app_context():
        case = db.session.scalars(select(Case).where(Case.reference == desk.cleaning)).one()
        offers = [(a.user.name, a.status) for a in case.assignments if a.user is not None]
        assert (COLLEAGUE, "offered") in offers
        db.session.remove()
