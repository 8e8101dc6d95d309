"""The evidence stores and their cleanup (casework/storage/filesystem.py, s3.py, store.py,
temp_files.py, casework/services/evidence/cleanup.py, `flask evidence cleanup`).

A reader must never see half a blob, a crash must leave only leftovers that the cleanup finds
within minutes, and the cleanup must never delete evidence a case still refers to. The object
store runs against a local S3-compatible server (moto's, over HTTP, as production talks to
MinIO or AWS); tests/unit/test_object_store.py holds what only the object store does.
"""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from casework.extensions import db
from casework.models import Case, Evidence
from casework.services.evidence.cleanup import grace_period
from casework.services.evidence.operations import read_evidence
from casework.services.keys.case_keys import case_key
from casework.services.runtime import evidence_store
from casework.storage import BlobNotFound, EvidenceStore, FilesystemEvidenceStore, open_store
from casework.storage.s3 import S3EvidenceStore
from tests import samples


@pytest.fixture
def store(tmp_path: Path) -> FilesystemEvidenceStore:
    return FilesystemEvidenceStore(tmp_path / "evidence")


def write_temp(store: FilesystemEvidenceStore, data: bytes) -> Path:
    path, handle = store.temp_file()
    with handle:
        handle.write(data)
    return path


def blob_path(store: FilesystemEvidenceStore, blob_id: str) -> Path:
    return store.blobs / blob_id[:2] / blob_id


def age(path: Path, by: timedelta) -> None:
    """Make a file look as if it was last written `by` ago."""
    when = time.time() - by.total_seconds()
    os.utime(path, (when, when))


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# --- the store -----------------------------------------------------------------------------


def test_a_new_store_creates_private_folders(tmp_path: Path) -> None:
    store = FilesystemEvidenceStore(tmp_path / "a" / "evidence")
    for folder in (store.root, store.blobs, store.tmp):
        assert folder.is_dir()
        assert mode(folder) == 0o700


def test_temporary_files_are_private_and_unique(store: FilesystemEvidenceStore) -> None:
    paths = []
    for _ in range(5):
        path, handle = store.temp_file()
        handle.close()
        paths.append(path)
        assert path.parent == store.tmp
        assert path.suffix == ".part"
        assert mode(path) == 0o600
    assert len(set(paths)) == 5


def test_commit_moves_the_temp_file_into_blobs_atomically(store: FilesystemEvidenceStore) -> None:
    data = os.urandom(10_000)
    temp = write_temp(store, data)
    assert list(store.tmp.iterdir()) == [temp]
    assert [p for p in store.blobs.rglob("*") if p.is_file()] == []

    blob_id = store.commit(temp)

    assert len(blob_id) == 32 and all(c in "0123456789abcdef" for c in blob_id)
    assert not temp.exists()
    assert list(store.tmp.iterdir()) == []
    target = blob_path(store, blob_id)
    assert [p for p in store.blobs.rglob("*") if p.is_file()] == [target]
    assert mode(target) == 0o600
    assert mode(target.parent) == 0o700
    with store.open(blob_id) as handle:
        assert handle.read() == data


def test_every_commit_gets_a_fresh_blob_id(store: FilesystemEvidenceStore) -> None:
    ids = {store.commit(write_temp(store, b"same bytes")) for _ in range(20)}
    assert len(ids) == 20
    for blob_id in ids:
        with store.open(blob_id) as handle:
            assert handle.read() == b"same bytes"


def test_committing_a_vanished_temp_file_fails_and_creates_no_blob(
    store: FilesystemEvidenceStore,
) -> None:
    temp = write_temp(store, b"x")
    temp.unlink()
    with pytest.raises(FileNotFoundError):
        store.commit(temp)
    assert [p for p in store.blobs.rglob("*") if p.is_file()] == []


def test_a_deleted_blob_is_gone_and_deleting_again_is_harmless(
    store: FilesystemEvidenceStore,
) -> None:
    keep = store.commit(write_temp(store, b"keep"))
    gone = store.commit(write_temp(store, b"gone"))
    store.delete(gone)
    assert not blob_path(store, gone).exists()
    with pytest.raises(BlobNotFound):
        store.open(gone)
    store.delete(gone)
    with store.open(keep) as handle:
        assert handle.read() == b"keep"


def test_discarding_a_temp_file_removes_it_and_is_harmless_twice(
    store: FilesystemEvidenceStore,
) -> None:
    temp = write_temp(store, b"partial upload")
    store.discard_temp(temp)
    assert not temp.exists()
    store.discard_temp(temp)


@pytest.mark.parametrize(
    "blob_id",
    [
        "",
        "0" * 31,
        "0" * 33,
        "A" * 32,
        "../../../../../../../etc/passwd",
        "../tmp/" + "0" * 25,
        "0" * 30 + "/x",
        "g" * 32,
    ],
    ids=["empty", "short", "long", "upper-case", "traversal", "into-tmp", "slash", "not-hex"],
)
def test_only_well_formed_blob_ids_reach_the_filesystem(
    store: FilesystemEvidenceStore, blob_id: str
) -> None:
    with pytest.raises(BlobNotFound):
        store.open(blob_id)
    with pytest.raises(BlobNotFound):
        store.delete(blob_id)


def test_an_unknown_blob_is_not_found(store: FilesystemEvidenceStore) -> None:
    with pytest.raises(BlobNotFound):
        store.open("0123456789abcdef0123456789abcdef")


def test_blob_ids_lists_committed_blobs_with_their_age(store: FilesystemEvidenceStore) -> None:
    old = store.commit(write_temp(store, b"old"))
    new = store.commit(write_temp(store, b"new"))
    write_temp(store, b"in progress")  # temporary files are not blobs
    age(blob_path(store, old), timedelta(days=2))
    listed = dict(store.blob_ids())
    assert set(listed) == {old, new}
    now = datetime.now(UTC)
    assert listed[old].tzinfo is not None
    assert now - timedelta(days=2, minutes=1) < listed[old] < now - timedelta(days=1)
    assert now - listed[new] < timedelta(minutes=1)


def test_stale_temp_files_are_those_older_than_the_cutoff(store: FilesystemEvidenceStore) -> None:
    stale = write_temp(store, b"abandoned")
    fresh = write_temp(store, b"uploading")
    age(stale, timedelta(hours=3))
    cutoff = datetime.now(UTC) - timedelta(hours=1)
    assert list(store.stale_temp_files(cutoff)) == [stale]
    assert fresh.exists()


def test_open_store_reads_file_urls_and_paths(tmp_path: Path) -> None:
    instance = tmp_path / "instance"
    relative = open_store("evidence", str(instance))
    assert isinstance(relative, FilesystemEvidenceStore)
    assert relative.root == instance / "evidence"
    absolute = open_store(f"file://{tmp_path / 'elsewhere'}", str(instance))
    assert isinstance(absolute, FilesystemEvidenceStore)
    assert absolute.root == tmp_path / "elsewhere"
    plain = open_store(str(tmp_path / "plain"), str(instance))
    assert isinstance(plain, FilesystemEvidenceStore)
    assert plain.root == tmp_path / "plain"


def test_open_store_refuses_unknown_schemes(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="ftp"):
        open_store("ftp://server/evidence", str(tmp_path))
    with pytest.raises(ValueError, match="bucket"):
        open_store("s3:///evidence", str(tmp_path))


# --- cleanup -------------------------------------------------------------------------------


def _cleanup(runner: FlaskCliRunner, *args: str) -> str:
    db.session.rollback()
    result = runner.invoke(args=["evidence", "cleanup", *args])
    assert result.exit_code == 0, result.output
    assert result.exception is None
    return result.output.strip()


def _referenced_blobs() -> list[Evidence]:
    db.session.rollback()
    return list(db.session.scalars(select(Evidence).order_by(Evidence.id)))


def test_evidence_cleanup_reports_then_removes_orphans_and_stale_uploads_only(
    app: Flask, runner: FlaskCliRunner, lodge: Callable[..., Any]
) -> None:
    store = evidence_store()
    assert isinstance(store, FilesystemEvidenceStore)
    photo = samples.png() + os.urandom(300 * 1024)
    lodge(files=[("passport.png", samples.png()), ("contract.png", photo)])
    grace = grace_period()
    assert grace == timedelta(minutes=10)
    referenced = _referenced_blobs()
    assert len(referenced) == 2
    for row in referenced:
        age(blob_path(store, row.blob_id), grace * 10)  # old evidence is still evidence

    orphan = store.commit(write_temp(store, b"blob whose row never committed"))
    age(blob_path(store, orphan), grace + timedelta(minutes=5))
    young_orphan = store.commit(write_temp(store, b"row may still be committing"))
    stale_temp = write_temp(store, b"upload abandoned by a crash")
    age(stale_temp, grace + timedelta(minutes=5))
    fresh_temp = write_temp(store, b"upload still arriving")

    assert _cleanup(runner) == "found 1 orphan blob(s) and 1 stale temporary file(s)"
    assert blob_path(store, orphan).exists()
    assert stale_temp.exists()

    assert _cleanup(runner, "--remove") == "removed 1 orphan blob(s) and 1 stale temporary file(s)"
    assert not blob_path(store, orphan).exists()
    assert not stale_temp.exists()
    assert blob_path(store, young_orphan).exists()
    assert fresh_temp.exists()
    for row in referenced:
        assert blob_path(store, row.blob_id).exists()

    case = db.session.scalars(select(Case)).one()
    key = case_key(case)
    files = {row.sha256: b"".join(read_evidence(case, key, row)) for row in case.evidence}
    assert sorted(files.values()) == sorted([samples.png(), photo])

    assert _cleanup(runner) == "found 0 orphan blob(s) and 0 stale temporary file(s)"


def test_evidence_cleanup_never_removes_a_referenced_blob(
    app: Flask, runner: FlaskCliRunner, lodge: Callable[..., Any]
) -> None:
    store = evidence_store()
    assert isinstance(store, FilesystemEvidenceStore)
    for number in range(3):
        lodge(files=[(f"photo-{number}.png", samples.png() + os.urandom(number * 1000))])
    rows = _referenced_blobs()
    before = {row.blob_id: blob_path(store, row.blob_id).read_bytes() for row in rows}
    for row in rows:
        age(blob_path(store, row.blob_id), timedelta(days=365))

    assert _cleanup(runner, "--remove") == "removed 0 orphan blob(s) and 0 stale temporary file(s)"

    after = {path.name: path.read_bytes() for path in store.blobs.rglob("*") if path.is_file()}
    assert after == before


def test_evidence_cleanup_on_an_empty_store(app: Flask, runner: FlaskCliRunner) -> None:
    assert _cleanup(runner) == "found 0 orphan blob(s) and 0 stale temporary file(s)"
    assert _cleanup(runner, "--remove") == "removed 0 orphan blob(s) and 0 stale temporary file(s)"


# --- both stores: the filesystem and S3-compatible object storage --------------------------


@pytest.fixture(params=["file", "s3"])
def any_store(request: pytest.FixtureRequest, tmp_path: Path) -> EvidenceStore:
    if request.param == "file":
        return FilesystemEvidenceStore(tmp_path / "evidence")
    s3_server = request.getfixturevalue("s3_server")
    return S3EvidenceStore(s3_server.new_bucket(), "evidence", tmp_path / "evidence-tmp")


def write_any(store: EvidenceStore, data: bytes) -> Path:
    path, handle = store.temp_file()
    with handle:
        handle.write(data)
    return path


def temp_folder(store: EvidenceStore) -> Path:
    assert isinstance(store, FilesystemEvidenceStore | S3EvidenceStore)
    return store.tmp


def read_blob(store: EvidenceStore, blob_id: str) -> bytes:
    with store.open(blob_id) as handle:
        return handle.read()


def test_a_published_blob_reads_back_and_an_abandoned_one_is_gone(any_store: EvidenceStore) -> None:
    data = os.urandom(70_000)
    temp = write_any(any_store, data)
    kept = any_store.stage(temp)
    assert not temp.exists()  # staged: the local copy is gone
    any_store.publish(kept)
    any_store.publish(kept)  # idempotent: a cleanup may complete what the request did
    assert read_blob(any_store, kept) == data

    dropped = any_store.stage(write_any(any_store, b"the row never committed"))
    any_store.abandon(dropped)
    any_store.abandon(dropped)
    with pytest.raises(BlobNotFound):
        any_store.open(dropped)
    assert [blob for blob, _at in any_store.blob_ids()] == [kept]
    assert list(any_store.staged_blobs()) == []
    assert list(any_store.stale_temp_files(datetime.now(UTC))) == []


def test_every_blob_gets_a_fresh_id_and_deleting_twice_is_harmless(
    any_store: EvidenceStore,
) -> None:
    ids = [any_store.commit(write_any(any_store, b"same bytes")) for _ in range(4)]
    assert len(set(ids)) == 4
    assert all(read_blob(any_store, blob_id) == b"same bytes" for blob_id in ids)
    any_store.delete(ids[0])
    any_store.delete(ids[0])
    with pytest.raises(BlobNotFound):
        any_store.open(ids[0])
    assert sorted(blob for blob, _at in any_store.blob_ids()) == sorted(ids[1:])


@pytest.mark.parametrize("blob_id", ["", "0" * 31, "A" * 32, "../" + "0" * 29, "0" * 30 + "/x"])
def test_neither_store_accepts_a_malformed_blob_id(any_store: EvidenceStore, blob_id: str) -> None:
    for action in (any_store.open, any_store.delete, any_store.publish, any_store.abandon):
        with pytest.raises(BlobNotFound):
            action(blob_id)
    with pytest.raises(BlobNotFound):
        any_store.open("0123456789abcdef0123456789abcdef")


def test_a_temp_file_whose_writer_was_killed_is_stale_at_once(
    any_store: EvidenceStore, tmp_path: Path
) -> None:
    """kill -9 mid-upload: the next cleanup removes the file without waiting for it to age,
    while a young file of a live writer (this process) is left alone."""
    folder = temp_folder(any_store)
    child = subprocess.run(  # noqa: S603 - our interpreter, fixed code
        [
            sys.executable,
            "-c",
            "import os, signal, sys\n"
            "from pathlib import Path\n"
            "from casework.storage.temp_files import TempFolder\n"
            "path, handle = TempFolder(Path(sys.argv[1])).new_file()\n"
            "handle.write(b'encrypted bytes of an upload'); handle.flush()\n"
            "print(path.name, flush=True)\n"
            "os.kill(os.getpid(), signal.SIGKILL)\n",
            str(folder),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert child.returncode == -signal.SIGKILL
    orphaned = folder / child.stdout.strip()
    assert orphaned.exists()
    mine = write_any(any_store, b"still uploading")
    an_hour_ago = datetime.now(UTC) - timedelta(hours=1)
    assert list(any_store.stale_temp_files(an_hour_ago)) == [orphaned]
    assert set(any_store.stale_temp_files(datetime.now(UTC) + timedelta(seconds=5))) == {
        orphaned,
        mine,
    }


def test_a_temp_file_from_another_machine_is_judged_by_age_only(any_store: EvidenceStore) -> None:
    folder = temp_folder(any_store)
    other = folder / f"{'0' * 32}.{'f' * 12}.1-1.part"  # another node's writer, pid 1
    other.write_bytes(b"x")
    assert list(any_store.stale_temp_files(datetime.now(UTC) - timedelta(minutes=10))) == []
    age(other, timedelta(minutes=11))
    assert list(any_store.stale_temp_files(datetime.now(UTC) - timedelta(minutes=10))) == [other]


def test_a_working_store_passes_its_check_and_leaves_nothing(any_store: EvidenceStore) -> None:
    any_store.check()
    assert list(any_store.blob_ids()) == []
    assert list(any_store.stale_temp_files(datetime.now(UTC) + timedelta(days=1))) == []
