"""Duplicates: a worker who lost the secret files again; staff link both, then merge one into
the other. The kept case holds the timeline, messages and evidence of both; the merged case is
closed with a pointer; either secret follows the case up; only staff who may open both do it."""

from __future__ import annotations

from typing import Any

from flask import Flask

from tests import samples
from tests.conftest import case_by_reference, login
from tests.web.desk import audit_rows

PHOTO = samples.png(3, 3)


def _accept(client: Any, reference: str) -> None:
    offer = case_by_reference(reference).assignments[0]
    client.post(f"/cases/{reference}/accept", data={"assignment_id": offer.id})


def _status(reference: str, secret: str, client: Any) -> dict[str, Any]:
    response = client.get(f"/api/v1/complaints/{reference}", headers={"X-Complaint-Secret": secret})
    assert response.status_code == 200
    return dict(response.get_json())


def test_link_then_merge_keeps_everything_reachable_and_both_secrets_work(
    app: Flask, lodge: Any, make_org: Any, make_user: Any
) -> None:
    gefont = make_org("gefont", ["NP"], ["ne"])
    asha = make_user(gefont, languages=["ne"], name="Asha")
    first = lodge(narrative="The agent kept my passport.")
    again = lodge(files=[("receipt.png", PHOTO)], narrative="I lost my code. Same agent.")
    worker = app.test_client()
    worker.post(
        f"/api/v1/complaints/{again.reference}/messages",
        headers={"X-Complaint-Secret": again.secret},
        json={"message": "Please join this to my first complaint."},
    )
    client = app.test_client()
    login(client, asha)
    _accept(client, first.reference)
    _accept(client, again.reference)

    linked = client.post(f"/cases/{first.reference}/links", data={"other": again.reference})
    assert linked.status_code == 302
    page = client.get(f"/cases/{first.reference}").get_data(as_text=True)
    assert f"duplicate of {again.reference}" in page
    assert f'href="/cases/{again.reference}"' in page
    assert len(audit_rows(first.reference, "case_linked")) == 1
    assert len(audit_rows(again.reference, "case_linked")) == 1

    confirm = client.get(f"/cases/{first.reference}/merge", query_string={"other": again.reference})
    assert "cannot be undone" in confirm.get_data(as_text=True)
    kept = case_by_reference(first.reference)
    merged = client.post(
        f"/cases/{first.reference}/merge",
        data={"other": again.reference, "version": kept.version, "seen_event": 0},
    )
    assert merged.status_code == 302

    closed = case_by_reference(again.reference)
    assert closed.status == "closed" and closed.evidence == []
    notice = client.get(f"/cases/{again.reference}").get_data(as_text=True)
    assert "merged into another case" in notice and f"/cases/{first.reference}" in notice
    kept_page = client.get(f"/cases/{first.reference}").get_data(as_text=True)
    assert "receipt.png" in kept_page
    assert "Please join this to my first complaint." in kept_page
    assert "I lost my code. Same agent." in kept_page  # the merged case's story
    assert f"(from {again.reference})" in kept_page  # its events say where they came from
    evidence_id = case_by_reference(first.reference).evidence[0].id
    assert client.get(f"/cases/{first.reference}/evidence/{evidence_id}").data == PHOTO
    assert len(audit_rows(first.reference, "case_merged")) == 1
    assert len(audit_rows(again.reference, "case_merged")) == 1

    # The caseworker answers on the kept case; the worker reads it with either secret.
    version = case_by_reference(first.reference).version
    client.post(
        f"/cases/{first.reference}/messages",
        data={"body": "We joined your two complaints.", "version": version},
    )
    for reference, secret in ((first.reference, first.secret), (again.reference, again.secret)):
        status = _status(reference, secret, worker)
        assert status["reference"] == first.reference
        texts = [m["text"] for m in status["messages"]]
        assert "We joined your two complaints." in texts
        assert "Please join this to my first complaint." in texts
    # Merged once: not again, in either direction.
    again_merge = client.get(
        f"/cases/{first.reference}/merge", query_string={"other": again.reference}
    )
    assert again_merge.status_code == 302
    assert len(audit_rows(first.reference, "case_merged")) == 1


def test_linking_or_merging_needs_both_cases(
    app: Flask, lodge: Any, make_org: Any, make_user: Any
) -> None:
    gefont = make_org("gefont", ["NP"], ["ne"])
    asha = make_user(gefont, languages=["ne"], name="Asha")
    dhaka = make_org("dhaka-desk", ["BD"], ["en"])
    rahim = make_user(dhaka, languages=["en"], name="Rahim")
    ours = lodge()
    theirs = lodge(origin_country="BD", language="en")
    client = app.test_client()
    login(client, asha)
    _accept(client, ours.reference)
    other = app.test_client()
    login(other, rahim)
    _accept(other, theirs.reference)

    client.post(f"/cases/{ours.reference}/links", data={"other": theirs.reference})
    refused = client.get(f"/cases/{ours.reference}/merge", query_string={"other": theirs.reference})
    assert refused.status_code == 302
    page = client.get(f"/cases/{ours.reference}").get_data(as_text=True)
    assert "No case with that reference that you can open." in page
    assert theirs.reference not in page
    assert audit_rows(ours.reference, "case_linked") == []
    assert audit_rows(theirs.reference, "case_merged") == []
    assert case_by_reference(theirs.reference).status != "closed"
    # A case cannot be linked to itself; someone who cannot open the case cannot even try.
    client.post(f"/cases/{ours.reference}/links", data={"other": ours.reference})
    assert audit_rows(ours.reference, "case_linked") == []
    data = {"other": ours.reference}
    assert other.post(f"/cases/{theirs.reference}/links", data=data).status_code == 302
    assert other.post(f"/cases/{ours.reference}/links", data=data).status_code == 404
    assert audit_rows(ours.reference, "case_linked") == []
