"""Evidence: checking uploaded files, storing them under the case key, reading them back."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from typing import BinaryIO, Protocol

from flask_babel import lazy_gettext as _l

from casework.crypto import DecryptionError, decrypt_blob, unwrap_key, wrap_key
from casework.models import Case, Evidence
from casework.services.errors import DomainError, EvidenceRejected
from casework.services.evidence.media_types import sniff_media_type
from casework.services.evidence.staged import abandon_now, publish_on_commit
from casework.services.keys.case_keys import open_text, seal_text
from casework.services.runtime import evidence_store
from casework.storage import BlobNotFound

MAX_FILES_PER_SUBMISSION = 20


class IncomingFile(Protocol):
    """An uploaded file, already encrypted on disk with its own key (see storage/spool.py)."""

    file_key: bytes
    key_id: bytes
    size: int
    sha256: str
    oversize: bool
    max_bytes: int

    @property
    def head(self) -> bytes: ...

    def commit(self) -> str: ...

    def discard(self) -> None: ...


class FileUpload(Protocol):
    filename: str | None
    stream: IncomingFile


def check_files(files: Sequence[IncomingFile]) -> list[str]:
    """Sniff every file; raise `EvidenceRejected` (413/415) for the first one refused."""
    if len(files) > MAX_FILES_PER_SUBMISSION:
        raise EvidenceRejected(
            413,
            str(
                _l("Please send at most %(count)s files at a time.", count=MAX_FILES_PER_SUBMISSION)
            ),
            MAX_FILES_PER_SUBMISSION,
        )
    media_types = []
    for position, incoming in enumerate(files):
        if incoming.oversize:
            raise EvidenceRejected(
                413,
                str(
                    _l(
                        "File %(number)s is too large. Each file can be at most %(limit)s MB.",
                        number=position + 1,
                        limit=incoming.max_bytes // (1024 * 1024),
                    )
                ),
                position,
            )
        media_type = sniff_media_type(incoming.head)
        if media_type is None:
            raise EvidenceRejected(
                415,
                str(
                    _l(
                        "File %(number)s is not a type we accept. Please send photos, PDF "
                        "documents, voice notes or audio, short videos or text.",
                        number=position + 1,
                    )
                ),
                position,
            )
        media_types.append(media_type)
    return media_types


def _file_key_aad(case: Case, key_id_hex: str) -> bytes:
    return f"file-key:{case.reference}:{key_id_hex}".encode()


def store_files(
    case: Case,
    key: bytes,
    uploads: Sequence[tuple[str, IncomingFile]],
    media_types: Sequence[str],
    uploaded_by: str,
) -> list[Evidence]:
    """Stage checked files in the store and describe them on the case (not yet flushed).

    The encrypted blobs are staged before the database rows exist; they are published when
    the session commits and abandoned when it rolls back (`staged.py`), so callers only
    commit or roll back as they always do. A crash in between leaves a staged blob that the
    cleanup completes if its row committed and removes otherwise.
    """
    rows: list[Evidence] = []
    for (filename, incoming), media_type in zip(uploads, media_types, strict=True):
        key_id_hex = incoming.key_id.hex()
        try:
            blob_id = incoming.commit()
        except Exception:
            discard_blobs(rows)  # the files staged before this one
            raise
        publish_on_commit(blob_id)
        evidence = Evidence(
            blob_id=blob_id,
            file_key_id=key_id_hex,
            wrapped_file_key=wrap_key(key, incoming.file_key, _file_key_aad(case, key_id_hex)),
            filename_sealed=seal_text(key, case, f"evidence-name:{key_id_hex}", filename or ""),
            media_type=media_type,
            size=incoming.size,
            sha256=incoming.sha256,
            uploaded_by=uploaded_by,
        )
        case.evidence.append(evidence)
        rows.append(evidence)
    return rows


def discard_blobs(rows: Sequence[Evidence]) -> None:
    """Abandon the staged blobs of rows that will not be committed. Never raises: a blob the
    store cannot remove now is an orphan that the cleanup removes later."""
    abandon_now([row.blob_id for row in rows])


def evidence_filename(case: Case, key: bytes, evidence: Evidence) -> str:
    return open_text(key, case, f"evidence-name:{evidence.file_key_id}", evidence.filename_sealed)


def read_evidence(case: Case, key: bytes, evidence: Evidence) -> Iterator[bytes]:
    """The decrypted file, chunk by chunk; raises `DecryptionError` if the blob was altered.
    Only for callers that verified the blob first (`open_verified_evidence`) or that never
    hand the bytes to anyone before the last chunk is checked."""
    file_key = unwrap_key(key, evidence.wrapped_file_key, _file_key_aad(case, evidence.file_key_id))
    handle = evidence_store().open(evidence.blob_id)
    try:
        yield from decrypt_blob(file_key, handle, bytes.fromhex(evidence.file_key_id))
    finally:
        handle.close()


class EvidenceDamaged(DomainError):
    """A stored evidence file is missing, fails authentication or does not match the SHA-256
    recorded at upload: nothing of it may be served."""

    def __init__(self, evidence_id: int, reason: str):
        super().__init__(f"evidence {evidence_id}: {reason}")
        self.evidence_id = evidence_id
        self.reason = reason  # a short, content-free word for the audit trail and the log


def _verify_blob(file_key: bytes, handle: BinaryIO, evidence: Evidence) -> None:
    """Decrypt the whole blob once, keeping nothing: every chunk's tag, the final-chunk mark and
    the recorded SHA-256 of the plaintext are checked."""
    digest = hashlib.sha256()
    try:
        for chunk in decrypt_blob(file_key, handle, bytes.fromhex(evidence.file_key_id)):
            digest.update(chunk)
    except DecryptionError as exc:
        raise EvidenceDamaged(evidence.id, "authentication") from exc
    if digest.hexdigest() != evidence.sha256:
        raise EvidenceDamaged(evidence.id, "sha256")


def open_verified_evidence(case: Case, key: bytes, evidence: Evidence) -> Iterator[bytes]:
    """The decrypted file, chunk by chunk, from a blob verified in full *before* this returns:
    a blob that is missing, altered anywhere (even in its last chunk) or not the file recorded
    at upload raises `EvidenceDamaged` here, before a single plaintext byte exists for the
    caller. The bytes then sent are decrypted again from the same open file (on the
    filesystem store a blob replaced meanwhile is not read) and still checked chunk by chunk,
    so a change between the two passes cuts the stream rather than serving other bytes."""
    file_key = unwrap_key(key, evidence.wrapped_file_key, _file_key_aad(case, evidence.file_key_id))
    store = evidence_store()
    try:
        handle = store.open(evidence.blob_id)
    except BlobNotFound as exc:
        raise EvidenceDamaged(evidence.id, "missing") from exc
    try:
        _verify_blob(file_key, handle, evidence)
        if handle.seekable():
            handle.seek(0)
        else:  # an object store's body: read it again
            handle.close()
            handle = store.open(evidence.blob_id)
    except BaseException:
        handle.close()
        raise
    return _stream(file_key, handle, evidence)


def _stream(file_key: bytes, handle: BinaryIO, evidence: Evidence) -> Iterator[bytes]:
    try:
        yield from decrypt_blob(file_key, handle, bytes.fromhex(evidence.file_key_id))
    finally:
        handle.close()
