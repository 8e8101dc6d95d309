"""A stored evidence file altered anywhere — even in its last chunk — is never served in part: the
caseworker gets a clear integrity page, the failure lands on the audit trail and the case's
supervisors are told. Every test runs on both stores: the filesystem and S3-compatible object
storage (a local S3 server, tests/s3_server.py), where the bucket must hold only ciphertext."""

from __future__ import annotations

import io
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.test import stream_encode_multipart

from casework.extensions import db
from casework.models import Assignment, AuditEvent, Notification
from casework.services.runtime import evidence_store
from casework.storage import FilesystemEvidenceStore
from casework.storage.s3 import S3EvidenceStore
from tests import samples
from tests.conftest import case_by_reference, complaint_payload, login, make_app, reset_schema

# A PNG signature, then random bytes: several 256 KiB chunks with nothing repetitive in them.
PAYLOAD = b"\x89PNG\r\n\x1a\n" + os.urandom(700_000)


@pytest.fixture(params=["file", "s3"])
def app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Flask]:
    store: dict[str, Any] = {}
    if request.param == "s3":
        store["EVIDENCE_STORE"] = request.getfixturevalue("s3_store_url")
    app = make_app(tmp_path, WTF_CSRF_ENABLED=False, REQUIRE_2FA=False, **store)
    reset_schema(app)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def _blob_path(app: Flask, blob_id: str) -> Path:
    found = [p for p in Path(app.instance_path).rglob("*") if p.is_file() and blob_id in p.name]
    assert len(found) == 1, found
    return found[0]


def _read_blob(app: Flask, blob_id: str) -> bytes:
    """The blob's bytes as stored (a file, or an object read straight from the bucket)."""
    store = evidence_store()
    if isinstance(store, S3EvidenceStore):
        body = store.client.get_object(Bucket=store.bucket, Key=store.key(blob_id))["Body"]
        with body:
            return bytes(body.read())
    return _blob_path(app, blob_id).read_bytes()


def _write_blob(app: Flask, blob_id: str, data: bytes) -> None:
    store = evidence_store()
    if isinstance(store, S3EvidenceStore):
        store.client.put_object(Bucket=store.bucket, Key=store.key(blob_id), Body=data)
    else:
        _blob_path(app, blob_id).write_bytes(data)


def _remove_blob(app: Flask, blob_id: str) -> None:
    store = evidence_store()
    if isinstance(store, S3EvidenceStore):
        store.client.delete_object(Bucket=store.bucket, Key=store.key(blob_id))
    else:
        _blob_path(app, blob_id).unlink()


def _everything_stored(app: Flask) -> list[bytes]:
    """Every file under the instance folder and, on object storage, every object in the
    bucket and every part of an unfinished upload: all a thief of the servers would get."""
    found = [p.read_bytes() for p in Path(app.instance_path).rglob("*") if p.is_file()]
    store = evidence_store()
    if isinstance(store, S3EvidenceStore):
        client = store.client
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=store.bucket):
            for item in page.get("Contents", []):
                with client.get_object(Bucket=store.bucket, Key=item["Key"])["Body"] as body:
                    found.append(bytes(body.read()))
        uploads = client.list_multipart_uploads(Bucket=store.bucket).get("Uploads", [])
        assert uploads == []  # nothing left half-written either
    else:
        assert isinstance(store, FilesystemEvidenceStore)
    return found


def _accept(client: FlaskClient, reference: str, caseworker: Any) -> None:
    login(client, caseworker)
    offer = db.session.scalars(select(Assignment).where(Assignment.user_id == caseworker.id)).one()
    client.post(f"/cases/{reference}/accept", data={"assignment_id": offer.id})


def _accepted_case(client: FlaskClient, lodge: Any, make_org: Any, make_user: Any) -> Any:
    gefont = make_org("gefont", ["NP"], ["ne", "en"])
    caseworker = make_user(gefont, languages=["ne", "en"])
    supervisor = make_user(gefont, role="supervisor", languages=["en"])
    lodged = lodge(files=[("receipt.png", PAYLOAD)], language="en")
    _accept(client, lodged.reference, caseworker)
    return lodged, supervisor


def test_a_photo_sent_through_the_api_is_stored_as_ciphertext_and_downloaded_whole(
    app: Flask, client: FlaskClient, make_org: Any, make_user: Any
) -> None:
    marker = b"<<PHOTO-" + os.urandom(8).hex().encode() + b">>"
    photo = samples.png() + marker * (600_000 // len(marker))
    body, _length, boundary = stream_encode_multipart(
        {
            "complaint": json.dumps(complaint_payload(language="en")),
            "evidence": FileStorage(io.BytesIO(photo), filename="id.png", content_type="image/png"),
        },
        use_tempfile=False,
    )
    gefont = make_org("gefont", ["NP"], ["ne", "en"])
    caseworker = make_user(gefont, languages=["ne", "en"])
    answer = client.post(
        "/api/v1/complaints",
        data=body.read(),
        content_type=f'multipart/form-data; boundary="{boundary}"',
    )
    assert answer.status_code == 201, answer.get_data(as_text=True)
    reference = answer.get_json()["reference"]

    stored = _everything_stored(app)
    assert not any(marker in data for data in stored)
    evidence = case_by_reference(reference).evidence[0]
    assert b"CWEV" == _read_blob(app, evidence.blob_id)[:4]  # the evidence blob format
    _accept(client, reference, caseworker)
    response = client.get(f"/cases/{reference}/evidence/{evidence.id}")
    assert response.status_code == 200
    assert response.data == photo


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
    blob = bytearray(_read_blob(app, evidence.blob_id))
    assert len(blob) > 2 * 256 * 1024  # three chunks of 256 KiB: the flip is in the last one
    blob[-20] ^= 0x01  # inside the last chunk's ciphertext
    _write_blob(app, evidence.blob_id, bytes(blob))

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
    _remove_blob(app, evidence.blob_id)
    response = client.get(f"/cases/{lodged.reference}/evidence/{evidence.id}")
    assert response.status_code == 500 and b"failed its integrity check" in response.get_data()
    details = [
        e.detail
        for e in db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "evidence_integrity_failed")
        )
    ]
    assert details == [f"evidence {evidence.id}: sha256", f"evidence {evidence.id}: missing"]
