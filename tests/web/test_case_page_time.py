"""The case page shows time: the open flags (which rule, which step of the ladder, since when),
the next deadline and every claim deadline with the days left, highlighted as they near."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from typing import Any

import time_machine
from flask import Flask

from casework.models.columns import utcnow
from casework.services.escalation.scan import scan_stalled_cases
from tests.conftest import case_by_reference, login


def section_text(page: str, section_id: str) -> str:
    """The words a reader sees in one section of the page, tags stripped, spaces collapsed."""
    match = re.search(rf'<section[^>]*id="{section_id}".*?</section>', page, re.S)
    assert match, f"no section {section_id}"
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", match.group(0))).split())


def _status(client: Any, reference: str, to: str) -> None:
    case = case_by_reference(reference)
    client.post(f"/cases/{reference}/status", data={"to": to, "version": case.version})


def test_forgotten_case_shows_its_flags_and_claim_deadlines(
    app: Flask, lodge: Any, make_org: Any, make_user: Any
) -> None:
    gefont = make_org("gefont", ["NP"], ["ne"])
    asha = make_user(gefont, languages=["ne"], name="Asha Gurung")
    boss = make_user(gefont, role="supervisor", languages=["ne"], name="Bikash Thapa")
    today = utcnow().date()
    lodged = lodge(
        # Nepal's one-year limit from the incident: 13 days left once 22 days have passed.
        incident_date=(today - timedelta(days=330)).isoformat(),
        # Qatar's one-year limit from the contract's end: long passed.
        contract_end_date=(today - timedelta(days=400)).isoformat(),
    )
    client = app.test_client()
    login(client, asha)
    offer = case_by_reference(lodged.reference).assignments[0]
    client.post(f"/cases/{lodged.reference}/accept", data={"assignment_id": offer.id})
    _status(client, lodged.reference, "in_progress")
    fresh = section_text(client.get(f"/cases/{lodged.reference}").get_data(as_text=True), "time")
    assert "No open flags." in fresh

    with time_machine.travel(utcnow() + timedelta(days=22), tick=False):
        scan_stalled_cases()  # the stalled scan finds the forgotten case
        caseworker = app.test_client()
        login(caseworker, asha)
        page = caseworker.get(f"/cases/{lodged.reference}").get_data(as_text=True)
        supervisor = app.test_client()
        login(supervisor, boss)
        supervisor_page = supervisor.get(f"/cases/{lodged.reference}").get_data(as_text=True)

    time = section_text(page, "time")
    assert "No activity while in progress — step 2 of 3: supervisor alerted" in time
    assert "Claim deadline approaching — step 3 of 3: referral proposed" in time
    # Nothing happened for 22 days; the referral step of "no activity" comes at 35.
    assert "Soon · 13 days left" in time
    assert "No activity while in progress: the scheduler will propose a referral." in time
    claims = [
        " ".join(html.unescape(re.sub(r"<[^>]+>", " ", item)).split())
        for item in re.findall(r'<li class="claim[^"]*">(.*?)</li>', page, re.S)
    ]
    assert len(claims) == 2  # earliest first
    assert "Overdue · 57 days ago (earliest)" in claims[0] and "Labour court" in claims[0]
    assert "Qatar" in claims[0] and "365 days from end of the contract" in claims[0]
    assert "Soon · 13 days left" in claims[1] and "Foreign-employment department" in claims[1]
    assert "Nepal" in claims[1] and "365 days from the incident" in claims[1]
    # The supervisor sees the same.
    assert "step 2 of 3: supervisor alerted" in section_text(supervisor_page, "time")


def test_a_limit_without_its_start_date_is_named_not_hidden(
    app: Flask, lodge: Any, make_org: Any, make_user: Any
) -> None:
    gefont = make_org("gefont", ["NP"], ["ne"])
    asha = make_user(gefont, languages=["ne"], name="Asha Gurung")
    lodged = lodge(incident_date=None)  # no contract end either
    client = app.test_client()
    login(client, asha)  # offered only: the facts, flags and deadlines, not the story
    time = section_text(client.get(f"/cases/{lodged.reference}").get_data(as_text=True), "time")
    assert "No time limit can be counted yet." in time
    assert "Foreign-employment department or ministry (home country) (Nepal)" in time
    assert "no date for the incident" in time
    assert "no date for end of the contract" in time
    assert "Soon · 2 days left" in time
    assert "Received but not triaged: the scheduler will warn the caseworker." in time


def test_next_deadline_names_whose_offer_waits(
    app: Flask, lodge: Any, make_org: Any, make_user: Any
) -> None:
    gefont = make_org("gefont", ["NP"], ["ne"])
    asha = make_user(gefont, languages=["ne"], name="Asha Gurung")
    qatar = make_org("qatar-legal-aid", ["QA"], ["ne"], kind="legal_aid")
    make_user(qatar, languages=["ne"], name="Mariam Haddad")
    lodged = lodge()
    client = app.test_client()
    login(client, asha)
    offer = next(a for a in case_by_reference(lodged.reference).assignments if a.user_id == asha.id)
    client.post(f"/cases/{lodged.reference}/accept", data={"assignment_id": offer.id})
    time = section_text(client.get(f"/cases/{lodged.reference}").get_data(as_text=True), "time")
    assert "Soon · 3 days left" in time
    assert (
        "Offer not answered (Qatar Legal Aid · Mariam Haddad): "
        "the scheduler will warn the caseworker." in time
    )
