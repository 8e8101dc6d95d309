"""Encrypted spooling of uploads (casework/storage/spool.py, casework/upload_request.py).

A worker's evidence must never be on disk in plaintext, not even for the moment between the
upload arriving and the complaint being accepted: a seized or stolen server must reveal nothing.
The spool's own tests run against both stores: the filesystem and S3-compatible object storage
(a local S3 server, tests/s3_server.py), whose bucket must hold only ciphertext as well.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import werkzeug.formparser
import werkzeug.wrappers.request
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.test import stream_encode_multipart

from casework.crypto import StreamDecryptor, read_header
from casework.crypto.stream import MAGIC, MIN_CHUNK_SIZE
from casework.extensions import db
from casework.models import Case
from casework.services.evidence.operations import read_evidence
from casework.services.keys.case_keys import case_key
from casework.services.runtime import evidence_store
from casework.storage import EvidenceStore, FilesystemEvidenceStore
from casework.storage.s3 import S3EvidenceStore
from casework.storage.spool import HEAD_BYTES, EncryptedSpool, spool_bytes
from tests import samples
from tests.conftest import complaint_payload

CHUNK = MIN_CHUNK_SIZE
ODD_WRITES = [1, 999, CHUNK - 1, CHUNK + 1, 3 * CHUNK + 7, 13]


def new_marker() -> bytes:
    """A byte pattern that cannot occur by chance on disk."""
    return b"<<WORKER-EVIDENCE-" + os.urandom(12).hex().encode("ascii") + b">>"


def files_containing(needle: bytes, root: Path, modified_since_ns: int | None = None) -> list[Path]:
    """Regular files under `root` that contain `needle` (optionally only recently written ones)."""
    found = []
    for folder, _dirs, names in os.walk(root):
        for name in names:
            path = Path(folder) / name
            try:
                info = path.lstat()
                if not path.is_file() or path.is_symlink():
                    continue
                if modified_since_ns is not None and info.st_mtime_ns < modified_since_ns:
                    continue
                if needle in path.read_bytes():
                    found.append(path)
            except OSError:
                continue  # vanished, or not ours to read
    return found


def write_in_pieces(spool: EncryptedSpool, data: bytes, after_each: Callable[[], None]) -> None:
    position, turn = 0, 0
    while position < len(data):
        size = ODD_WRITES[turn % len(ODD_WRITES)]
        assert spool.write(data[position : position + size]) == len(
            data[position : position + size]
        )
        position += size
        turn += 1
        after_each()


@pytest.fixture(params=["file", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> EvidenceStore:
    if request.param == "file":
        return FilesystemEvidenceStore(tmp_path / "evidence")
    s3_server = request.getfixturevalue("s3_server")
    return S3EvidenceStore(s3_server.new_bucket(), "evidence", tmp_path / "evidence-tmp")


def local_root(store: EvidenceStore) -> Path:
    """Everything the store keeps on this machine."""
    if isinstance(store, FilesystemEvidenceStore):
        return store.root
    assert isinstance(store, S3EvidenceStore)
    return store.tmp


def private_folders(store: EvidenceStore) -> list[Path]:
    if isinstance(store, FilesystemEvidenceStore):
        return [store.root, store.blobs, store.tmp]
    assert isinstance(store, S3EvidenceStore)
    return [store.tmp]


def stored_blobs(store: EvidenceStore) -> list[str]:
    """Ids of every blob in the store, published or only staged."""
    return sorted([blob for blob, _ in store.blob_ids()] + [b for b, _ in store.staged_blobs()])


def stored_bytes(store: EvidenceStore) -> bytes:
    """Every published blob's bytes, as the store holds them (on S3: the objects)."""
    parts = []
    for blob_id, _at in store.blob_ids():
        with store.open(blob_id) as handle:
            parts.append(handle.read())
    return b"".join(parts)


@pytest.fixture
def spools(store: EvidenceStore) -> Iterator[Callable[..., EncryptedSpool]]:
    """Make spools; every one is discarded and closed at the end of the test."""
    made: list[EncryptedSpool] = []

    def make(max_bytes: int = 10 * 1024 * 1024, chunk_size: int = CHUNK) -> EncryptedSpool:
        spool = EncryptedSpool(store, max_bytes, chunk_size)
        made.append(spool)
        return spool

    yield make
    for spool in made:
        spool.discard()
        spool.close()


def app_store() -> FilesystemEvidenceStore:
    store = evidence_store()
    assert isinstance(store, FilesystemEvidenceStore)
    return store


def temp_names(store: EvidenceStore) -> list[str]:
    assert isinstance(store, FilesystemEvidenceStore | S3EvidenceStore)
    return sorted(path.name for path in store.tmp.iterdir())


# --- no plaintext on disk ------------------------------------------------------------------


def test_no_plaintext_evidence_reaches_the_disk_while_writing_or_after_sealing(
    store: EvidenceStore, spools: Callable[..., EncryptedSpool]
) -> None:
    marker = new_marker()
    data = marker * (12 * CHUNK // len(marker))  # a dozen chunks of recognisable plaintext
    spool = spools()

    def no_marker_on_disk() -> None:
        assert files_containing(marker, local_root(store)) == []

    write_in_pieces(spool, data, no_marker_on_disk)
    assert spool.temp_path is not None
    assert spool.temp_path.stat().st_size > 10 * CHUNK  # the chunks really were written out
    spool.seek(0)
    no_marker_on_disk()
    assert spool.read() == data
    no_marker_on_disk()
    blob_id = spool.commit()
    no_marker_on_disk()
    store.publish(blob_id)
    assert stored_blobs(store) == [blob_id]
    assert marker not in stored_bytes(store) and len(stored_bytes(store)) > len(data)
    with store.open(blob_id) as handle:
        assert b"".join(StreamDecryptor(spool.file_key, handle, spool.key_id)) == data


def test_a_spooled_upload_reads_back_as_the_plaintext(
    spools: Callable[..., EncryptedSpool],
) -> None:
    data = os.urandom(5 * CHUNK + 123)
    spool = spools()
    write_in_pieces(spool, data, lambda: None)
    assert spool.seek(0) == 0
    assert spool.size == len(data)
    assert spool.sha256 == hashlib.sha256(data).hexdigest()
    assert spool.head == data[:HEAD_BYTES]
    assert spool.read() == data
    assert spool.read() == b""


def test_a_spool_reads_back_in_pieces_and_rewinds(spools: Callable[..., EncryptedSpool]) -> None:
    data = os.urandom(3 * CHUNK + 5)
    spool = spools()
    spool.write(data)
    spool.seek(0)
    pieces = []
    for size in [0, 1, 10, CHUNK, CHUNK + 3, 2 * CHUNK]:
        pieces.append(spool.read(size))
    assert b"".join(pieces) == data
    spool.seek(0)
    buffer = bytearray(CHUNK + 11)
    assert spool.readinto(buffer) == len(buffer)
    assert bytes(buffer) == data[: len(buffer)]
    assert spool.read() == data[len(buffer) :]
    spool.seek(0)
    assert io.BufferedReader(spool).read() == data


def test_reading_a_spool_seals_it_first(spools: Callable[..., EncryptedSpool]) -> None:
    spool = spools()
    spool.write(b"a short statement")
    assert spool.writable()
    assert spool.read() == b"a short statement"
    assert not spool.writable()
    with pytest.raises(ValueError, match="sealed"):
        spool.write(b"more")


def test_a_spool_can_only_rewind(spools: Callable[..., EncryptedSpool]) -> None:
    spool = spools()
    spool.write(b"statement")
    for offset, whence in [(1, io.SEEK_SET), (0, io.SEEK_END), (0, io.SEEK_CUR)]:
        with pytest.raises(io.UnsupportedOperation):
            spool.seek(offset, whence)


def test_the_head_keeps_only_the_first_8_kib_for_sniffing(
    spools: Callable[..., EncryptedSpool],
) -> None:
    data = samples.png() + os.urandom(3 * HEAD_BYTES)
    spool = spools()
    for start in range(0, len(data), 1000):
        spool.write(data[start : start + 1000])
    assert spool.head == data[:HEAD_BYTES]


def test_an_empty_upload_spools_reads_and_commits(
    store: EvidenceStore, spools: Callable[..., EncryptedSpool]
) -> None:
    spool = spools()
    spool.seek(0)
    assert spool.size == 0
    assert spool.sha256 == hashlib.sha256(b"").hexdigest()
    assert spool.head == b""
    assert spool.read() == b""
    blob_id = spool.commit()
    store.publish(blob_id)
    with store.open(blob_id) as handle:
        assert b"".join(StreamDecryptor(spool.file_key, handle, spool.key_id)) == b""


def test_temporary_upload_files_are_private(
    store: EvidenceStore, spools: Callable[..., EncryptedSpool]
) -> None:
    spool = spools()
    assert spool.temp_path is not None
    assert spool.temp_path.parent == private_folders(store)[-1]
    assert spool.temp_path.stat().st_mode & 0o777 == 0o600
    for folder in private_folders(store):
        assert folder.stat().st_mode & 0o777 == 0o700


def test_every_upload_gets_its_own_file_key_and_key_id(
    spools: Callable[..., EncryptedSpool],
) -> None:
    first, second = spools(), spools()
    assert first.file_key != second.file_key
    assert first.key_id != second.key_id
    assert len(first.file_key) == 32 and len(first.key_id) == 16
    assert first.temp_path != second.temp_path


# --- oversize ------------------------------------------------------------------------------


def test_an_oversize_upload_is_marked_its_temp_file_removed_and_counting_continues(
    store: EvidenceStore, spools: Callable[..., EncryptedSpool]
) -> None:
    limit = 3 * CHUNK
    spool = spools(max_bytes=limit)
    spool.write(samples.png() + os.urandom(2 * CHUNK))
    assert not spool.oversize
    assert len(temp_names(store)) == 1

    spool.write(os.urandom(2 * CHUNK))  # crosses the limit
    assert spool.oversize
    assert spool.temp_path is None
    assert temp_names(store) == []
    assert spool.head == b""

    spool.write(os.urandom(10 * CHUNK))
    spool.write(b"x")
    expected = len(samples.png()) + 14 * CHUNK + 1
    assert spool.size == expected
    assert temp_names(store) == []
    spool.seek(0)
    assert not spool.readable()
    assert spool.read() == b""
    with pytest.raises(ValueError, match="nothing to commit"):
        spool.commit()
    assert stored_blobs(store) == []


def test_an_upload_of_exactly_the_limit_is_not_oversize(
    store: EvidenceStore, spools: Callable[..., EncryptedSpool]
) -> None:
    data = os.urandom(2 * CHUNK)
    spool = spools(max_bytes=len(data))
    spool.write(data)
    spool.seek(0)
    assert not spool.oversize
    assert spool.read() == data
    one_more = spools(max_bytes=len(data))
    one_more.write(data + b"!")
    assert one_more.oversize
    assert spool.temp_path is not None
    assert temp_names(store) == [spool.temp_path.name]


def test_an_oversize_first_write_stores_nothing(
    store: EvidenceStore, spools: Callable[..., EncryptedSpool]
) -> None:
    marker = new_marker()
    spool = spools(max_bytes=CHUNK)
    spool.write(marker * (4 * CHUNK // len(marker)))
    assert spool.oversize
    assert temp_names(store) == []
    assert files_containing(marker, local_root(store)) == []


# --- discard and commit --------------------------------------------------------------------


def test_discard_removes_the_temp_file_and_is_safe_twice(
    store: EvidenceStore, spools: Callable[..., EncryptedSpool]
) -> None:
    spool = spools()
    spool.write(os.urandom(2 * CHUNK))
    path = spool.temp_path
    assert path is not None and path.exists()
    spool.discard()
    assert not path.exists()
    assert spool.temp_path is None
    assert not spool.readable()
    spool.discard()
    assert temp_names(store) == []
    assert stored_blobs(store) == []


def test_commit_moves_the_encrypted_file_into_blobs(
    store: EvidenceStore, spools: Callable[..., EncryptedSpool]
) -> None:
    data = samples.png() + os.urandom(4 * CHUNK)
    spool = spools()
    spool.write(data)
    spool.seek(0)
    temp_path = spool.temp_path
    assert temp_path is not None
    encrypted = temp_path.read_bytes()

    blob_id = spool.commit()

    assert spool.committed
    assert spool.temp_path is None
    assert not temp_path.exists()
    assert temp_names(store) == []
    assert stored_blobs(store) == [blob_id]
    store.publish(blob_id)
    assert stored_bytes(store) == encrypted  # moved, not encrypted a second time
    assert encrypted.startswith(MAGIC)
    with store.open(blob_id) as handle:
        assert read_header(handle).key_id == spool.key_id
    with store.open(blob_id) as handle:
        assert b"".join(StreamDecryptor(spool.file_key, handle, spool.key_id)) == data
    spool.discard()  # a committed spool's discard never touches the blob
    assert stored_bytes(store) == encrypted


def test_commit_without_rewinding_seals_the_stream(
    store: EvidenceStore, spools: Callable[..., EncryptedSpool]
) -> None:
    data = os.urandom(CHUNK + 1)
    spool = spools()
    spool.write(data)
    blob_id = spool.commit()
    assert spool.sha256 == hashlib.sha256(data).hexdigest()
    store.publish(blob_id)
    with store.open(blob_id) as handle:
        assert b"".join(StreamDecryptor(spool.file_key, handle, spool.key_id)) == data


def test_spool_bytes_spools_in_memory_files_like_uploads(store: EvidenceStore) -> None:
    data = os.urandom(300 * 1024)
    spool = spool_bytes(store, data, max_bytes=len(data), chunk_size=CHUNK)
    try:
        assert spool.size == len(data)
        assert spool.sha256 == hashlib.sha256(data).hexdigest()
        assert spool.read() == data
    finally:
        spool.discard()
        spool.close()
    assert temp_names(store) == []


# --- through the web -----------------------------------------------------------------------


class TempFileGuard:
    """Records any use of Python's temporary files or Werkzeug's plaintext spooling."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch):
        self.calls: list[str] = []
        for module, name in [
            (tempfile, "TemporaryFile"),
            (tempfile, "NamedTemporaryFile"),
            (tempfile, "SpooledTemporaryFile"),
            (tempfile, "mkstemp"),
            (werkzeug.formparser, "SpooledTemporaryFile"),
            (werkzeug.formparser, "default_stream_factory"),
            (werkzeug.wrappers.request, "default_stream_factory"),
        ]:
            if hasattr(module, name):
                monkeypatch.setattr(module, name, self._recording(f"{module.__name__}.{name}"))

    def _recording(self, label: str) -> Callable[..., Any]:
        def refuse(*args: Any, **kwargs: Any) -> Any:
            self.calls.append(label)
            raise AssertionError(f"plaintext temporary file requested: {label}")

        return refuse


def _post_complaint(client: FlaskClient, data: bytes, **changes: Any) -> tuple[int, Any]:
    """POST a multipart complaint with one evidence file; returns (status, JSON body).

    The body is encoded in memory: given a dict, Werkzeug's test client would itself spool it
    (plaintext) to a temporary file, which is not what a phone does and which it leaks.
    """
    body, _length, boundary = stream_encode_multipart(
        {
            "complaint": json.dumps(complaint_payload(**changes)),
            "evidence": FileStorage(io.BytesIO(data), filename="x.png", content_type="image/png"),
        },
        use_tempfile=False,
    )
    response = client.post(
        "/api/v1/complaints",
        data=body.read(),
        content_type=f'multipart/form-data; boundary="{boundary}"',
    )
    try:
        return response.status_code, response.get_json()
    finally:
        response.close()


@pytest.fixture
def big_photo() -> tuple[bytes, bytes]:
    marker = new_marker()
    return marker, samples.png() + marker * (3 * 1024 * 1024 // len(marker))


def test_uploaded_evidence_is_never_on_disk_in_plaintext(
    app: Flask,
    client: FlaskClient,
    monkeypatch: pytest.MonkeyPatch,
    big_photo: tuple[bytes, bytes],
) -> None:
    marker, data = big_photo
    instance = Path(app.instance_path)
    system_temp = Path(tempfile.gettempdir())
    store = app_store()
    seen_while_uploading: list[Path] = []
    real_seal = EncryptedSpool.seal

    def seal_after_looking(spool: EncryptedSpool) -> None:
        # Werkzeug has written the whole part and now rewinds: the moment the most data is on
        # disk before anything is committed.
        if spool.writable():
            assert spool.temp_path is not None and spool.temp_path.exists()
            seen_while_uploading.extend(files_containing(marker, instance))
            seen_while_uploading.extend(files_containing(marker, system_temp, started))
        real_seal(spool)

    monkeypatch.setattr(EncryptedSpool, "seal", seal_after_looking)
    started = time.time_ns() - 2_000_000_000  # allow for coarse file timestamps
    guard = TempFileGuard(monkeypatch)

    status, body = _post_complaint(client, data)

    monkeypatch.undo()
    assert status == 201, body
    assert guard.calls == []
    assert seen_while_uploading == []
    assert files_containing(marker, instance) == []
    assert files_containing(marker, system_temp, started) == []
    assert list(store.tmp.iterdir()) == []

    # And the evidence arrived intact.
    db.session.rollback()
    case = db.session.scalars(select(Case).where(Case.reference == body["reference"])).one()
    (evidence,) = case.evidence
    assert evidence.size == len(data)
    assert evidence.sha256 == hashlib.sha256(data).hexdigest()
    assert evidence.media_type == "image/png"
    assert b"".join(read_evidence(case, case_key(case), evidence)) == data


def test_an_oversize_upload_is_refused_and_leaves_nothing_behind(
    app: Flask, client: FlaskClient, big_photo: tuple[bytes, bytes]
) -> None:
    marker, data = big_photo
    app.config["MAX_FILE_BYTES"] = 1024 * 1024
    store = app_store()
    status, body = _post_complaint(client, data)
    assert status == 413, body
    assert list(store.tmp.iterdir()) == []
    assert [p for p in store.blobs.rglob("*") if p.is_file()] == []
    assert files_containing(marker, Path(app.instance_path)) == []
    assert db.session.scalar(select(db.func.count(Case.id))) == 0


def test_a_rejected_complaint_leaves_no_temporary_upload(
    app: Flask, client: FlaskClient, big_photo: tuple[bytes, bytes]
) -> None:
    _marker, data = big_photo
    store = app_store()
    status, body = _post_complaint(client, data, origin_country="XX")
    assert status == 422, body
    assert list(store.tmp.iterdir()) == []
    assert [p for p in store.blobs.rglob("*") if p.is_file()] == []
