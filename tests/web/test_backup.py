"""Backups that restore (issue 15): `backup create` then `backup restore` into a fresh instance
(new database, new evidence folder) with the separately kept key ring copied over; every case's
identity, story, messages and files read back. A damaged backup, a missing key ring and a
non-empty instance are refused with nothing restored. Runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import hashlib
import io
import json
import os
import secrets
import shutil
import stat
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.engine import make_url

from casework.extensions import db
from casework.models import Assignment
from tests import samples
from tests.conftest import ON_POSTGRES, POSTGRES_URL, case_by_reference, complaint_payload, login
from tests.conftest import make_app as build_app

PHOTO = b"\x89PNG\r\n\x1a\n" + os.urandom(300_000)  # two chunks of encrypted evidence
STORIES = ["Agent kept my passport.", "Charged 150000 rupees.", "Wages withheld for months."]


def _lodge(client: FlaskClient, story: str, files: list[tuple[bytes, str]], **changes: Any) -> Any:
    data: dict[str, Any] = {
        "complaint": json.dumps(complaint_payload(narrative=story, language="en", **changes)),
        "evidence": [(io.BytesIO(content), name) for content, name in files],
    }
    response = client.post("/api/v1/complaints", data=data, content_type="multipart/form-data")
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


@pytest.fixture
def source(app: Flask, client: FlaskClient, make_org: Any, make_user: Any) -> dict[str, Any]:
    """Three complaints (one anonymous) with files and a worker's message, accepted by a
    caseworker: what a backup must bring back."""
    org = make_org("gefont", ["NP"], ["ne", "en"])
    caseworker = make_user(org, languages=["ne", "en"])
    files = [
        [(PHOTO, "passport.png"), (samples.ogg_opus_voice_note(), "voice.ogg")],
        [(samples.pdf(), "receipt.pdf")],
        [],
    ]
    lodged = [
        _lodge(client, STORIES[0], files[0]),
        _lodge(client, STORIES[1], files[1], contact=None),
        _lodge(client, STORIES[2], files[2]),
    ]
    headers = {"X-Complaint-Secret": lodged[0]["secret"]}
    message = f"/api/v1/complaints/{lodged[0]['reference']}/messages"
    assert client.post(message, json={"message": "Any news?"}, headers=headers).status_code == 201
    login(client, caseworker)
    for offer in db.session.scalars(select(Assignment).where(Assignment.user_id == caseworker.id)):
        reference = offer.case.reference
        client.post(f"/cases/{reference}/accept", data={"assignment_id": offer.id})
    digests = {
        item["reference"]: sorted(hashlib.sha256(content).hexdigest() for content, _ in group)
        for item, group in zip(lodged, files, strict=True)
    }
    return {"caseworker": caseworker.email, "lodged": lodged, "digests": digests}


@pytest.fixture
def fresh_database(tmp_path: Path) -> Iterator[str]:
    """An empty database for the restored instance: a new SQLite file, or a new PostgreSQL
    database in the suite's cluster."""
    if not ON_POSTGRES:
        yield f"sqlite:///{tmp_path / 'restored.db'}"
        return
    name = f"restore_{secrets.token_hex(4)}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _backup(app: Flask, folder: Path) -> Path:
    result = app.test_cli_runner().invoke(args=["backup", "create", str(folder)])
    assert result.exit_code == 0, result.output
    assert "key ring is NOT in it" in result.output
    return folder


def _fresh_instance(
    tmp_path: Path, database: str, keys_from: Flask | None, **overrides: Any
) -> Flask:
    """A new instance folder (new evidence store) on `database`; with `keys_from`, the key
    folder (ring, pepper) copied from where it is kept, as an operator restores it first."""
    instance = tmp_path / "restored" / "instance"
    if keys_from is not None:
        shutil.copytree(keys_from.config["KEYS_PATH"], instance / "keys")
    return build_app(
        tmp_path / "restored",
        SQLALCHEMY_DATABASE_URI=database,
        WTF_CSRF_ENABLED=False,
        REQUIRE_2FA=False,
        **overrides,
    )


def _restore(target: Flask, folder: Path) -> Any:
    """`flask backup restore` as run on the target instance (the CLI uses the app whose
    context is current, so the target's is pushed over the source's)."""
    with target.app_context():
        return target.test_cli_runner().invoke(args=["backup", "restore", str(folder)])


def _tables(target: Flask) -> list[str]:
    with target.app_context():
        db.engine.dispose()
        with db.engine.connect() as conn:
            return inspect(conn).get_table_names()


def test_backup_is_private_checksummed_and_holds_no_key_ring(
    app: Flask, source: dict[str, Any], tmp_path: Path
) -> None:
    folder = _backup(app, tmp_path / "backup")
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    files = [p for p in folder.rglob("*") if p.is_file()]
    assert files and all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in files)
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["counts"]["cases"] == 3 and manifest["counts"]["evidence"] == 3
    assert "NOT in this backup" in manifest["not_included"]["key_ring"]
    for name, entry in manifest["files"].items():
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == entry["sha256"]
    ring = (Path(app.config["KEYS_PATH"]) / "keyring.json").read_text()
    key_material = [key for key in json.loads(ring)["keys"].values()]
    everything = b"".join(p.read_bytes() for p in files)
    assert all(str(key).encode() not in everything for key in key_material)
    # Never over existing files.
    again = app.test_cli_runner().invoke(args=["backup", "create", str(folder)])
    assert again.exit_code != 0 and "not an empty folder" in again.output


def test_restored_instance_reads_every_case_and_file(
    app: Flask, source: dict[str, Any], tmp_path: Path, fresh_database: str
) -> None:
    folder = _backup(app, tmp_path / "backup")
    target = _fresh_instance(tmp_path, fresh_database, keys_from=app)
    assert Path(target.instance_path) != Path(app.instance_path)
    with target.app_context():
        result = _restore(target, folder)
        assert result.exit_code == 0, result.output
        assert "restored 3 case(s) and 3 evidence file(s)" in result.output
        staff = target.test_client()
        login(staff, SimpleNamespace(email=source["caseworker"]))
        for item, story in zip(source["lodged"], STORIES, strict=True):
            reference = item["reference"]
            page = staff.post(f"/cases/{reference}/identity").get_data(as_text=True)
            assert story in page
            if reference != source["lodged"][1]["reference"]:  # the anonymous one has none
                assert "Ram Bahadur Test" in page
            digests = []
            for evidence in case_by_reference(reference).evidence:
                download = staff.get(f"/cases/{reference}/evidence/{evidence.id}")
                assert download.status_code == 200
                digests.append(hashlib.sha256(download.data).hexdigest())
            assert sorted(digests) == source["digests"][reference]
        # The worker still follows up with the same secret (the pepper came with the ring).
        first = source["lodged"][0]
        status = target.test_client().get(
            f"/api/v1/complaints/{first['reference']}",
            headers={"X-Complaint-Secret": first["secret"]},
        )
        assert status.status_code == 200
        assert status.get_json()["messages"][0]["text"] == "Any news?"
        db.session.remove()
        db.engine.dispose()


def test_damaged_backup_missing_key_ring_and_full_instance_are_refused(
    app: Flask, source: dict[str, Any], tmp_path: Path, fresh_database: str
) -> None:
    folder = _backup(app, tmp_path / "backup")
    into_itself = _restore(app, folder)
    assert into_itself.exit_code != 0 and "EMPTY instance" in into_itself.output

    target = _fresh_instance(tmp_path, fresh_database, keys_from=None)  # no key ring copied
    blob = next((folder / "blobs").iterdir())
    original = blob.read_bytes()
    blob.write_bytes(original[:-1] + bytes([original[-1] ^ 1]))
    tampered = _restore(target, folder)
    assert tampered.exit_code != 0
    assert f"blobs/{blob.name} does not match its checksum" in tampered.output
    assert _tables(target) == []

    blob.write_bytes(original)
    manifest_path = folder / "manifest.json"
    kept = manifest_path.read_text()
    newer = json.loads(kept)
    newer["database"]["schema_revision"] = "9999_from_the_future"
    manifest_path.write_text(json.dumps(newer))
    from_newer_code = _restore(target, folder)
    assert from_newer_code.exit_code != 0 and "newer than this code knows" in from_newer_code.output
    manifest_path.write_text(kept)

    without_keys = _restore(target, folder)
    assert without_keys.exit_code != 0
    assert "lacks master key(s)" in without_keys.output
    assert "key ring: it is kept separately" in " ".join(without_keys.output.split())
    assert _tables(target) == []
    with target.app_context():
        db.session.remove()
        db.engine.dispose()


def test_backup_and_restore_go_through_an_object_store_too(
    app: Flask, source: dict[str, Any], tmp_path: Path, fresh_database: str, s3_store_url: str
) -> None:
    """Restore into an instance whose evidence is in S3 (the suite's local S3 server), then
    back that instance up: the same encrypted bytes come out as went in."""
    first = _backup(app, tmp_path / "backup")
    target = _fresh_instance(tmp_path, fresh_database, keys_from=app, EVIDENCE_STORE=s3_store_url)
    assert _restore(target, first).exit_code == 0
    with target.app_context():
        staff = target.test_client()
        login(staff, SimpleNamespace(email=source["caseworker"]))
        reference = source["lodged"][0]["reference"]
        digests = [
            hashlib.sha256(staff.get(f"/cases/{reference}/evidence/{item.id}").data).hexdigest()
            for item in case_by_reference(reference).evidence
        ]
        assert sorted(digests) == source["digests"][reference]
        second = _backup(target, tmp_path / "again")
        db.session.remove()
        db.engine.dispose()

    def blob_sums(folder: Path) -> list[str]:
        files = json.loads((folder / "manifest.json").read_text())["files"]
        return sorted(entry["sha256"] for name, entry in files.items() if name.startswith("blobs/"))

    assert blob_sums(first) == blob_sums(second) and len(blob_sums(first)) == 3
