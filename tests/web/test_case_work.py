"""Working a case: status table, outcomes, reassignment, transfers, the audit trail."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select, update

from casework.extensions import db
from casework.models import AuditEvent
from tests.conftest import case_by_reference, login


@pytest.fixture
def team(app: Flask, make_org: Any, make_user: Any) -> dict[str, Any]:
    gefont = make_org("gefont", ["NP"], ["ne"])
    return {
        "org": gefont,
        "asha": make_user(gefont, languages=["ne"], name="Asha"),
        "bikash": make_user(gefont, languages=["ne"], name="Bikash"),
        "boss": make_user(gefont, role="supervisor", languages=["ne"], name="Boss"),
    }


def _accepted(app: Flask, lodge: Any, user: Any) -> tuple[Any, Any]:
    lodged = lodge()
    client = app.test_client()
    login(client, user)
    offer = case_by_reference(lodged.reference).assignments[0]
    assert offer.user_id == user.id
    client.post(f"/cases/{lodged.reference}/accept", data={"assignment_id": offer.id})
    return lodged, client


def _status(client: Any, reference: str, to: str, reason: str = "") -> Any:
    case = case_by_reference(reference)
    return client.post(
        f"/cases/{reference}/status", data={"to": to, "reason": reason, "version": case.version}
    )


def test_status_follows_the_table_and_closing_needs_an_outcome(
    app: Flask, lodge: Any, team: dict[str, Any]
) -> None:
    lodged, client = _accepted(app, lodge, team["asha"])
    assert case_by_reference(lodged.reference).status == "triaged"
    _status(client, lodged.reference, "resolved")  # not allowed from triaged
    assert case_by_reference(lodged.reference).status == "triaged"
    _status(client, lodged.reference, "in_progress")
    _status(client, lodged.reference, "awaiting_worker")
    _status(client, lodged.reference, "resolved")
    assert case_by_reference(lodged.reference).status == "awaiting_worker"  # no outcome yet
    case = case_by_reference(lodged.reference)
    client.post(
        f"/cases/{lodged.reference}/outcomes",
        data={
            "code": "OUT_MONEY_RECOVERED",
            "kind": "fee_refund",
            "amount_claimed": "150000",
            "amount": "90000",
            "currency": "NPR",
            "version": case.version,
        },
    )
    _status(client, lodged.reference, "resolved")
    _status(client, lodged.reference, "closed")
    case = case_by_reference(lodged.reference)
    assert case.status == "closed"
    assert str(case.outcomes[0].amount) == "90000.00"
    _status(client, lodged.reference, "in_progress", reason="worker found new evidence")
    # only a supervisor re-opens a closed case
    assert case_by_reference(lodged.reference).status == "closed"


def test_outcome_with_amount_needs_a_currency(app: Flask, lodge: Any, team: dict[str, Any]) -> None:
    lodged, client = _accepted(app, lodge, team["asha"])
    case = case_by_reference(lodged.reference)
    response = client.post(
        f"/cases/{lodged.reference}/outcomes",
        data={"code": "OUT_AWARD", "amount": "5000", "version": case.version},
    )
    assert response.status_code == 422
    assert "Please choose the currency." in response.get_data(as_text=True)
    assert case_by_reference(lodged.reference).outcomes == []


def test_supervisor_reassigns_and_ownership_moves_only_on_acceptance(
    app: Flask, lodge: Any, team: dict[str, Any]
) -> None:
    lodged, asha_client = _accepted(app, lodge, team["asha"])
    boss = app.test_client()
    login(boss, team["boss"])
    current = case_by_reference(lodged.reference).assignments[0]
    boss.post(
        f"/cases/{lodged.reference}/reassign",
        data={"assignment_id": current.id, "user_id": team["bikash"].id},
    )
    case = case_by_reference(lodged.reference)
    assert [(a.user_id, a.status) for a in case.assignments] == [
        (team["asha"].id, "accepted"),
        (team["bikash"].id, "offered"),
    ]
    bikash = app.test_client()
    login(bikash, team["bikash"])
    new_offer = case.assignments[1]
    bikash.post(f"/cases/{lodged.reference}/accept", data={"assignment_id": new_offer.id})
    case = case_by_reference(lodged.reference)
    assert [(a.user_id, a.status) for a in case.assignments] == [
        (team["asha"].id, "ended"),
        (team["bikash"].id, "accepted"),
    ]


def test_supervisor_who_reassigns_is_not_offered_the_case_themselves(
    app: Flask, lodge: Any, team: dict[str, Any]
) -> None:
    lodged, _asha = _accepted(app, lodge, team["asha"])
    boss = app.test_client()
    login(boss, team["boss"])
    current = case_by_reference(lodged.reference).assignments[0]
    boss.post(
        f"/cases/{lodged.reference}/reassign",
        data={"assignment_id": current.id, "user_id": team["bikash"].id},
    )
    new_offer = case_by_reference(lodged.reference).assignments[1]
    boss_view = boss.get(f"/cases/{lodged.reference}").get_data(as_text=True)
    assert "offered to you" not in boss_view and ">Accept<" not in boss_view
    # Nor can the supervisor take the colleague's offer by posting the form anyway.
    taken = boss.post(f"/cases/{lodged.reference}/accept", data={"assignment_id": new_offer.id})
    assert taken.status_code == 403
    assert case_by_reference(lodged.reference).assignments[1].status == "offered"
    bikash = app.test_client()
    login(bikash, team["bikash"])
    bikash_view = bikash.get(f"/cases/{lodged.reference}").get_data(as_text=True)
    assert "This case is offered to you (origin side)." in bikash_view
    assert ">Accept<" in bikash_view


def test_supervisor_answers_an_offer_made_to_the_whole_organisation(
    app: Flask, lodge: Any, make_org: Any, make_user: Any
) -> None:
    gefont = make_org("gefont", ["NP"], ["ne"])
    boss = make_user(gefont, role="supervisor", languages=["ne"])
    lodged = lodge()  # no caseworker speaks Nepali here: the offer names nobody
    client = app.test_client()
    login(client, boss)
    page = client.get(f"/cases/{lodged.reference}").get_data(as_text=True)
    assert "This case is offered to your organisation (origin side)" in page
    offer = case_by_reference(lodged.reference).assignments[0]
    client.post(f"/cases/{lodged.reference}/accept", data={"assignment_id": offer.id})
    assert case_by_reference(lodged.reference).assignments[0].status == "accepted"


def test_caseworker_cannot_reassign(app: Flask, lodge: Any, team: dict[str, Any]) -> None:
    lodged, client = _accepted(app, lodge, team["asha"])
    current = case_by_reference(lodged.reference).assignments[0]
    client.post(
        f"/cases/{lodged.reference}/reassign",
        data={"assignment_id": current.id, "user_id": team["bikash"].id},
    )
    assert len(case_by_reference(lodged.reference).assignments) == 1


def test_internal_notes_stay_inside_the_organisation(
    app: Flask, lodge: Any, make_org: Any, make_user: Any
) -> None:
    gefont = make_org("gefont", ["NP"], ["ne"])
    qla = make_org("qla", ["QA"], ["ne"])
    asha, mariam = make_user(gefont, languages=["ne"]), make_user(qla, languages=["ne"])
    lodged = lodge()
    clients = {}
    for user in (asha, mariam):
        clients[user.id] = app.test_client()
        login(clients[user.id], user)
        offer = next(
            a for a in case_by_reference(lodged.reference).assignments if a.user_id == user.id
        )
        clients[user.id].post(f"/cases/{lodged.reference}/accept", data={"assignment_id": offer.id})
    version = case_by_reference(lodged.reference).version
    clients[asha.id].post(
        f"/cases/{lodged.reference}/notes", data={"body": "ORIGIN-ONLY note", "version": version}
    )
    version = case_by_reference(lodged.reference).version
    clients[asha.id].post(
        f"/cases/{lodged.reference}/notes",
        data={"body": "SHARED note", "shared": "y", "version": version},
    )
    partner_view = clients[mariam.id].get(f"/cases/{lodged.reference}").get_data(as_text=True)
    assert "SHARED note" in partner_view and "ORIGIN-ONLY note" not in partner_view
    own_view = clients[asha.id].get(f"/cases/{lodged.reference}").get_data(as_text=True)
    assert "ORIGIN-ONLY note" in own_view


def test_supervisor_sees_the_access_log(app: Flask, lodge: Any, team: dict[str, Any]) -> None:
    lodged, client = _accepted(app, lodge, team["asha"])
    client.get(f"/cases/{lodged.reference}")
    client.post(f"/cases/{lodged.reference}/identity")
    boss = app.test_client()
    login(boss, team["boss"])
    log_page = boss.get(f"/cases/{lodged.reference}/access-log")
    assert log_page.status_code == 200
    text = log_page.get_data(as_text=True)
    assert "Viewed identity" in text and "Viewed story" in text
    assert client.get(f"/cases/{lodged.reference}/access-log").status_code == 403


def test_audit_chain_verifies_and_detects_tampering(
    app: Flask, runner: Any, lodge: Any, team: dict[str, Any]
) -> None:
    lodged, client = _accepted(app, lodge, team["asha"])
    client.get(f"/cases/{lodged.reference}")
    client.post(f"/cases/{lodged.reference}/identity")
    intact = runner.invoke(args=["audit", "verify"])
    assert intact.exit_code == 0 and "intact" in intact.output
    events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert len(events) >= 4
    victim = events[2]
    # An insider hides that they read the identity.
    db.session.execute(update(AuditEvent).where(AuditEvent.id == victim.id).values(action="login"))
    db.session.commit()
    broken = runner.invoke(args=["audit", "verify"])
    assert broken.exit_code == 1
    assert f"BROKEN at event {victim.id}" in broken.output
    # Deleting a row breaks the link of the next one.
    db.session.execute(
        update(AuditEvent).where(AuditEvent.id == victim.id).values(action=victim.action)
    )
    db.session.delete(db.session.get(AuditEvent, events[1].id))
    db.session.commit()
    deleted = runner.invoke(args=["audit", "verify"])
    assert deleted.exit_code == 1 and f"BROKEN at event {events[2].id}" in deleted.output


def test_purged_case_shows_only_facts(app: Flask, lodge: Any, team: dict[str, Any]) -> None:
    from datetime import timedelta

    import time_machine

    from casework.models.columns import utcnow
    from casework.services.keys.retention import purge_expired_cases

    lodged, client = _accepted(app, lodge, team["asha"])
    for to in ("in_progress", "resolved", "closed"):
        if to == "resolved":
            case = case_by_reference(lodged.reference)
            client.post(
                f"/cases/{lodged.reference}/outcomes",
                data={"code": "OUT_DOCS_RETURNED", "version": case.version},
            )
        _status(client, lodged.reference, to)
    assert case_by_reference(lodged.reference).status == "closed"
    with time_machine.travel(
        utcnow() + timedelta(days=app.config["RETENTION_DAYS"] + 1), tick=False
    ):
        purge_expired_cases()
        fresh = app.test_client()
        login(fresh, team["asha"])
        page = fresh.get(f"/cases/{lodged.reference}")
        assert fresh.post(f"/cases/{lodged.reference}/identity").status_code == 403
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "retention policy" in text and "The agent took my passport" not in text
    assert "This case is finished: no deadline counts any more." in text
