"""Evidence on S3-compatible object storage (casework/storage/s3.py, services/evidence/staged.py
and cleanup.py), against a local S3 server (moto's, over HTTP: tests/s3_server.py).

The promise: evidence is never half-stored. A blob larger than one part (a multipart upload)
exists as an object only once the row naming it has committed; a process killed in between
leaves an incomplete upload that the cleanup finds and removes (or, when the row did commit,
completes). A smaller blob is one PUT before the commit: a failed commit deletes it at once,
a killed process leaves an orphan the cleanup removes after its grace period. An unreachable or
misconfigured store is reported as unavailable, never as a half-stored complaint.

Tests of the multipart path set SINGLE_PUT_LIMIT to 0 rather than upload 8 MiB files.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from casework.extensions import db
from casework.models import Case, Evidence
from casework.models.columns import utcnow
from casework.services.evidence.cleanup import clean_evidence_store
from casework.services.evidence.held import hold_files
from casework.services.evidence.operations import EvidenceDamaged, open_verified_evidence
from casework.services.intake.web_form import lodge_form_complaint
from casework.services.keys.case_keys import case_key
from casework.services.runtime import evidence_store
from casework.storage import StoreUnavailable
from casework.storage.s3 import S3EvidenceStore
from casework.storage.spool import spool_bytes
from tests import samples
from tests.conftest import case_by_reference, complaint_payload, make_app, reset_schema
from tests.smtp_server import free_port

PHOTO = samples.png() + os.urandom(200 * 1024)
LATER = timedelta(minutes=11)  # past the cleanup's grace period


@pytest.fixture
def app(tmp_path: Path, s3_store_url: str) -> Iterator[Flask]:
    app = make_app(tmp_path, WTF_CSRF_ENABLED=False, REQUIRE_2FA=False, EVIDENCE_STORE=s3_store_url)
    reset_schema(app)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def multipart(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every blob through a multipart upload, however small."""
    monkeypatch.setattr("casework.storage.s3.SINGLE_PUT_LIMIT", 0)


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


def s3_store() -> S3EvidenceStore:
    store = evidence_store()
    assert isinstance(store, S3EvidenceStore)
    return store


def bucket_state(s3_server: Any) -> tuple[list[str], list[str]]:
    """(object keys, keys of incomplete uploads) in the app's bucket, evidence only."""
    store = s3_store()
    objects = [key for key in s3_server.objects(store.bucket) if "/blobs/" in key]
    return sorted(objects), s3_server.uploads(store.bucket)


def read_back(case: Case, evidence: Evidence) -> bytes:
    return b"".join(open_verified_evidence(case, case_key(case), evidence))


def cleanup(runner: FlaskCliRunner, *args: str) -> str:
    result = runner.invoke(args=["evidence", "cleanup", *args])
    assert result.exit_code == 0, result.output
    return result.output.strip()


@pytest.mark.usefixtures("multipart")
def test_a_multipart_object_appears_only_once_its_row_has_committed(
    app: Flask, s3_server: Any, lodge: Callable[..., Any]
) -> None:
    seen_before_commit: list[tuple[list[str], list[str]]] = []

    def look(session: Session) -> None:
        seen_before_commit.append(bucket_state(s3_server))

    event.listen(db.session, "before_commit", look)
    try:
        lodged = lodge(files=[("receipt.png", PHOTO)])
    finally:
        event.remove(db.session, "before_commit", look)

    case = case_by_reference(lodged.reference)
    (evidence,) = case.evidence
    key = s3_store().key(evidence.blob_id)
    assert seen_before_commit == [([], [key])]  # all parts uploaded, no object yet
    assert bucket_state(s3_server) == ([key], [])
    assert read_back(case, evidence) == PHOTO


def test_a_small_object_is_one_put_made_just_before_the_commit(
    app: Flask, s3_server: Any, lodge: Callable[..., Any]
) -> None:
    seen_before_commit: list[tuple[list[str], list[str]]] = []

    def look(session: Session) -> None:
        seen_before_commit.append(bucket_state(s3_server))

    event.listen(db.session, "before_commit", look)
    try:
        lodged = lodge(files=[("receipt.png", PHOTO)])
    finally:
        event.remove(db.session, "before_commit", look)

    case = case_by_reference(lodged.reference)
    (evidence,) = case.evidence
    key = s3_store().key(evidence.blob_id)
    assert seen_before_commit == [([key], [])]
    assert bucket_state(s3_server) == ([key], [])
    assert read_back(case, evidence) == PHOTO


@pytest.mark.parametrize("path", ["one PUT", "multipart"])
def test_a_complaint_that_fails_to_commit_leaves_nothing_in_the_bucket(
    app: Flask,
    s3_server: Any,
    lodge: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
    path: str,
) -> None:
    if path == "multipart":
        monkeypatch.setattr("casework.storage.s3.SINGLE_PUT_LIMIT", 0)

    def fail(case: Case) -> None:
        raise RuntimeError("routing failed")

    monkeypatch.setattr("casework.services.intake.operations.route_case", fail)
    with pytest.raises(RuntimeError):
        lodge(files=[("a.png", PHOTO), ("b.png", samples.png())])
    assert db.session.scalar(select(func.count(Case.id))) == 0
    assert bucket_state(s3_server) == ([], [])
    assert list(s3_store().tmp.iterdir()) == []


# A worker process lodging a complaint with two photos, killed (SIGKILL) just before its
# transaction commits: the first photo is in the bucket (one PUT, or a multipart upload left
# incomplete), the second is still a temporary file being written.
KILLED_WORKER = """
import os, signal, sys
from pathlib import Path
from sqlalchemy import event
import casework.storage.s3
from casework.extensions import db
from casework.services.intake.operations import lodge_complaint
from casework.services.runtime import evidence_store
from casework.storage.spool import EncryptedSpool, spool_bytes
from tests import samples
from tests.conftest import complaint_payload, make_app

casework.storage.s3.SINGLE_PUT_LIMIT = int(sys.argv[3])
app = make_app(Path(sys.argv[1]), EVIDENCE_STORE=sys.argv[2])
with app.app_context():
    arriving = EncryptedSpool(evidence_store(), 1 << 20, 4096)
    arriving.write(samples.png())
    arriving._file.flush()
    photo = spool_bytes(evidence_store(), samples.png() + os.urandom(100_000), 1 << 20, 4096)
    event.listen(db.session, "before_commit", lambda s: os.kill(os.getpid(), signal.SIGKILL))
    lodge_complaint(complaint_payload(), [("photo.png", photo)], source="api")
"""


@pytest.mark.parametrize("path", ["one PUT", "multipart"])
def test_a_worker_killed_mid_upload_leaves_leftovers_the_next_cleanup_removes(
    app: Flask,
    s3_server: Any,
    runner: FlaskCliRunner,
    lodge: Callable[..., Any],
    tmp_path: Path,
    path: str,
) -> None:
    kept = lodge(files=[("kept.png", PHOTO)])
    limit = 0 if path == "multipart" else 8 << 20
    child = subprocess.run(  # noqa: S603 - our interpreter, our code
        [
            sys.executable,
            "-c",
            KILLED_WORKER,
            str(tmp_path),
            app.config["EVIDENCE_STORE"],
            str(limit),
        ],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        check=False,
    )
    assert child.returncode == -signal.SIGKILL, child.stderr[-2000:]
    db.session.rollback()
    assert db.session.scalar(select(func.count(Case.id))) == 1  # only the earlier complaint
    objects, uploads = bucket_state(s3_server)
    if path == "multipart":
        assert len(objects) == 1 and len(uploads) == 1  # the staged photo: no object, no row
    else:
        assert len(objects) == 2 and uploads == []  # the photo's object, no row names it

    # The killed worker's temporary file goes at once, young as it is (its writer is gone);
    # the photo once it is older than the grace period.
    now = clean_evidence_store()
    assert now.stale_temp_files == 1 and now.orphan_blobs == [] and now.completed == []
    report = clean_evidence_store(now=utcnow() + LATER)
    app.config["EVIDENCE_CLEANUP_MINUTES"] = 0  # the CLI cannot travel in time
    if path == "multipart":
        assert len(report.abandoned) == 1 and uploads == [s3_store().key(report.abandoned[0])]
        assert cleanup(runner, "--remove") == (
            "removed 0 orphan blob(s) and 1 stale temporary file(s); 0 interrupted upload(s) of "
            "committed evidence completed, 1 abandoned upload(s) removed"
        )
    else:
        assert len(report.orphan_blobs) == 1 and s3_store().key(report.orphan_blobs[0]) in objects
        assert cleanup(runner, "--remove") == (
            "removed 1 orphan blob(s) and 1 stale temporary file(s)"
        )
    case = case_by_reference(kept.reference)
    assert bucket_state(s3_server) == ([s3_store().key(case.evidence[0].blob_id)], [])
    assert list(s3_store().tmp.iterdir()) == []
    assert read_back(case, case.evidence[0]) == PHOTO
    assert cleanup(runner) == "found 0 orphan blob(s) and 0 stale temporary file(s)"


@pytest.mark.usefixtures("multipart")
def test_a_blob_not_published_after_its_commit_is_completed_by_the_cleanup(
    app: Flask,
    s3_server: Any,
    runner: FlaskCliRunner,
    lodge: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def store_gone(self: S3EvidenceStore, blob_id: str) -> None:
        raise StoreUnavailable("object store: EndpointConnectionError")

    # The store went away (or the process died) right after the commit: the complaint is
    # received all the same (its row committed), and the blob waits for the cleanup.
    monkeypatch.setattr(S3EvidenceStore, "publish", store_gone)
    lodged = lodge(files=[("receipt.png", PHOTO)])
    monkeypatch.undo()
    case = case_by_reference(lodged.reference)
    (evidence,) = case.evidence
    with pytest.raises(EvidenceDamaged):  # committed, but not yet readable
        read_back(case, evidence)

    # However young, an upload a committed row names is completed, never aborted.
    assert cleanup(runner, "--remove") == (
        "removed 0 orphan blob(s) and 0 stale temporary file(s); 1 interrupted upload(s) of "
        "committed evidence completed, 0 abandoned upload(s) removed"
    )
    assert bucket_state(s3_server) == ([s3_store().key(evidence.blob_id)], [])
    assert read_back(case, evidence) == PHOTO


def test_the_cleanup_spares_evidence_young_leftovers_and_held_uploads(
    app: Flask, s3_server: Any, lodge: Callable[..., Any]
) -> None:
    lodged = lodge(files=[("receipt.png", PHOTO)])
    store = s3_store()
    spool = spool_bytes(store, b"orphan", 1024, 4096)
    assert spool.temp_path is not None
    orphan = store.commit(spool.temp_path)  # a blob whose row never committed
    spool.close()
    held, handle = store.temp_file()  # a file kept for a worker's form
    handle.close()
    stale, handle = store.temp_file()
    handle.close()

    young = clean_evidence_store(remove=True, keep={held.name})
    assert young.orphan_blobs == [] and young.stale_temp_files == 0  # its row may be coming
    later = clean_evidence_store(remove=True, keep={held.name}, now=utcnow() + LATER)
    assert later.orphan_blobs == [orphan] and later.stale_temp_files == 1
    assert held.exists() and not stale.exists()
    case = case_by_reference(lodged.reference)
    assert bucket_state(s3_server) == ([store.key(case.evidence[0].blob_id)], [])
    years = clean_evidence_store(now=utcnow() + timedelta(days=400), keep={held.name})
    assert years.orphan_blobs == [] and years.abandoned == []  # evidence is never a leftover
    assert read_back(case, case.evidence[0]) == PHOTO


# --- an unreachable or misconfigured store ------------------------------------------------


def test_an_unreachable_endpoint_is_unavailable_not_an_error(
    tmp_path: Path, s3_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{free_port()}")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    store = S3EvidenceStore("evidence", "cases", tmp_path / "tmp")
    with pytest.raises(StoreUnavailable, match="EndpointConnectionError"):
        store.check()
    temp, handle = store.temp_file()
    handle.write(b"encrypted upload")
    handle.close()
    with pytest.raises(StoreUnavailable):
        store.stage(temp)
    assert temp.exists()  # still the caller's to discard
    with pytest.raises(StoreUnavailable):
        store.open("0" * 32)
    with pytest.raises(StoreUnavailable):
        list(store.blob_ids())


def test_a_missing_bucket_is_unavailable_and_nothing_is_lodged(
    app: Flask, s3_server: Any, lodge: Callable[..., Any]
) -> None:
    store = s3_store()
    store.check()
    s3_server.client().delete_bucket(Bucket=store.bucket)
    with pytest.raises(StoreUnavailable, match="NoSuchBucket"):
        store.check()
    with pytest.raises(StoreUnavailable):
        lodge(files=[("receipt.png", PHOTO)])
    assert db.session.scalar(select(func.count(Case.id))) == 0
    assert list(store.tmp.iterdir()) == []


# --- files held for a worker's form, on several nodes -----------------------------------


def test_a_file_held_on_one_node_is_lodged_by_another(
    app: Flask, s3_server: Any, tmp_path: Path
) -> None:
    """The worker's next request may reach another app node: the held (encrypted) file is
    shared through the bucket, lodged from there, and every copy goes once it is lodged."""
    token, holder = "held-token-5e1f0c9a7b3d2e4f", "form-cookie-a1b2c3d4e5f6a7b8"
    photo = samples.png() + os.urandom(60_000)
    spool = spool_bytes(evidence_store(), photo, 1 << 20, 4096)
    assert hold_files(token, holder, [("receipt.png", spool)]) is None
    store = s3_store()
    (local,) = list(store.tmp.iterdir())
    assert [key.rsplit("/", 1)[-1] for key in s3_server.objects(store.bucket)] == [local.name]
    assert (
        photo[100:164]
        not in store.client.get_object(Bucket=store.bucket, Key=f"evidence/held/{local.name}")[
            "Body"
        ].read()
    )  # the shared copy is the encrypted temporary file, as it was

    other = make_app(
        tmp_path / "node-2",
        EVIDENCE_STORE=app.config["EVIDENCE_STORE"],
        SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
    )
    with other.app_context():
        lodged = lodge_form_complaint(complaint_payload(), token, holder, unusual_confirmed=True)
        case = case_by_reference(lodged.reference)
        (evidence,) = case.evidence
        assert read_back(case, evidence) == photo
        assert list(s3_store().tmp.iterdir()) == []
        db.session.remove()
        db.engine.dispose()  # the second node's connections end with it
    assert [key for key in s3_server.objects(store.bucket) if "/held/" in key] == []
    # The first node's own copy is no longer held: its next cleanup removes it.
    assert clean_evidence_store(remove=True, now=utcnow() + LATER).stale_temp_files == 1
    assert list(store.tmp.iterdir()) == []


def test_the_cleanup_removes_shared_copies_whose_hold_has_ended(app: Flask, s3_server: Any) -> None:
    token, holder = "held-token-9a8b7c6d5e4f3a2b", "form-cookie-0f1e2d3c4b5a6978"
    spool = spool_bytes(evidence_store(), samples.png(), 1 << 20, 4096)
    assert hold_files(token, holder, [("receipt.png", spool)]) is None
    store = s3_store()
    assert clean_evidence_store(remove=True, now=utcnow() + LATER).stale_temp_files == 0
    assert len([key for key in s3_server.objects(store.bucket) if "/held/" in key]) == 1
    later = utcnow() + timedelta(days=2)
    with time_machine.travel(later, tick=False):
        clean_evidence_store(remove=True)  # the hold expired: row, file and copy go
    assert [key for key in s3_server.objects(store.bucket) if "/held/" in key] == []
    assert list(store.tmp.iterdir()) == []
