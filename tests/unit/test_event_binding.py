"""A note's or message's sealed body is bound to its event: swapped between two events of one
case, or re-labelled (an internal note flipped to "partners"), it no longer opens, and the
timeline says so instead of showing another event's text or failing with a 500."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select, update

from casework.extensions import db
from casework.models import CaseEvent
from casework.models import event as ev
from casework.services.keys.case_keys import (
    BOUND_EVENT_SEAL,
    UNBOUND_EVENT_SEAL,
    case_key,
    seal_text,
)
from tests.conftest import case_by_reference, login

UNVERIFIED = "This text could not be verified"
WORKER_UNVERIFIED = "This message could not be verified"


@pytest.fixture
def worked(app: Flask, lodge: Any, make_org: Any, make_user: Any) -> dict[str, Any]:
    """A case both sides accepted, with an internal note, a shared note and a message."""
    gefont = make_org("gefont", ["NP"], ["ne", "en"])
    qatar = make_org("qatar-legal-aid", ["QA"], ["ne", "en"], kind="legal_aid")
    asha = make_user(gefont, languages=["ne", "en"])
    partner = make_user(qatar, languages=["ne", "en"])
    lodged = lodge(language="en")
    clients = {}
    for user in (asha, partner):
        client = app.test_client()
        login(client, user)
        offer = next(
            a for a in case_by_reference(lodged.reference).assignments if a.user_id == user.id
        )
        client.post(f"/cases/{lodged.reference}/accept", data={"assignment_id": offer.id})
        clients[user.id] = client
    client = clients[asha.id]
    for path, data in (
        ("notes", {"body": "Internal: the agent threatened her family"}),
        ("notes", {"body": "Shared: receipts requested", "shared": "y"}),
        ("messages", {"body": "Message: we will call on Friday"}),
    ):
        case = case_by_reference(lodged.reference)
        response = client.post(
            f"/cases/{lodged.reference}/{path}",
            data={**data, "version": case.version, "seen_event": 0},
        )
        assert response.status_code == 302
    events = {
        f"{e.kind}:{e.visibility}": e
        for e in case_by_reference(lodged.reference).events
        if e.body_sealed is not None
    }
    return {
        "lodged": lodged,
        "client": client,
        "partner_client": clients[partner.id],
        "internal": events["note:internal"].id,
        "shared": events["note:partners"].id,
        "message": events["message_to_worker:worker"].id,
    }


def _swap(first: int, second: int) -> None:
    a, b = db.session.get(CaseEvent, first), db.session.get(CaseEvent, second)
    assert a is not None and b is not None
    bodies = a.body_sealed, b.body_sealed
    db.session.execute(update(CaseEvent).where(CaseEvent.id == first).values(body_sealed=bodies[1]))
    db.session.execute(
        update(CaseEvent).where(CaseEvent.id == second).values(body_sealed=bodies[0])
    )
    db.session.commit()


def _page(client: FlaskClient, reference: str) -> str:
    response = client.get(f"/cases/{reference}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _worker_messages(app: Flask, lodged: Any) -> list[str]:
    status = app.test_client().get(
        f"/api/v1/complaints/{lodged.reference}", headers={"X-Complaint-Secret": lodged.secret}
    )
    assert status.status_code == 200
    return [m["text"] for m in status.get_json()["messages"]]


def test_bodies_open_where_they_were_written(app: Flask, worked: dict[str, Any]) -> None:
    page = _page(worked["client"], worked["lodged"].reference)
    assert "the agent threatened her family" in page and "receipts requested" in page
    assert UNVERIFIED not in page
    assert _worker_messages(app, worked["lodged"]) == ["Message: we will call on Friday"]


def test_swapped_bodies_do_not_open(app: Flask, worked: dict[str, Any]) -> None:
    reference = worked["lodged"].reference
    _swap(worked["internal"], worked["message"])
    page = _page(worked["client"], reference)
    assert "the agent threatened her family" not in page
    assert "we will call on Friday" not in page
    assert page.count(UNVERIFIED) == 2
    assert "receipts requested" in page  # the untouched note still opens
    # The worker never reads the internal note that was moved into her message.
    messages = _worker_messages(app, worked["lodged"])
    assert len(messages) == 1 and WORKER_UNVERIFIED in messages[0]
    assert "threatened" not in messages[0]


def test_swapped_shared_notes_do_not_open(app: Flask, worked: dict[str, Any]) -> None:
    _swap(worked["internal"], worked["shared"])
    page = _page(worked["partner_client"], worked["lodged"].reference)
    assert "the agent threatened her family" not in page and "receipts requested" not in page
    assert UNVERIFIED in page


def test_an_internal_note_flipped_to_partners_does_not_open(
    app: Flask, worked: dict[str, Any]
) -> None:
    db.session.execute(
        update(CaseEvent).where(CaseEvent.id == worked["internal"]).values(visibility=ev.PARTNERS)
    )
    db.session.commit()
    page = _page(worked["partner_client"], worked["lodged"].reference)
    assert "the agent threatened her family" not in page
    assert UNVERIFIED in page and "receipts requested" in page


def test_old_unbound_bodies_open_and_reseal_binds_them(
    app: Flask, runner: FlaskCliRunner, worked: dict[str, Any]
) -> None:
    reference = worked["lodged"].reference
    case = case_by_reference(reference)
    key = case_key(case)
    for event_id, text in (
        (worked["internal"], "Old internal"),
        (worked["message"], "Old message"),
    ):
        event = db.session.get_one(CaseEvent, event_id)
        # As bodies were sealed before issue 12: bound to the case and kind only.
        event.body_sealed = seal_text(key, case, f"event:{event.kind}", text)
        event.body_binding = UNBOUND_EVENT_SEAL
    db.session.commit()
    page = _page(worked["client"], reference)
    assert "Old internal" in page and "Old message" in page

    result = runner.invoke(args=["keys", "reseal-events"])
    assert result.exit_code == 0, result.output
    assert "2 event body(ies) re-sealed" in result.output
    bindings = db.session.scalars(
        select(CaseEvent.body_binding).where(CaseEvent.body_sealed.is_not(None))
    ).all()
    assert set(bindings) == {BOUND_EVENT_SEAL}
    page = _page(worked["client"], reference)
    assert "Old internal" in page and "Old message" in page
    again = runner.invoke(args=["keys", "reseal-events"])
    assert "0 event body(ies) re-sealed" in again.output

    _swap(worked["internal"], worked["message"])  # once re-sealed, swapping fails too
    page = _page(worked["client"], reference)
    assert "Old internal" not in page and "Old message" not in page
    assert page.count(UNVERIFIED) == 2
