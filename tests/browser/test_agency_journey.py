"""Issue 16 in a real browser: a worker on a 360 px phone finds her agency on the licensed list
while filing; at a 1366 px desk a caseworker confirms the matcher's fuzzy candidate for another
worker's misspelt agency, an admin merges two ways of writing a third agency, and a supervisor
builds a group of the three cases from the suggestion and prints its joint pack, which lists
only the workers who agreed to the referral. Every staff page on the way passes axe-core (no
violation of any impact) and the 4.5:1 contrast check of its controls."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from casework.extensions import db
from casework.models import Agency, Case, Organisation, Referral, User
from casework.models.columns import utcnow
from casework.services.actors import SystemActor
from casework.services.agencies.lists import read_agency_list
from casework.services.agencies.registry_import import import_agency_list
from casework.services.assignments.operations import accept_offer
from casework.services.directory.staff_auth import hash_password
from casework.services.intake.operations import lodge_complaint
from tests.browser.conftest import CHROMIUM, CHROMIUM_MISSING, LiveServer
from tests.browser.test_staff_pages_axe import DESK, _problems, _sign_in
from tests.browser.test_worker_journeys import PAID_FOR_JOB, submit
from tests.conftest import STAFF_PASSWORD, complaint_payload

if not CHROMIUM.exists():
    pytest.skip(CHROMIUM_MISSING, allow_module_level=True)

from playwright.sync_api import expect  # noqa: E402

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
CASEWORKER, SUPERVISOR, ADMIN = (
    "asha@gefont.example.org",
    "bikash@gefont.example.org",
    "admin@casework.example.org",
)
LISTED = "Sunrise Gamma Manpower Pvt. Ltd."
NP_LIST = (
    "licence_number,name,status,status_date,valid_until\n"
    f"1101/070/71,{LISTED},Active,2024-01-01,2028-01-01\n"
    "1188/072/73,Sunrise Delta Recruiters,Active,2024-01-01,2028-01-01\n"
    "1202/073/74,Himal Alpha Overseas,Cancelled,2025-06-01,\n"
)


@pytest.fixture
def live_server_config() -> dict[str, Any]:
    return {"REQUIRE_2FA": False}


def _set_up(server: LiveServer) -> dict[str, str]:
    """GEFONT (Nepal) with a caseworker, a supervisor and an admin; Nepal's list; and two cases
    Asha accepted: one naming the agency misspelt (a candidate to confirm), one naming it in
    two ways an admin will merge (the second way on a third, unrelated row)."""
    with server.app.app_context():
        org = Organisation(slug="gefont", name="GEFONT Migrant Workers Desk", kind="union")
        org.countries, org.languages = ["NP"], ["ne", "en"]
        db.session.add(org)
        db.session.flush()
        for email, name, role in (
            (CASEWORKER, "Asha Gurung", "caseworker"),
            (SUPERVISOR, "Bikash Thapa", "supervisor"),
            (ADMIN, "Platform Admin", "admin"),
        ):
            user = User(email=email, name=name, organisation_id=org.id, role=role)
            user.password_hash = hash_password(STAFF_PASSWORD)
            user.languages = ["ne", "en"]
            db.session.add(user)
        db.session.commit()
        import_agency_list(
            SystemActor("test"), "NP", "DoFE list 2026-11", read_agency_list(NP_LIST.encode())
        )
        db.session.commit()
        references = {}
        for key, name in (("misspelt", "Sunrize Gama Manpower"), ("written", "Gamma Manpower")):
            payload = complaint_payload(agency={"name": name, "licence_number": ""})
            references[key] = str(lodge_complaint(payload, [], source="api").reference)
        # An unrelated complaint once wrote the "written" agency as "Gamma Manpower Sunrise".
        other = complaint_payload(agency={"name": "Gamma Manpower Sunrise", "licence_number": ""})
        references["other"] = str(lodge_complaint(other, [], source="api").reference)
        _accept_all(references.values())
        db.session.remove()
    return references


def _accept_all(references: Any) -> None:
    asha = db.session.scalars(select(User).where(User.email == CASEWORKER)).one()
    for reference in references:
        case = db.session.scalars(select(Case).where(Case.reference == reference)).one()
        offer = next(a for a in case.assignments if a.status == "offered")
        accept_offer(asha, case, offer.id)


def _consent_to_referral(reference: str) -> None:
    """The worker agreed (through their caseworker) to be referred to Nepal's regulator."""
    case = db.session.scalars(select(Case).where(Case.reference == reference)).one()
    db.session.add(
        Referral(
            case_id=case.id,
            forum_kind="ORIG_REGULATOR",
            status="consented",
            consent_via="caseworker",
            consent_share_identity=False,
            consented_at=utcnow(),
        )
    )
    db.session.commit()


def _worker_picks_the_listed_agency(page: Any, server: LiveServer, shots: Path, check: Any) -> str:
    """On a phone, in English: the Where step's "Find my agency" offers the list's entries;
    she picks hers, and files."""
    page.goto(server.url("/language/en?next=/complaint/step/language"))
    submit(page, "Next")
    page.select_option("#origin_country", "NP")
    page.select_option("#destination_country", "QA")
    page.get_by_text("Who recruited you and who employs you", exact=True).click()
    page.fill("#agency_name", "sunrise gamma")
    page.get_by_role("button", name="Find my agency").click()
    choice = page.get_by_label(f"{LISTED} (licence 1101/070/71)", exact=True)
    expect(choice).to_be_visible()
    expect(page.get_by_label("My agency is not in this list", exact=True)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    check(page, "where step with the list's agencies")
    choice.check()
    page.screenshot(path=str(shots / "agency-phone.png"), full_page=True)
    submit(page, "Next")
    page.get_by_label(PAID_FOR_JOB, exact=True).check()
    page.fill("#narrative", "The agency took 150000 rupees and gave no receipt.")
    submit(page, "Next")
    page.select_option("#fees-0-category", "FEE_AGENT")
    page.fill("#fees-0-amount", "150000")
    page.select_option("#fees-0-currency", "NPR")
    submit(page, "Next")
    submit(page, "Next")  # no files
    submit(page, "Next")  # anonymous
    expect(page.locator("main")).to_contain_text(LISTED)
    submit(page, "Send my complaint")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your complaint was received")
    return str(page.locator("#reference").inner_text().strip())


def test_worker_picks_listed_agency_caseworker_confirms_admin_merges_supervisor_groups(
    live_server: LiveServer, new_context: Any, tmp_path: Path
) -> None:
    server, problems = live_server, []
    shots = Path(os.environ.get("CASEWORK_SHOTS_DIR", tmp_path))  # to look at them
    references = _set_up(server)

    def check(page: Any, where: str) -> None:
        problems.extend(f"{where}: {problem}" for problem in _problems(page))

    # 1. The worker, on a phone.
    phone = new_context(viewport=PHONE).new_page()
    filed = _worker_picks_the_listed_agency(phone, server, shots, check)
    with server.app.app_context():
        case = db.session.scalars(select(Case).where(Case.reference == filed)).one()
        assert case.agency is not None and case.agency.match_state == "licence"
        assert case.agency.registry_agency is not None
        assert case.agency.registry_agency.name == LISTED
        _accept_all([filed])
        for reference in (references["misspelt"], references["written"]):
            _consent_to_referral(reference)
        db.session.remove()

    # 2. The caseworker confirms the fuzzy candidate for the misspelt agency.
    desk = new_context(viewport=DESK).new_page()
    _sign_in(desk, server, CASEWORKER)
    desk.goto(server.url(f"/cases/{references['misspelt']}"))
    panel = desk.locator("#agency")
    expect(panel).to_contain_text("Is it one of these licensed agencies?")
    check(desk, "case page with candidates")
    panel.get_by_role("button", name=f"Yes, it is {LISTED}", exact=True).click()
    expect(desk.locator("#agency")).to_contain_text(f"{LISTED} · 1101/070/71")
    expect(desk.locator("#agency")).to_contain_text("confirmed by a caseworker")
    check(desk, "case page after the confirmation")

    # 3. The admin merges the two ways of writing the third agency, then links it to the list.
    admin = new_context(viewport=DESK).new_page()
    _sign_in(admin, server, ADMIN)
    admin.goto(server.url("/admin/agencies"))
    admin.get_by_role("link", name="Nepal", exact=True).last.click()
    admin.wait_for_url(server.url("/admin/agencies/NP/named"))
    expect(admin.get_by_role("heading", level=1)).to_have_text(
        "Agencies as complaints name them · Nepal"
    )
    check(admin, "agencies as complaints name them")
    admin.screenshot(path=str(shots / "agency-named.png"), full_page=True)
    admin.get_by_label("Keep “Gamma Manpower”", exact=True).check()
    admin.get_by_label("Merge “Gamma Manpower Sunrise”", exact=True).check()
    submit(admin, "Merge the ticked names into the kept one")
    expect(admin.locator(".notice")).to_have_text(
        "1 agencies merged into “Gamma Manpower”; 1 complaints moved."
    )
    expect(admin.locator("main")).not_to_contain_text("Gamma Manpower Sunrise")
    with server.app.app_context():
        kept = db.session.scalars(select(Agency).where(Agency.name == "Gamma Manpower")).one()
        kept_id = kept.id
        db.session.remove()
    row = admin.locator(f"#agency-{kept_id}")
    expect(row.locator("td.num")).to_have_text("2")
    row.get_by_label("or licence number on the list", exact=True).fill("११०१-०७०-७१")
    row.get_by_role("button", name="Link", exact=True).click()
    expect(admin.locator(".notice")).to_have_text("“Gamma Manpower” is now linked to the list.")
    expect(admin.locator(f"#agency-{kept_id}")).to_contain_text(f"{LISTED} · 1101/070/71")
    check(admin, "after the merge and the link")

    # 4. The supervisor builds the group from the suggestion and prints its pack.
    boss = new_context(viewport=DESK).new_page()
    _sign_in(boss, server, SUPERVISOR)
    boss.goto(server.url("/groups/"))
    suggestion = boss.locator("#suggestions form.suggestion").filter(has_text=LISTED)
    expect(suggestion).to_have_count(1)
    expect(suggestion).to_contain_text("4 cases")  # the worker's, the confirmed, both merged
    check(boss, "group suggestions")
    suggestion.get_by_role("button", name="Create this group", exact=True).click()
    expect(boss.locator(".notice")).to_have_text("Group created.")
    members = boss.locator("#members tbody tr")
    expect(members).to_have_count(4)
    # A group of three: the unrelated complaint merged in by its agency's name stays out.
    members.filter(has_text=references["other"]).get_by_role("button", name="Remove").click()
    expect(boss.locator("#members tbody tr")).to_have_count(3)
    check(boss, "group page")
    boss.get_by_label("Forum", exact=True).select_option(value="ORIG_REGULATOR")
    boss.get_by_role("button", name="Prepare the pack (this is recorded)").click()
    expect(boss.get_by_role("heading", level=1)).to_have_text("Joint referral pack")
    text = boss.locator("body").inner_text()
    assert re.search(r"Workers\s+2\b", text), text[:400]
    assert references["misspelt"] in text and references["written"] in text
    assert filed not in text  # she has not agreed to a referral
    assert f"Against\t{LISTED} (1101/070/71) · agency" in text, text[:400]
    expect(boss.locator("nav.screen-only")).to_contain_text(
        "1 worker in the group is not in this pack"
    )
    check(boss, "joint pack")
    boss.screenshot(path=str(shots / "agency-pack.png"), full_page=True)
    assert problems == [], "\n".join(problems)
