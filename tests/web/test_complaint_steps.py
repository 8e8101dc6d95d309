"""The complaint one thing per page: Back and Next keep every answer, a step's mistake keeps
the answers and the chosen files, and the draft between pages is the worker's alone — sealed
under a key only their browser holds, unreadable from another browser, gone after 24 hours."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from typing import Any

import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from casework.blueprints.intake.cookies import DRAFT_COOKIE
from casework.extensions import db
from casework.jobs.registry import run_job
from casework.models import Case, ComplaintDraft
from casework.models.columns import utcnow
from tests import samples

STORY = "Ram Bahadur the agent took my passport in Kathmandu"
NAME = "Sita Kumari Tamang"
ANSWERS: list[tuple[str, dict[str, Any]]] = [
    ("language", {"language": "en"}),
    ("where", {"origin_country": "NP", "destination_country": "QA", "agency_name": "Fast Visa"}),
    ("what", {"abuse_categories": ["RA_FEES", "FL_DOCS"], "narrative": STORY}),
    (
        "money",
        {"fees-0-category": "FEE_AGENT", "fees-0-amount": "150,000", "fees-0-currency": "NPR"},
    ),
    ("evidence", {}),
    ("contact", {"contact_name": NAME, "consent_share_with_partners": "y"}),
]


def _post(client: FlaskClient, step: str, data: dict[str, Any], go: str = "next") -> Any:
    return client.post(
        f"/complaint/step/{step}",
        data={**data, "go": go},
        content_type="multipart/form-data",
    )


def _files(*files: tuple[bytes, str]) -> dict[str, Any]:
    return {"evidence": [(io.BytesIO(content), name) for content, name in files]}


def _page(client: FlaskClient, step: str) -> str:
    response = client.get(f"/complaint/step/{step}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _draft_rows() -> list[ComplaintDraft]:
    db.session.expire_all()
    return list(db.session.scalars(select(ComplaintDraft)))


def _fill(client: FlaskClient, upto: str = "contact") -> None:
    for step, data in ANSWERS:
        response = _post(client, step, data)
        assert response.status_code == 303, (step, response.get_data(as_text=True)[:2000])
        if step == upto:
            return


def test_worker_answers_one_thing_per_page_and_sends(client: FlaskClient) -> None:
    start = client.get("/")
    assert 'href="/complaint/steps"' in start.get_data(as_text=True)
    assert client.get("/complaint/steps").location == "/complaint/step/language"
    expected = iter(["where", "what", "money", "evidence", "contact", "check"])
    for number, (step, data) in enumerate(ANSWERS, start=1):
        page = _page(client, step)
        assert f"Step {number} of 7" in page and "no longer kept" not in page
        # Looking is free: a draft (and its cookie) begins with the first answer.
        assert (client.get_cookie(DRAFT_COOKIE) is None) == (number == 1)
        assert ('value="back"' in page) == (number > 1)  # Back everywhere but the first
        if step == "evidence":
            data = _files((samples.png(), "receipt.png"), (samples.pdf(), "contract.pdf"))
        response = _post(client, step, data)
        assert response.status_code == 303
        assert response.location == f"/complaint/step/{next(expected)}"

    check = _page(client, "check")
    assert "Step 7 of 7" in check
    for shown in ("Nepal", "Qatar", "Fast Visa", STORY, NAME, "receipt.png", "contract.pdf"):
        assert shown in check
    assert check.count("?from=check") == 5  # a Change link for each step's answers

    in_flight = client.get_cookie(DRAFT_COOKIE)
    assert in_flight is not None
    sent = _post(client, "check", {}, go="send")
    assert sent.status_code == 303 and sent.location == "/complaint/receipt"
    assert client.get_cookie(DRAFT_COOKIE) is None
    receipt = client.get("/complaint/receipt").get_data(as_text=True)
    reference = re.search(r"CW-[2-9A-Z]{4}-[2-9A-Z]{4}", receipt)
    assert reference and re.search(r"\d{4} \d{4} \d{4} \d{4}", receipt)
    assert "We received 2 files with your complaint." in receipt
    case = db.session.scalars(select(Case).where(Case.reference == reference.group(0))).one()
    assert (case.origin_country, case.destination_country) == ("NP", "QA")
    assert str(case.fees[0].amount_paid) == "150000.00" and case.consent_share_partners
    assert sorted(e.media_type for e in case.evidence) == ["application/pdf", "image/png"]

    # A second tap of "Send" (its request left, with the cookie, before the receipt came)
    # gives the same receipt.
    client.set_cookie(DRAFT_COOKIE, in_flight.value)
    again = _post(client, "check", {}, go="send")
    assert again.location == "/complaint/receipt"
    assert reference.group(0) in client.get("/complaint/receipt").get_data(as_text=True)
    assert db.session.scalar(select(db.func.count(Case.id))) == 1
    # The answers are gone from the server once sent.
    assert all(STORY.encode() not in row.sealed for row in _draft_rows())


def test_back_and_next_keep_every_answer(client: FlaskClient) -> None:
    _fill(client, upto="where")
    # Back from "What happened" keeps what was typed there, without checking it.
    back = _post(client, "what", {"narrative": STORY, "incident_date": "2026-02-03"}, go="back")
    assert back.status_code == 303 and back.location == "/complaint/step/where"
    where = _page(client, "where")
    assert '<option selected value="NP">' in where and 'value="Fast Visa"' in where
    what = _page(client, "what")
    assert STORY in what and 'value="2026-02-03"' in what
    assert "error-summary" not in what

    # Change a step from "Check and send": Next returns to the check page.
    _fill(client)
    change = client.post(
        "/complaint/step/where?from=check",
        data={"origin_country": "NP", "destination_country": "MY", "go": "next"},
    )
    assert change.location == "/complaint/step/check"
    check = _page(client, "check")
    assert "Malaysia" in check and STORY in check and NAME in check


def test_a_mistake_on_a_step_keeps_the_answers_and_the_files(client: FlaskClient) -> None:
    _fill(client, upto="language")
    wrong = _post(client, "where", {"agency_name": "Fast Visa"})
    assert wrong.status_code == 422
    page = wrong.get_data(as_text=True)
    assert 'class="error-summary' in page and 'href="#origin_country"' in page
    assert 'aria-invalid="true"' in page and 'aria-describedby="origin_country-error"' in page
    assert 'value="Fast Visa"' in page
    _post(client, "where", {"origin_country": "NP", "destination_country": "QA"})

    nothing = _post(client, "what", {})
    assert nothing.status_code == 422
    assert "answer at least one question or write your story" in nothing.get_data(as_text=True)
    _post(client, "what", {"narrative": STORY})
    _post(client, "money", {})

    # A refused file is named; the good one chosen with it is kept and listed.
    refused = _post(
        client, "evidence", _files((samples.png(), "receipt.png"), (samples.exe(), "x.exe"))
    )
    assert refused.status_code == 415
    page = refused.get_data(as_text=True)
    assert "File 2 is not a type we accept" in page
    assert re.findall(r'<span class="filename" dir="auto">([^<]*)</span>', page) == ["receipt.png"]
    assert _post(client, "evidence", {}).location == "/complaint/step/contact"
    _post(client, "contact", {"contact_email": "not-an-email"})

    # On "Check and send", an answer another step asks links to that step; files still held.
    unsent = _post(client, "check", {}, go="send")
    assert unsent.status_code == 422
    page = unsent.get_data(as_text=True)
    assert 'href="/complaint/step/contact?from=check#contact_email"' in page
    assert "receipt.png" in page
    _post(client, "contact", {"contact_email": ""})
    assert _post(client, "check", {}, go="send").location == "/complaint/receipt"
    case = db.session.scalars(select(Case)).one()
    assert [e.media_type for e in case.evidence] == ["image/png"]


def test_an_unusual_date_is_asked_on_its_step_once(client: FlaskClient) -> None:
    _fill(client, upto="where")
    future = (utcnow() + timedelta(days=400)).date().isoformat()
    asked = _post(client, "what", {"narrative": STORY, "incident_date": future})
    assert asked.status_code == 422
    page = asked.get_data(as_text=True)
    assert "This date is in the future. Please check it." in page and 'id="confirm_unusual"' in page
    confirmed = _post(
        client, "what", {"narrative": STORY, "incident_date": future, "confirm_unusual": "y"}
    )
    assert confirmed.location == "/complaint/step/money"
    for step in ("money", "evidence", "contact"):
        _post(client, step, {})
    assert _post(client, "check", {}, go="send").location == "/complaint/receipt"


def test_the_draft_at_rest_is_sealed(client: FlaskClient) -> None:
    _fill(client)
    rows = _draft_rows()
    assert len(rows) == 1
    cookie = client.get_cookie(DRAFT_COOKIE)
    assert cookie is not None and cookie.http_only and cookie.same_site == "Strict"
    draft_id, _, key = cookie.value.partition(".")
    row = rows[0]
    stored = repr([getattr(row, column.key) for column in ComplaintDraft.__table__.columns])
    for secret in (STORY, NAME, "Fast Visa", "RA_FEES", "NPR", "150,000", draft_id, key):
        assert secret not in stored
        assert secret.encode() not in row.sealed
    assert row.expires_at - row.created_at == timedelta(hours=24)


def test_another_browser_cannot_read_the_draft(app: Flask, client: FlaskClient) -> None:
    _fill(client)
    cookie = client.get_cookie(DRAFT_COOKIE)
    assert cookie is not None
    draft_id, _, key = cookie.value.partition(".")

    stranger = app.test_client()
    assert STORY not in _page(stranger, "what") and NAME not in _page(stranger, "contact")
    # Even knowing the draft's id, another key opens nothing.
    forger = app.test_client()
    forger.set_cookie(DRAFT_COOKIE, f"{draft_id}.{'A' * 43}")
    assert STORY not in _page(forger, "what")
    assert STORY in _page(client, "what")  # the worker's own browser still can


def test_the_draft_expires_after_24_hours(app: Flask, client: FlaskClient) -> None:
    _fill(client)
    with time_machine.travel(utcnow() + timedelta(hours=23), tick=False):
        assert STORY in _page(client, "what")
    with time_machine.travel(utcnow() + timedelta(hours=24, minutes=1), tick=False):
        page = _page(client, "what")
        assert STORY not in page
        lost = _post(client, "where", {})
        assert "Your earlier answers are no longer kept" in lost.get_data(as_text=True)
        run_job("evidence_cleanup")
        assert [row for row in _draft_rows() if row.expires_at <= utcnow()] == []


def test_quick_exit_forgets_the_draft(client: FlaskClient) -> None:
    _fill(client)
    assert len(_draft_rows()) == 1
    client.get("/exit")
    assert _draft_rows() == []
    assert client.get_cookie(DRAFT_COOKIE) is None
