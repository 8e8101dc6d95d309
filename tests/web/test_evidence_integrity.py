"""A stored evidence file altered anywhere — even in its last chunk — is never served in part: the
caseworker gets a clear integrity page, the failure lands on the audit trail and the case's
supervisors are told."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from casework.extensions import db
from casework.models import Assignment, AuditEvent, Notification
from tests.conftest import case_by_reference, login

# A PNG signature, then random bytes: several 256 KiB chunks with nothing repetitive in them.
PAYLOAD = b"\x89PNG\r\n\x1a\n" + os.urandom(700_000)


def _blob_path(app: Flask, blob_id: str) -> Path:
    found = [p for p in Path(app.instance_path).rglob("*") if p.is_file() and blob_id in p.name]
    assert len(found) == 1, found
    return found[0]


def _accepted_case(client: FlaskClient, lodge: Any, make_org: Any, make_user: Any) -> Any:
    gefont = make_org("gefont", ["NP"], ["ne", "en"])
    caseworker = make_user(gefont, languages=["ne", "en"])
    supervisor = make_user(gefont, role="supervisor", languages=["en"])
    lodged = lodge(files=[("receipt.png", PAYLOAD)], language="en")
    login(client, caseworker)
    offer = db.session.scalars(select(Assignment).where(Assignment.user_id == caseworker.id)).one()
    client.post(f"/cases/{lodged.reference}/accept", data={"assignment_id": offer.id})
    return lodged, supervisor


def test_intact_evidence_is_served_whole(
    app: Flask, client: FlaskClient, lodge: Any, make_org: Any, make_user: Any
) -> None:
    lodged, _ = _accepted_case(client, lodge, make_org, make_user)
    evidence = case_by_reference(lodged.reference).evidence[0]
    response = client.get(f"/cases/{lodged.reference}/evidence/{evidence.id}")
    assert response.status_code == 200
    assert response.data == PAYLOAD


def test_a_flipped_byte_in_the_last_chunk_serves_nothing(
    app: Flask, client: FlaskClient, lodge: Any, make_org: Any, make_user: Any
) -> None:
    lodged, supervisor = _accepted_case(client, lodge, make_org, make_user)
    case = case_by_reference(lodged.reference)
    evidence = case.evidence[0]
    path = _blob_path(app, evidence.blob_id)
    blob = bytearray(path.read_bytes())
    assert len(blob) > 2 * 256 * 1024  # three chunks of 256 KiB: the flip is in the last one
    blob[-20] ^= 0x01  # inside the last chunk's ciphertext
    path.write_bytes(bytes(blob))

    response = client.get(f"/cases/{lodged.reference}/evidence/{evidence.id}")
    body = response.get_data()
    assert response.status_code == 500
    assert response.mimetype == "text/html"
    assert "Content-Disposition" not in response.headers
    assert PAYLOAD[8:4096] not in body and PAYLOAD[300_000:300_100] not in body
    assert b"failed its integrity check" in body

    events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    failed = [e for e in events if e.action == "evidence_integrity_failed"]
    assert len(failed) == 1
    assert failed[0].object_id == str(case.id) and str(evidence.id) in failed[0].detail
    assert "download_evidence" not in {e.action for e in events}  # nothing was handed out
    notes = db.session.scalars(
        select(Notification).where(Notification.kind == "evidence_integrity_failed")
    ).all()
    assert [n.user_id for n in notes] == [supervisor.id]
    assert notes[0].case_id == case.id


def test_a_missing_blob_or_a_wrong_recorded_hash_serves_nothing(
    app: Flask, client: FlaskClient, lodge: Any, make_org: Any, make_user: Any
) -> None:
    lodged, _ = _accepted_case(client, lodge, make_org, make_user)
    evidence = case_by_reference(lodged.reference).evidence[0]
    evidence.sha256 = "0" * 64  # the blob decrypts, but it is not the file received
    db.session.commit()
    response = client.get(f"/cases/{lodged.reference}/evidence/{evidence.id}")
    assert response.status_code == 500 and PAYLOAD[8:4096] not in response.get_data()
    _blob_path(app, evidence.blob_id).unlink()
    response = client.get(f"/cases/{lodged.reference}/evidence/{evidence.id}")
    assert response.status_code == 500 and b"failed its integrity check" in response.get_data()
    details = [
        e.detail
        for e in db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "evidence_integrity_failed")
        )
    ]
    assert details == [f"evidence {evidence.id}: sha256", f"evidence {evidence.id}: missing"]
