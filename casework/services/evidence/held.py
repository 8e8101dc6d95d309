"""Files chosen on the complaint form, held while the form is shown again.

When another field has an error, the worker's files are already encrypted in the store's
temporary folder (storage/spool.py). Instead of discarding them, we keep the temporary file and
record it here against the form's submission token, for `HOLD_FOR`. The form then lists them
(with a remove button) and the final send lodges them with any newly chosen files.

Why this key: the file key is wrapped, and the original filename sealed, under a key derived
from the form's random submission token (a hidden field, at least 128 bits; the database keeps
only its SHA-256) and the browser's form cookie — the same pair that seals the receipt's secret
(intake/submissions.py). So a stolen database, evidence store and key ring together cannot open
a held file, and a held file can only be listed, removed or claimed by a request that carries
the token it was held under (rows are looked up by the token's hash) and the cookie (without it
the key does not unwrap). The page never sees a temporary file's name, only a random handle.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from casework.crypto import DecryptionError, derive_key, open_sealed, seal, unwrap_key, wrap_key
from casework.extensions import db
from casework.models import HeldUpload
from casework.models.columns import utcnow
from casework.services.errors import EvidenceRejected
from casework.services.evidence.operations import (
    MAX_FILES_PER_SUBMISSION,
    IncomingFile,
    check_files,
)
from casework.services.runtime import evidence_store
from casework.storage.spool import (
    EncryptedSpool,
    HeldSpool,
    find_temp_file,
    hold_spool,
    release_temp_file,
)

HOLD_FOR = timedelta(hours=24)  # as long as the step-by-step form keeps its draft
MAX_FILENAME = 200


@dataclass(frozen=True)
class HeldFile:
    """A held file as the form lists it."""

    handle: str
    filename: str
    size: int
    media_type: str


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _key(token: str, holder: str) -> bytes:
    return derive_key(
        token.encode("utf-8") + b"\x00" + holder.encode("utf-8"), b"casework.held-upload"
    )


def _aad(row: HeldUpload, what: str) -> bytes:
    return f"held:{what}:{row.temp_name}:{row.key_id}".encode("ascii")


def _rows(token: str) -> list[HeldUpload]:
    return list(
        db.session.scalars(
            select(HeldUpload)
            .where(HeldUpload.token_hash == _hash(token), HeldUpload.expires_at > utcnow())
            .order_by(HeldUpload.id)
        )
    )


def _filename(key: bytes, row: HeldUpload) -> str | None:
    try:
        return open_sealed(key, row.filename_sealed, _aad(row, "name")).decode("utf-8")
    except DecryptionError:
        return None  # held by another browser


def hold_files(
    token: str, holder: str, uploads: Sequence[tuple[str, IncomingFile]]
) -> EvidenceRejected | None:
    """Hold every acceptable file of this request under `token`; commits.

    Files are checked as lodging would check them (type, size, how many with those already
    held); a file whose content is already held is not held twice. A refused file is not held (nothing of it is kept) and the first refusal is
    returned, so the page can say which one; the others are held all the same."""
    discard_expired_holds(commit=False)
    held = _rows(token)
    refused: EvidenceRejected | None = None
    room = MAX_FILES_PER_SUBMISSION - len(held)
    budget = current_app.config["MAX_COMPLAINT_BYTES"] - sum(row.size for row in held)
    key = _key(token, holder)
    contents = {row.sha256 for row in held}
    for position, (filename, incoming) in enumerate(uploads):
        if incoming.sha256 and incoming.sha256 in contents:
            continue  # chosen again after the page said it was kept: one copy is enough
        try:
            media_type = check_files([incoming])[0]
        except EvidenceRejected as rejected:
            refused = refused or _renumbered(rejected, incoming, position)
            continue
        if room <= 0 or incoming.size > budget:
            refused = refused or EvidenceRejected(413, _too_many(), position)
            continue
        if not isinstance(incoming, EncryptedSpool):
            continue  # only uploads spooled by this request can be held
        row = HeldUpload(
            token_hash=_hash(token),
            handle=secrets.token_hex(12),
            temp_name=hold_spool(incoming),
            key_id=incoming.key_id.hex(),
            size=incoming.size,
            sha256=incoming.sha256,
            media_type=media_type,
            created_at=utcnow(),
            expires_at=utcnow() + HOLD_FOR,
        )
        row.wrapped_file_key = wrap_key(key, incoming.file_key, _aad(row, "key"))
        name = (filename or "")[:MAX_FILENAME]
        row.filename_sealed = seal(key, name.encode("utf-8"), _aad(row, "name"))
        db.session.add(row)
        contents.add(row.sha256)
        room -= 1
        budget -= incoming.size
    db.session.commit()
    return refused


def _too_many() -> str:
    return str(
        _l(
            "Please send at most %(count)s files, or %(mb)s MB, with one complaint.",
            count=MAX_FILES_PER_SUBMISSION,
            mb=current_app.config["MAX_COMPLAINT_BYTES"] // (1024 * 1024),
        )
    )


def _renumbered(
    rejected: EvidenceRejected, incoming: IncomingFile, position: int
) -> EvidenceRejected:
    """`check_files` saw one file and called it file 1: say which of this request's it was."""
    number = position + 1
    if rejected.status == 415:
        message = _l(
            "File %(number)s is not a type we accept. Please send photos, PDF "
            "documents, voice notes or audio, short videos or text.",
            number=number,
        )
    else:
        message = _l(
            "File %(number)s is too large. Each file can be at most %(limit)s MB.",
            number=number,
            limit=incoming.max_bytes // (1024 * 1024),
        )
    return EvidenceRejected(rejected.status, str(message), position)


def held_files(token: str, holder: str) -> list[HeldFile]:
    """The files held under `token` that this browser (`holder`) can open, oldest first."""
    key = _key(token, holder)
    listed = []
    for row in _rows(token):
        name = _filename(key, row)
        if name is not None:
            listed.append(HeldFile(row.handle, name, row.size, row.media_type))
    return listed


def release_held(token: str, holder: str, handle: str) -> bool:
    """Remove one held file (the form's remove button); commits. False if there is no such
    file under this token for this browser."""
    key = _key(token, holder)
    for row in _rows(token):
        if secrets.compare_digest(row.handle, handle) and _filename(key, row) is not None:
            _discard(row)
            db.session.commit()
            return True
    return False


def claim_held(token: str, holder: str) -> list[tuple[str, HeldSpool]]:
    """The held files opened again for lodging, oldest first. Only files held under `token`
    and openable with `holder` are returned; they stay held until `drop_holds`."""
    key = _key(token, holder)
    store = evidence_store()
    claimed = []
    contents = set()
    for row in _rows(token):
        name = _filename(key, row)
        path = find_temp_file(store, row.temp_name)
        if name is None or path is None or row.sha256 in contents:
            continue  # another browser's, gone, or the same file held twice (a double tap)
        contents.add(row.sha256)
        file_key = unwrap_key(key, row.wrapped_file_key, _aad(row, "key"))
        spool = HeldSpool(
            store,
            path,
            file_key,
            bytes.fromhex(row.key_id),
            row.size,
            row.sha256,
            current_app.config["MAX_FILE_BYTES"],
        )
        claimed.append((name, spool))
    return claimed


def drop_holds(token: str) -> None:
    """Forget every file held under `token` (after lodging: the claimed ones are in the store
    now) and remove any temporary file left; commits."""
    for row in db.session.scalars(select(HeldUpload).where(HeldUpload.token_hash == _hash(token))):
        _discard(row)
    db.session.commit()


def move_holds(old_token: str, new_token: str, holder: str) -> None:
    """Hold the files of `old_token` under `new_token` instead (the form got a new token);
    commits. Files this browser cannot open stay where they are, to expire."""
    old_key, new_key = _key(old_token, holder), _key(new_token, holder)
    for row in _rows(old_token):
        name = _filename(old_key, row)
        if name is None:
            continue
        file_key = unwrap_key(old_key, row.wrapped_file_key, _aad(row, "key"))
        row.token_hash = _hash(new_token)
        row.wrapped_file_key = wrap_key(new_key, file_key, _aad(row, "key"))
        row.filename_sealed = seal(new_key, name.encode("utf-8"), _aad(row, "name"))
    db.session.commit()


def held_temp_names() -> set[str]:
    """Names of the temporary files still held (not expired): the store's cleanup keeps them."""
    return set(
        db.session.scalars(select(HeldUpload.temp_name).where(HeldUpload.expires_at > utcnow()))
    )


def discard_expired_holds(commit: bool = True) -> int:
    """Remove held files whose time has passed (row and temporary file); returns how many."""
    expired = list(db.session.scalars(select(HeldUpload).where(HeldUpload.expires_at <= utcnow())))
    for row in expired:
        _discard(row)
    if commit:
        db.session.commit()
    return len(expired)


def _discard(row: HeldUpload) -> None:
    release_temp_file(evidence_store(), row.temp_name)
    db.session.execute(delete(HeldUpload).where(HeldUpload.id == row.id))
