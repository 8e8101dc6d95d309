"""Bulk changes from the queue: supervisors only, each case changed and audited on its own, and
cases outside the supervisor's organisation refused."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from casework.extensions import db
from casework.models import Assignment, AuditEvent
from casework.services.assignments.operations import accept_offer
from tests.conftest import case_by_reference, login


def _client(app: Flask, user: Any) -> FlaskClient:
    client = app.test_client()
    login(client, user)
    return client


def _audited(action: str, case_ids: list[int]) -> set[str]:
    return set(
        db.session.scalars(
            select(AuditEvent.object_id).where(
                AuditEvent.action == action,
                AuditEvent.object_type == "case",
                AuditEvent.object_id.in_([str(i) for i in case_ids]),
            )
        )
    )


def _team(make_org: Any, make_user: Any) -> dict[str, Any]:
    gefont = make_org("gefont", ["NP"], ["ne", "en"])
    return {
        "org": gefont,
        "asha": make_user(gefont, languages=["ne"], name="Asha Gurung"),
        "bikash": make_user(gefont, languages=["en"], name="Bikash Rai"),
        "boss": make_user(gefont, "supervisor", name="Sita Supervisor"),
    }


def test_supervisor_reassigns_and_changes_status_in_bulk(
    app: Flask, lodge: Any, make_org: Any, make_user: Any
) -> None:
    team = _team(make_org, make_user)
    pinoy = make_org("pinoy", ["PH"], ["tl"])
    make_user(pinoy, languages=["tl"])
    refs = [lodge().reference for _ in range(3)]
    elsewhere = lodge(origin_country="PH", language="tl").reference  # another organisation's
    for reference in refs:
        case = case_by_reference(reference)
        accept_offer(team["asha"], case, case.assignments[0].id)
    boss = _client(app, team["boss"])

    queue = boss.get("/cases/?tab=org_all").get_data(as_text=True)
    assert 'form="bulk" name="reference"' in queue and "Offer to a colleague" in queue
    assert "Bikash Rai" in queue and "Pinoy" in queue  # colleagues and organisations in words

    answer = boss.post(
        "/cases/bulk",
        data={
            "reference": [refs[0], refs[1], elsewhere],
            "action": "reassign",
            "user_id": str(team["bikash"].id),
            "back": "tab=org_all&status=triaged",
        },
    )
    assert answer.status_code == 302 and "status=triaged" in answer.location
    page = boss.get(answer.location).get_data(as_text=True)
    assert "2 cases offered to your colleague" in page
    assert f"Not changed: {elsewhere} (not found among your organisation" in page
    offers = db.session.scalars(
        select(Assignment).where(Assignment.user_id == team["bikash"].id)
    ).all()
    assert sorted(a.case.reference for a in offers) == sorted(refs[:2])
    # Asha keeps both until Bikash accepts: each case is counted once, not once per assignment.
    everything = boss.get("/cases/?tab=org_all").get_data(as_text=True)
    assert "3 cases" in everything and everything.count('href="/cases/CW-') == 3
    ids = [case_by_reference(r).id for r in (*refs, elsewhere)]
    assert _audited("assignment", ids[:2]) == {str(i) for i in ids[:2]}
    other = case_by_reference(elsewhere)
    assert [a.status for a in other.assignments] == ["offered"]  # untouched

    changed = boss.post(
        "/cases/bulk",
        data={"reference": refs + [elsewhere], "action": "status", "status": "in_progress"},
    )
    page = boss.get(changed.location).get_data(as_text=True)
    assert "3 cases changed status." in page and elsewhere in page
    assert {case_by_reference(r).status for r in refs} == {"in_progress"}
    assert case_by_reference(elsewhere).status == "received"
    assert _audited("status_change", ids) == {str(i) for i in ids[:3]}

    refused = boss.post(
        "/cases/bulk", data={"reference": refs[:1], "action": "status", "status": "withdrawn"}
    )
    assert "a reason is needed" in boss.get(refused.location).get_data(as_text=True)
    assert case_by_reference(refs[0]).status == "in_progress"


def test_supervisor_transfers_to_another_organisation(
    app: Flask, lodge: Any, make_org: Any, make_user: Any
) -> None:
    team = _team(make_org, make_user)
    legal = make_org("gulf-legal-aid", ["QA"], ["en"], kind="legal_aid")
    reference = lodge().reference
    boss = _client(app, team["boss"])
    answer = boss.post(
        "/cases/bulk",
        data={"reference": [reference], "action": "transfer", "organisation_id": str(legal.id)},
    )
    assert "1 case offered to the other organisation" in boss.get(answer.location).get_data(
        as_text=True
    )
    case = case_by_reference(reference)
    assert any(a.organisation_id == legal.id and a.status == "offered" for a in case.assignments)
    assert _audited("assignment", [case.id]) == {str(case.id)}


def test_caseworkers_have_no_bulk_changes(
    app: Flask, lodge: Any, make_org: Any, make_user: Any
) -> None:
    team = _team(make_org, make_user)
    reference = lodge().reference
    asha = _client(app, team["asha"])
    assert 'id="bulk"' not in asha.get("/cases/?tab=offered").get_data(as_text=True)
    answer = asha.post(
        "/cases/bulk",
        data={"reference": [reference], "action": "reassign", "user_id": str(team["bikash"].id)},
    )
    assert answer.status_code == 403
    assert not db.session.scalars(
        select(Assignment).where(Assignment.user_id == team["bikash"].id)
    ).all()
    nothing = _client(app, team["boss"]).post("/cases/bulk", data={"action": "reassign"})
    assert nothing.status_code == 302  # nothing selected: back to the queue, with a message
