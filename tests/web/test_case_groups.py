"""Group cases: many workers against one agency or employer, worked together, with a joint
referral pack that names no one who did not agree to it."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from casework.extensions import db
from casework.models import AuditEvent, Case, CaseEvent, CaseGroup, Outcome, Referral
from casework.models.columns import utcnow
from casework.services.casefile.access import load_case
from casework.services.groups.suggestions import suggest_groups
from tests.conftest import case_by_reference, login


@pytest.fixture
def team(app: Flask, make_org: Any, make_user: Any) -> dict[str, Any]:
    gefont = make_org("gefont", ["NP"], ["ne", "en"])
    far = make_org("far-away", ["NP"], ["en"])
    return {
        "org": gefont,
        "asha": make_user(gefont, role="supervisor", name="Asha"),
        "stranger": make_user(far, name="Stranger"),
        "far": far,
    }


def _worker(lodge: Any, name: str, org: Any, **changes: Any) -> Case:
    """A complaint lodged by `name` and accepted by `org`."""
    payload = {"contact": {"name": name, "phone": "+977 9800000000", "channel": "whatsapp"}}
    lodged = lodge(**payload, **changes)
    case = case_by_reference(lodged.reference)
    case.assignments[0].organisation_id = org.id
    case.assignments[0].status = "accepted"
    db.session.commit()
    return case


def _consent(case: Case, forum_kind: str, share_identity: bool) -> None:
    db.session.add(
        Referral(
            case_id=case.id,
            forum_kind=forum_kind,
            status="consented",
            consent_via="caseworker",
            consent_share_identity=share_identity,
            consented_at=utcnow(),
        )
    )
    db.session.commit()


def _client(app: Flask, user: Any) -> FlaskClient:
    client = app.test_client()
    login(client, user)
    return client


def _csrf(client: FlaskClient, path: str) -> str:
    page = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    return match.group(1) if match else ""


def _create_group(app: Flask, client: FlaskClient, references: list[str]) -> int:
    token = _csrf(client, "/groups/")
    response = client.post(
        "/groups/",
        data={
            "csrf_token": token,
            "title": "Doha Build wage theft",
            "respondent_kind": "employer",
            "employer_name": "Doha Build Contracting",
            "reference": references,
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return int(response.headers["Location"].rstrip("/").split("/")[-1].split("#")[0])


@pytest.fixture
def three(app: Flask, lodge: Any, team: dict[str, Any]) -> list[Case]:
    return [
        _worker(lodge, "Ram Bahadur Test", team["org"]),
        _worker(lodge, "Sita Kumari Hidden", team["org"]),
        _worker(lodge, "Hari Prasad Private", team["org"]),
    ]


def test_a_supervisor_builds_a_group_of_three_cases(
    app: Flask, three: list[Case], team: dict[str, Any]
) -> None:
    client = _client(app, team["asha"])
    group_id = _create_group(app, client, [c.reference for c in three])
    group = db.session.get(CaseGroup, group_id)
    assert group is not None and {m.case_id for m in group.members} == {c.id for c in three}
    page = client.get(f"/groups/{group_id}").get_data(as_text=True)
    for case in three:
        assert f'href="/cases/{case.reference}"' in page
    assert "Doha Build Contracting" in page
    audited = db.session.scalars(
        select(AuditEvent.detail).where(AuditEvent.object_type == "case_group")
    ).all()
    assert sum(d.startswith("added case") for d in audited) == 3


def test_a_case_of_another_organisation_cannot_be_added(
    app: Flask, lodge: Any, three: list[Case], team: dict[str, Any]
) -> None:
    theirs = _worker(lodge, "Someone Else", team["far"])
    client = _client(app, team["asha"])
    group_id = _create_group(app, client, [three[0].reference])
    token = _csrf(client, f"/groups/{group_id}")
    response = client.post(
        f"/groups/{group_id}/members", data={"csrf_token": token, "reference": theirs.reference}
    )
    assert response.status_code == 404
    group = db.session.get(CaseGroup, group_id)
    db.session.refresh(group)
    assert [m.case_id for m in group.members] == [three[0].id]
    # …and the other organisation cannot open the group at all
    outsider = _client(app, team["stranger"])
    assert outsider.get(f"/groups/{group_id}").status_code == 404
    assert outsider.get(f"/groups/{group_id}/pack").status_code == 404


def test_the_pack_lists_only_workers_who_agreed_and_names_only_with_consent(
    app: Flask, three: list[Case], team: dict[str, Any]
) -> None:
    named, withheld, refused = three
    _consent(named, "ORIG_REGULATOR", share_identity=True)
    _consent(withheld, "ORIG_REGULATOR", share_identity=False)  # refused has no referral
    client = _client(app, team["asha"])
    group_id = _create_group(app, client, [c.reference for c in three])

    pack = client.get(f"/groups/{group_id}/pack?forum=ORIG_REGULATOR")
    assert pack.status_code == 200
    body = pack.get_data(as_text=True)
    assert "Ram Bahadur Test" in body
    assert "Sita Kumari Hidden" not in body and "identity withheld" in body
    assert withheld.reference in body
    assert "Hari Prasad Private" not in body and refused.reference not in body

    # With no forum chosen nobody's name is given: identity consent is per forum.
    body = client.get(f"/groups/{group_id}/pack").get_data(as_text=True)
    assert "Ram Bahadur Test" not in body and refused.reference not in body

    identity_reads = db.session.scalars(
        select(AuditEvent.object_id).where(AuditEvent.action == "view_identity")
    ).all()
    assert identity_reads == [str(named.id)]
    exports = db.session.scalars(
        select(AuditEvent.object_id).where(
            AuditEvent.action == "export", AuditEvent.object_type == "case"
        )
    ).all()
    assert str(refused.id) not in exports and str(named.id) in exports


def test_a_group_outcome_gives_each_worker_their_own_amount(
    app: Flask, three: list[Case], team: dict[str, Any]
) -> None:
    client = _client(app, team["asha"])
    group_id = _create_group(app, client, [c.reference for c in three])
    token = _csrf(client, f"/groups/{group_id}")
    amounts = {"1200", "800.50", "3000"}
    data = {"csrf_token": token, "code": "OUT_MONEY_RECOVERED", "kind": "wages", "currency": "QAR"}
    for case, amount in zip(three, sorted(amounts), strict=True):
        data[f"amount_{case.id}"] = amount
        data[f"amount_claimed_{case.id}"] = "5000"
    response = client.post(f"/groups/{group_id}/outcomes", data=data)
    assert response.status_code == 302
    outcomes = db.session.scalars(select(Outcome).where(Outcome.group_id == group_id)).all()
    assert len(outcomes) == 3 and len({o.case_id for o in outcomes}) == 3
    by_case = {o.case_id: o.amount for o in outcomes}
    for case, amount in zip(three, sorted(amounts), strict=True):
        assert by_case[case.id] == Decimal(amount)
    assert all(o.currency == "QAR" and o.amount_claimed == Decimal(5000) for o in outcomes)


def test_a_group_note_is_sealed_into_each_case(
    app: Flask, three: list[Case], team: dict[str, Any]
) -> None:
    client = _client(app, team["asha"])
    group_id = _create_group(app, client, [c.reference for c in three])
    token = _csrf(client, f"/groups/{group_id}")
    client.post(f"/groups/{group_id}/notes", data={"csrf_token": token, "body": "GROUP-NOTE-X"})
    events = db.session.scalars(select(CaseEvent).where(CaseEvent.kind == "note")).all()
    assert len(events) == 3 and all(b"GROUP-NOTE-X" not in (e.body_sealed or b"") for e in events)
    assert "GROUP-NOTE-X" in client.get(f"/groups/{group_id}").get_data(as_text=True)
    case_page = client.get(f"/cases/{three[0].reference}").get_data(as_text=True)
    assert "GROUP-NOTE-X" in case_page and "group_note:" not in case_page


def test_three_cases_sharing_an_agency_are_suggested(
    app: Flask, lodge: Any, three: list[Case], team: dict[str, Any]
) -> None:
    suggestions = suggest_groups(team["asha"])
    agency = [s for s in suggestions if s.respondent_kind == "agency"]
    assert len(agency) == 1 and set(agency[0].references) == {c.reference for c in three}
    assert agency[0].name == "Himal Overseas Manpower"
    page = _client(app, team["asha"]).get("/groups/").get_data(as_text=True)
    assert "Himal Overseas Manpower" in page
    # once grouped, they are no longer suggested
    client = _client(app, team["asha"])
    _create_group(app, client, [c.reference for c in three])
    assert suggest_groups(team["asha"]) == []


def test_a_case_can_be_in_only_one_open_group(
    app: Flask, three: list[Case], team: dict[str, Any]
) -> None:
    client = _client(app, team["asha"])
    _create_group(app, client, [three[0].reference])
    group_id = _create_group(app, client, [three[1].reference])
    token = _csrf(client, f"/groups/{group_id}")
    client.post(
        f"/groups/{group_id}/members", data={"csrf_token": token, "reference": three[0].reference}
    )
    group = db.session.get(CaseGroup, group_id)
    db.session.refresh(group)
    assert [m.case_id for m in group.members] == [three[1].id]
    assert load_case(team["asha"], three[0].reference) is not None


def test_anonymous_visitors_are_sent_to_sign_in(app: Flask, client: FlaskClient) -> None:
    for path in ("/groups/", "/groups/1", "/groups/1/pack"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.post("/groups/1/notes", data={"body": "x"}).status_code in (302, 400)
