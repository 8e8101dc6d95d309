"""Staff pages speak in plain words: names instead of `user:1`, labels instead of codes, pickers
instead of typed codes, and one access-log line per visit instead of one per page view."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from typing import Any

import time_machine
from flask import Flask
from sqlalchemy import func, select

from casework.extensions import db
from casework.models import AuditEvent
from casework.models.columns import utcnow
from tests import samples
from tests.conftest import case_by_reference, login


def words(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def rows(page: str) -> list[str]:
    body = re.search(r"<tbody>(.*?)</tbody>", page, re.S)
    assert body
    return [words(row) for row in re.findall(r"<tr>(.*?)</tr>", body.group(1), re.S)]


def test_access_log_names_people_and_collapses_one_visit(
    app: Flask, lodge: Any, make_org: Any, make_user: Any
) -> None:
    gefont = make_org("gefont", ["NP"], ["ne"])
    asha = make_user(gefont, languages=["ne"], name="Asha Gurung")
    boss = make_user(gefont, role="supervisor", languages=["ne"], name="Bikash Thapa")
    lodged = lodge()
    client = app.test_client()
    login(client, asha)
    offer = case_by_reference(lodged.reference).assignments[0]
    client.post(f"/cases/{lodged.reference}/accept", data={"assignment_id": offer.id})
    for _ in range(3):  # one visit: the page, a reload, back from a form
        client.get(f"/cases/{lodged.reference}")
    with time_machine.travel(utcnow() + timedelta(hours=2), tick=False):
        login(client, asha)  # the staff session ended meanwhile
        client.get(f"/cases/{lodged.reference}")  # a second visit, later
        supervisor = app.test_client()
        login(supervisor, boss)
        log_page = supervisor.get(f"/cases/{lodged.reference}/access-log").get_data(as_text=True)
    log = rows(log_page)
    story_reads = [row for row in log if "Viewed story" in row]
    assert len(story_reads) == 2, log
    later, visit = story_reads
    assert "Asha Gurung Gefont" in visit and "×3" in visit and "3 times, since" in visit
    assert "×" not in later
    assert "user:" not in log_page
    assert log[-1].endswith("Asha Gurung Gefont Assignment accepted")  # no assignment id
    # The trail itself keeps every read.
    recorded = db.session.scalar(select(func.count()).where(AuditEvent.action == "view_narrative"))
    assert recorded == 4


def test_timeline_and_facts_speak_in_words(
    app: Flask, lodge: Any, make_org: Any, make_user: Any
) -> None:
    gefont = make_org("gefont", ["NP"], ["ne"])
    asha = make_user(gefont, languages=["ne"], name="Asha Gurung")
    bikash = make_user(gefont, languages=["ne"], name="Bikash Thapa")
    boss = make_user(gefont, role="supervisor", languages=["ne"], name="Boss")
    lodged = lodge(language="ne", files=[("receipt.png", samples.png())])
    client = app.test_client()
    login(client, asha)
    offer = case_by_reference(lodged.reference).assignments[0]
    client.post(f"/cases/{lodged.reference}/accept", data={"assignment_id": offer.id})
    case = case_by_reference(lodged.reference)
    client.post(
        f"/cases/{lodged.reference}/status", data={"to": "in_progress", "version": case.version}
    )
    supervisor = app.test_client()
    login(supervisor, boss)
    supervisor.post(
        f"/cases/{lodged.reference}/reassign",
        data={"assignment_id": offer.id, "user_id": bikash.id},
    )
    page = client.get(f"/cases/{lodged.reference}").get_data(as_text=True)
    timeline = words(re.search(r'id="timeline".*?</section>', page, re.S).group(0))  # type: ignore[union-attr]
    assert "offered to Gefont · Asha Gurung (origin side)" in timeline
    assert "accepted (origin side)" in timeline and "Gefont · Asha Gurung" in timeline
    assert "Triaged → In progress" in timeline
    assert "offered to Gefont · Bikash Thapa (origin side)" in timeline
    assert "offered to someone else (origin side)" in timeline and "Gefont · Boss" in timeline
    assert "through a partner app, with 1 file(s)" in timeline
    for code in ("gefont /", "user ", "in_progress", "(origin)"):
        assert code not in timeline
    facts = words(page.split('id="fees"')[0])
    assert "Nepali" in facts
    assert "Recruitment fees or costs charged to the worker" in facts
    assert "Retention of identity documents" in facts
    assert "RA_FEES" not in facts and "FL_DOCS" not in facts
    evidence = words(re.search(r'id="evidence".*?</section>', page, re.S).group(0))  # type: ignore[union-attr]
    assert "receipt.png Photo or image (PNG)" in evidence and "the worker" in evidence


def test_queue_filters_are_pickers_and_rows_use_words(
    app: Flask, lodge: Any, make_org: Any, make_user: Any
) -> None:
    gefont = make_org("gefont", ["NP"], ["ne"])
    asha = make_user(gefont, languages=["ne"])
    lodge(abuse_categories=["FL_WAGES"], destination_country="MY")
    lodge(abuse_categories=["RA_FEES"], destination_country="QA")
    client = app.test_client()
    login(client, asha)
    page = client.get("/cases/?tab=offered").get_data(as_text=True)
    for name in ("status", "origin", "destination", "abuse", "language"):
        assert re.search(rf'<select id="f-{name}" name="{name}">', page), name
    assert '<option value="NP" >Nepal</option>' in page
    assert '<option value="RA_FEES" >Recruitment fees or costs charged to the worker' in page
    assert '<option value="ne" >Nepali</option>' in page
    assert 'placeholder="NP-QA"' not in page
    table = rows(page)
    assert any("Withholding of wages" in row and "Malaysia" in row for row in table)
    assert all("FL_WAGES" not in row and "RA_FEES" not in row for row in table)
    assert all("Nepali" in row for row in table)

    picked = client.get("/cases/?tab=offered&origin=NP&destination=MY").get_data(as_text=True)
    assert [("Malaysia" in row) for row in rows(picked)] == [True]
    assert '<option value="MY" selected>Malaysia</option>' in picked
    fees = rows(client.get("/cases/?tab=offered&abuse=RA_FEES").get_data(as_text=True))
    assert len(fees) == 1 and "Qatar" in fees[0]
