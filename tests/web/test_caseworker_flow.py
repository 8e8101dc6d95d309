"""A Nepali worker's complaint reaches the right people, who work it from their queues."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select

from casework.extensions import db
from casework.models import Assignment, AuditEvent
from tests import samples
from tests.conftest import case_by_reference, login


def test_nepali_complaint_in_qatar_reaches_both_sides(
    app: Any, lodge: Any, make_org: Any, make_user: Any
) -> None:
    gefont = make_org("gefont", ["NP"], ["ne", "en"])
    qatar_aid = make_org("qatar-legal-aid", ["QA"], ["en", "ar", "ne"], kind="legal_aid")
    make_user(gefont, languages=["en"])
    nepali_reader = make_user(gefont, languages=["ne", "en"])
    qatar_worker = make_user(qatar_aid, languages=["ne"])
    lodged = lodge(files=[("receipt.png", samples.png())])
    offers = {a.side: a for a in case_by_reference(lodged.reference).assignments}
    assert offers["origin"].user_id == nepali_reader.id
    assert offers["destination"].user_id == qatar_worker.id
    assert {a.status for a in offers.values()} == {"offered"}


def test_no_cross_border_consent_keeps_the_destination_out(
    app: Any, lodge: Any, make_org: Any, make_user: Any
) -> None:
    gefont = make_org("gefont", ["NP"], ["ne"])
    qatar_aid = make_org("qatar-legal-aid", ["QA"], ["ne"])
    make_user(gefont, languages=["ne"])
    make_user(qatar_aid, languages=["ne"])
    lodged = lodge(consent={"share_with_partners": True, "share_across_borders": False})
    assert [a.side for a in case_by_reference(lodged.reference).assignments] == ["origin"]


def test_caseworker_accepts_reads_downloads_and_replies(
    app: Any, client: FlaskClient, lodge: Any, make_org: Any, make_user: Any
) -> None:
    gefont = make_org("gefont", ["NP"], ["ne"])
    caseworker = make_user(gefont, languages=["ne", "en"])
    photo = samples.png(4, 4)
    lodged = lodge(files=[("receipt.png", photo)], language="en")
    login(client, caseworker)
    queue = client.get("/cases/?tab=offered").get_data(as_text=True)
    assert lodged.reference in queue
    page = client.get(f"/cases/{lodged.reference}").get_data(as_text=True)
    assert "passport" not in page  # only facts before accepting
    offer = db.session.scalars(select(Assignment).where(Assignment.user_id == caseworker.id)).one()
    assert (
        client.post(
            f"/cases/{lodged.reference}/accept", data={"assignment_id": offer.id}
        ).status_code
        == 302
    )
    page = client.get(f"/cases/{lodged.reference}").get_data(as_text=True)
    assert "The agent took my passport" in page
    assert "Ram Bahadur" not in page  # identity only on request
    revealed = client.post(f"/cases/{lodged.reference}/identity").get_data(as_text=True)
    assert "Ram Bahadur Test" in revealed
    case = case_by_reference(lodged.reference)
    download = client.get(f"/cases/{lodged.reference}/evidence/{case.evidence[0].id}")
    assert download.status_code == 200 and download.data == photo
    assert download.headers["Cache-Control"] == "no-store"
    reply = client.post(
        f"/cases/{lodged.reference}/messages",
        data={"body": "We will call you on Friday.", "version": case.version, "seen_event": 0},
    )
    assert reply.status_code == 302
    actions = [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert {"login", "view_narrative", "view_identity", "download_evidence"} <= set(actions)
    worker = app.test_client()
    status = worker.get(
        f"/api/v1/complaints/{lodged.reference}", headers={"X-Complaint-Secret": lodged.secret}
    ).get_json()
    assert status["messages"][-1] == {
        "at": status["messages"][-1]["at"],
        "from": "caseworker",
        "text": "We will call you on Friday.",
    }
    assert status["status"] == "triaged"


def test_decline_with_reason_reroutes_to_a_colleague(
    app: Any, client: FlaskClient, lodge: Any, make_org: Any, make_user: Any
) -> None:
    gefont = make_org("gefont", ["NP"], ["ne"])
    first = make_user(gefont, languages=["ne"])
    second = make_user(gefont, languages=["ne"])
    lodged = lodge()
    offer = case_by_reference(lodged.reference).assignments[0]
    assert offer.user_id == first.id
    login(client, first)
    client.post(
        f"/cases/{lodged.reference}/decline",
        data={"assignment_id": offer.id, "reason": "conflict of interest"},
    )
    case = case_by_reference(lodged.reference)
    statuses = [(a.user_id, a.status) for a in case.assignments]
    assert (first.id, "declined") in statuses and (second.id, "offered") in statuses
    assert client.get(f"/cases/{lodged.reference}").status_code == 404  # no longer theirs


def test_no_match_waits_in_triage_for_supervisors(
    app: Any, client: FlaskClient, lodge: Any, make_org: Any, make_user: Any
) -> None:
    gefont = make_org("gefont", ["NP"], ["ne"])
    supervisor = make_user(gefont, role="supervisor")
    lodged = lodge()  # GEFONT has no caseworker: the offer goes to the organisation
    case = case_by_reference(lodged.reference)
    assert case.assignments[0].user_id is None
    other = lodge(origin_country="PH", destination_country="SA", language="tl")
    assert case_by_reference(other.reference).assignments == []
    login(client, supervisor)
    assert other.reference not in client.get("/cases/triage").get_data(
        as_text=True
    )  # not their country
    assert lodged.reference in client.get("/cases/?tab=org_unassigned").get_data(as_text=True)


def test_concurrent_edit_shows_a_conflict_and_keeps_the_text(
    app: Any, lodge: Any, make_org: Any, make_user: Any
) -> None:
    gefont = make_org("gefont", ["NP"], ["ne"])
    alice = make_user(gefont, languages=["ne"])
    bob = make_user(gefont, languages=["ne"])
    lodged = lodge()
    case = case_by_reference(lodged.reference)
    offer = case.assignments[0]
    alice_client, bob_client = app.test_client(), app.test_client()
    login(alice_client, alice)
    login(bob_client, bob)
    alice_client.post(f"/cases/{lodged.reference}/accept", data={"assignment_id": offer.id})
    db.session.expire_all()
    seen_version = case_by_reference(lodged.reference).version
    seen_event = max(e.id for e in case_by_reference(lodged.reference).events)
    first = alice_client.post(
        f"/cases/{lodged.reference}/notes",
        data={"body": "Called the agency", "version": seen_version, "seen_event": seen_event},
    )
    assert first.status_code == 302
    second = bob_client.post(
        f"/cases/{lodged.reference}/notes",
        data={"body": "Bob's careful note", "version": seen_version, "seen_event": seen_event},
    )
    assert second.status_code == 409
    page = second.get_data(as_text=True)
    assert "Called the agency" in page  # what changed
    assert "Bob&#39;s careful note" in page or "Bob's careful note" in page  # what he typed
